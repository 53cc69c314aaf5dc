//! Invoices and credit notes (`domain::invoice::Document`): written with the payment
//! they record, in the booking's transaction (`BookingStore::apply`, which takes each
//! document's number from its issuer's sequence on condition that it is the next one);
//! read here.

use std::future::Future;

use crate::ports::bookings::Page;
use crate::ports::store::StoreError;
use domain::invoice::{Document, DocumentKind};
use domain::space::Space;
use domain::user::BillingDetails;

/// What an invoice says about the parties of a booking's sale, read when it is paid.
#[derive(Clone, Debug)]
pub struct SaleFacts {
    pub space: Space,
    /// The operator's billing details (their company and VAT id), if they gave them.
    pub seller_billing: Option<BillingDetails>,
    /// The member's name, and billing details if they gave them.
    pub buyer_name: String,
    pub buyer_billing: Option<BillingDetails>,
}

/// What [`InvoiceStore::issue_document`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Issued {
    Issued,
    /// Issued before for the same `once`.
    Duplicate,
    /// Another document took the number first: number again.
    NumberTaken,
    /// The buyer's account is gone (erased meanwhile): nothing issued under their id.
    BuyerGone,
}

/// Whose documents a list reads (newest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentsOf<'a> {
    Buyer(&'a str),
    Space(&'a str),
}

pub trait InvoiceStore: Send + Sync + 'static {
    /// The parties of a sale of `space_id` to `buyer_id` (None: the space is gone).
    fn sale_facts(
        &self,
        space_id: &str,
        buyer_id: &str,
    ) -> impl Future<Output = Result<Option<SaleFacts>, StoreError>> + Send;
    /// The number the issuer's next document of `kind` takes (1 for the first), read
    /// consistently. Writing a document with it fails with `TransitionError::NumberTaken`
    /// when another took it first.
    fn next_number(
        &self,
        issuer: &str,
        kind: DocumentKind,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// A member's name and billing details (None: no such member).
    fn buyer(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<(String, Option<BillingDetails>)>, StoreError>> + Send;
    /// Issues `doc` on its own (a charge that is no booking's: a membership's), once per
    /// `once` (the Stripe invoice it records), with `event`, in one transaction that takes
    /// its number on condition that it is the next one.
    fn issue_document(
        &self,
        doc: &Document,
        once: &str,
        event: &domain::events::DomainEvent,
    ) -> impl Future<Output = Result<Issued, StoreError>> + Send;
    fn get_document(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Document>, StoreError>> + Send;
    fn list_documents(
        &self,
        of: DocumentsOf<'_>,
        cursor: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Page<Document>, StoreError>> + Send;
}

/// Where the PDFs of documents are kept (S3 on AWS): written once per document, read
/// through short-lived signed links.
pub trait DocumentFiles: Send + Sync + 'static {
    fn has_file(&self, key: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn put_pdf(
        &self,
        key: &str,
        pdf: Vec<u8>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A link that reads `key` for `valid_for`, to whoever holds it.
    fn signed_link(
        &self,
        key: &str,
        valid_for: std::time::Duration,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;
}
