//! JWT verification exactly as the HTTP API JWT authorizer does it, for the places where
//! API Gateway does not do it for us: the local gateway, and (later) the WebSocket
//! authorizer. Checks: RS256 only, a key from the pool's JWKS, signature, `exp`/`nbf`,
//! `iss` equal to the configured issuer, and `aud` or `client_id` among the audiences.

use std::collections::HashMap;

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, errors::ErrorKind};
use serde_json::{Map, Value};
use thiserror::Error;

use app::caller::render_claim_list;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("no bearer token")]
    Missing,
    #[error("malformed token")]
    Malformed,
    #[error("token algorithm {0} is not accepted")]
    Algorithm(String),
    #[error("token signed by an unknown key")]
    UnknownKey,
    #[error("token signature is invalid")]
    Signature,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token issuer is not accepted")]
    Issuer,
    #[error("token audience is not accepted")]
    Audience,
    /// Only access and ID tokens open the API. (Cognito's refresh tokens are encrypted and
    /// never parse as a JWT at API Gateway; the local stand-in signs them like the others.)
    #[error("this kind of token does not authorize requests")]
    TokenUse,
}

pub struct JwtVerifier {
    issuer: String,
    audiences: Vec<String>,
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl JwtVerifier {
    pub fn new(issuer: impl Into<String>, audiences: Vec<String>, jwks: &JwkSet) -> Self {
        let issuer = issuer.into();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_nbf = true;
        // Audience is checked by hand: Cognito access tokens carry `client_id`, not `aud`.
        validation.validate_aud = false;
        validation.leeway = 0;
        let mut verifier = Self {
            issuer,
            audiences,
            keys: HashMap::new(),
            validation,
        };
        verifier.set_keys(jwks);
        verifier
    }

    /// Replaces the key set (after a key rotation: called when a token names an unknown kid).
    pub fn set_keys(&mut self, jwks: &JwkSet) {
        self.keys = jwks
            .keys
            .iter()
            .filter(|k| matches!(k.algorithm, AlgorithmParameters::RSA(_)))
            .filter_map(|k| Some((k.common.key_id.clone()?, DecodingKey::from_jwk(k).ok()?)))
            .collect();
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Verifies `token` and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, AuthError> {
        let header = decode_header(token).map_err(|e| match e.kind() {
            // `alg: none` (and any other unknown algorithm) fails to parse as a header.
            ErrorKind::Json(_) => AuthError::Algorithm("unsupported".into()),
            _ => AuthError::Malformed,
        })?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::Algorithm(format!("{:?}", header.alg)));
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.get(kid))
            .ok_or(AuthError::UnknownKey)?;
        let data =
            decode::<Map<String, Value>>(token, key, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::InvalidSignature => AuthError::Signature,
                    ErrorKind::ExpiredSignature => AuthError::Expired,
                    ErrorKind::ImmatureSignature => AuthError::NotYetValid,
                    ErrorKind::InvalidIssuer => AuthError::Issuer,
                    ErrorKind::MissingRequiredClaim(c) if c == "iss" => AuthError::Issuer,
                    _ => AuthError::Malformed,
                }
            })?;
        let claims = data.claims;
        if !matches!(
            claims.get("token_use").and_then(Value::as_str),
            Some("access" | "id")
        ) {
            return Err(AuthError::TokenUse);
        }
        let audience_ok = ["aud", "client_id"]
            .iter()
            .any(|name| match claims.get(*name) {
                Some(Value::String(s)) => self.audiences.contains(s),
                Some(Value::Array(items)) => items.iter().any(|v| {
                    v.as_str()
                        .is_some_and(|s| self.audiences.iter().any(|a| a == s))
                }),
                _ => false,
            });
        if !audience_ok {
            return Err(AuthError::Audience);
        }
        Ok(claims)
    }
}

