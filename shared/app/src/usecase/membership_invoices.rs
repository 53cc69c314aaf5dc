//! The platform's invoice for each membership charge: Stripe's `invoice.paid` for a
//! membership's subscription, checked against the monthly price the member subscribed
//! to, issued once per Stripe invoice (Stripe sends `invoice.paid` and
//! `invoice.payment_succeeded` for the same one) in the platform's gapless sequence.

use jiff::Timestamp;

use crate::error::AppError;
use crate::ports::bookings::BookingStore;
use crate::ports::invoices::Issued;
use crate::ports::memberships::MembershipStore;
use crate::ports::payments::InvoiceObject;
use crate::usecase::invoicing::NUMBER_ATTEMPTS;
use domain::invoice::{
    DocumentKind, PLATFORM_ISSUER, Party, Sale, issued_event, membership_invoice,
};
use domain::lifecycle::Outcome;

/// Who sells memberships: the platform, as its invoices name it.
#[derive(Clone, Debug)]
pub struct PlatformSeller {
    pub party: Party,
    /// Where it sells from (its VAT applies).
    pub country: String,
}

pub async fn membership_invoice_paid<S: BookingStore + MembershipStore>(
    store: &S,
    seller: &PlatformSeller,
    event_id: &str,
    invoice: &InvoiceObject,
    user_id: &str,
    now: Timestamp,
) -> Result<Outcome, AppError> {
    let ignore = |why: &'static str| async move {
        Ok(if store.remember_stripe_event(event_id, now).await? {
            Outcome::Ignored(why)
        } else {
            Outcome::Duplicate
        })
    };
    let Some(membership) = store.member_state(user_id).await?.membership else {
        return ignore("no membership to invoice").await;
    };
    if invoice.subscription.as_deref() != Some(membership.stripe_subscription_id.as_str()) {
        return ignore("not the member's current subscription").await;
    }
    if invoice.amount_paid <= 0 {
        return ignore("nothing charged").await;
    }
    let received = (invoice.amount_paid, invoice.currency.as_str());
    if let Some(price) = &membership.monthly_price
        && (price.amount != received.0 || !price.currency.eq_ignore_ascii_case(received.1))
    {
        // Never an invoice for an amount we did not ask for: a person looks at it.
        tracing::error!(stripe_invoice = %invoice.id, "a membership charge differs from its monthly price: invoice it by hand");
        return ignore("charge differs from the membership's price").await;
    }
    let (name, billing) = store.buyer(user_id).await?.unwrap_or_default();
    let until = membership
        .current_period_end
        .map(|t| format!(", until {}", t.strftime("%Y-%m-%d")))
        .unwrap_or_default();
    for _ in 0..NUMBER_ATTEMPTS {
        let number = store
            .next_number(PLATFORM_ISSUER, DocumentKind::Invoice)
            .await?;
        let sale = Sale {
            seller: seller.party.clone(),
            seller_country: seller.country.clone(),
            buyer: Party::from_billing(billing.as_ref(), &name),
            description: format!("Membership {}{until}", membership.plan_name),
        };
        let mut doc = membership_invoice(&membership, number, sale, received, now);
        doc.payment_ref = Some(invoice.id.clone());
        let event = issued_event(&doc, now);
        match store.issue_document(&doc, &invoice.id, &event).await? {
            Issued::Issued => {
                store.remember_stripe_event(event_id, now).await?;
                return Ok(Outcome::Recorded);
            }
            Issued::Duplicate => return ignore("invoice already issued").await,
            Issued::BuyerGone => return ignore("the member's account was erased").await,
            Issued::NumberTaken => continue,
        }
    }
    Err(AppError::conflict(
        "too many platform invoices at once; Stripe will retry",
    ))
}
