//! Configuration from the environment (template.yaml's `Environment.Variables`).

use thiserror::Error;

#[derive(Debug, Error)]
#[error("missing environment variable {0}")]
pub struct MissingVar(pub &'static str);

pub use domain::booking::DEFAULT_MAX_ACTIVE_HOLDS;

/// Everything a function needs to find its resources. Read once per process.
#[derive(Clone, Debug)]
pub struct Config {
    pub stage: String,
    pub region: String,
    pub table_name: String,
    pub event_bus_name: String,
    pub user_pool_id: String,
    pub user_pool_client_id: String,
    /// Set only for the local stand-ins; on AWS the SDK finds the real endpoints.
    pub aws_endpoint_url: Option<String>,
    /// The credentials to sign with at the local stand-ins: the function's own role's
    /// (the local stack enforces IAM), or the stand-ins' root ones when none are given.
    /// Read only with `aws_endpoint_url`; on AWS the SDK's default chain finds them.
    pub local_credentials: Option<LocalCredentials>,
    /// Stripe API base URL; set only for the local stand-in (localstripe).
    pub stripe_api_base: Option<String>,
    /// The Secrets Manager secret holding Stripe's keys (`STRIPE_SECRET_NAME`, a JSON
    /// object with `secret_key` and `webhook_secret`). Only functions that call Stripe have
    /// it; they read it once when they start (`AppContext::new`), never from plain
    /// environment variables.
    pub stripe_secret_name: Option<String>,
    /// Stripe secret key, read from `stripe_secret_name` at start.
    pub stripe_secret_key: Option<String>,
    /// Signing secret of the Stripe webhook endpoint (`whsec_...`), read likewise.
    pub stripe_webhook_secret: Option<String>,
    /// EventBridge's own endpoint when it differs from `aws_endpoint_url` (the SDKs'
    /// standard `AWS_ENDPOINT_URL_EVENTBRIDGE`; local fault-injection tests use it).
    pub eventbridge_endpoint_url: Option<String>,
    /// Sender address of notification emails (an SES-verified identity).
    pub notify_from: String,
    /// The WebSocket API's connection management endpoint
    /// (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`); realtime worker only.
    pub live_connections_url: Option<String>,
    /// The bucket of invoice and credit-note PDFs (functions that store or link them).
    pub documents_bucket: Option<String>,
    /// The platform as the seller of memberships on its invoices (payments webhook).
    pub platform_name: String,
    /// ISO 3166-1 country the platform sells from (its VAT applies).
    pub platform_country: String,
    pub platform_vat_id: Option<String>,
    /// Unpaid holds a member may have at once (create-booking; abuse limit).
    pub max_active_holds: u32,
    /// How long a pending booking holds its time (`BOOKING_HOLD_SECONDS`, 15 minutes
    /// unless set; tests of expiry shorten it).
    pub booking_hold: jiff::SignedDuration,
}

/// An access key, its secret and session token, for the local stand-ins only.
#[derive(Clone)]
pub struct LocalCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for LocalCredentials {
    // Never print the secret, even in a local debug log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn from_env() -> Result<Self, MissingVar> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Builds the configuration from any key lookup: the Lambda environment, or the
    /// local gateway's resolved template environment (no process-wide `set_var`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, MissingVar> {
        let required =
            |key: &'static str| lookup(key).filter(|v| !v.is_empty()).ok_or(MissingVar(key));
        let aws_endpoint_url = lookup("AWS_ENDPOINT_URL").filter(|v| !v.is_empty());
        let local_credentials = aws_endpoint_url.as_ref().and_then(|_| {
            Some(LocalCredentials {
                access_key_id: lookup("AWS_ACCESS_KEY_ID").filter(|v| !v.is_empty())?,
                secret_access_key: lookup("AWS_SECRET_ACCESS_KEY").filter(|v| !v.is_empty())?,
                session_token: lookup("AWS_SESSION_TOKEN").filter(|v| !v.is_empty()),
            })
        });
        Ok(Self {
            stage: lookup("STAGE").unwrap_or_else(|| "dev".into()),
            region: lookup("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
            table_name: required("TABLE_NAME")?,
            event_bus_name: required("EVENT_BUS_NAME")?,
            user_pool_id: required("USER_POOL_ID")?,
            user_pool_client_id: required("USER_POOL_CLIENT_ID")?,
            aws_endpoint_url,
            local_credentials,
            stripe_api_base: lookup("STRIPE_API_BASE").filter(|v| !v.is_empty()),
            stripe_secret_name: lookup("STRIPE_SECRET_NAME").filter(|v| !v.is_empty()),
            stripe_secret_key: None,
            stripe_webhook_secret: None,
            eventbridge_endpoint_url: lookup("AWS_ENDPOINT_URL_EVENTBRIDGE")
                .filter(|v| !v.is_empty()),
            notify_from: lookup("NOTIFY_FROM")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "bookings@example.com".into()),
            live_connections_url: lookup("LIVE_CONNECTIONS_URL").filter(|v| !v.is_empty()),
            documents_bucket: lookup("DOCUMENTS_BUCKET").filter(|v| !v.is_empty()),
            platform_name: lookup("PLATFORM_NAME")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "Coworking".into()),
            platform_country: lookup("PLATFORM_COUNTRY")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "DE".into()),
            platform_vat_id: lookup("PLATFORM_VAT_ID").filter(|v| !v.is_empty()),
            max_active_holds: lookup("MAX_ACTIVE_HOLDS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_MAX_ACTIVE_HOLDS),
            booking_hold: lookup("BOOKING_HOLD_SECONDS")
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|s| (1..=3600).contains(s))
                .map(jiff::SignedDuration::from_secs)
                .unwrap_or(domain::booking::HOLD),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_required_and_optional_values() {
        let env = vars(&[
            ("TABLE_NAME", "t"),
            ("EVENT_BUS_NAME", "b"),
            ("USER_POOL_ID", "p"),
            ("USER_POOL_CLIENT_ID", "c"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
        ]);
        let cfg = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
        assert_eq!(cfg.table_name, "t");
        assert_eq!(cfg.aws_endpoint_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(cfg.region, "us-east-1");
        assert!(cfg.local_credentials.is_none());
    }

    #[test]
    fn credentials_are_read_for_the_stand_ins_only_and_never_printed() {
        let mut env = vars(&[
            ("TABLE_NAME", "t"),
            ("EVENT_BUS_NAME", "b"),
            ("USER_POOL_ID", "p"),
            ("USER_POOL_CLIENT_ID", "c"),
            ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "very-secret"),
            ("AWS_SESSION_TOKEN", "token"),
        ]);
        let on_aws = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
        assert!(on_aws.local_credentials.is_none());
        env.insert("AWS_ENDPOINT_URL".into(), "http://127.0.0.1:1".into());
        let local = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
        let creds = local.local_credentials.as_ref().unwrap();
        assert_eq!(creds.access_key_id, "ASIAEXAMPLE");
        assert_eq!(creds.session_token.as_deref(), Some("token"));
        assert!(!format!("{local:?}").contains("very-secret"));
    }

    #[test]
    fn names_the_missing_variable() {
        let env = vars(&[("TABLE_NAME", "t"), ("EVENT_BUS_NAME", "")]);
        let err = Config::from_lookup(|k| env.get(k).cloned()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing environment variable EVENT_BUS_NAME"
        );
    }
}
