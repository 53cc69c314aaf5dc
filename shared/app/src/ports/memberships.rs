//! Members' subscriptions and their use of included hours.

use std::future::Future;

use jiff::Timestamp;
use thiserror::Error;

use crate::ports::store::StoreError;
use domain::events::DomainEvent;
pub use domain::membership::MemberState;
use domain::membership::Membership;

#[derive(Debug, Error)]
pub enum SaveMembershipError {
    /// Another change got there first (the stored version is not `version - 1`).
    #[error("the membership changed meanwhile")]
    Changed,
    /// The Stripe event was processed before.
    #[error("event already processed")]
    Duplicate,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub trait MembershipStore: Send + Sync + 'static {
    /// One query: the membership and the usage counters.
    fn member_state(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<MemberState, StoreError>> + Send;
    /// Takes the member's subscribe lock until `until` unless another request holds it (a
    /// lock past its time is free): only one subscription request at a time reaches Stripe.
    fn reserve_subscribing(
        &self,
        user_id: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn release_subscribing(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Writes `m` if the stored one is at `m.version - 1` (or absent for version 1), with
    /// its outbox event and, for webhook changes, the Stripe event id, in one transaction.
    fn save_membership(
        &self,
        m: &Membership,
        event: &DomainEvent,
        stripe_event_id: Option<&str>,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), SaveMembershipError>> + Send;
}
