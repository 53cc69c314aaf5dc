//! Key shapes of the single table (template.yaml `AppTable`). Every PK/SK string is built
//! here and nowhere else.
//!
//! | entity       | PK               | SK            | GSI1PK           | GSI1SK           |
//! |--------------|------------------|---------------|------------------|------------------|
//! | User         | `USER#<id>`      | `PROFILE`     |                  |                  |
//! | Space        | `SPACE#<id>`     | `PROFILE`     | `OWNER#<owner>`  | `SPACE#<id>`     |
//! | BookableItem | `SPACE#<space>`  | `ITEM#<id>`   |                  |                  |

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
