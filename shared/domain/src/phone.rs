//! Proving a phone number, and how many SMS a member can cost us.
//!
//! SMS go to a number only after its owner typed back a code we sent to it: otherwise
//! anyone could make us text any number (SMS pumping), one message per booking change.
//! Every SMS to a member (codes included) counts against a daily cap.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// How long a code stays valid.
pub const CODE_TTL: SignedDuration = SignedDuration::from_mins(10);
/// Wrong tries before a code is dead (a new one must be asked for).
pub const MAX_ATTEMPTS: u32 = 5;
/// A new code no sooner than this after the last one.
pub const RESEND_AFTER: SignedDuration = SignedDuration::from_secs(60);
/// SMS per member per UTC day, verification codes and notifications together.
pub const SMS_PER_DAY: u32 = 10;

/// The code we sent, kept only as a hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneChallenge {
    /// The number the code went to: a code proves only that number.
    pub phone: String,
    pub code_hash: String,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
    pub attempts: u32,
}

/// What a typed code does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Verified,
    Wrong {
        attempts_left: u32,
    },
    /// Expired, used up, or sent to a number the member has since changed.
    Dead,
}

impl PhoneChallenge {
    pub fn new(phone: &str, code_hash: String, now: Timestamp) -> Self {
        Self {
            phone: phone.to_string(),
            code_hash,
            sent_at: now,
            expires_at: now.checked_add(CODE_TTL).unwrap_or(now),
            attempts: 0,
        }
    }

    /// Checks `typed_hash` for `current_phone` (the profile's number now).
    pub fn check(&self, current_phone: &str, typed_hash: &str, now: Timestamp) -> CodeCheck {
        if self.phone != current_phone || now >= self.expires_at || self.attempts >= MAX_ATTEMPTS {
            return CodeCheck::Dead;
        }
        if constant_time_eq(self.code_hash.as_bytes(), typed_hash.as_bytes()) {
            CodeCheck::Verified
        } else {
            CodeCheck::Wrong {
                attempts_left: MAX_ATTEMPTS - self.attempts - 1,
            }
        }
    }

    /// Whether another code may be sent now.
    pub fn may_resend(&self, now: Timestamp) -> bool {
        self.sent_at
            .checked_add(RESEND_AFTER)
            .is_ok_and(|t| now >= t)
    }
}

/// Six digits from a random number (the caller draws it).
pub fn code_from(random: u128) -> String {
    format!("{:06}", random % 1_000_000)
}

/// The SMS that carries a code.
pub fn code_message(code: &str) -> String {
    format!("Your coworking verification code is {code}. It expires in 10 minutes.")
}

/// The UTC day an SMS counts against (`YYYY-MM-DD`).
pub fn sms_day(now: Timestamp) -> String {
    now.strftime("%Y-%m-%d").to_string()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_code_proves_its_number_once_within_its_time_and_tries() {
        let now = at("2026-11-27T10:00:00Z");
        let c = PhoneChallenge::new("+491701234567", "h".into(), now);
        assert_eq!(c.check("+491701234567", "h", now), CodeCheck::Verified);
        assert_eq!(
            c.check("+491701234567", "x", now),
            CodeCheck::Wrong { attempts_left: 4 }
        );
        // Another number (changed since), expiry (half-open), used-up tries.
        assert_eq!(c.check("+491709999999", "h", now), CodeCheck::Dead);
        assert_eq!(c.check("+491701234567", "h", c.expires_at), CodeCheck::Dead);
        let used = PhoneChallenge {
            attempts: MAX_ATTEMPTS,
            ..c.clone()
        };
        assert_eq!(used.check("+491701234567", "h", now), CodeCheck::Dead);
        assert!(!c.may_resend(now + SignedDuration::from_secs(59)));
        assert!(c.may_resend(now + RESEND_AFTER));
    }

    #[test]
    fn codes_are_six_digits_for_any_draw() {
        for r in [0u128, 7, 999_999, 1_000_000, u128::MAX] {
            let code = code_from(r);
            assert_eq!(code.len(), 6, "{code}");
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
        assert_eq!(sms_day(at("2026-11-27T23:59:59Z")), "2026-11-27");
    }
}
