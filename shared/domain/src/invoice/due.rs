//! Which documents a change of a booking's payment issues: an invoice when the payment
//! is recorded as paid for a booking that is kept, a credit note for each refund of an
//! invoiced payment. Asked after every lifecycle decision, so every path that records a
//! payment or a refund (webhooks, our own refunds, the scheduler's retries) issues them,
//! and each exactly once: the payment record remembers what was issued for it.

use crate::booking::{Booking, BookingStatus};
use crate::payment::PaymentTransaction;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentDue {
    Invoice,
    /// For `payment.refunds[refund]`.
    CreditNote {
        refund: usize,
    },
}

/// The documents `payment`, as a transition leaves it, still needs, in the order they
/// are issued (the invoice first: a refund recorded before the payment's own news is
/// credited once the invoice exists).
pub fn documents_due(booking: &Booking, payment: &PaymentTransaction) -> Vec<DocumentDue> {
    let mut due = Vec::new();
    // A payment refunded in full before its booking was kept sold nothing.
    let invoiced = payment.invoice.is_some()
        || (payment.status.was_paid()
            && booking.status == BookingStatus::Confirmed
            && payment.amount > 0
            && payment.refunded_amount < payment.amount);
    if payment.invoice.is_none() && invoiced {
        due.push(DocumentDue::Invoice);
    }
    if invoiced {
        due.extend(
            payment
                .refunds
                .iter()
                .enumerate()
                .filter(|(_, r)| r.credit_note.is_none() && r.amount > 0)
                .map(|(refund, _)| DocumentDue::CreditNote { refund }),
        );
    }
    due
}
