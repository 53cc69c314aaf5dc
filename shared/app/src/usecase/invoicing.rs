//! Issuing the invoices and credit notes a lifecycle decision owes
//! (`domain::invoice::documents_due`): the parties are read, each document takes the
//! next number of its issuer's sequence, and all of it is written in the decision's one
//! transaction. When another payment takes a number first, the transaction fails on that
//! number alone and [`write_billed`] numbers again: nothing else was decided on it.

use jiff::Timestamp;

use crate::ports::bookings::{BookingStore, TransitionError};
use crate::ports::invoices::SaleFacts;
use domain::booking::Booking;
use domain::hours::time_zone;
use domain::invoice::{self, Document, DocumentDue, DocumentKind, Party, Sale, documents_due};
use domain::lifecycle::Effects;

/// Attempts at numbering when other payments of the same issuer keep taking the number:
/// each lost attempt means another document was issued, so this bounds a burst of that
/// many concurrent payments of one operator.
pub const NUMBER_ATTEMPTS: usize = 256;

/// Writes `e` with the documents it owes, numbering again while the numbers are taken;
/// then issues, each in a change of its own, what one transaction could not carry.
pub async fn write_billed<S: BookingStore>(
    store: &S,
    e: &mut Effects,
    now: Timestamp,
) -> Result<(), TransitionError> {
    numbered_write(store, e, now).await?;
    issue_left(store, e, now).await;
    Ok(())
}

/// More changes that only issue documents, at most (each one credit note).
const MAX_FOLLOW_UPS: usize = 4;

/// Documents still owed after `e` was written (a transaction carries one credit note;
/// several refunds recorded before the payment's news owe one each): issued now, each
/// under the booking's version. A failure leaves them owed to the next change.
async fn issue_left<S: BookingStore>(store: &S, e: &Effects, now: Timestamp) {
    let (mut booking, mut payment) = (e.after.clone(), e.payment.clone());
    for _ in 0..MAX_FOLLOW_UPS {
        let Some(p) = payment
            .as_ref()
            .filter(|p| !documents_due(&booking, p).is_empty())
        else {
            return;
        };
        let mut more = domain::lifecycle::record_payment(&booking, p, now);
        if let Err(err) = numbered_write(store, &mut more, now).await {
            tracing::warn!(booking_id = %booking.id, error = %err, "documents left owed to the next change");
            return;
        }
        booking = more.after;
        payment = more.payment;
    }
}

/// Writes `e` with the documents it owes, numbering again while the numbers are taken.
async fn numbered_write<S: BookingStore>(
    store: &S,
    e: &mut Effects,
    now: Timestamp,
) -> Result<(), TransitionError> {
    // A failed write leaves `e` as decided (no document, nothing recorded as issued):
    // what the caller decides next from it must not name a document never written.
    let decided = (e.payment.clone(), e.events.clone());
    let mut read = Read::default();
    for _ in 0..NUMBER_ATTEMPTS {
        let written = match number(store, e, &mut read, now).await {
            Ok(()) => store.apply(e).await,
            Err(err) => Err(err),
        };
        if written.is_ok() {
            return Ok(());
        }
        (e.payment, e.events) = decided.clone();
        e.documents.clear();
        match written {
            Err(TransitionError::NumberTaken) => {
                tracing::debug!(booking_id = %e.after.id, "a document's number was taken meanwhile: numbering again");
                continue;
            }
            other => return other,
        }
    }
    Err(TransitionError::Store(
        crate::ports::store::StoreError::Conflict(
            "too many payments of this operator at once: numbering their invoices".into(),
        ),
    ))
}

/// What numbering read that a retry need not read again (only the numbers move).
#[derive(Default)]
struct Read {
    sale: Option<Option<SaleFacts>>,
    invoice: Option<Option<Document>>,
    /// The invoice's credit notes so far.
    earlier: Option<Vec<Document>>,
}

