//! One set of AWS clients per process, created lazily: a function that never calls
//! Cognito never pays for a Cognito client, and every request reuses the same ones. Each
//! client exists only with its crate feature, so a function links the SDKs it uses.

use std::sync::Arc;
#[cfg(any(
    feature = "dynamodb",
    feature = "cognito",
    feature = "eventbridge",
    feature = "notify",
    feature = "sms",
    feature = "live",
    feature = "documents"
))]
use std::sync::OnceLock;

pub use aws_config::{BehaviorVersion, Region, SdkConfig};
pub use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

use crate::config::Config;

#[derive(Clone)]
pub struct AppContext {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    sdk: SdkConfig,
    /// Sees every call of every client (the local stack records which permissions each
    /// function used); none on Lambda.
    observer: Option<SharedInterceptor>,
    #[cfg(feature = "dynamodb")]
    dynamodb: OnceLock<aws_sdk_dynamodb::Client>,
    #[cfg(feature = "cognito")]
    cognito: OnceLock<aws_sdk_cognitoidentityprovider::Client>,
    #[cfg(feature = "eventbridge")]
    eventbridge: OnceLock<aws_sdk_eventbridge::Client>,
    #[cfg(feature = "notify")]
    ses: OnceLock<aws_sdk_sesv2::Client>,
    #[cfg(feature = "sms")]
    sns: OnceLock<aws_sdk_sns::Client>,
    #[cfg(feature = "live")]
    live: OnceLock<aws_sdk_apigatewaymanagement::Client>,
    #[cfg(feature = "documents")]
    s3: OnceLock<aws_sdk_s3::Client>,
}

impl AppContext {
    /// Loads the SDK configuration, and Stripe's keys for a function that has a Stripe
    /// secret name (one Secrets Manager read at start, then cached for the process; a
    /// function that cannot read them does not start). Nothing else does network I/O here:
    /// credentials are resolved on first use, which keeps Lambda init short.
    pub async fn new(config: Config) -> Self {
        Self::start(config, None).await
    }

    /// [`AppContext::new`] with `observer` on every client, the secret read included.
    pub async fn observed(config: Config, observer: SharedInterceptor) -> Self {
        Self::start(config, Some(observer)).await
    }

