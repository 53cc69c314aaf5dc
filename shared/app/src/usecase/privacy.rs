//! GDPR/CCPA: a user's export of everything we hold about them, and erasure.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::audit::AuditStore;
use crate::ports::identity::{Identity, IdentityError};
use crate::ports::privacy::{PersonalData, PrivacyStore};
use domain::booking::BookingStatus;
use domain::membership::MembershipStatus;

/// The caller's personal data as one JSON document (audited as `user.export`).
pub async fn export<S: PrivacyStore + AuditStore, I: Identity>(
    store: &S,
    identity: &I,
    caller: &Caller,
) -> Result<Value, AppError> {
    let data = store.personal_data(&caller.user_id).await?;
    let roles = identity.roles(&caller.user_id).await?;
    store
        .record(&caller.audit("user.export", format!("user/{}", caller.user_id)))
        .await?;
    let mut doc = serde_json::to_value(&data).map_err(|e| AppError::Internal(Box::new(e)))?;
    if let Some(map) = doc.as_object_mut() {
        // A payment's client secret is a credential for paying, not data about the user.
        if let Some(payments) = map.get_mut("payments").and_then(Value::as_array_mut) {
            for p in payments.iter_mut().filter_map(Value::as_object_mut) {
                p.remove("client_secret");
            }
        }
        map.insert("user_id".into(), caller.user_id.clone().into());
        map.insert("generated_at".into(), json!(Timestamp::now()));
        map.insert("account".into(), json!({ "roles": roles }));
    }
    Ok(doc)
}

/// Why an account cannot be erased yet: commitments that are still running.
pub fn erasure_blockers(data: &PersonalData, now: Timestamp) -> Option<AppError> {
    let upcoming: Vec<&str> = data
        .bookings
        .iter()
        .filter(|b| {
            matches!(b.status, BookingStatus::Pending | BookingStatus::Confirmed)
                && b.end_time > now
        })
        .map(|b| b.id.as_str())
        .collect();
    if !upcoming.is_empty() {
        return Some(AppError::Conflict {
            detail: "cancel your upcoming bookings before erasing your account".into(),
            conflict: Some(json!({ "upcoming_bookings": upcoming })),
        });
    }
    let subscribed = data.membership.as_ref().is_some_and(|m| {
        matches!(
            m.status,
            MembershipStatus::Active | MembershipStatus::PastDue
        ) && !m.cancel_at_period_end
    });
    if subscribed {
        return Some(AppError::Conflict {
            detail: "cancel your membership before erasing your account".into(),
            conflict: Some(json!({ "membership": "active" })),
        });
    }
    None
}

/// Erases the caller: the table data is anonymised (bookings, payments and reviews keep
/// amounts and dates under a random id with no link back), then the Cognito account is
/// deleted. Retrying after a partial failure completes it.
pub async fn erase<S: PrivacyStore, I: Identity>(
    store: &S,
    identity: &I,
    caller: &Caller,
) -> Result<(), AppError> {
    let data = store.personal_data(&caller.user_id).await?;
    if let Some(blocked) = erasure_blockers(&data, Timestamp::now()) {
        return Err(blocked);
    }
    // The audit entry says what was erased, never the new id (that would link them).
    let audit = caller
        .audit("user.erase", format!("user/{}", caller.user_id))
        .after(&json!({
            "bookings_anonymised": data.bookings.len(),
            "payments_anonymised": data.payments.len(),
            "reviews_anonymised": data.reviews.len(),
            "notifications_deleted": data.notifications.len(),
            "profile_deleted": data.profile.is_some(),
        }));
    let anonymous_id = format!("erased-{}", uuid::Uuid::new_v4());
    store
        .anonymise(&data, &caller.user_id, &anonymous_id, &audit)
        .await?;
    // Already gone (a retry): done.
    match identity.delete_account(&caller.user_id).await {
        Ok(()) | Err(IdentityError::InvalidCredentials) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
