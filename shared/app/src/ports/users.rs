//! User records.

use std::future::Future;

use crate::ports::store::StoreError;
use domain::user::{ProfilePatch, User};

pub trait UserStore: Send + Sync + 'static {
    /// Creates the record; `AlreadyExists` if a user with this id exists.
    fn create_user(&self, user: &User) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn get_user(&self, id: &str) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// Applies `patch`; returns the updated record, `NotFound` if there is none.
    fn update_profile(
        &self,
        id: &str,
        patch: &ProfilePatch,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<User, StoreError>> + Send;
}
