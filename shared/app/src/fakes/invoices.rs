//! Invoices in memory: the documents `MemoryBookings::apply` issues, under the same
//! sequence condition as the DynamoDB adapter's (the number must be the next one).

use std::collections::HashMap;

use crate::ports::bookings::Page;
use crate::ports::invoices::{DocumentsOf, InvoiceStore, Issued, SaleFacts};
use crate::ports::store::StoreError;
use domain::invoice::{Document, DocumentKind};
use domain::user::BillingDetails;

use super::bookings::MemoryBookings;

#[derive(Default)]
pub struct Invoices {
    pub documents: Vec<Document>,
    /// (issuer, kind) -> last number issued.
    pub sequences: HashMap<(String, DocumentKind), u64>,
    /// user -> (name, billing details) for invoices' parties.
    pub parties: HashMap<String, (String, Option<BillingDetails>)>,
    /// What documents were issued for (`issue_document`'s `once`).
    pub issued_for: HashMap<String, String>,
}

impl Invoices {
    /// Whether every document takes the next number of its sequence.
    pub fn numbers_free(&self, docs: &[Document]) -> bool {
        docs.iter().all(|d| {
            let last = self
                .sequences
                .get(&(d.issuer.clone(), d.kind))
                .copied()
                .unwrap_or(0);
            d.number == last + 1
        })
    }

    pub fn issue(&mut self, docs: &[Document]) {
        for d in docs {
            self.sequences.insert((d.issuer.clone(), d.kind), d.number);
            self.documents.push(d.clone());
        }
    }
}

impl MemoryBookings {
    /// Who a user is on invoices (set-up in tests).
    pub fn put_party(&self, user_id: &str, name: &str, billing: Option<BillingDetails>) {
        self.world
            .lock()
            .unwrap()
            .invoices
            .parties
            .insert(user_id.to_string(), (name.to_string(), billing));
    }
}

impl InvoiceStore for MemoryBookings {
    async fn sale_facts(
        &self,
        space_id: &str,
        buyer_id: &str,
    ) -> Result<Option<SaleFacts>, StoreError> {
        let w = self.world.lock().unwrap();
        let Some(space) = w.spaces.get(space_id).cloned() else {
            return Ok(None);
        };
        let party = |id: &str| w.invoices.parties.get(id).cloned();
        let buyer = party(buyer_id).unwrap_or_default();
        Ok(Some(SaleFacts {
            seller_billing: party(&space.owner_id).and_then(|p| p.1),
            buyer_name: buyer.0,
            buyer_billing: buyer.1,
            space,
        }))
    }

    async fn next_number(&self, issuer: &str, kind: DocumentKind) -> Result<u64, StoreError> {
        let w = self.world.lock().unwrap();
        Ok(w.invoices
            .sequences
            .get(&(issuer.to_string(), kind))
            .copied()
            .unwrap_or(0)
            + 1)
    }

    async fn buyer(
        &self,
        user_id: &str,
    ) -> Result<Option<(String, Option<BillingDetails>)>, StoreError> {
        Ok(self
            .world
            .lock()
            .unwrap()
            .invoices
            .parties
            .get(user_id)
            .cloned())
    }

    async fn issue_document(
        &self,
        doc: &Document,
        once: &str,
        event: &domain::events::DomainEvent,
    ) -> Result<Issued, StoreError> {
        let mut w = self.world.lock().unwrap();
        if w.invoices.issued_for.contains_key(once) {
            return Ok(Issued::Duplicate);
        }
        if !w.invoices.numbers_free(std::slice::from_ref(doc)) {
            return Ok(Issued::NumberTaken);
        }
        w.invoices.issued_for.insert(once.to_string(), doc.id());
        w.invoices.issue(std::slice::from_ref(doc));
        w.events.push(event.clone());
        Ok(Issued::Issued)
    }

    async fn get_document(&self, id: &str) -> Result<Option<Document>, StoreError> {
        let w = self.world.lock().unwrap();
        Ok(w.invoices.documents.iter().find(|d| d.id() == id).cloned())
    }

    async fn list_documents(
        &self,
        of: DocumentsOf<'_>,
        _cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Document>, StoreError> {
        let w = self.world.lock().unwrap();
        let mut items: Vec<Document> = w
            .invoices
            .documents
            .iter()
            .filter(|d| match of {
                DocumentsOf::Buyer(id) => d.buyer_id == id,
                DocumentsOf::Space(id) => d.subject.space_id.as_deref() == Some(id),
            })
            .rev()
            .take(limit)
            .cloned()
            .collect();
        items.truncate(limit);
        Ok(Page {
            items,
            next_cursor: None,
        })
    }
}
