//! Personal data export and anonymisation. Reads: the user's partition (profile,
//! membership, notifications, counters), their bookings (GSI1 `USERBOOKINGS#`), the
//! bookings' payment records and rentals, and their reviews (GSI1 `USERREVIEWS#`). Erasure rewrites those
//! in transactions of at most 100 actions; the audit entry goes with the last one.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};

use super::writes::{audit_item, audit_put, built, s};
use super::{DynamoStore, Item, from_item, keys, query_all, store_error};
use app::ports::privacy::{PersonalData, PrivacyStore};
use app::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::instant::sortable_nanos;

const MAX_TRANSACTION_ACTIONS: usize = 100;

fn text(item: &Item, key: &str) -> Option<String> {
    match item.get(key) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    }
}

fn key(pk: String, sk: String) -> Item {
    Item::from([("PK".into(), s(pk)), ("SK".into(), s(sk))])
}

impl DynamoStore {
    async fn index_items(&self, op: &'static str, gsi1pk: String) -> Result<Vec<Item>, StoreError> {
        self.index_items_of("GSI1", op, gsi1pk).await
    }

    async fn index_items_of(
        &self,
        index: &'static str,
        op: &'static str,
        pk: String,
    ) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression(format!("{index}PK = :pk"))
            .expression_attribute_values(":pk", s(pk));
        query_all(op, query).await
    }

    /// Sets `user_id` to the anonymous id and drops the item from the user's GSI1 list.
    fn anonymise_action(
        &self,
        pk: String,
        sk: String,
        anonymous_id: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk, sk)))
                .update_expression("SET user_id = :anon REMOVE GSI1PK, GSI1SK")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":anon", s(anonymous_id))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// An invoice keeps what it says; its buyer id becomes the anonymous id and it leaves
    /// the member's list.
    fn unlink_document(
        &self,
        doc: &domain::invoice::Document,
        anonymous_id: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::document(&doc.id()), keys::DOCUMENT.into())))
                .update_expression("SET buyer_id = :anon REMOVE GSI1PK, GSI1SK")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":anon", s(anonymous_id))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn delete_action(&self, pk: String, sk: String) -> Result<TransactWriteItem, StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk, sk)))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }
}

