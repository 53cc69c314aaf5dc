use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use domain::role::Role;
use domain::user::{NotifyPrefs, User};

/// A user as the API shows it to that user (or an admin).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub email: String,
    pub name: String,
    pub membership_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// SMS go only to a verified phone (POST /users/me/phone/code, then .../verify).
    pub phone_verified: bool,
    pub notifications: NotifyPrefs,
    /// What goes on the member's invoices (company, address, VAT id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing: Option<domain::user::BillingDetails>,
    pub roles: Vec<Role>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl UserResponse {
    pub fn new(user: User, roles: Vec<Role>) -> Self {
        Self {
            id: user.id,
            email: user.email,
            name: user.name,
            membership_id: user.membership_id,
            phone: user.phone,
            phone_verified: user.phone_verified,
            notifications: user.notifications,
            billing: user.billing,
            roles,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}
