use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use domain::instant::sortable;
use jiff::Timestamp;

use super::writes::{built, n, s};
use super::{DynamoStore, TxnFailure, from_item, keys, store_error, to_item, txn_failure};
use app::ports::store::StoreError;
use app::ports::users::UserStore;
use domain::user::{ProfilePatch, User};

impl UserStore for DynamoStore {
    async fn create_user(&self, user: &User, probation_until: Timestamp) -> Result<(), StoreError> {
        let profile = to_item(keys::user(&user.id), keys::PROFILE.into(), "User", user)?;
        // The unpaid-holds counter starts with the account, carrying the end of its
        // probation (a smaller hold limit; see create-booking's transaction).
        let holds = std::collections::HashMap::from([
            ("PK".to_string(), s(keys::user(&user.id))),
            ("SK".to_string(), s(keys::HOLDS)),
            ("active".to_string(), n(0)),
            ("new_until".to_string(), s(sortable(probation_until))),
        ]);
        let put = |item| -> Result<TransactWriteItem, StoreError> {
            Ok(TransactWriteItem::builder()
                .put(built(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(item))
                        .condition_expression("attribute_not_exists(PK)")
                        .build(),
                )?)
                .build())
        };
        match self
            .transact("create_user", vec![put(profile)?, put(holds)?])
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(_) => Err(StoreError::AlreadyExists),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn delete_unconfirmed_user(&self, id: &str) -> Result<(), StoreError> {
        let delete = |sk: &str| -> Result<TransactWriteItem, StoreError> {
            Ok(TransactWriteItem::builder()
                .delete(built(
                    Delete::builder()
                        .table_name(&self.table)
                        .key("PK", s(keys::user(id)))
                        .key("SK", s(sk))
                        .build(),
                )?)
                .build())
        };
        self.transact(
            "delete_unconfirmed_user",
            vec![delete(keys::PROFILE)?, delete(keys::HOLDS)?],
        )
        .await
        .map_err(|e| match txn_failure(e) {
            TxnFailure::Condition(_) => StoreError::Unavailable("unexpected condition".into()),
            TxnFailure::Other(e) => e,
        })
    }

    async fn update_profile(
        &self,
        id: &str,
        patch: &ProfilePatch,
        now: jiff::Timestamp,
    ) -> Result<User, StoreError> {
        // A new number loses its proof, the same number keeps it: the write that sets a
        // number is conditional on it changing; when only that fails, the rest is applied.
        let sets_phone = matches!(patch.phone, Some(Some(_)));
        match self.write_profile(id, patch, now, sets_phone).await {
            Err(ProfileWrite::SamePhone) => {
                let rest = ProfilePatch {
                    phone: None,
                    ..patch.clone()
                };
                self.write_profile(id, &rest, now, false)
                    .await
                    .map_err(ProfileWrite::into_store_error)
            }
            other => other.map_err(ProfileWrite::into_store_error),
        }
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", AttributeValue::S(keys::user(id)))
            .key("SK", AttributeValue::S(keys::PROFILE.into()))
            // Read-your-writes: a profile fetched right after registration must exist.
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        out.item.map(from_item).transpose()
    }
}

/// Why a profile write did not happen.
enum ProfileWrite {
    /// It set the number already stored (or the profile is missing: the retry tells).
    SamePhone,
    Store(StoreError),
}

impl ProfileWrite {
    fn into_store_error(self) -> StoreError {
        match self {
            ProfileWrite::SamePhone => StoreError::Unavailable("unexpected condition".into()),
            ProfileWrite::Store(e) => e,
        }
    }
}

impl DynamoStore {
    async fn write_profile(
        &self,
        id: &str,
        patch: &ProfilePatch,
        now: jiff::Timestamp,
        only_if_new_phone: bool,
    ) -> Result<User, ProfileWrite> {
        let mut set = vec!["updated_at = :now"];
        let mut remove = Vec::new();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", AttributeValue::S(keys::user(id)))
            .key("SK", AttributeValue::S(keys::PROFILE.into()))
            .condition_expression(if only_if_new_phone {
                "attribute_exists(PK) AND (attribute_not_exists(phone) OR phone <> :phone)"
            } else {
                "attribute_exists(PK)"
            })
            .expression_attribute_values(":now", AttributeValue::S(now.to_string()));
        if let Some(name) = &patch.name {
            set.push("#name = :name");
            update = update
                .expression_attribute_names("#name", "name")
                .expression_attribute_values(":name", AttributeValue::S(name.clone()));
        }
        // Setting the number (re)starts its verification: no SMS until it is proved.
        match &patch.phone {
            Some(Some(phone)) => {
                set.push("phone = :phone");
                set.push("phone_verified = :unverified");
                update = update
                    .expression_attribute_values(":phone", AttributeValue::S(phone.clone()))
                    .expression_attribute_values(":unverified", AttributeValue::Bool(false));
            }
            Some(None) => {
                remove.push("phone");
                set.push("phone_verified = :unverified");
                update =
                    update.expression_attribute_values(":unverified", AttributeValue::Bool(false));
            }
            None => {}
        }
        if let Some(prefs) = &patch.notifications {
            set.push("notifications = :prefs");
            update = update.expression_attribute_values(
                ":prefs",
                serde_dynamo::to_attribute_value(prefs)
                    .map_err(|e| ProfileWrite::Store(StoreError::Other(Box::new(e))))?,
            );
        }
        match &patch.billing {
            Some(Some(billing)) => {
                set.push("billing = :billing");
                update = update.expression_attribute_values(
                    ":billing",
                    serde_dynamo::to_attribute_value(billing)
                        .map_err(|e| ProfileWrite::Store(StoreError::Other(Box::new(e))))?,
                );
            }
            Some(None) => remove.push("billing"),
            None => {}
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let out = update
            .update_expression(expression)
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| match super::is_condition_failure(&e) {
                true if only_if_new_phone => ProfileWrite::SamePhone,
                true => ProfileWrite::Store(StoreError::NotFound(
                    "no profile exists for this account".into(),
                )),
                false => ProfileWrite::Store(store_error(e)),
            })?;
        from_item(out.attributes.unwrap_or_default()).map_err(ProfileWrite::Store)
    }
}
