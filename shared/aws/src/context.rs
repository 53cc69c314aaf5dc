//! One set of AWS clients per process, created lazily: a function that never calls
//! Cognito never pays for a Cognito client, and every request reuses the same ones. Each
//! client exists only with its crate feature, so a function links the SDKs it uses.

use std::sync::Arc;
#[cfg(any(
    feature = "dynamodb",
    feature = "cognito",
    feature = "eventbridge",
    feature = "notify",
    feature = "live"
))]
use std::sync::OnceLock;

pub use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::config::Config;

#[derive(Clone)]
pub struct AppContext {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    sdk: SdkConfig,
    #[cfg(feature = "dynamodb")]
    dynamodb: OnceLock<aws_sdk_dynamodb::Client>,
    #[cfg(feature = "cognito")]
    cognito: OnceLock<aws_sdk_cognitoidentityprovider::Client>,
    #[cfg(feature = "eventbridge")]
    eventbridge: OnceLock<aws_sdk_eventbridge::Client>,
    #[cfg(feature = "notify")]
    ses: OnceLock<aws_sdk_sesv2::Client>,
    #[cfg(feature = "notify")]
    sns: OnceLock<aws_sdk_sns::Client>,
    #[cfg(feature = "live")]
    live: OnceLock<aws_sdk_apigatewaymanagement::Client>,
}

impl AppContext {
    /// Loads the SDK configuration. No network I/O happens here: credentials are
    /// resolved on first use, which keeps Lambda init short.
    pub async fn new(config: Config) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()));
        if let Some(url) = &config.aws_endpoint_url {
            // Local stand-ins accept any credentials; never reached on AWS.
            loader = loader.endpoint_url(url).credentials_provider(
                aws_credential_types::Credentials::new("test", "test", None, None, "local"),
            );
        }
        let sdk = loader.load().await;
        Self::with_sdk_config(config, sdk)
    }

    pub fn with_sdk_config(config: Config, sdk: SdkConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                sdk,
                #[cfg(feature = "dynamodb")]
                dynamodb: OnceLock::new(),
                #[cfg(feature = "cognito")]
                cognito: OnceLock::new(),
                #[cfg(feature = "eventbridge")]
                eventbridge: OnceLock::new(),
                #[cfg(feature = "notify")]
                ses: OnceLock::new(),
                #[cfg(feature = "notify")]
                sns: OnceLock::new(),
                #[cfg(feature = "live")]
                live: OnceLock::new(),
            }),
        }
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
        self.inner
            .dynamodb
            .get_or_init(|| aws_sdk_dynamodb::Client::new(&self.inner.sdk))
    }

    #[cfg(feature = "cognito")]
    pub fn cognito(&self) -> &aws_sdk_cognitoidentityprovider::Client {
        self.inner
            .cognito
            .get_or_init(|| aws_sdk_cognitoidentityprovider::Client::new(&self.inner.sdk))
    }

    #[cfg(feature = "eventbridge")]
    pub fn eventbridge(&self) -> &aws_sdk_eventbridge::Client {
        self.inner.eventbridge.get_or_init(|| {
            let mut conf = aws_sdk_eventbridge::config::Builder::from(&self.inner.sdk);
            if let Some(url) = &self.inner.config.eventbridge_endpoint_url {
                conf = conf.endpoint_url(url);
            }
            aws_sdk_eventbridge::Client::from_conf(conf.build())
        })
    }

    #[cfg(feature = "notify")]
    pub fn ses(&self) -> &aws_sdk_sesv2::Client {
        self.inner
            .ses
            .get_or_init(|| aws_sdk_sesv2::Client::new(&self.inner.sdk))
    }

    #[cfg(feature = "notify")]
    pub fn sns(&self) -> &aws_sdk_sns::Client {
        self.inner
            .sns
            .get_or_init(|| aws_sdk_sns::Client::new(&self.inner.sdk))
    }

    /// Posts to the WebSocket API's connections. Its endpoint is the API's own (there is
    /// no regional one), so it must be configured; `None` when it is not.
    #[cfg(feature = "live")]
    pub fn live_connections(&self) -> Option<&aws_sdk_apigatewaymanagement::Client> {
        let url = self.inner.config.live_connections_url.as_ref()?;
        Some(self.inner.live.get_or_init(|| {
            let conf = aws_sdk_apigatewaymanagement::config::Builder::from(&self.inner.sdk)
                .endpoint_url(url)
                .build();
            aws_sdk_apigatewaymanagement::Client::from_conf(conf)
        }))
    }
}
