//! Users: profile record and the rules on its fields.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::validate::Violations;

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_EMAIL_CHARS: usize = 254;

/// A platform user. `id` is the Cognito `sub`, so the verified token alone identifies the
/// record without a lookup; `cognito_sub` is kept explicit for the identity link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub membership_id: Option<String>,
    pub cognito_sub: String,
    /// E.164 mobile number for SMS notifications (only with the member's consent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The member proved they receive SMS at `phone` (a code we sent). No SMS goes to an
    /// unverified number; changing the number unverifies it.
    #[serde(default)]
    pub phone_verified: bool,
    #[serde(default)]
    pub notifications: NotifyPrefs,
    /// What a business member wants on their invoices (none: a private person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<BillingDetails>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// Which channels besides the in-app list a member wants: email by default, SMS only
/// when asked for (and a phone number is set).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyPrefs {
    pub email: bool,
    pub sms: bool,
}

impl Default for NotifyPrefs {
    fn default() -> Self {
        Self {
            email: true,
            sms: false,
        }
    }
}

/// What a business member wants on their invoices (#22): the company, its address and
/// its VAT id, each optional and editable before a charge (an invoice keeps what it said
/// when it was issued). A VAT id of another EU country than the space's makes the sale a
/// reverse charge (`domain::invoice`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<crate::space::Address>,
    /// As written on invoices: country prefix and number, upper case, no separators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
}

impl BillingDetails {
    /// Checks the fields (named `billing.*`) and answers them normalised: trimmed, the
    /// VAT id in its written form.
    pub fn checked(mut self, v: &mut Violations) -> Self {
        if let Some(company) = &mut self.company {
            *company = company.trim().to_string();
            v.text("billing.company", company, 1, 200);
            crate::space_rules::no_control(v, "billing.company", company);
        }
        if let Some(a) = &mut self.address {
            for field in [
                &mut a.line1,
                &mut a.city,
                &mut a.postal_code,
                &mut a.country,
            ] {
                *field = field.trim().to_string();
            }
            if let Some(line2) = &mut a.line2 {
                *line2 = line2.trim().to_string();
            }
            a.line2 = a.line2.take().filter(|l| !l.is_empty());
            crate::space_rules::validate_address(v, "billing.address", a);
        }
        if let Some(raw) = &self.vat_id {
            match crate::invoice::VatId::parse(raw) {
                Some(id) => self.vat_id = Some(id.as_str().to_string()),
                None => v.add(
                    "billing.vat_id",
                    "format",
                    "a VAT id: its country's two letters, then 2 to 12 letters or digits (e.g. DE123456789)",
                ),
            }
        }
        self
    }

    /// Nothing in it (`{}`): the same as no billing details.
    pub fn is_empty(&self) -> bool {
        self.company.is_none() && self.address.is_none() && self.vat_id.is_none()
    }
}

/// What `PATCH /users/me` may change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    pub name: Option<String>,
    /// `Some(None)` removes the number.
    pub phone: Option<Option<String>>,
    pub notifications: Option<NotifyPrefs>,
    /// `Some(None)` removes the billing details.
    pub billing: Option<Option<BillingDetails>>,
}

/// E.164: `+` and 8 to 15 digits.
pub fn validate_phone(v: &mut Violations, field: &str, phone: &str) {
    let digits = phone.strip_prefix('+').unwrap_or("");
    v.check(
        (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()),
        field,
        "format",
        "an E.164 number such as +4915112345678",
    );
}

/// Emails are compared case-insensitively and without surrounding blanks.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// A pragmatic address check (one `@`, a dotted domain, no blanks); Cognito re-checks.
pub fn validate_email(v: &mut Violations, field: &str, email: &str) {
    let ok = email.len() <= MAX_EMAIL_CHARS
        && !email.chars().any(char::is_whitespace)
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    v.check(ok, field, "format", "must be a valid email address");
}

pub fn validate_name(v: &mut Violations, field: &str, name: &str) {
    v.text(field, name, 1, MAX_NAME_CHARS);
    v.check(
        !name.chars().any(char::is_control),
        field,
        "format",
        "must not contain control characters",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email_ok(e: &str) -> bool {
        let mut v = Violations::new();
        validate_email(&mut v, "email", e);
        v.is_empty()
    }

    #[test]
    fn normalizes_and_validates_emails() {
        assert_eq!(normalize_email("  Ada@Example.COM "), "ada@example.com");
        assert!(email_ok("ada@example.com"));
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "a@b@c.com",
            "ada@.com",
        ] {
            assert!(!email_ok(bad), "{bad} accepted");
        }
    }

    #[test]
    fn validates_names() {
        let mut v = Violations::new();
        validate_name(&mut v, "name", "   ");
        validate_name(&mut v, "name", &"x".repeat(MAX_NAME_CHARS + 1));
        validate_name(&mut v, "name", "a\u{7}b");
        validate_name(&mut v, "name", "Ada Lovelace");
        let err = v.into_result().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid request: name (required), name (max_length), name (format)"
        );
    }
}
