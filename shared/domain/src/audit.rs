//! The audit log: every change an operator or admin makes (spaces, items, plans, bookings
//! they cancel for others), every role change and every export or erasure of personal
//! data, with who, what, when, and the state before and after.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Time-ordered (UUID v7).
    pub id: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The user who made the change (`system:<what>` for the platform's own jobs).
    pub actor_id: String,
    /// The actor's roles when they acted.
    pub actor_roles: Vec<String>,
    /// `<entity>.<verb>`, e.g. `space.update`, `role.grant`, `user.erase`.
    pub action: String,
    /// `<entity>/<id>`, e.g. `space/3f2...`.
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
}

impl AuditEntry {
    pub fn new(
        actor_id: &str,
        actor_roles: Vec<String>,
        action: &str,
        target: String,
        at: Timestamp,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            at,
            actor_id: actor_id.into(),
            actor_roles,
            action: action.into(),
            target,
            before: None,
            after: None,
        }
    }

    /// An entry for a change the platform makes itself (seeding, scheduled jobs).
    pub fn system(job: &str, action: &str, target: String, at: Timestamp) -> Self {
        Self::new(&format!("system:{job}"), Vec::new(), action, target, at)
    }

    pub fn before(mut self, state: &impl Serialize) -> Self {
        self.before = serde_json::to_value(state).ok();
        self
    }

    pub fn after(mut self, state: &impl Serialize) -> Self {
        self.after = serde_json::to_value(state).ok();
        self
    }

    /// The month partition it is listed under (`YYYY-MM`, UTC).
    pub fn month(&self) -> String {
        self.at.strftime("%Y-%m").to_string()
    }
}

/// `YYYY-MM`, as the audit log is read month by month.
pub fn parse_month(text: &str) -> Option<String> {
    let (y, m) = text.split_once('-')?;
    let ok = y.len() == 4
        && m.len() == 2
        && y.chars().all(|c| c.is_ascii_digit())
        && matches!(m.parse::<u8>(), Ok(1..=12));
    ok.then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_before_and_after_and_their_month() {
        let at: Timestamp = "2026-11-30T23:59:59Z".parse().unwrap();
        let e = AuditEntry::new(
            "u1",
            vec!["admin".into()],
            "role.grant",
            "user/u2".into(),
            at,
        )
        .before(&["member"])
        .after(&["member", "operator"]);
        assert_eq!(e.month(), "2026-11");
        assert_eq!(e.before, Some(serde_json::json!(["member"])));
        assert_eq!(e.after, Some(serde_json::json!(["member", "operator"])));
        assert!(
            AuditEntry::system("seed", "space.create", "space/s".into(), at).actor_id
                == "system:seed"
        );
    }

    #[test]
    fn months_are_checked() {
        assert_eq!(parse_month("2026-02").as_deref(), Some("2026-02"));
        for bad in ["2026-13", "2026-00", "26-01", "2026-1", "2026/01", ""] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }
}
