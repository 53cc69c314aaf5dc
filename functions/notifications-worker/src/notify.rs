//! The notifications consumer: one event, one in-app notification, and at most one email
//! and one SMS, however often the event is delivered.
//!
//! The in-app notification is keyed by the event id. Each outside channel is claimed with
//! a conditional write before sending (and released if the send fails, so the retry
//! sends); a duplicate delivery finds the claims taken and sends nothing. SMS go only to a
//! verified number, and only while the member's daily SMS allowance lasts.

use jiff::Timestamp;

use app::ports::invoices::{DocumentFiles, InvoiceStore};
use app::ports::notifications::{Attachment, NotificationStore, Notifier};
use app::ports::phone::PhoneStore;
use app::ports::spaces::SpaceStore;
use app::ports::users::UserStore;
use aws::telemetry::emf;
use domain::calendar::invite_for_event;
use domain::notification::{Notification, compose};
use edge::events::{BatchResponse, BridgeEvent, SqsEvent, each_bridge_event};

/// What the worker reads and writes: notifications and their delivery claims, members,
/// their SMS allowance, spaces (an `.ics` names one), invoices (attached).
pub trait Store: NotificationStore + UserStore + PhoneStore + SpaceStore + InvoiceStore {}
impl<T: NotificationStore + UserStore + PhoneStore + SpaceStore + InvoiceStore> Store for T {}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("unreadable message: {0}")]
    Unreadable(String),
    #[error("{0}")]
    Retry(String),
}

/// Handles one EventBridge event; `Ok` when done (including "nothing to say").
pub async fn notify_one<S: Store, N: Notifier, F: DocumentFiles>(
    store: &S,
    notifier: &N,
    files: &F,
    event: &BridgeEvent,
    now: Timestamp,
) -> Result<(), NotifyError> {
    let Some(message) = compose(&event.detail_type, &event.detail) else {
        return Ok(());
    };
    let text = |k: &str| {
        event
            .detail
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let (Some(event_id), Some(user_id)) = (text("event_id"), text("user_id")) else {
        return Err(NotifyError::Unreadable("no event_id or user_id".into()));
    };
    let retry = |e: &dyn std::fmt::Display| NotifyError::Retry(e.to_string());
    let Some(user) = store.get_user(&user_id).await.map_err(|e| retry(&e))? else {
        // Erased account: nothing may be written under its id again.
        return Ok(());
    };
    let new = store
        .put_notification(&Notification {
            id: event_id.clone(),
            user_id: user_id.clone(),
            kind: event.detail_type.clone(),
            title: message.title.clone(),
            body: message.body.clone(),
            booking_id: text("booking_id"),
            created_at: now,
            read_at: None,
        })
        .await
        .map_err(|e| retry(&e))?;
    if new {
        emf::count_by(emf::names::NOTIFICATIONS_SENT, ("Channel", "inbox"), 1.0);
    }
    let subject = format!("{} - coworking", message.title);
    // Read before the claim: a failure here must leave the email unclaimed for the retry.
    let mut attachments = Vec::new();
    let mut body = message.body.clone();
    if user.notifications.email {
        attachments.extend(invitation(store, event, now).await.map_err(|e| retry(&e))?);
        // A PDF that cannot be made now never holds the email back: the member finds it
        // on their account page (`GET /invoices/{id}/pdf` stores it then).
        match crate::documents::attachment(store, files, event).await {
            Ok(Some((pdf, number))) => {
                body.push_str(&format!("\n\nYour {number} is attached (PDF)."));
                attachments.push(pdf);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(event_id = %event_id, error = %e, "email sent without its PDF");
                body.push_str("\n\nYour invoice is on your account page.");
            }
        }
    }
    if user.notifications.email
        && store
            .claim_delivery(&event_id, "email", now)
            .await
            .map_err(|e| retry(&e))?
    {
        let sent = notifier.send_email(&user.email, &subject, &body, &attachments);
        deliver(store, &event_id, "email", sent).await?;
    }
    let sms_to = user
        .phone
        .as_deref()
        .filter(|_| user.notifications.sms && user.phone_verified);
    if let Some(phone) = sms_to
        && store
            .claim_delivery(&event_id, "sms", now)
            .await
            .map_err(|e| retry(&e))?
        && within_allowance(store, &user_id, now).await?
    {
        deliver(
            store,
            &event_id,
            "sms",
            notifier.send_sms(phone, &message.body),
        )
        .await?;
    }
    tracing::info!(event_id = %event_id, kind = %event.detail_type, "member notified");
    Ok(())
}

/// Takes one SMS from the member's daily allowance; false (and the SMS is skipped for
/// good: its delivery stays claimed) once it is used up.
async fn within_allowance<S: PhoneStore>(
    store: &S,
    user_id: &str,
    now: Timestamp,
) -> Result<bool, NotifyError> {
    let day = domain::phone::sms_day(now);
    let ok = store
        .take_sms_allowance(user_id, &day, domain::phone::SMS_PER_DAY)
        .await
        .map_err(|e| NotifyError::Retry(e.to_string()))?;
    if !ok {
        tracing::info!(user_id = %user_id, "daily SMS allowance used up: SMS skipped");
    }
    Ok(ok)
}

/// The booking as an `.ics` for calendar apps, with its confirmation (the same event, UID,
/// as in the member's feed, so having both keeps one). Not with a cancellation: a plain
/// `.ics` cannot remove an event (that takes an iTIP CANCEL from an organizer).
async fn invitation<S: SpaceStore>(
    store: &S,
    event: &BridgeEvent,
    now: Timestamp,
) -> Result<Option<Attachment>, app::ports::store::StoreError> {
    if !matches!(
        event.detail_type.as_str(),
        "BookingConfirmed" | "BookingCancelled"
    ) {
        return Ok(None);
    }
    let space_id = event
        .detail
        .get("space_id")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let (name, address) = match store.get_space(space_id).await? {
        Some((space, _)) => (space.name, Some(space.address.one_line())),
        None => ("a coworking space".to_string(), None),
    };
    Ok(
        invite_for_event(&event.detail_type, &event.detail, &name, address, now).map(|data| {
            Attachment {
                filename: "booking.ics".into(),
                content_type: "text/calendar; charset=utf-8".into(),
                data: data.into_bytes(),
            }
        }),
    )
}

/// Finishes a claimed delivery: counted when sent; released when the send fails, so the
/// message's retry sends it.
async fn deliver<S: NotificationStore, E: std::fmt::Display>(
    store: &S,
    event_id: &str,
    channel: &'static str,
    sent: impl std::future::Future<Output = Result<(), E>>,
) -> Result<(), NotifyError> {
    match sent.await {
        Ok(()) => {
            emf::count_by(emf::names::NOTIFICATIONS_SENT, ("Channel", channel), 1.0);
            Ok(())
        }
        Err(e) => {
            store
                .release_delivery(event_id, channel)
                .await
                .map_err(|e| NotifyError::Retry(e.to_string()))?;
            Err(NotifyError::Retry(e.to_string()))
        }
    }
}

/// A batch from the notifications queue; failed messages are reported for redelivery
/// (after five receives they go to the queue's DLQ).
pub async fn notify_batch<S: Store, N: Notifier, F: DocumentFiles>(
    store: &S,
    notifier: &N,
    files: &F,
    batch: SqsEvent,
) -> BatchResponse {
    each_bridge_event(batch, |event| async move {
        notify_one(store, notifier, files, &event, Timestamp::now()).await
    })
    .await
}
