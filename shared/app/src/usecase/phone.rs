//! Proving a phone number: a code goes to it by SMS (counted against the member's daily
//! allowance), and typing it back marks the number verified. Only the code's hash is kept.

use jiff::Timestamp;

use crate::error::AppError;
use crate::ports::notifications::SmsSender;
use crate::ports::phone::{PhoneStore, StartChallengeError};
use crate::ports::users::UserStore;
use domain::phone::{CodeCheck, PhoneChallenge, RESEND_AFTER, SMS_PER_DAY};
use domain::user::User;

/// The stored form of a code: bound to the member and the number, so a hash proves
/// nothing elsewhere.
fn code_hash(user_id: &str, phone: &str, code: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(
        format!("{user_id}\n{phone}\n{code}").as_bytes(),
    ))
}

fn not_found() -> AppError {
    AppError::NotFound("no profile exists for this account".into())
}

/// The member's number, unverified: what a code can be sent for or checked against.
async fn unverified_phone<S: UserStore>(store: &S, user_id: &str) -> Result<String, AppError> {
    let user = store.get_user(user_id).await?.ok_or_else(not_found)?;
    match user.phone {
        None => Err(AppError::Conflict {
            detail: "set a phone number first (PATCH /users/me)".into(),
            conflict: Some(serde_json::json!({"field": "phone"})),
        }),
        Some(_) if user.phone_verified => Err(AppError::Conflict {
            detail: "this phone number is already verified".into(),
            conflict: Some(serde_json::json!({"phone_verified": true})),
        }),
        Some(phone) => Ok(phone),
    }
}

/// Sends a new code to the member's number; returns when it expires. `random` is the
/// draw the code comes from (the caller's randomness).
pub async fn send_code<S: PhoneStore + UserStore, N: SmsSender>(
    store: &S,
    sms: &N,
    user_id: &str,
    random: u128,
    now: Timestamp,
) -> Result<Timestamp, AppError> {
    let phone = unverified_phone(store, user_id).await?;
    let code = domain::phone::code_from(random);
    let challenge = PhoneChallenge::new(&phone, code_hash(user_id, &phone, &code), now);
    let resend_before = now.checked_sub(RESEND_AFTER).unwrap_or(now);
    let day = domain::phone::sms_day(now);
    match store
        .start_challenge(user_id, &challenge, resend_before, &day, SMS_PER_DAY)
        .await
    {
        Ok(()) => {}
        Err(StartChallengeError::TooSoon) => {
            return Err(AppError::TooManyRequests(format!(
                "a code was sent less than {} seconds ago: wait for it, or ask again then",
                RESEND_AFTER.as_secs()
            )));
        }
        Err(StartChallengeError::DailyCap) => {
            return Err(AppError::TooManyRequests(format!(
                "today's {SMS_PER_DAY} SMS for this account are used up: try again tomorrow (UTC)"
            )));
        }
        Err(StartChallengeError::Store(e)) => return Err(e.into()),
    }
    sms.send_sms(&phone, &domain::phone::code_message(&code))
        .await
        .map_err(|e| AppError::Unavailable(Box::new(e)))?;
    tracing::info!(user_id = %user_id, "phone verification code sent");
    Ok(challenge.expires_at)
}

/// Checks a typed code; on success the number is verified and the profile returned.
pub async fn verify_code<S: PhoneStore + UserStore>(
    store: &S,
    user_id: &str,
    code: &str,
    now: Timestamp,
) -> Result<User, AppError> {
    let phone = unverified_phone(store, user_id).await?;
    let dead = || {
        AppError::field(
            "code",
            "expired",
            "this code has expired, was used up or went to another number: ask for a new one (POST /users/me/phone/code)",
        )
    };
    let challenge = store.challenge(user_id).await?.ok_or_else(dead)?;
    match challenge.check(&phone, &code_hash(user_id, &phone, code), now) {
        CodeCheck::Dead => Err(dead()),
        CodeCheck::Wrong { attempts_left } => {
            store.count_attempt(user_id, challenge.attempts).await?;
            Err(AppError::field(
                "code",
                "mismatch",
                format!("wrong code; {attempts_left} tries left"),
            ))
        }
        CodeCheck::Verified => {
            if !store.verify_phone(user_id, &phone).await? {
                return Err(dead());
            }
            tracing::info!(user_id = %user_id, "phone verified");
            store.get_user(user_id).await?.ok_or_else(not_found)
        }
    }
}