/// Claims as API Gateway passes them to a function: every value a string, arrays as `[a b]`.
pub fn flatten_claims(claims: &Map<String, Value>) -> HashMap<String, String> {
    claims
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Array(items) => {
                    let parts: Vec<String> = items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect();
                    render_claim_list(parts.iter().map(String::as_str))
                }
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

/// The token in an `Authorization: Bearer <token>` header (API Gateway's identity source).
pub fn bearer_token(header: Option<&str>) -> Result<&str, AuthError> {
    let value = header.ok_or(AuthError::Missing)?.trim();
    let token = match value.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ if value.eq_ignore_ascii_case("bearer") => "",
        _ => value,
    };
    if token.is_empty() {
        Err(AuthError::Missing)
    } else {
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use serde_json::json;

    const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test";

    struct TestKey {
        kid: String,
        pair: aws_lc_rs::rsa::KeyPair,
    }

    impl TestKey {
        fn new(kid: &str) -> Self {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
            Self {
                kid: kid.into(),
                pair,
            }
        }

        fn jwks(&self) -> JwkSet {
            let public = self.pair.public_key();
            let n = B64.encode(public.modulus().big_endian_without_leading_zero());
            let e = B64.encode(public.exponent().big_endian_without_leading_zero());
            serde_json::from_value(json!({"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid, "n": n, "e": e}]}))
                .unwrap()
        }

        fn sign(&self, header: Value, claims: Value) -> String {
            let input = format!(
                "{}.{}",
                B64.encode(header.to_string()),
                B64.encode(claims.to_string())
            );
            let mut sig = vec![0; self.pair.public_modulus_len()];
            self.pair
                .sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input.as_bytes(),
                    &mut sig,
                )
                .unwrap();
            format!("{input}.{}", B64.encode(sig))
        }

        fn token(&self, claims: Value) -> String {
            self.sign(
                json!({"alg": "RS256", "kid": self.kid, "typ": "JWT"}),
                claims,
            )
        }
    }

    fn now() -> i64 {
        jiff::Timestamp::now().as_second()
    }

    fn access_claims() -> Value {
        json!({"sub": "u-1", "iss": ISS, "client_id": "client-a", "token_use": "access",
               "exp": now() + 600, "iat": now(), "cognito:groups": ["operator", "member"]})
    }

    fn verifier(key: &TestKey) -> JwtVerifier {
        JwtVerifier::new(ISS, vec!["client-a".into()], &key.jwks())
    }

    #[test]
    fn accepts_access_and_id_tokens_and_flattens_claims_like_api_gateway() {
        let key = TestKey::new("k1");
        let claims = verifier(&key).verify(&key.token(access_claims())).unwrap();
        let flat = flatten_claims(&claims);
        assert_eq!(flat["cognito:groups"], "[operator member]");
        assert_eq!(flat["sub"], "u-1");
        assert!(flat["exp"].parse::<i64>().is_ok());

        let id = json!({"sub": "u-1", "iss": ISS, "aud": "client-a", "token_use": "id", "exp": now() + 600});
        assert!(verifier(&key).verify(&key.token(id)).is_ok());
    }

    #[test]
    fn rejects_alg_none_and_algorithm_confusion() {
        let key = TestKey::new("k1");
        let v = verifier(&key);
        let body = B64.encode(access_claims().to_string());
        let none = format!("{}.{}.", B64.encode(r#"{"alg":"none","typ":"JWT"}"#), body);
        assert!(matches!(v.verify(&none), Err(AuthError::Algorithm(_))));
        // HS256 "signed" with public material must not be accepted as RS256.
        let hs = format!(
            "{}.{}.{}",
            B64.encode(r#"{"alg":"HS256","kid":"k1"}"#),
            body,
            B64.encode("x")
        );
        assert!(matches!(v.verify(&hs), Err(AuthError::Algorithm(_))));
    }

    #[test]
    fn rejects_bad_signature_and_unknown_key() {
        let key = TestKey::new("k1");
        let other = TestKey::new("k1");
        let v = verifier(&key);
        // Same kid, different private key: the signature does not verify.
        assert_eq!(
            v.verify(&other.token(access_claims())),
            Err(AuthError::Signature)
        );
        // A tampered payload keeps the old signature.
        let token = key.token(access_claims());
        let parts: Vec<&str> = token.split('.').collect();
        let mut claims = access_claims();
        claims["cognito:groups"] = json!(["admin"]);
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            B64.encode(claims.to_string()),
            parts[2]
        );
        assert_eq!(v.verify(&forged), Err(AuthError::Signature));
        assert_eq!(
            v.verify(&TestKey::new("k2").token(access_claims())),
            Err(AuthError::UnknownKey)
        );
        assert_eq!(v.verify("not.a.jwt"), Err(AuthError::Malformed));
    }

    #[test]
    fn rejects_expired_immature_wrong_issuer_and_wrong_audience() {
        let key = TestKey::new("k1");
        let v = verifier(&key);
        let mut c = access_claims();
        c["exp"] = json!(now() - 1);
        assert_eq!(v.verify(&key.token(c)), Err(AuthError::Expired));
        let mut c = access_claims();
        c["nbf"] = json!(now() + 600);
        assert_eq!(v.verify(&key.token(c)), Err(AuthError::NotYetValid));
        let mut c = access_claims();
        c["iss"] = json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other");
        assert_eq!(v.verify(&key.token(c)), Err(AuthError::Issuer));
        let mut c = access_claims();
        c["client_id"] = json!("client-b");
        assert_eq!(v.verify(&key.token(c)), Err(AuthError::Audience));
        let mut c = access_claims();
        c.as_object_mut().unwrap().remove("client_id");
        assert_eq!(v.verify(&key.token(c)), Err(AuthError::Audience));
    }

    #[test]
    fn reads_bearer_header() {
        assert_eq!(bearer_token(Some("Bearer abc")), Ok("abc"));
        assert_eq!(bearer_token(Some("abc")), Ok("abc"));
        assert_eq!(bearer_token(Some("Bearer ")), Err(AuthError::Missing));
        assert_eq!(bearer_token(None), Err(AuthError::Missing));
    }
}
