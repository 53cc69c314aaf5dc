//! Promo codes: one item per code (its key is the code), listed by their creator (GSI1);
//! a member's redemptions of a code counted in their own partition. Both counters move
//! only in booking transactions (`redemption`), never by an edit of the code.

use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnConsumedCapacity, TransactWriteItem, Update,
};

use super::writes::{audit_put, built, n, s};
use super::{
    DynamoStore, TxnFailure, from_item, keys, store_error, to_item_with_indexes, txn_failure,
};
use app::ports::promos::PromoStore;
use app::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::lifecycle::PromoUse;
use domain::promo::PromoCode;

/// A code, listed by its creator (GSI1) and among all codes (GSI2, for admins).
fn promo_item(code: &PromoCode) -> Result<super::Item, StoreError> {
    let entry = keys::promo_entry(code.created_at, &code.code);
    to_item_with_indexes(
        keys::promo(&code.code),
        keys::PROMO.into(),
        Some((keys::promo_owner(&code.created_by), entry.clone())),
        Some((keys::ALL_PROMOS.into(), entry)),
        "PromoCode",
        code,
    )
}

/// The two counters a booking moves: the code's `redeemed` (a take only while the code
/// is as read, on, and below its limit) and the member's count of it (a take only below
/// the per-member limit).
pub(super) fn redemption(
    table: &str,
    user_id: &str,
    p: &PromoUse,
) -> Result<[TransactWriteItem; 2], StoreError> {
    let mut code = Update::builder()
        .table_name(table)
        .key("PK", s(keys::promo(&p.code)))
        .key("SK", s(keys::PROMO))
        .update_expression("ADD redeemed :d")
        .expression_attribute_values(":d", n(p.delta));
    let mut conditions: Vec<&str> = Vec::new();
    if let Some(version) = p.version {
        conditions.push("version = :v AND disabled = :off");
        code = code
            .expression_attribute_values(":v", n(version))
            .expression_attribute_values(":off", AttributeValue::Bool(false));
    }
    if let (Some(max), true) = (p.max_redemptions, p.delta > 0) {
        conditions.push("(attribute_not_exists(redeemed) OR redeemed < :max)");
        code = code.expression_attribute_values(":max", n(max));
    }
    if !conditions.is_empty() {
        code = code
            .condition_expression(conditions.join(" AND "))
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            );
    }
    let mut member = Update::builder()
        .table_name(table)
        .key("PK", s(keys::user(user_id)))
        .key("SK", s(keys::promo_use(&p.code)))
        .update_expression("ADD used :d")
        .expression_attribute_values(":d", n(p.delta));
    if let (Some(limit), true) = (p.per_member_limit, p.delta > 0) {
        member = member
            .condition_expression("attribute_not_exists(used) OR used < :limit")
            .expression_attribute_values(":limit", n(limit));
    }
    Ok([
        TransactWriteItem::builder()
            .update(built(code.build())?)
            .build(),
        TransactWriteItem::builder()
            .update(built(member.build())?)
            .build(),
    ])
}

impl PromoStore for DynamoStore {
    async fn create_promo(&self, code: &PromoCode, audit: &AuditEntry) -> Result<bool, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(promo_item(code)?))
            .condition_expression("attribute_not_exists(PK)");
        let actions = vec![
            TransactWriteItem::builder()
                .put(built(put.build())?)
                .build(),
            audit_put(&self.table, audit)?,
        ];
        match self.transact("create_promo", actions).await {
            Ok(()) => Ok(true),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(0) => Ok(false),
                TxnFailure::Condition(_) => Err(StoreError::AlreadyExists),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn promo_for(
        &self,
        code: &str,
        user_id: &str,
    ) -> Result<Option<(PromoCode, u32)>, StoreError> {
        let get = |pk: String, sk: String| {
            self.client
                .get_item()
                .table_name(&self.table)
                .key("PK", s(pk))
                .key("SK", s(sk))
                .consistent_read(true)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
        };
        let (promo, used) = tokio::try_join!(
            get(keys::promo(code), keys::PROMO.into()),
            get(keys::user(user_id), keys::promo_use(code)),
        )
        .map_err(store_error)?;
        crate::metrics::record(
            "promo_for",
            promo.consumed_capacity().and_then(|c| c.capacity_units),
        );
        let Some(item) = promo.item else {
            return Ok(None);
        };
        let used = used
            .item
            .as_ref()
            .and_then(|i| i.get("used"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        Ok(Some((from_item(item)?, used)))
    }

    async fn save_promo(&self, edited: &PromoCode, audit: &AuditEntry) -> Result<bool, StoreError> {
        // Only the terms an edit may change: `redeemed` moves with bookings meanwhile.
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::promo(&edited.code)))
            .key("SK", s(keys::PROMO))
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":prev", n(edited.version.saturating_sub(1)))
            .expression_attribute_values(":version", n(edited.version))
            .expression_attribute_values(":disabled", AttributeValue::Bool(edited.disabled))
            .expression_attribute_values(":from", s(edited.valid_from.to_string()))
            .expression_attribute_values(":until", s(edited.valid_until.to_string()));
        let set = "SET #version = :version, disabled = :disabled, valid_from = :from, valid_until = :until";
        update = match edited.max_redemptions {
            Some(max) => update
                .update_expression(format!("{set}, max_redemptions = :max"))
                .condition_expression(
                    "#version = :prev AND (attribute_not_exists(redeemed) OR redeemed <= :max)",
                )
                .expression_attribute_values(":max", n(max)),
            None => update
                .update_expression(format!("{set} REMOVE max_redemptions"))
                .condition_expression("#version = :prev"),
        };
        let actions = vec![
            TransactWriteItem::builder()
                .update(built(update.build())?)
                .build(),
            audit_put(&self.table, audit)?,
        ];
        match self.transact("save_promo", actions).await {
            Ok(()) => Ok(true),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(0) => Ok(false),
                TxnFailure::Condition(_) => Err(StoreError::AlreadyExists),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn list_promos(&self, created_by: Option<&str>) -> Result<Vec<PromoCode>, StoreError> {
        let (index, pk) = match created_by {
            Some(owner) => ("GSI1", keys::promo_owner(owner)),
            None => ("GSI2", keys::ALL_PROMOS.to_string()),
        };
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression(format!("{index}PK = :pk"))
                .expression_attribute_values(":pk", s(&pk))
                .scan_index_forward(false)
                .set_exclusive_start_key(start.take())
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(store_error)?;
            crate::metrics::record(
                "list_promos",
                out.consumed_capacity().and_then(|c| c.capacity_units),
            );
            items.extend(out.items.unwrap_or_default());
            // Codes are few; a list stops at a thousand.
            match out.last_evaluated_key {
                Some(k) if items.len() < 1000 => start = Some(k),
                _ => break,
            }
        }
        items.into_iter().map(from_item).collect()
    }
}
