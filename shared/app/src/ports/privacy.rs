//! Personal data of one user: gathered for an export, anonymised on erasure.

use std::future::Future;

use serde::Serialize;

use crate::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::booking::Booking;
use domain::membership::Membership;
use domain::notification::Notification;
use domain::payment::PaymentTransaction;
use domain::review::Review;
use domain::user::User;

/// Everything the table holds about a user.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct PersonalData {
    pub profile: Option<User>,
    pub membership: Option<Membership>,
    pub bookings: Vec<Booking>,
    pub payments: Vec<PaymentTransaction>,
    pub reviews: Vec<Review>,
    pub notifications: Vec<Notification>,
    /// Audit entries in which the user acted or was acted on.
    pub audit: Vec<AuditEntry>,
    /// The times they wait for (erased with them).
    #[serde(default)]
    pub waitlist: Vec<domain::waitlist::WaitlistEntry>,
    /// Their open-ended rentals (found through their months' bookings).
    #[serde(default)]
    pub rentals: Vec<domain::rental::Rental>,
    /// Their invoices and credit notes. Kept on erasure (the law asks sellers to keep
    /// them for years): only their link to the account is replaced.
    #[serde(default)]
    pub documents: Vec<domain::invoice::Document>,
    /// The outbox events about the user (internal; erased with them).
    #[serde(skip)]
    pub event_ids: Vec<String>,
}

pub trait PrivacyStore: Send + Sync + 'static {
    fn personal_data(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<PersonalData, StoreError>> + Send;
    /// Deletes everything in the user's partition (profile, membership, notifications,
    /// counters, idempotency records, codes) and the outbox events about them; replaces
    /// the user id in bookings, payments, reviews and invoices by `anonymous_id` (amounts,
    /// dates and spaces stay: they are financial records; an invoice keeps what it says,
    /// as the law asks) and drops them from the user's indexes;
    /// rewrites the audit entries about them under `pseudonym` (another random id, so
    /// the audit trail does not link to the anonymised bookings); writes `audit`.
    /// Idempotent: a retry after a partial failure finishes the job.
    fn anonymise(
        &self,
        data: &PersonalData,
        user_id: &str,
        anonymous_id: &str,
        pseudonym: &str,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
