//! The search read model: rows of spaces under H3 cells and cities.

use std::future::Future;

use crate::ports::store::StoreError;
use domain::search::SearchRow;

/// One partition of the read model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchPartition {
    Cell { resolution: u8, cell: String },
    City { city: String },
}

/// Rows read, and what reading them cost (reported by the bench).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchRead {
    pub rows: Vec<SearchRow>,
    pub partitions: usize,
    pub queries: usize,
    pub capacity_units: f64,
}

pub trait SearchStore: Send + Sync + 'static {
    /// Every row of the given partitions, read in parallel (eventually consistent: search
    /// may lag a write by a moment, booking never relies on it).
    fn search_partitions(
        &self,
        partitions: &[SearchPartition],
    ) -> impl Future<Output = Result<SearchRead, StoreError>> + Send;
}
