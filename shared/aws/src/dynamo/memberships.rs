use aws_sdk_dynamodb::types::{Put, ReturnConsumedCapacity, TransactWriteItem};
use jiff::Timestamp;

use super::writes::{built, event_put, n, s, stripe_event_put};
use super::{DynamoStore, TxnFailure, from_item, keys, store_error, to_item, txn_failure};
use app::ports::memberships::*;
use app::ports::store::StoreError;
use domain::events::DomainEvent;
use domain::membership::Membership;

impl MembershipStore for DynamoStore {
    async fn member_state(&self, user_id: &str) -> Result<MemberState, StoreError> {
        // MEMBERSHIP and USAGE#... sort together, after PROFILE: one query reads them.
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
            .expression_attribute_values(":pk", s(keys::user(user_id)))
            .expression_attribute_values(":lo", s(keys::MEMBERSHIP))
            .expression_attribute_values(":hi", s(keys::usage("~")))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(store_error)?;
        crate::metrics::record(
            "member_state",
            out.consumed_capacity().and_then(|c| c.capacity_units),
        );
        let mut state = MemberState::default();
        for item in out.items.unwrap_or_default() {
            let sk = item
                .get("SK")
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            if sk == keys::MEMBERSHIP {
                state.membership = Some(from_item::<Membership>(item)?);
            } else if let Some(month) = sk.strip_prefix("USAGE#") {
                let minutes = item
                    .get("minutes")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                state.usage.insert(month.to_string(), minutes);
            }
        }
        Ok(state)
    }

    async fn reserve_subscribing(
        &self,
        user_id: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(keys::user(user_id)))
            .item("SK", s(keys::SUBSCRIBING))
            .item("until", s(domain::instant::sortable(until)))
            .item("ttl", super::writes::ttl_after(until, 1))
            .condition_expression("attribute_not_exists(PK) OR #until < :now")
            .expression_attribute_names("#until", "until")
            .expression_attribute_values(":now", s(domain::instant::sortable(now)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if super::is_condition_failure(&e) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn release_subscribing(&self, user_id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user_id)))
            .key("SK", s(keys::SUBSCRIBING))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn save_membership(
        &self,
        m: &Membership,
        event: &DomainEvent,
        stripe_event_id: Option<&str>,
        now: Timestamp,
    ) -> Result<(), SaveMembershipError> {
        let table = &self.table;
        let item = to_item(
            keys::user(&m.user_id),
            keys::MEMBERSHIP.into(),
            "Membership",
            m,
        )?;
        let mut put = Put::builder().table_name(table).set_item(Some(item));
        put = if m.version <= 1 {
            put.condition_expression("attribute_not_exists(PK)")
        } else {
            put.condition_expression("version = :prev")
                .expression_attribute_values(":prev", n(m.version - 1))
        };
        let mut actions = Vec::with_capacity(3);
        let mut marker = false;
        if let Some(id) = stripe_event_id {
            actions.push(stripe_event_put(table, id, now)?);
            marker = true;
        }
        actions.push(
            TransactWriteItem::builder()
                .put(built(put.build())?)
                .build(),
        );
        actions.push(event_put(table, event)?);
        match self.transact("save_membership", actions).await {
            Ok(()) => Ok(()),
            Err(e) => match txn_failure(e) {
                // The first failed action: the marker (index 0 when present) or the put.
                TxnFailure::Condition(first) => {
                    if marker && first == 0 {
                        Err(SaveMembershipError::Duplicate)
                    } else {
                        Err(SaveMembershipError::Changed)
                    }
                }
                TxnFailure::Other(e) => Err(e.into()),
            },
        }
    }
}
