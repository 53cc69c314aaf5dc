//! Key shapes of the single table (template.yaml `AppTable`). Every PK/SK string is built
//! here and nowhere else.
//!
//! | entity       | PK               | SK            | GSI1PK           | GSI1SK           |
//! |--------------|------------------|---------------|------------------|------------------|
//! | User         | `USER#<id>`      | `PROFILE`     |                  |                  |
//! | Space        | `SPACE#<id>`     | `PROFILE`     | `OWNER#<owner>`  | `SPACE#<id>`     |
//! | BookableItem | `SPACE#<space>`  | `ITEM#<id>`   |                  |                  |
//! | ItemIdentifier (uniqueness guard) | `SPACE#<space>` | `ITEMID#<lower(identifier)>` | | |
//! | MembershipPlan | `PLANS`        | `PLAN#<id>`   |                  |                  |
//!
//! GSI2 (`GSI2PK`/`GSI2SK`) lists a space's bookings by end time: `SPACEBOOKINGS#<space>`.

pub const PROFILE: &str = "PROFILE";

pub fn user(id: &str) -> String {
    format!("USER#{id}")
}

/// A space's profile and its items share one partition: one Query reads both.
pub fn space(id: &str) -> String {
    format!("SPACE#{id}")
}

pub fn item(id: &str) -> String {
    format!("ITEM#{id}")
}

/// GSI1: an operator's spaces.
pub fn owner(id: &str) -> String {
    format!("OWNER#{id}")
}

/// Uniqueness guard of an item identifier within its space (case-insensitive).
pub fn item_identifier(identifier: &str) -> String {
    format!("ITEMID#{}", identifier.trim().to_lowercase())
}

/// All plans share one small partition: listing them is one query.
pub const PLANS: &str = "PLANS";

pub fn plan(id: &str) -> String {
    format!("PLAN#{id}")
}

/// GSI2: a space's bookings by end time (is anything still to come?).
pub fn space_bookings(space_id: &str) -> String {
    format!("SPACEBOOKINGS#{space_id}")
}
