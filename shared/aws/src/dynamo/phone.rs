//! Phone verification codes (`USER#<id>` / `PHONECODE`) and the daily SMS counters
//! (`USER#<id>` / `SMS#<day>`, kept two days).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use jiff::Timestamp;

use super::writes::{built, n, s, ttl_after, user_exists};
use super::{
    DynamoStore, TxnFailure, from_item, is_condition_failure, keys, store_error, to_item,
    txn_failure,
};
use app::ports::phone::{PhoneStore, StartChallengeError};
use app::ports::store::StoreError;
use domain::instant::sortable;
use domain::phone::PhoneChallenge;

/// One SMS more on a day, only while fewer than `:cap` were sent (the counter expires).
const SMS_COUNT: &str = "ADD sent :one SET #ttl = if_not_exists(#ttl, :ttl)";
const SMS_UNDER_CAP: &str = "attribute_not_exists(sent) OR sent < :cap";

fn sms_count_values(cap: u32, now: Timestamp) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (":one".to_string(), n(1)),
        (":cap".to_string(), n(cap)),
        (":ttl".to_string(), ttl_after(now, 2)),
    ])
}

fn sms_key(user_id: &str, day: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("PK".to_string(), s(keys::user(user_id))),
        ("SK".to_string(), s(keys::sms_day(day))),
    ])
}

impl PhoneStore for DynamoStore {
    async fn start_challenge(
        &self,
        user_id: &str,
        challenge: &PhoneChallenge,
        resend_before: Timestamp,
        day: &str,
        cap: u32,
    ) -> Result<(), StartChallengeError> {
        let mut item = to_item(
            keys::user(user_id),
            keys::PHONE_CODE.into(),
            "PhoneChallenge",
            challenge,
        )?;
        item.insert("sent_key".into(), s(sortable(challenge.sent_at)));
        item.insert("ttl".into(), ttl_after(challenge.expires_at, 1));
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK) OR sent_key < :resend_before")
                .expression_attribute_values(":resend_before", s(sortable(resend_before)))
                .build(),
        )?;
        let count = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(sms_key(user_id, day)))
                .update_expression(SMS_COUNT)
                .condition_expression(SMS_UNDER_CAP)
                .expression_attribute_names("#ttl", "ttl")
                .set_expression_attribute_values(Some(sms_count_values(cap, challenge.sent_at)))
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().put(put).build(),
            TransactWriteItem::builder().update(count).build(),
        ];
        match self.transact("start_phone_challenge", actions).await {
            Ok(()) => Ok(()),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(0) => Err(StartChallengeError::TooSoon),
                TxnFailure::Condition(_) => Err(StartChallengeError::DailyCap),
                TxnFailure::Other(e) => Err(e.into()),
            },
        }
    }

    async fn challenge(&self, user_id: &str) -> Result<Option<PhoneChallenge>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user_id)))
            .key("SK", s(keys::PHONE_CODE))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        out.item.map(from_item).transpose()
    }

    async fn count_attempt(&self, user_id: &str, seen: u32) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user_id)))
            .key("SK", s(keys::PHONE_CODE))
            .update_expression("SET attempts = attempts + :one")
            .condition_expression("attempts = :seen")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":seen", n(seen))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Another try counted first: this one is refused anyway, and the next check
            // sees the higher count.
            Err(e) if is_condition_failure(&e) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn verify_phone(&self, user_id: &str, phone: &str) -> Result<bool, StoreError> {
        let verify = built(
            Update::builder()
                .table_name(&self.table)
                .key("PK", s(keys::user(user_id)))
                .key("SK", s(keys::PROFILE))
                .update_expression("SET phone_verified = :yes")
                .condition_expression("phone = :phone")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .expression_attribute_values(":phone", s(phone))
                .build(),
        )?;
        let drop_code = built(
            Delete::builder()
                .table_name(&self.table)
                .key("PK", s(keys::user(user_id)))
                .key("SK", s(keys::PHONE_CODE))
                .condition_expression("attribute_exists(PK)")
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().update(verify).build(),
            TransactWriteItem::builder().delete(drop_code).build(),
        ];
        match self.transact("verify_phone", actions).await {
            Ok(()) => Ok(true),
            Err(e) => match txn_failure(e) {
                // The number changed, or a concurrent check used the code.
                TxnFailure::Condition(_) => Ok(false),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn take_sms_allowance(
        &self,
        user_id: &str,
        day: &str,
        cap: u32,
    ) -> Result<bool, StoreError> {
        let count = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(sms_key(user_id, day)))
                .update_expression(SMS_COUNT)
                .condition_expression(SMS_UNDER_CAP)
                .expression_attribute_names("#ttl", "ttl")
                .set_expression_attribute_values(Some(sms_count_values(cap, Timestamp::now())))
                .build(),
        )?;
        let actions = vec![
            user_exists(&self.table, user_id)?,
            TransactWriteItem::builder().update(count).build(),
        ];
        // Erased meanwhile, or the day's allowance is used up: no SMS.
        match self.transact("take_sms_allowance", actions).await {
            Ok(()) => Ok(true),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(_) => Ok(false),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }
}
