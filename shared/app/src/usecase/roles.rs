//! Role changes by admins.

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::audit::AuditStore;
use crate::ports::identity::Identity;
use crate::ports::users::UserStore;
use domain::role::Role;

/// Roles that admins grant and revoke; `member` comes with every account.
pub const GRANTABLE: [Role; 2] = [Role::Operator, Role::Admin];

/// Checks that the caller is an admin, the role can be changed, and the user exists;
/// returns the role.
pub async fn role_change_target<U: UserStore>(
    caller: &Caller,
    users: &U,
    user_id: &str,
    role_name: &str,
) -> Result<Role, AppError> {
    caller.require(Role::Admin)?;
    let role = Role::parse(role_name)
        .filter(|r| GRANTABLE.contains(r))
        .ok_or_else(|| AppError::field("role", "enum", "must be operator or admin"))?;
    if users.get_user(user_id).await?.is_none() {
        return Err(AppError::NotFound(format!("no user {user_id}")));
    }
    Ok(role)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleChange {
    Grant,
    Revoke,
}

/// Applies the change in Cognito and records it in the audit log with the user's roles
/// before and after. Cognito and the table share no transaction: the entry is written
/// right after the change, and if that write fails the request fails (5xx) so the admin
/// retries; both changes are idempotent, so the retry records it.
pub async fn change_role<I: Identity, A: AuditStore>(
    identity: &I,
    audit: &A,
    caller: &Caller,
    user_id: &str,
    role: Role,
    change: RoleChange,
) -> Result<(), AppError> {
    let before = identity.roles(user_id).await?;
    let mut after: Vec<Role> = before.iter().copied().filter(|r| *r != role).collect();
    let action = match change {
        RoleChange::Grant => {
            identity.add_role(user_id, role).await?;
            after.push(role);
            after.sort();
            "role.grant"
        }
        RoleChange::Revoke => {
            identity.remove_role(user_id, role).await?;
            identity.sign_out_everywhere(user_id).await?;
            "role.revoke"
        }
    };
    let entry = caller
        .audit(action, format!("user/{user_id}"))
        .before(&before)
        .after(&after);
    audit.record(&entry).await?;
    Ok(())
}
