//! GDPR/CCPA: a user's export of everything we hold about them, and erasure.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::audit::AuditStore;
use crate::ports::identity::{Identity, IdentityError};
use crate::ports::payments::{Payments, ProviderObject};
use crate::ports::privacy::{PersonalData, PrivacyStore};
use domain::audit::AuditEntry;
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
    // First: a running rental holds months its member cannot cancel one by one.
    let renting: Vec<&str> = data
        .rentals
        .iter()
        .filter(|r| r.status != domain::rental::RentalStatus::Ended)
        .map(|r| r.id.as_str())
        .collect();
    if !renting.is_empty() {
        return Some(AppError::Conflict {
            detail: "end your open-ended rental before erasing your account".into(),
            conflict: Some(json!({ "rentals": renting })),
        });
    }
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

/// Erases the caller so that nothing links back to them: the provider forgets them first
/// (our id removed from their payments' and subscription's metadata, their customer
/// deleted), then the table (bookings, payments and reviews keep amounts and dates under a
/// random id; everything else about them is deleted; audit entries are rewritten under
/// another random id), then the Cognito account. Each step is idempotent, so retrying
/// after a partial failure completes it.
pub async fn erase<S: PrivacyStore, I: Identity, P: Payments>(
    store: &S,
    identity: &I,
    payments: &P,
    caller: &Caller,
) -> Result<(), AppError> {
    let data = store.personal_data(&caller.user_id).await?;
    if let Some(blocked) = erasure_blockers(&data, Timestamp::now()) {
        return Err(blocked);
    }
    for p in &data.payments {
        payments
            .forget_user_on(ProviderObject::PaymentIntent(&p.stripe_payment_intent_id))
            .await?;
    }
    if let Some(m) = &data.membership {
        payments
            .forget_user_on(ProviderObject::Subscription(&m.stripe_subscription_id))
            .await?;
        payments.delete_customer(&m.stripe_customer_id).await?;
    }
    for r in &data.rentals {
        if let Some(sub) = &r.stripe_subscription_id {
            payments
                .forget_user_on(ProviderObject::Subscription(sub))
                .await?;
        }
        if let Some(customer) = &r.stripe_customer_id {
            payments.delete_customer(customer).await?;
        }
    }
    let anonymous_id = format!("erased-{}", uuid::Uuid::new_v4());
    let pseudonym = format!("erased-{}", uuid::Uuid::new_v4());
    // Says what was erased, under the audit pseudonym: never the user id, nor the id the
    // bookings now carry (that would link them).
    let audit = AuditEntry::new(
        &pseudonym,
        caller
            .roles
            .iter()
            .map(|r| r.as_str().to_string())
            .collect(),
        "user.erase",
        format!("user/{pseudonym}"),
        Timestamp::now(),
    )
    .after(&json!({
        "bookings_anonymised": data.bookings.len(),
        "payments_anonymised": data.payments.len(),
        "reviews_anonymised": data.reviews.len(),
        "notifications_deleted": data.notifications.len(),
        "audit_entries_pseudonymised": data.audit.len(),
        "profile_deleted": data.profile.is_some(),
        "membership_deleted": data.membership.is_some(),
        "rentals_anonymised": data.rentals.len(),
        "invoices_unlinked": data.documents.len(),
    }));
    store
        .anonymise(&data, &caller.user_id, &anonymous_id, &pseudonym, &audit)
        .await?;
    // Already gone (a retry): done.
    match identity.delete_account(&caller.user_id).await {
        Ok(()) | Err(IdentityError::InvalidCredentials) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
