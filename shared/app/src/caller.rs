//! Who is calling: a user id and the roles (Cognito groups) the verified token carried.
//! The HTTP edge reads them from the claims API Gateway's JWT authorizer verified
//! (`edge::http::caller`); use cases only ever see this.

use std::collections::HashMap;

use domain::audit::AuditEntry;
use domain::role::Role;

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Cognito `sub`: the stable user id of this platform.
    pub user_id: String,
    pub roles: Vec<Role>,
}

impl Caller {
    /// The caller from verified JWT claims (`sub`, `cognito:groups`).
    pub fn from_claims(claims: &HashMap<String, String>) -> Result<Caller, AppError> {
        let user_id = claims
            .get("sub")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AppError::Unauthorized("the token has no subject".into()))?
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
    pub fn audit(&self, action: &str, target: String) -> AuditEntry {
        AuditEntry::new(
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

    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.has(role) || self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "requires the {} role",
                role.as_str()
            )))
        }
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
            Err(AppError::Unauthorized(_))
        ));
        let member =
            Caller::from_claims(&claims(&[("sub", "u"), ("cognito:groups", "[member]")])).unwrap();
        assert!(matches!(
            member.require(Role::Operator),
            Err(AppError::Forbidden(_))
        ));
        let admin =
            Caller::from_claims(&claims(&[("sub", "u"), ("cognito:groups", "[admin]")])).unwrap();
        assert!(
            admin.require(Role::Operator).is_ok(),
            "admins may act as operators"
        );
    }
}
