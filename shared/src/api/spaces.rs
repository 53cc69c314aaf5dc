use serde::Serialize;

use crate::domain::space::{BookableItem, Space};

/// A space with its bookable items, as the public API shows it.
#[derive(Serialize)]
pub struct SpaceResponse<'a> {
    #[serde(flatten)]
    pub space: &'a Space,
    pub items: &'a [BookableItem],
}
