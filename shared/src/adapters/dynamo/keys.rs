//! Key shapes of the single table (template.yaml `AppTable`). Every PK/SK string is built
//! here and nowhere else.
//!
//! | entity | PK            | SK        |
//! |--------|---------------|-----------|
//! | User   | `USER#<id>`   | `PROFILE` |

pub const PROFILE: &str = "PROFILE";

pub fn user(id: &str) -> String {
    format!("USER#{id}")
}
