//! Who is calling: read from the claims the HTTP API JWT authorizer verified.
//!
//! On AWS, API Gateway verifies the token (signature, issuer, audience, expiry) before the
//! function runs and passes the claims in `requestContext.authorizer.jwt.claims`; locally,
//! the gateway does the same. Functions never see or parse the raw token.

use std::collections::HashMap;

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Roles are Cognito groups.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Operator,
    Member,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Operator, Role::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Member => "member",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Cognito `sub`: the stable user id of this platform.
    pub user_id: String,
    pub roles: Vec<Role>,
}

impl Caller {
    /// The verified caller, or 401 when the route was reached without authorizer claims.
    pub fn from_request(req: &Request) -> Result<Caller, ApiError> {
        let claims = jwt_claims(req)
            .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))?;
        Self::from_claims(claims)
    }

    /// The caller if the request carried verified claims (public routes that say more to
    /// a signed-in caller).
    pub fn optional(req: &Request) -> Option<Caller> {
        jwt_claims(req).and_then(|c| Self::from_claims(c).ok())
    }

    pub fn from_claims(claims: &HashMap<String, String>) -> Result<Caller, ApiError> {
        let user_id = claims
            .get("sub")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::Unauthorized("the token has no subject".into()))?
            .clone();
        let mut roles: Vec<Role> = claims
            .get("cognito:groups")
            .map(|g| parse_claim_list(g).filter_map(Role::parse).collect())
            .unwrap_or_default();
        roles.sort();
        roles.dedup();
        Ok(Caller { user_id, roles })
    }

    /// The audit entry of a change this caller makes now (see `domain::audit`).
    pub fn audit(&self, action: &str, target: String) -> crate::domain::audit::AuditEntry {
        crate::domain::audit::AuditEntry::new(
            &self.user_id,
            self.roles.iter().map(|r| r.as_str().to_string()).collect(),
            action,
            target,
            jiff::Timestamp::now(),
        )
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.has(role) || self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "requires the {} role",
                role.as_str()
            )))
        }
    }
}

fn jwt_claims(req: &Request) -> Option<&HashMap<String, String>> {
    match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(ctx) => {
            ctx.authorizer.as_ref()?.jwt.as_ref().map(|j| &j.claims)
        }
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// API Gateway flattens array claims into one string: `[admin operator]`. A single value
/// arrives bare, and a JSON array text is accepted too, so either form parses.
pub fn parse_claim_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split([' ', ','])
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
}

/// Renders a list the way API Gateway does, for the local gateway and tests.
pub fn render_claim_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_api_gateway_group_format() {
        let c = Caller::from_claims(&claims(&[
            ("sub", "u1"),
            ("cognito:groups", "[operator member]"),
        ]))
        .unwrap();
        assert_eq!(c.roles, vec![Role::Operator, Role::Member]);
        let c =
            Caller::from_claims(&claims(&[("sub", "u1"), ("cognito:groups", "admin")])).unwrap();
        assert!(c.is_admin());
        let c = Caller::from_claims(&claims(&[
            ("sub", "u1"),
            ("cognito:groups", r#"["member","unknown"]"#),
        ]))
        .unwrap();
        assert_eq!(c.roles, vec![Role::Member]);
        assert_eq!(render_claim_list(["a", "b"]), "[a b]");
    }

    #[test]
    fn requires_subject_and_roles() {
        assert!(matches!(
            Caller::from_claims(&claims(&[("cognito:groups", "[admin]")])),
            Err(ApiError::Unauthorized(_))
        ));
        let member =
            Caller::from_claims(&claims(&[("sub", "u"), ("cognito:groups", "[member]")])).unwrap();
        assert!(matches!(
            member.require(Role::Operator),
            Err(ApiError::Forbidden(_))
        ));
        let admin =
            Caller::from_claims(&claims(&[("sub", "u"), ("cognito:groups", "[admin]")])).unwrap();
        assert!(
            admin.require(Role::Operator).is_ok(),
            "admins may act as operators"
        );
    }

    #[test]
    fn no_claims_is_unauthorized() {
        let req = http::Request::builder()
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert!(matches!(
            Caller::from_request(&req),
            Err(ApiError::Unauthorized(_))
        ));
    }
}
