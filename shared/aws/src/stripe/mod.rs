//! The `Payments` port on Stripe's REST API.
//!
//! Why a small client of our own rather than async-stripe: async-stripe 1.0's generated
//! types deserialize Stripe objects strictly (every field of a PaymentIntent is required,
//! e.g. `amount_capturable`, `confirmation_method`), and localstripe, our local and test
//! stand-in, omits many of them; with async-stripe no integration test could run. Its
//! typed crates also cost minutes of compile per build (../shared/notes/DESIGN.md). We
//! call six endpoints, read a handful of fields, and reuse the hyper + rustls (aws-lc)
//! stack the AWS SDK already links, so the client adds almost nothing to each binary.
//!
//! Every mutating call sends an `Idempotency-Key` derived from our ids. The API version is
//! pinned so object shapes cannot change under us. Nothing here logs request bodies:
//! metadata holds only our opaque ids, and no card data ever reaches our code.

pub mod event;
pub mod secret;
pub mod signature;

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use app::ports::payments::*;

pub const API_BASE: &str = "https://api.stripe.com";
/// The API version our field reads were written against.
pub const API_VERSION: &str = "2024-06-20";
const TIMEOUT: Duration = Duration::from_secs(8);

type Https = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

#[derive(Clone)]
pub struct StripePayments {
    base: String,
    secret_key: String,
}

/// One connection pool per process, built on first use (loading the root certificates
/// costs a few milliseconds that a function which never calls Stripe should not pay).
/// Without any root certificate the client cannot exist; each call then says so.
fn http() -> Result<&'static Https, PaymentError> {
    static CLIENT: OnceLock<Result<Https, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_native_roots()
                .map_err(|e| format!("no root certificates: {e}"))?
                .https_or_http()
                .enable_http1()
                .build();
            Ok(Client::builder(TokioExecutor::new()).build(connector))
        })
        .as_ref()
        .map_err(|e| PaymentError::Unavailable(e.clone().into()))
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    code: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

impl StripePayments {
    pub fn new(base: Option<&str>, secret_key: impl Into<String>) -> Self {
        Self {
            base: base.unwrap_or(API_BASE).trim_end_matches('/').to_string(),
            secret_key: secret_key.into(),
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: Option<&str>,
    ) -> Result<T, PaymentError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(header::AUTHORIZATION, format!("Bearer {}", self.secret_key))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("Stripe-Version", API_VERSION);
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| PaymentError::Unavailable(Box::new(e)))?;
        let res = tokio::time::timeout(TIMEOUT, http()?.request(req))
            .await
            .map_err(|e| PaymentError::Unavailable(Box::new(e)))?
            .map_err(|e| PaymentError::Unavailable(Box::new(e)))?;
        let status = res.status();
        let bytes = tokio::time::timeout(TIMEOUT, res.into_body().collect())
            .await
            .map_err(|e| PaymentError::Unavailable(Box::new(e)))?
            .map_err(|e| PaymentError::Unavailable(Box::new(e)))?
            .to_bytes();
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|e| PaymentError::Unavailable(Box::new(e)));
        }
        // Only Stripe's error type and code are kept: its message may echo request data.
        let (kind, code) = serde_json::from_slice::<ErrorBody>(&bytes)
            .map(|b| {
                (
                    b.error.kind.unwrap_or_default(),
                    b.error.code.unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let detail = format!("{status} on {path}: {kind} {code}");
        if retry_later(status, &kind) {
            return Err(PaymentError::Unavailable(detail.into()));
        }
        Err(PaymentError::Rejected(detail.trim().to_string()))
    }
}

/// Whether an error says nothing about the request itself, so the same request (same
/// idempotency key) should be made again later: rate limits and Stripe's own failures,
/// our credentials (a key being rotated), a concurrent request with the same key (409),
/// and idempotency errors. Only a refusal of the request as such (e.g. nothing left to
/// refund, a card declined, an unknown object) is final: it closes what it was for.
fn retry_later(status: StatusCode, kind: &str) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
        || matches!(
            status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::CONFLICT
        )
        || kind == "idempotency_error"
        || kind == "api_error"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_refusals_of_the_request_itself_are_final() {
        for (status, kind) in [
            (429, "rate_limit_error"),
            (500, "api_error"),
            (401, "authentication_error"),
            (403, "permission_error"),
            (409, "idempotency_error"),
            (400, "idempotency_error"),
        ] {
            assert!(
                retry_later(StatusCode::from_u16(status).unwrap(), kind),
                "{status}"
            );
        }
        for (status, kind) in [
            (400, "invalid_request_error"),
            (402, "card_error"),
            (404, "invalid_request_error"),
        ] {
            assert!(
                !retry_later(StatusCode::from_u16(status).unwrap(), kind),
                "{status}"
            );
        }
    }
}

