//! Reviews: only for an ended, confirmed stay, one per booking.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::booking::{Booking, BookingStatus};
use crate::error::DomainError;
use crate::validate::Violations;

pub const MAX_COMMENT_CHARS: usize = 2000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    pub id: String,
    pub space_id: String,
    /// The stay it is about (one review per booking).
    pub booking_id: String,
    /// Kept for the author's own export and erasure; never shown to others.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub user_id: String,
    pub rating: u8,
    pub comment: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

pub fn validate_review(rating: i64, comment: &str) -> Result<(), DomainError> {
    let mut v = Violations::new();
    v.check(
        (1..=5).contains(&rating),
        "rating",
        "range",
        "a whole number from 1 to 5",
    );
    v.check(
        comment.chars().count() <= MAX_COMMENT_CHARS,
        "comment",
        "max_length",
        format!("at most {MAX_COMMENT_CHARS} characters"),
    );
    v.into_result()
}

/// Whether `b` is a stay its booker may review at `now`: confirmed and over.
pub fn reviewable(b: &Booking, user_id: &str, space_id: &str, now: Timestamp) -> bool {
    b.user_id == user_id
        && b.space_id == space_id
        && b.status == BookingStatus::Confirmed
        && b.end_time <= now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(validate_review(1, "").is_ok());
        assert!(validate_review(5, &"x".repeat(MAX_COMMENT_CHARS)).is_ok());
        for r in [0, 6, -1] {
            assert!(validate_review(r, "").is_err());
        }
        assert!(validate_review(3, &"é".repeat(MAX_COMMENT_CHARS + 1)).is_err());
    }
}
