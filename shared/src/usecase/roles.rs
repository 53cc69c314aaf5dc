//! Role changes by admins.

use lambda_http::Request;

use crate::error::ApiError;
use crate::http::caller::{Caller, Role};
use crate::http::params::path_param;
use crate::ports::users::UserStore;

/// Roles that admins grant and revoke; `member` comes with every account.
pub const GRANTABLE: [Role; 2] = [Role::Operator, Role::Admin];

/// Checks that the caller is an admin, the role can be changed, and the user exists;
/// returns the user id and the role.
pub async fn role_change_target<U: UserStore>(
    req: &Request,
    caller: &Caller,
    users: &U,
) -> Result<(String, Role), ApiError> {
    caller.require(Role::Admin)?;
    let user_id = path_param(req, "userId")?;
    let role_name = path_param(req, "role")?;
    let role = Role::parse(&role_name)
        .filter(|r| GRANTABLE.contains(r))
        .ok_or_else(|| ApiError::field("role", "enum", "must be operator or admin"))?;
    if users.get_user(&user_id).await?.is_none() {
        return Err(ApiError::NotFound(format!("no user {user_id}")));
    }
    Ok((user_id, role))
}
