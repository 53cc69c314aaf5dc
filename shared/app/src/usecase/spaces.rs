//! Who may manage a space, and loading it for them.

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::spaces::SpaceStore;
use domain::role::Role;
use domain::space::{BookableItem, Space, SpaceStatus};

/// Admins manage every space; an operator manages the spaces it owns.
pub fn ensure_manager(caller: &Caller, space: &Space) -> Result<(), AppError> {
    if caller.is_admin() || (caller.has(Role::Operator) && caller.user_id == space.owner_id) {
        Ok(())
    } else if caller.has(Role::Operator) {
        Err(AppError::Forbidden(
            "this space belongs to another operator".into(),
        ))
    } else {
        Err(AppError::Forbidden("requires the operator role".into()))
    }
}

/// The active space `id` if `caller` may manage it: 403 for members without checking
/// anything else, 404 for a missing or deleted space, 403 for another operator's.
pub async fn managed_space<S: SpaceStore>(
    store: &S,
    caller: &Caller,
    id: &str,
) -> Result<Space, AppError> {
    caller.require(Role::Operator)?;
    let space = store
        .get_space_profile(id)
        .await?
        .filter(|s| s.status == SpaceStatus::Active)
        .ok_or_else(|| AppError::NotFound(format!("no space {id}")))?;
    ensure_manager(caller, &space)?;
    Ok(space)
}

/// An item of a space the caller manages.
pub async fn managed_item<S: SpaceStore>(
    store: &S,
    caller: &Caller,
    space_id: &str,
    item_id: &str,
) -> Result<(Space, BookableItem), AppError> {
    let space = managed_space(store, caller, space_id).await?;
    let item = store
        .get_item(space_id, item_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no item {item_id} in space {space_id}")))?;
    Ok((space, item))
}

/// The spaces `caller` operates, by name (deleted ones are gone for them too). Admins see
/// the spaces they own themselves, like any operator.
pub async fn owned_spaces<S: SpaceStore>(
    store: &S,
    caller: &Caller,
) -> Result<Vec<Space>, AppError> {
    caller.require(Role::Operator)?;
    let mut spaces: Vec<Space> = store
        .list_owned_spaces(&caller.user_id)
        .await?
        .into_iter()
        .filter(|s| s.status == SpaceStatus::Active)
        .collect();
    spaces.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Ok(spaces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::samples::sample_space;

    fn caller(id: &str, roles: &[Role]) -> Caller {
        Caller {
            user_id: id.into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn owner_operator_and_admin_manage_others_do_not() {
        let space = sample_space(); // owned by "o1"
        assert!(ensure_manager(&caller("o1", &[Role::Operator]), &space).is_ok());
        assert!(ensure_manager(&caller("a", &[Role::Admin]), &space).is_ok());
        assert!(matches!(
            ensure_manager(&caller("o2", &[Role::Operator]), &space),
            Err(AppError::Forbidden(_))
        ));
        // Owning is not enough without the operator role (e.g. after it was revoked).
        assert!(matches!(
            ensure_manager(&caller("o1", &[Role::Member]), &space),
            Err(AppError::Forbidden(_))
        ));
    }

    #[tokio::test]
    async fn an_operator_lists_its_own_active_spaces_by_name() {
        let store =
            crate::fakes::bookings::MemoryBookings::new("2027-01-01T00:00:00Z".parse().unwrap());
        let space = |id: &str, owner: &str, name: &str, status: SpaceStatus| {
            let mut s = sample_space();
            s.id = id.into();
            s.owner_id = owner.into();
            s.name = name.into();
            s.status = status;
            s
        };
        store.put_space(space("s1", "o1", "zeta", SpaceStatus::Active), vec![]);
        store.put_space(space("s2", "o1", "Alpha", SpaceStatus::Active), vec![]);
        store.put_space(space("s3", "o1", "gone", SpaceStatus::Deleted), vec![]);
        store.put_space(space("s4", "o2", "other's", SpaceStatus::Active), vec![]);
        let mine = owned_spaces(&store, &caller("o1", &[Role::Operator]))
            .await
            .unwrap();
        let ids: Vec<&str> = mine.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s2", "s1"]);
        assert!(matches!(
            owned_spaces(&store, &caller("o1", &[Role::Member])).await,
            Err(AppError::Forbidden(_))
        ));
    }
}
