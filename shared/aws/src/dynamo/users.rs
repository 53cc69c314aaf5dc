use aws_sdk_dynamodb::types::AttributeValue;

use super::{DynamoStore, from_item, keys, store_error, to_item};
use app::ports::store::StoreError;
use app::ports::users::UserStore;
use domain::user::{ProfilePatch, User};

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

    async fn update_profile(
        &self,
        id: &str,
        patch: &ProfilePatch,
        now: jiff::Timestamp,
    ) -> Result<User, StoreError> {
        let mut set = vec!["updated_at = :now"];
        let mut remove = Vec::new();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", AttributeValue::S(keys::user(id)))
            .key("SK", AttributeValue::S(keys::PROFILE.into()))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":now", AttributeValue::S(now.to_string()));
        if let Some(name) = &patch.name {
            set.push("#name = :name");
            update = update
                .expression_attribute_names("#name", "name")
                .expression_attribute_values(":name", AttributeValue::S(name.clone()));
        }
        match &patch.phone {
            Some(Some(phone)) => {
                set.push("phone = :phone");
                update =
                    update.expression_attribute_values(":phone", AttributeValue::S(phone.clone()));
            }
            Some(None) => remove.push("phone"),
            None => {}
        }
        if let Some(prefs) = &patch.notifications {
            set.push("notifications = :prefs");
            update = update.expression_attribute_values(
                ":prefs",
                serde_dynamo::to_attribute_value(prefs)
                    .map_err(|e| StoreError::Other(Box::new(e)))?,
            );
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
