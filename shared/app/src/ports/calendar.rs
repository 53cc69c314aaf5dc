//! A member's private calendar feed: which feed key (the hash of the secret in the URL)
//! belongs to whom. Only the hash is stored, so the table never holds a working URL.

use std::future::Future;

use jiff::Timestamp;

use crate::ports::store::StoreError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedRecord {
    /// `domain::calendar::feed_key` of the token.
    pub key: String,
    pub created_at: Timestamp,
}

pub trait CalendarFeeds: Send + Sync + 'static {
    /// Sets the member's feed; the one it replaces stops working at once.
    fn set_feed(
        &self,
        user_id: &str,
        feed: &FeedRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn remove_feed(&self, user_id: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The member whose current feed has this key.
    fn feed_owner(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
}
