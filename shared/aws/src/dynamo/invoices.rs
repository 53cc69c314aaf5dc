//! Invoices and credit notes: the documents (written in the booking's transaction, see
//! `booking_txn::apply`), their issuers' sequences, and the lists of a member's and of a
//! space's documents.

use aws_sdk_dynamodb::types::{
    ConditionCheck, Put, ReturnConsumedCapacity, TransactWriteItem, Update,
};

use super::bookings::{ListIndex, decode_cursor, encode_cursor};
use super::writes::{built, event_put, n, s};
use super::{
    DynamoStore, Item, TxnFailure, from_item, keys, store_error, to_item_with_indexes, txn_failure,
};
use app::ports::bookings::Page;
use app::ports::invoices::{DocumentsOf, InvoiceStore, Issued, SaleFacts};
use app::ports::spaces::SpaceStore;
use app::ports::store::StoreError;
use app::ports::users::UserStore;
use domain::events::DomainEvent;
use domain::invoice::{Document, DocumentKind};
use domain::user::BillingDetails;

/// A document as stored: in its buyer's list (GSI1) and its space's (GSI2).
fn document_item(doc: &Document) -> Result<Item, StoreError> {
    let id = doc.id();
    let entry = keys::document_entry(doc.issued_at, &id);
    to_item_with_indexes(
        keys::document(&id),
        keys::DOCUMENT.into(),
        Some((keys::buyer_documents(&doc.buyer_id), entry.clone())),
        doc.subject
            .space_id
            .as_deref()
            .map(|space| (keys::space_documents(space), entry)),
        "Document",
        doc,
    )
}

/// The two actions that issue `doc`: its issuer's sequence moves from `number - 1` to
/// `number` (on condition: a concurrent payment that took the number first makes this
/// fail, and the caller numbers again), and the document is put where none is.
pub(super) fn issue(table: &str, doc: &Document) -> Result<[TransactWriteItem; 2], StoreError> {
    let mut seq = Update::builder()
        .table_name(table)
        .key("PK", s(keys::issuer(&doc.issuer)))
        .key("SK", s(keys::sequence(doc.kind)))
        .update_expression("SET #last = :n")
        .expression_attribute_names("#last", "last")
        .expression_attribute_values(":n", n(doc.number));
    seq = if doc.number <= 1 {
        seq.condition_expression("attribute_not_exists(PK)")
    } else {
        seq.condition_expression("#last = :prev")
            .expression_attribute_values(":prev", n(doc.number - 1))
    };
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(document_item(doc)?))
        .condition_expression("attribute_not_exists(PK)");
    Ok([
        TransactWriteItem::builder()
            .update(built(seq.build())?)
            .build(),
        TransactWriteItem::builder()
            .put(built(put.build())?)
            .build(),
    ])
}

impl InvoiceStore for DynamoStore {
    async fn sale_facts(
        &self,
        space_id: &str,
        buyer_id: &str,
    ) -> Result<Option<SaleFacts>, StoreError> {
        let Some(space) = self.get_space_profile(space_id).await? else {
            return Ok(None);
        };
        let (seller, buyer) =
            tokio::try_join!(self.get_user(&space.owner_id), self.buyer(buyer_id))?;
        let (buyer_name, buyer_billing) = buyer.unwrap_or_default();
        Ok(Some(SaleFacts {
            seller_billing: seller.and_then(|u| u.billing),
            buyer_name,
            buyer_billing,
            space,
        }))
    }

    async fn buyer(
        &self,
        user_id: &str,
    ) -> Result<Option<(String, Option<BillingDetails>)>, StoreError> {
        Ok(self.get_user(user_id).await?.map(|u| (u.name, u.billing)))
    }

    async fn issue_document(
        &self,
        doc: &Document,
        once: &str,
        event: &DomainEvent,
    ) -> Result<Issued, StoreError> {
        let mut marker = Item::new();
        marker.insert("PK".into(), s(keys::issued_for(once)));
        marker.insert("SK".into(), s(keys::DOCUMENT));
        marker.insert("document_id".into(), s(doc.id()));
        let once = Put::builder()
            .table_name(&self.table)
            .set_item(Some(marker))
            .condition_expression("attribute_not_exists(PK)");
        let [seq, put] = issue(&self.table, doc)?;
        // Never under the id of an account erased meanwhile (erasure deletes the profile
        // first, then unlinks what it finds).
        let buyer = ConditionCheck::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(&doc.buyer_id)))
            .key("SK", s(keys::PROFILE))
            .condition_expression("attribute_exists(PK)");
        let actions = vec![
            TransactWriteItem::builder()
                .put(built(once.build())?)
                .build(),
            seq,
            put,
            event_put(&self.table, event)?,
            TransactWriteItem::builder()
                .condition_check(built(buyer.build())?)
                .build(),
        ];
        match self.transact("issue_document", actions).await {
            Ok(()) => Ok(Issued::Issued),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(0) => Ok(Issued::Duplicate),
                TxnFailure::Condition(1) => Ok(Issued::NumberTaken),
                TxnFailure::Condition(4) => Ok(Issued::BuyerGone),
                TxnFailure::Condition(_) => Err(StoreError::AlreadyExists),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn next_number(&self, issuer: &str, kind: DocumentKind) -> Result<u64, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::issuer(issuer)))
            .key("SK", s(keys::sequence(kind)))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "next_document_number",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        let last = out
            .item
            .as_ref()
            .and_then(|i| i.get("last"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        Ok(last + 1)
    }

    async fn get_document(&self, id: &str) -> Result<Option<Document>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::document(id)))
            .key("SK", s(keys::DOCUMENT))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        out.item.map(from_item).transpose()
    }

    async fn list_documents(
        &self,
        of: DocumentsOf<'_>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Document>, StoreError> {
        let index = match of {
            DocumentsOf::Buyer(id) => ListIndex::new("GSI1", keys::buyer_documents(id)),
            DocumentsOf::Space(id) => ListIndex::new("GSI2", keys::space_documents(id)),
        };
        let start = cursor.map(|c| decode_cursor(c, &index)).transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index.name)
            .key_condition_expression(format!("{}PK = :pk", index.name))
            .expression_attribute_values(":pk", s(&index.pk))
            .scan_index_forward(false)
            .limit(limit as i32)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "list_documents",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        let items = out.items.unwrap_or_default();
        let next_cursor = match (&out.last_evaluated_key, items.last()) {
            (Some(_), Some(last)) => Some(encode_cursor(last, &index)),
            _ => None,
        };
        Ok(Page {
            items: items.into_iter().map(from_item).collect::<Result<_, _>>()?,
            next_cursor,
        })
    }
}