/// Fills `e.documents` with what it owes, numbered, and records them on its payment.
async fn number<S: BookingStore>(
    store: &S,
    e: &mut Effects,
    read: &mut Read,
    now: Timestamp,
) -> Result<(), TransitionError> {
    e.documents.clear();
    let Some(mut payment) = e.payment.clone() else {
        return Ok(());
    };
    let due = documents_due(&e.after, &payment);
    if due.is_empty() {
        return Ok(());
    }
    let mut invoice: Option<Document> = None;
    for d in due {
        match d {
            DocumentDue::Invoice => {
                if read.sale.is_none() {
                    let facts = store
                        .sale_facts(&e.after.space_id, &e.after.user_id)
                        .await?;
                    read.sale = Some(facts);
                }
                let Some(Some(facts)) = &read.sale else {
                    tracing::error!(booking_id = %e.after.id, "no space to invoice the booking for");
                    continue;
                };
                let issuer = facts.space.owner_id.clone();
                let n = store.next_number(&issuer, DocumentKind::Invoice).await?;
                let mut doc =
                    invoice::booking_invoice(&e.after, &issuer, n, sale(&e.after, facts), now);
                doc.payment_ref = Some(payment.stripe_payment_intent_id.clone());
                payment.invoice = Some(doc.id());
                invoice = Some(doc.clone());
                e.documents.push(doc);
            }
            // One credit note per transaction (its counter is one item): several refunds
            // recorded before the payment's own news are credited by later changes.
            DocumentDue::CreditNote { .. }
                if e.documents
                    .iter()
                    .any(|d| d.kind == DocumentKind::CreditNote) => {}
            DocumentDue::CreditNote { refund } => {
                let of = match (&invoice, &payment.invoice) {
                    (Some(doc), _) => Some(doc.clone()),
                    (None, Some(id)) => {
                        if read.invoice.is_none() {
                            read.invoice = Some(store.get_document(id).await?);
                        }
                        read.invoice.clone().flatten()
                    }
                    (None, None) => None,
                };
                let Some(of) = of else {
                    tracing::error!(booking_id = %e.after.id, "the invoice to credit is missing");
                    continue;
                };
                if read.earlier.is_none() {
                    let mut earlier = Vec::new();
                    for id in payment
                        .refunds
                        .iter()
                        .filter_map(|r| r.credit_note.as_ref())
                    {
                        earlier.extend(store.get_document(id).await?);
                    }
                    read.earlier = Some(earlier);
                }
                let earlier = read.earlier.as_deref().unwrap_or_default();
                let r = &payment.refunds[refund];
                let n = store
                    .next_number(&of.issuer, DocumentKind::CreditNote)
                    .await?;
                let note =
                    invoice::credit_note(&of, earlier, n, r.amount, &r.stripe_refund_id, now);
                payment.refunds[refund].credit_note = Some(note.id());
                // Its email is the one about this refund (the latest recorded).
                if refund + 1 == payment.refunds.len() {
                    invoice::annotate(&mut e.events, &note);
                }
                invoice = Some(of);
                e.documents.push(note);
            }
        }
    }
    for doc in e
        .documents
        .iter()
        .filter(|d| d.kind == DocumentKind::Invoice)
    {
        invoice::annotate(&mut e.events, doc);
    }
    e.payment = Some(payment);
    Ok(())
}

/// The parties as printed: the operator's billing details (else the space's name and
/// address), the member's (else their name); VAT by the space's country, where a
/// workspace is supplied.
fn sale(b: &Booking, facts: &SaleFacts) -> Sale {
    let space = &facts.space;
    let mut seller = Party::from_billing(facts.seller_billing.as_ref(), &space.name);
    if seller.address.is_none() {
        seller.address = Some(space.address.clone());
    }
    Sale {
        seller,
        seller_country: space.address.country.clone(),
        buyer: Party::from_billing(facts.buyer_billing.as_ref(), &facts.buyer_name),
        description: describe(b, space),
    }
}

/// "Room 1 at Mitte Hub, 2026-12-01 09:00 – 2026-12-01 11:00 (Europe/Berlin)".
fn describe(b: &Booking, space: &domain::space::Space) -> String {
    let (zone, tz) = match time_zone(&space.time_zone) {
        Some(tz) => (space.time_zone.as_str(), tz),
        None => ("UTC", jiff::tz::TimeZone::UTC),
    };
    let at = |t: Timestamp| {
        t.to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    format!(
        "{} at {}, {} – {} ({zone})",
        b.item_identifier,
        space.name,
        at(b.start_time),
        at(b.end_time)
    )
}
