//! Live availability: who follows which space over WebSocket, and pushing to them.

use std::future::Future;

use jiff::Timestamp;

use crate::ports::notifications::ChannelError;
use crate::ports::store::StoreError;

pub trait LiveConnections: Send + Sync + 'static {
    /// Records a new connection (it expires by itself after the connection's lifetime).
    fn connect(
        &self,
        connection_id: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Follows `space_id`; idempotent. `Conflict` when the connection already follows the
    /// maximum number of spaces or is unknown (closed).
    fn subscribe(
        &self,
        connection_id: &str,
        space_id: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Stops following `space_id`; idempotent.
    fn unsubscribe(
        &self,
        connection_id: &str,
        space_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Forgets the connection and everything it followed.
    fn disconnect(
        &self,
        connection_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The connections following `space_id`.
    fn subscribers(
        &self,
        space_id: &str,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// Drops one follower whose connection is gone.
    fn forget(
        &self,
        space_id: &str,
        connection_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// The client went away (API Gateway's 410): stop sending to it.
    Gone,
}

/// Sends a message to one WebSocket connection (API Gateway's management API on AWS).
pub trait LivePush: Send + Sync + 'static {
    fn push(
        &self,
        connection_id: &str,
        message: &[u8],
    ) -> impl Future<Output = Result<Delivery, ChannelError>> + Send;
}
