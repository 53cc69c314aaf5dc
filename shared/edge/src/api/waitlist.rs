//! Wire types of waitlists (`POST /waitlist`, `GET /users/me/waitlist`,
//! `DELETE /waitlist/{entryId}`).

use jiff::Timestamp;
use serde::Deserialize;

/// `POST /waitlist`: the item and the taken interval to wait for.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinWaitlistRequest {
    pub bookable_item_id: String,
    #[schema(value_type = String, format = DateTime)]
    pub start_time: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end_time: Timestamp,
}
