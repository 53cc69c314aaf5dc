use aws_sdk_dynamodb::types::AttributeValue;

use super::{DynamoStore, from_item, keys, store_error, to_item};
use crate::domain::user::User;
use crate::ports::store::StoreError;
use crate::ports::users::UserStore;

impl UserStore for DynamoStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        self.put_new(to_item(
            keys::user(&user.id),
            keys::PROFILE.into(),
            "User",
            user,
        )?)
        .await
    }

    async fn rename_user(
        &self,
        id: &str,
        name: &str,
        now: jiff::Timestamp,
    ) -> Result<User, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", AttributeValue::S(keys::user(id)))
            .key("SK", AttributeValue::S(keys::PROFILE.into()))
            .update_expression("SET #name = :name, updated_at = :now")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", AttributeValue::S(name.into()))
            .expression_attribute_values(":now", AttributeValue::S(now.to_string()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| {
                if super::is_condition_failure(&e) {
                    StoreError::NotFound("no profile exists for this account".into())
                } else {
                    store_error(e)
                }
            })?;
        from_item(out.attributes.unwrap_or_default())
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
