//! The HttpApi JWT authorizer, locally: verifies the bearer token against the Cognito
//! JWKS before a protected route runs, and re-reads the JWKS when a token names a key it
//! does not know (key rotation), at most once per interval.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::auth::{AuthError, JwtVerifier, bearer_token, flatten_claims};
use jsonwebtoken::jwk::JwkSet;
use tokio::sync::RwLock;

use crate::stack::AuthorizerInfo;

const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(10);

pub struct Authorizer {
    jwks_url: String,
    http: reqwest::Client,
    state: RwLock<(JwtVerifier, Instant)>,
}

impl Authorizer {
    pub async fn new(info: &AuthorizerInfo) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()?;
        let jwks = fetch(&http, &info.jwks_url).await?;
        Ok(Self {
            jwks_url: info.jwks_url.clone(),
            http,
            state: RwLock::new((
                JwtVerifier::new(&info.issuer, info.audience.clone(), &jwks),
                Instant::now(),
            )),
        })
    }

    /// Claims as API Gateway would pass them, or why the request is refused (401).
    pub async fn authorize(
        &self,
        authorization: Option<&str>,
    ) -> Result<HashMap<String, String>, AuthError> {
        let token = bearer_token(authorization)?;
        let first = self.state.read().await.0.verify(token);
        let claims = match first {
            Err(AuthError::UnknownKey) => {
                self.refresh_keys().await;
                self.state.read().await.0.verify(token)?
            }
            other => other?,
        };
        Ok(flatten_claims(&claims))
    }

    async fn refresh_keys(&self) {
        let mut state = self.state.write().await;
        if state.1.elapsed() < JWKS_REFRESH_INTERVAL {
            return;
        }
        state.1 = Instant::now();
        match fetch(&self.http, &self.jwks_url).await {
            Ok(jwks) => state.0.set_keys(&jwks),
            Err(err) => tracing::warn!(error = %err, "could not refresh the JWKS"),
        }
    }
}

async fn fetch(http: &reqwest::Client, url: &str) -> Result<JwkSet, reqwest::Error> {
    http.get(url).send().await?.error_for_status()?.json().await
}
