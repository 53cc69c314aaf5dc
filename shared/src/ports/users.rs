//! User records.

use std::future::Future;

use crate::domain::user::User;
use crate::ports::store::StoreError;

pub trait UserStore: Send + Sync + 'static {
    /// Creates the record; `AlreadyExists` if a user with this id exists.
    fn create_user(&self, user: &User) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn get_user(&self, id: &str) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// Sets the user's name; returns the updated record, `NotFound` if there is none.
    fn rename_user(
        &self,
        id: &str,
        name: &str,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<User, StoreError>> + Send;
}
