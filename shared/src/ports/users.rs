//! User records.

use std::future::Future;

use crate::domain::user::User;
use crate::ports::store::StoreError;

pub trait UserStore: Send + Sync + 'static {
    /// Creates the record; `AlreadyExists` if a user with this id exists.
    fn create_user(&self, user: &User) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn get_user(&self, id: &str) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
}
