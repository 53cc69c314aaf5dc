//! Reviews and the rating aggregates they maintain.

use std::future::Future;

use crate::ports::bookings::Page;
use crate::ports::store::StoreError;
use domain::events::DomainEvent;
use domain::review::Review;
use domain::space::Space;

pub trait ReviewStore: Send + Sync + 'static {
    /// One transaction: the review, its per-booking guard (`AlreadyExists` if the booking
    /// was reviewed), the space's rating sum and count and the same in every search row
    /// (atomic counters), and the event.
    fn post_review(
        &self,
        space: &Space,
        review: &Review,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Newest first.
    fn list_reviews(
        &self,
        space_id: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Page<Review>, StoreError>> + Send;
    /// `(sum, count)` of the space's ratings.
    fn rating(&self, space_id: &str)
    -> impl Future<Output = Result<(u64, u64), StoreError>> + Send;
}