    async fn start(config: Config, observer: Option<SharedInterceptor>) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()));
        if let Some(url) = &config.aws_endpoint_url {
            // The local stand-ins: the function's own role when given (IAM is enforced
            // there), else their root key. Never reached on AWS.
            let credentials = match &config.local_credentials {
                Some(c) => aws_credential_types::Credentials::new(
                    &c.access_key_id,
                    &c.secret_access_key,
                    c.session_token.clone(),
                    None,
                    "local-role",
                ),
                None => aws_credential_types::Credentials::new("test", "test", None, None, "local"),
            };
            loader = loader.endpoint_url(url).credentials_provider(credentials);
        }
        let sdk = loader.load().await;
        #[cfg(feature = "stripe")]
        let config = {
            let mut config = config;
            if let Some(name) = config.stripe_secret_name.clone() {
                let keys = crate::stripe::secret::read(&sdk, observer.clone(), &name)
                    .await
                    .unwrap_or_else(|e| panic!("cannot read the Stripe keys from {name}: {e}"));
                config.stripe_secret_key = Some(keys.secret_key);
                config.stripe_webhook_secret = keys.webhook_secret;
            }
            config
        };
        let mut context = Self::with_sdk_config(config, sdk);
        if let Some(observer) = observer {
            context = context.observed_by(observer);
        }
        context
    }

    pub fn with_sdk_config(config: Config, sdk: SdkConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                sdk,
                observer: None,
                #[cfg(feature = "dynamodb")]
                dynamodb: OnceLock::new(),
                #[cfg(feature = "cognito")]
                cognito: OnceLock::new(),
                #[cfg(feature = "eventbridge")]
                eventbridge: OnceLock::new(),
                #[cfg(feature = "notify")]
                ses: OnceLock::new(),
                #[cfg(feature = "sms")]
                sns: OnceLock::new(),
                #[cfg(feature = "live")]
                live: OnceLock::new(),
                #[cfg(feature = "documents")]
                s3: OnceLock::new(),
            }),
        }
    }

    /// Adds an interceptor to every client this context creates. Call before the
    /// context is cloned or used.
    pub fn observed_by(mut self, observer: SharedInterceptor) -> Self {
        Arc::get_mut(&mut self.inner)
            .expect("observe a context before sharing it")
            .observer = Some(observer);
        self
    }

    /// The interceptor every client gets (for clients this library does not wrap).
    pub fn observer(&self) -> Option<SharedInterceptor> {
        self.inner.observer.clone()
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// For clients this library does not wrap (the local event pump's).
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.inner.sdk
    }

    #[cfg(feature = "dynamodb")]
    pub fn dynamodb(&self) -> &aws_sdk_dynamodb::Client {
        self.inner.dynamodb.get_or_init(|| {
            let mut conf = aws_sdk_dynamodb::config::Builder::from(&self.inner.sdk);
            conf.set_interceptors(self.inner.observer.iter().cloned());
            aws_sdk_dynamodb::Client::from_conf(conf.build())
        })
    }

    #[cfg(feature = "cognito")]
    pub fn cognito(&self) -> &aws_sdk_cognitoidentityprovider::Client {
        self.inner.cognito.get_or_init(|| {
            let mut conf = aws_sdk_cognitoidentityprovider::config::Builder::from(&self.inner.sdk);
            conf.set_interceptors(self.inner.observer.iter().cloned());
            aws_sdk_cognitoidentityprovider::Client::from_conf(conf.build())
        })
    }

    #[cfg(feature = "eventbridge")]
    pub fn eventbridge(&self) -> &aws_sdk_eventbridge::Client {
        self.inner.eventbridge.get_or_init(|| {
            let mut conf = aws_sdk_eventbridge::config::Builder::from(&self.inner.sdk);
            conf.set_interceptors(self.inner.observer.iter().cloned());
            if let Some(url) = &self.inner.config.eventbridge_endpoint_url {
                conf = conf.endpoint_url(url);
            }
            aws_sdk_eventbridge::Client::from_conf(conf.build())
        })
    }

    #[cfg(feature = "notify")]
    pub fn ses(&self) -> &aws_sdk_sesv2::Client {
        self.inner.ses.get_or_init(|| {
            let mut conf = aws_sdk_sesv2::config::Builder::from(&self.inner.sdk);
            conf.set_interceptors(self.inner.observer.iter().cloned());
            aws_sdk_sesv2::Client::from_conf(conf.build())
        })
    }

    /// S3 for invoice PDFs. The local stand-in serves buckets by path, not by host name.
    #[cfg(feature = "documents")]
    pub fn s3(&self) -> &aws_sdk_s3::Client {
        self.inner.s3.get_or_init(|| {
            let mut conf = aws_sdk_s3::config::Builder::from(&self.inner.sdk);
            conf.set_interceptors(self.inner.observer.iter().cloned());
            if self.inner.config.aws_endpoint_url.is_some() {
                conf = conf.force_path_style(true);
            }
            aws_sdk_s3::Client::from_conf(conf.build())
        })
    }

    #[cfg(feature = "sms")]
    pub fn sns(&self) -> &aws_sdk_sns::Client {
        self.inner.sns.get_or_init(|| {
            let mut conf = aws_sdk_sns::config::Builder::from(&self.inner.sdk);
            conf.set_interceptors(self.inner.observer.iter().cloned());
            aws_sdk_sns::Client::from_conf(conf.build())
        })
    }

    /// Posts to the WebSocket API's connections. Its endpoint is the API's own (there is
    /// no regional one), so it must be configured; `None` when it is not.
    #[cfg(feature = "live")]
    pub fn live_connections(&self) -> Option<&aws_sdk_apigatewaymanagement::Client> {
        let url = self.inner.config.live_connections_url.as_ref()?;
        Some(self.inner.live.get_or_init(|| {
            let mut conf = aws_sdk_apigatewaymanagement::config::Builder::from(&self.inner.sdk);
            conf.set_interceptors(self.inner.observer.iter().cloned());
            let conf = conf.endpoint_url(url).build();
            aws_sdk_apigatewaymanagement::Client::from_conf(conf)
        }))
    }
}
