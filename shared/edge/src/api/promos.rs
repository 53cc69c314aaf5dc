//! Wire types of promo codes (`POST /promo-codes`, `PATCH /promo-codes/{code}`). The
//! create body is `domain::promo::PromoDraft` itself.

use jiff::Timestamp;
use serde::Deserialize;

use crate::http::patch::nullable;
use domain::promo::PromoPatch;

/// `PATCH /promo-codes/{code}`: what changes; an absent field stays as it is. The code,
/// its scope and its discount never change (bookings were priced with them).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoPatchBody {
    /// `true` refuses the code from now on; `false` takes it back into use.
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub valid_from: Option<Timestamp>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub valid_until: Option<Timestamp>,
    /// `null` removes the limit; never below the bookings that used it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>, nullable)]
    pub max_redemptions: Option<Option<u32>>,
}

impl From<PromoPatchBody> for PromoPatch {
    fn from(b: PromoPatchBody) -> Self {
        PromoPatch {
            disabled: b.disabled,
            valid_from: b.valid_from,
            valid_until: b.valid_until,
            max_redemptions: b.max_redemptions,
        }
    }
}