#[derive(Deserialize)]
struct IntentBody {
    id: String,
    #[serde(default)]
    client_secret: Option<String>,
}

#[derive(Deserialize)]
struct RefundBody {
    id: String,
    amount: i64,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct IdBody {
    id: String,
}

#[derive(Deserialize)]
struct SubscriptionBody {
    id: String,
    status: String,
    #[serde(default)]
    current_period_end: Option<i64>,
    #[serde(default)]
    cancel_at_period_end: bool,
    #[serde(default)]
    latest_invoice: Option<serde_json::Value>,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
}

impl From<SubscriptionBody> for Subscription {
    fn from(b: SubscriptionBody) -> Self {
        // With `expand[]=latest_invoice.payment_intent` the secret is nested in place.
        let client_secret = b
            .latest_invoice
            .as_ref()
            .and_then(|i| i.get("payment_intent"))
            .and_then(|p| p.get("client_secret"))
            .and_then(|s| s.as_str())
            .map(str::to_owned);
        Self {
            id: b.id,
            status: b.status,
            current_period_end: b.current_period_end,
            cancel_at_period_end: b.cancel_at_period_end,
            client_secret,
            user_id: b.metadata.get("user_id").cloned(),
            rental_id: b.metadata.get("rental_id").cloned(),
        }
    }
}

impl Payments for StripePayments {
    async fn create_intent(&self, req: &IntentRequest<'_>) -> Result<Intent, PaymentError> {
        let form = [
            ("amount", req.amount.to_string()),
            ("currency", req.currency.to_lowercase()),
            (
                if req.for_series {
                    "metadata[series_id]"
                } else {
                    "metadata[booking_id]"
                },
                req.booking_id.to_string(),
            ),
            ("metadata[user_id]", req.user_id.to_string()),
        ];
        let body: IntentBody = self
            .call(
                Method::POST,
                "/v1/payment_intents",
                &form,
                Some(req.idempotency_key),
            )
            .await?;
        let client_secret = body
            .client_secret
            .ok_or_else(|| PaymentError::Rejected("PaymentIntent without client_secret".into()))?;
        Ok(Intent {
            id: body.id,
            client_secret,
        })
    }

    async fn set_intent_amount(&self, intent_id: &str, amount: i64) -> Result<(), PaymentError> {
        let path = format!("/v1/payment_intents/{intent_id}");
        let key = format!("amount-{intent_id}-{amount}");
        self.call::<IdBody>(
            Method::POST,
            &path,
            &[("amount", amount.to_string())],
            Some(&key),
        )
        .await
        .map(|_| ())
    }

    async fn cancel_intent(&self, intent_id: &str) -> Result<(), PaymentError> {
        let path = format!("/v1/payment_intents/{intent_id}/cancel");
        let key = format!("cancel-{intent_id}");
        self.call::<IdBody>(Method::POST, &path, &[], Some(&key))
            .await
            .map(|_| ())
    }

    async fn refund(&self, req: &RefundRequest<'_>) -> Result<Refund, PaymentError> {
        let form = [
            ("payment_intent", req.payment_intent_id.to_string()),
            ("amount", req.amount.to_string()),
            ("metadata[booking_id]", req.booking_id.to_string()),
            ("metadata[reason]", req.reason.to_string()),
            // Read back from the refund's news: it settles exactly the refund we owed.
            ("metadata[refund_key]", req.idempotency_key.to_string()),
        ];
        let body: RefundBody = self
            .call(
                Method::POST,
                "/v1/refunds",
                &form,
                Some(req.idempotency_key),
            )
            .await?;
        Ok(Refund {
            id: body.id,
            amount: body.amount,
            status: body.status.unwrap_or_else(|| "succeeded".into()),
        })
    }

    async fn create_customer(
        &self,
        user_id: &str,
        payment_method_id: &str,
        idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        let form = [
            ("metadata[user_id]", user_id.to_string()),
            ("payment_method", payment_method_id.to_string()),
            (
                "invoice_settings[default_payment_method]",
                payment_method_id.to_string(),
            ),
        ];
        let body: IdBody = self
            .call(Method::POST, "/v1/customers", &form, Some(idempotency_key))
            .await?;
        Ok(body.id)
    }

    async fn set_default_payment_method(
        &self,
        customer_id: &str,
        payment_method_id: &str,
    ) -> Result<(), PaymentError> {
        let attach = format!("/v1/payment_methods/{payment_method_id}/attach");
        let key = format!("attach-{payment_method_id}-{customer_id}");
        self.call::<IdBody>(
            Method::POST,
            &attach,
            &[("customer", customer_id.to_string())],
            Some(&key),
        )
        .await?;
        let form = [(
            "invoice_settings[default_payment_method]",
            payment_method_id.to_string(),
        )];
        let key = format!("default-{payment_method_id}-{customer_id}");
        self.call::<IdBody>(
            Method::POST,
            &format!("/v1/customers/{customer_id}"),
            &form,
            Some(&key),
        )
        .await
        .map(|_| ())
    }

