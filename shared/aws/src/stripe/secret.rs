//! Stripe's keys from Secrets Manager, read once when a function starts: never in plain
//! environment variables, where anyone who can read the function's configuration could
//! copy them.

use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde::Deserialize;

/// The secret's JSON: `{"secret_key": "sk_...", "webhook_secret": "whsec_..."}`.
#[derive(Deserialize)]
pub struct StripeKeys {
    pub secret_key: String,
    #[serde(default)]
    pub webhook_secret: Option<String>,
}

impl std::fmt::Debug for StripeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripeKeys(redacted)")
    }
}

/// Reads and parses the secret `name`. The error never contains the secret's value.
pub async fn read(
    sdk: &aws_config::SdkConfig,
    observer: Option<SharedInterceptor>,
    name: &str,
) -> Result<StripeKeys, String> {
    let mut conf = aws_sdk_secretsmanager::config::Builder::from(sdk);
    conf.set_interceptors(observer);
    let client = aws_sdk_secretsmanager::Client::from_conf(conf.build());
    let out = client
        .get_secret_value()
        .secret_id(name)
        .send()
        .await
        .map_err(|e| DisplayErrorContext(&e).to_string())?;
    let text = out
        .secret_string()
        .ok_or_else(|| "the secret has no string value".to_string())?;
    serde_json::from_str(text)
        .map_err(|_| "the secret is not a JSON object with secret_key (and webhook_secret)".into())
}
