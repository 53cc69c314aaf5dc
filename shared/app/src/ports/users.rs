//! User records.

use std::future::Future;

use crate::ports::store::StoreError;
use domain::user::{ProfilePatch, User};

pub trait UserStore: Send + Sync + 'static {
    /// Creates the record; `AlreadyExists` if a user with this id exists. Until
    /// `probation_until` the account holds fewer unpaid bookings at once.
    fn create_user(
        &self,
        user: &User,
        probation_until: jiff::Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Removes the record of an account whose email was never confirmed (its address is
    /// being registered again by someone who can confirm it). Nothing else refers to it:
    /// an unconfirmed account cannot sign in.
    fn delete_unconfirmed_user(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn get_user(&self, id: &str) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// Applies `patch`; returns the updated record, `NotFound` if there is none. A phone
    /// number that changes (or goes) loses its verification; the same number keeps it.
    fn update_profile(
        &self,
        id: &str,
        patch: &ProfilePatch,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<User, StoreError>> + Send;
}
