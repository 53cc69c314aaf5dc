//! In-app notifications, per-channel delivery markers, and the channels themselves.

use std::future::Future;

use jiff::Timestamp;

use crate::ports::bookings::Page;
use crate::ports::store::StoreError;
use domain::notification::Notification;

pub trait NotificationStore: Send + Sync + 'static {
    /// Creates it once (its id is the event id); false when it already existed.
    fn put_notification(
        &self,
        n: &Notification,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Claims the right to send event `event_id` on `channel`: true once, false after.
    fn claim_delivery(
        &self,
        event_id: &str,
        channel: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Gives a claim back after a failed send, so the retry sends.
    fn release_delivery(
        &self,
        event_id: &str,
        channel: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Newest first.
    fn list_notifications(
        &self,
        user_id: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Page<Notification>, StoreError>> + Send;
    /// `NotFound` for another user's or a missing notification.
    fn mark_read(
        &self,
        user_id: &str,
        id: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<Notification, StoreError>> + Send;
}

#[derive(Debug, thiserror::Error)]
#[error("channel unavailable: {0}")]
pub struct ChannelError(pub String);

/// SMS to a phone number (SNS on AWS).
pub trait SmsSender: Send + Sync + 'static {
    fn send_sms(
        &self,
        phone: &str,
        text: &str,
    ) -> impl Future<Output = Result<(), ChannelError>> + Send;
}

/// A file sent with an email (a booking's `.ics`, an invoice's PDF).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// With its parameters, e.g. `text/calendar; charset=utf-8; method=PUBLISH`.
    pub content_type: String,
    pub data: Vec<u8>,
}

/// Email and SMS (SES and SNS on AWS).
pub trait Notifier: SmsSender {
    fn send_email(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        attachments: &[Attachment],
    ) -> impl Future<Output = Result<(), ChannelError>> + Send;
}
