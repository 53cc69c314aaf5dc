//! Managing promo codes: admins create platform-wide codes (or codes for any spaces),
//! operators codes for their own spaces; each owner lists and edits theirs. Every change
//! is audited in its own transaction. Redeeming is the booking's (`create_booking`).

use jiff::Timestamp;

use crate::caller::Caller;
use crate::error::AppError;
use crate::ports::promos::PromoStore;
use crate::ports::spaces::SpaceStore;
use domain::promo::{PromoAuthor, PromoCode, PromoDraft, PromoPatch, PromoScope, normalize_code};
use domain::role::Role;
use domain::space::SpaceStatus;

/// Who `caller` is as an author of codes: 403 for members.
fn author(caller: &Caller) -> Result<PromoAuthor<'_>, AppError> {
    if caller.is_admin() {
        return Ok(PromoAuthor::Admin(&caller.user_id));
    }
    caller.require(Role::Operator)?;
    Ok(PromoAuthor::Operator(&caller.user_id))
}

/// Creates a code; 409 when the code exists, 403 naming a space that is not the
/// operator's (or does not exist).
pub async fn create_promo<S: PromoStore + SpaceStore>(
    store: &S,
    caller: &Caller,
    draft: PromoDraft,
    now: Timestamp,
) -> Result<PromoCode, AppError> {
    let author = author(caller)?;
    let code = draft.checked(author, now)?;
    if let PromoScope::Spaces { space_ids } = &code.scope {
        for (i, id) in space_ids.iter().enumerate() {
            let space = store
                .get_space_profile(id)
                .await?
                .filter(|s| s.status == SpaceStatus::Active);
            let yours = space.is_some_and(|s| {
                matches!(author, PromoAuthor::Admin(_)) || s.owner_id == caller.user_id
            });
            if !yours {
                return Err(AppError::Forbidden(format!(
                    "space_ids[{i}]: {id} is not a space of yours"
                )));
            }
        }
    }
    let audit = caller
        .audit("promo.create", format!("promo/{}", code.code))
        .after(&code);
    if !store.create_promo(&code, &audit).await? {
        return Err(AppError::conflict(format!(
            "the promo code {} exists: choose another",
            code.code
        )));
    }
    tracing::info!(code = %code.code, "promo code created");
    Ok(code)
}

/// Edits a code its caller may manage (404 for anyone else's, as for a missing one),
/// deciding again when bookings or another edit changed it meanwhile.
pub async fn update_promo<S: PromoStore>(
    store: &S,
    caller: &Caller,
    typed: &str,
    patch: PromoPatch,
    now: Timestamp,
) -> Result<PromoCode, AppError> {
    let author = author(caller)?;
    let code = normalize_code(typed);
    for _ in 0..4 {
        let current = store
            .promo_for(&code, &caller.user_id)
            .await?
            .map(|(c, _)| c)
            .filter(|c| c.manageable_by(author))
            .ok_or_else(|| AppError::NotFound(format!("no promo code {code} of yours")))?;
        let next = patch.clone().checked(&current, now)?;
        let audit = caller
            .audit("promo.update", format!("promo/{code}"))
            .before(&current)
            .after(&next);
        if store.save_promo(&next, &audit).await? {
            return Ok(next);
        }
    }
    Err(AppError::conflict(
        "the promo code kept changing (bookings used it meanwhile); retry",
    ))
}

/// The caller's codes (an admin's: every code), newest first.
pub async fn list_promos<S: PromoStore>(
    store: &S,
    caller: &Caller,
) -> Result<Vec<PromoCode>, AppError> {
    let author = author(caller)?;
    let of = match author {
        PromoAuthor::Admin(_) => None,
        PromoAuthor::Operator(id) => Some(id),
    };
    Ok(store.list_promos(of).await?)
}