impl PrivacyStore for DynamoStore {
    async fn personal_data(&self, user_id: &str) -> Result<PersonalData, StoreError> {
        let mut data = PersonalData::default();
        let own = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(keys::user(user_id)));
        for item in query_all("personal_data", own).await? {
            match text(&item, "SK").as_deref() {
                Some(keys::PROFILE) => data.profile = Some(from_item(item)?),
                Some(keys::MEMBERSHIP) => data.membership = Some(from_item(item)?),
                Some(sk) if sk.starts_with("NOTIF#") => data.notifications.push(from_item(item)?),
                _ => {}
            }
        }
        for item in self
            .index_items("personal_data", keys::user_bookings(user_id))
            .await?
        {
            data.bookings.push(from_item(item)?);
        }
        for booking in data
            .bookings
            .iter()
            .filter(|b| b.payment_transaction_id.is_some())
        {
            let out = self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(key(keys::booking(&booking.id), keys::PAYMENT.into())))
                .send()
                .await
                .map_err(store_error)?;
            if let Some(item) = out.item {
                data.payments.push(from_item(item)?);
            }
        }
        // Every rental has its month 0 booking: its months lead to it.
        let mut rentals: Vec<String> = data
            .bookings
            .iter()
            .filter_map(|b| b.rental.as_ref().map(|r| r.id.clone()))
            .collect();
        rentals.sort_unstable();
        rentals.dedup();
        for id in rentals {
            let out = self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(key(keys::rental(&id), keys::RENTAL.into())))
                .send()
                .await
                .map_err(store_error)?;
            if let Some(item) = out.item {
                data.rentals.push(from_item(item)?);
            }
        }
        for item in self
            .index_items("personal_data", keys::user_reviews(user_id))
            .await?
        {
            data.reviews.push(from_item(item)?);
        }
        // As actor (GSI1) and as target (GSI2); an entry can be both.
        for index in ["GSI1", "GSI2"] {
            for item in self
                .index_items_of(index, "personal_data", keys::user_audit(user_id))
                .await?
            {
                let entry: AuditEntry = from_item(item)?;
                if !data.audit.iter().any(|e| e.id == entry.id) {
                    data.audit.push(entry);
                }
            }
        }
        for item in self
            .index_items("personal_data", keys::waiter(user_id))
            .await?
        {
            data.waitlist.push(from_item(item)?);
        }
        for item in self
            .index_items("personal_data", keys::buyer_documents(user_id))
            .await?
        {
            data.documents.push(from_item(item)?);
        }
        for item in self
            .index_items("personal_data", keys::user_events(user_id))
            .await?
        {
            let id = text(&item, "PK").and_then(|pk| pk.strip_prefix("EVENT#").map(str::to_owned));
            data.event_ids.extend(id);
        }
        Ok(data)
    }

    async fn anonymise(
        &self,
        data: &PersonalData,
        user_id: &str,
        anonymous_id: &str,
        pseudonym: &str,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut actions = Vec::new();
        for b in &data.bookings {
            actions.push(self.anonymise_action(
                keys::booking(&b.id),
                keys::BOOKING.into(),
                anonymous_id,
            )?);
        }
        for p in &data.payments {
            actions.push(self.anonymise_action(
                keys::booking(&p.booking_id),
                keys::PAYMENT.into(),
                anonymous_id,
            )?);
        }
        for r in &data.reviews {
            actions.push(self.anonymise_action(
                keys::reviews(&r.space_id),
                keys::review(&sortable_nanos(r.created_at), &r.id),
                anonymous_id,
            )?);
        }
        for id in &data.event_ids {
            actions.push(self.delete_action(keys::event(id), "EVENT".into())?);
        }
        // The series their bookings belong to keep the occurrences, not the member.
        let mut series: Vec<&str> = data
            .bookings
            .iter()
            .filter_map(|b| b.series.as_ref().map(|s| s.id.as_str()))
            .collect();
        series.sort_unstable();
        series.dedup();
        for id in series {
            actions.push(self.anonymise_action(
                keys::series(id),
                keys::SERIES.into(),
                anonymous_id,
            )?);
        }
        for r in &data.rentals {
            actions.push(self.anonymise_action(
                keys::rental(&r.id),
                keys::RENTAL.into(),
                anonymous_id,
            )?);
        }
        // Invoices keep their content (a legal record the seller must keep); what leads
        // from the account to them goes.
        for d in &data.documents {
            actions.push(self.unlink_document(d, anonymous_id)?);
        }
        for e in &data.waitlist {
            actions.push(self.delete_action(
                keys::waitlist(&e.bookable_item_id),
                keys::waitlist_entry(e.joined_at, &e.id),
            )?);
        }
        // Rewritten in place, without the index keys that led to the user.
        for entry in &data.audit {
            let mut item = audit_item(&entry.pseudonymised(user_id, pseudonym))?;
            for k in ["GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"] {
                item.remove(k);
            }
            let put = built(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .build(),
            )?;
            actions.push(TransactWriteItem::builder().put(put).build());
        }
        // The user's own partition, all of it (the membership too: what was paid stays in
        // the payment records and at the provider).
        let own = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(keys::user(user_id)))
            .projection_expression("PK, SK");
        for item in query_all("anonymise", own).await? {
            let sk = text(&item, "SK").unwrap_or_default();
            actions.push(self.delete_action(keys::user(user_id), sk)?);
        }
        let audit = audit_put(&self.table, audit)?;
        let mut chunks: Vec<Vec<TransactWriteItem>> = actions
            .chunks(MAX_TRANSACTION_ACTIONS - 1)
            .map(<[TransactWriteItem]>::to_vec)
            .collect();
        match chunks.last_mut() {
            Some(last) => last.push(audit),
            None => chunks.push(vec![audit]),
        }
        for chunk in chunks {
            self.transact("anonymise", chunk)
                .await
                .map_err(store_error)?;
        }
        // An invoice issued while this ran (its payment's news arriving meanwhile) is
        // unlinked too: with the profile gone, no further one can be issued to the id.
        for item in self
            .index_items("anonymise", keys::buyer_documents(user_id))
            .await?
        {
            let doc: domain::invoice::Document = from_item(item)?;
            let unlink = self.unlink_document(&doc, anonymous_id)?;
            self.transact("anonymise", vec![unlink])
                .await
                .map_err(store_error)?;
        }
        Ok(())
    }
}
