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

    /// The user who acted (none for the platform's own jobs).
    pub fn actor_user(&self) -> Option<&str> {
        (!self.actor_id.starts_with("system:") && !self.actor_id.is_empty())
            .then_some(self.actor_id.as_str())
    }

    /// The user acted on, for a `user/<id>` target.
    pub fn target_user(&self) -> Option<&str> {
        self.target
            .strip_prefix("user/")
            .filter(|id| !id.is_empty() && !id.contains('/'))
    }

    /// The same entry with `user_id` replaced by `pseudonym` wherever it appears (actor,
    /// target, before and after): what happened stays, who it was does not.
    pub fn pseudonymised(&self, user_id: &str, pseudonym: &str) -> Self {
        fn scrub(v: &mut serde_json::Value, user_id: &str, pseudonym: &str) {
            match v {
                serde_json::Value::String(s) if s.contains(user_id) => {
                    *s = s.replace(user_id, pseudonym);
                }
                serde_json::Value::Array(a) => {
                    a.iter_mut().for_each(|x| scrub(x, user_id, pseudonym))
                }
                serde_json::Value::Object(o) => {
                    o.values_mut().for_each(|x| scrub(x, user_id, pseudonym));
                }
                _ => {}
            }
        }
        let mut e = self.clone();
        e.actor_id = e.actor_id.replace(user_id, pseudonym);
        e.target = e.target.replace(user_id, pseudonym);
        for state in [&mut e.before, &mut e.after].into_iter().flatten() {
            scrub(state, user_id, pseudonym);
        }
        e
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
mod pseudonym_tests {
    use super::*;

    #[test]
    fn pseudonymising_keeps_what_happened_and_drops_who() {
        let at: Timestamp = "2026-11-27T10:00:00Z".parse().unwrap();
        let e = AuditEntry::new(
            "u-1",
            vec!["admin".into()],
            "role.grant",
            "user/u-2".into(),
            at,
        )
        .before(&serde_json::json!({"roles": ["member"], "note": "by u-1 for u-2"}))
        .after(&serde_json::json!({"roles": ["member", "operator"]}));
        assert_eq!(e.actor_user(), Some("u-1"));
        assert_eq!(e.target_user(), Some("u-2"));
        let p = e.pseudonymised("u-2", "erased-x");
        assert_eq!(p.target, "user/erased-x");
        assert_eq!(p.actor_id, "u-1");
        assert_eq!(p.before.as_ref().unwrap()["note"], "by u-1 for erased-x");
        assert_eq!(
            (p.id.as_str(), p.at, p.action.as_str()),
            (e.id.as_str(), e.at, "role.grant")
        );
        assert!(!serde_json::to_string(&p).unwrap().contains("u-2"));
        assert_eq!(
            AuditEntry::system("x", "a", "space/s".into(), at).actor_user(),
            None
        );
    }
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
