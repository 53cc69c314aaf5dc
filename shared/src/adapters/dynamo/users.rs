use aws_sdk_dynamodb::types::AttributeValue;

use super::{DynamoStore, from_item, keys, store_error, to_item};
use crate::domain::user::User;
use crate::ports::store::StoreError;
use crate::ports::users::UserStore;

impl UserStore for DynamoStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let item = to_item(keys::user(&user.id), keys::PROFILE.into(), "User", user)?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception())
                {
                    StoreError::AlreadyExists
                } else {
                    store_error(e)
                }
            })?;
        Ok(())
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