    async fn get_subscription(&self, subscription_id: &str) -> Result<Subscription, PaymentError> {
        let path = format!("/v1/subscriptions/{subscription_id}");
        let body: SubscriptionBody = self.call(Method::GET, &path, &[], None).await?;
        Ok(body.into())
    }

    async fn ensure_plan_price(&self, plan: &PlanPrice<'_>) -> Result<String, PaymentError> {
        let path = format!("/v1/plans/{}", plan.key);
        if let Ok(found) = self.call::<IdBody>(Method::GET, &path, &[], None).await {
            return Ok(found.id);
        }
        let form = [
            ("id", plan.key.to_string()),
            ("amount", plan.amount.to_string()),
            ("currency", plan.currency.to_lowercase()),
            ("interval", "month".to_string()),
            ("product[name]", plan.name.to_string()),
        ];
        match self
            .call::<IdBody>(Method::POST, "/v1/plans", &form, Some(plan.key))
            .await
        {
            Ok(created) => Ok(created.id),
            // Created concurrently by another request: the one that exists is the same.
            Err(PaymentError::Rejected(_)) => self
                .call::<IdBody>(Method::GET, &path, &[], None)
                .await
                .map(|b| b.id),
            Err(e) => Err(e),
        }
    }

    async fn create_subscription(
        &self,
        req: &SubscriptionRequest<'_>,
    ) -> Result<Subscription, PaymentError> {
        let form = [
            ("customer", req.customer_id.to_string()),
            ("items[0][plan]", req.price_id.to_string()),
            ("metadata[user_id]", req.user_id.to_string()),
            match req.purpose {
                SubscriptionFor::Plan(id) => ("metadata[plan_id]", id.to_string()),
                SubscriptionFor::Rental(id) => ("metadata[rental_id]", id.to_string()),
            },
            ("payment_behavior", "allow_incomplete".to_string()),
            ("expand[0]", "latest_invoice.payment_intent".to_string()),
        ];
        let body: SubscriptionBody = self
            .call(
                Method::POST,
                "/v1/subscriptions",
                &form,
                Some(req.idempotency_key),
            )
            .await?;
        Ok(body.into())
    }

    async fn cancel_subscription_at_period_end(
        &self,
        subscription_id: &str,
    ) -> Result<Subscription, PaymentError> {
        let path = format!("/v1/subscriptions/{subscription_id}");
        let form = [("cancel_at_period_end", "true".to_string())];
        let key = format!("cancel-at-period-end-{subscription_id}");
        let body: SubscriptionBody = self.call(Method::POST, &path, &form, Some(&key)).await?;
        Ok(body.into())
    }

    async fn cancel_subscription(&self, subscription_id: &str) -> Result<(), PaymentError> {
        let path = format!("/v1/subscriptions/{subscription_id}");
        self.call::<IdBody>(Method::DELETE, &path, &[], None)
            .await
            .map(|_| ())
    }

    async fn forget_user_on(&self, object: ProviderObject<'_>) -> Result<(), PaymentError> {
        let path = match object {
            ProviderObject::PaymentIntent(id) => format!("/v1/payment_intents/{id}"),
            ProviderObject::Subscription(id) => format!("/v1/subscriptions/{id}"),
        };
        // An empty value removes the key (Stripe's metadata semantics).
        let form = [("metadata[user_id]", String::new())];
        gone_is_done(self.call::<IdBody>(Method::POST, &path, &form, None).await)
    }

    async fn delete_customer(&self, customer_id: &str) -> Result<(), PaymentError> {
        let path = format!("/v1/customers/{customer_id}");
        gone_is_done(self.call::<IdBody>(Method::DELETE, &path, &[], None).await)
    }
}

/// For erasure: an object the provider no longer has needs no more forgetting.
fn gone_is_done(result: Result<IdBody, PaymentError>) -> Result<(), PaymentError> {
    match result {
        Ok(_) => Ok(()),
        Err(PaymentError::Rejected(detail)) if detail.starts_with("404") => Ok(()),
        Err(e) => Err(e),
    }
}

impl StripePayments {
    /// The composition root's constructor: a function that talks to Stripe cannot work
    /// without its key, so a missing one stops it at init, loudly, not at the first payment.
    pub fn from_context(ctx: &crate::AppContext) -> Self {
        let cfg = ctx.config();
        let key = cfg.stripe_secret_key.as_deref().expect(
            "STRIPE_SECRET_NAME must name the Stripe keys' secret for a function that calls Stripe",
        );
        Self::new(cfg.stripe_api_base.as_deref(), key)
    }
}
