//! Phone verification codes and the per-member SMS allowance.

use std::future::Future;

use jiff::Timestamp;

use crate::ports::store::StoreError;
use domain::phone::PhoneChallenge;

#[derive(Debug, thiserror::Error)]
pub enum StartChallengeError {
    /// The last code went out less than `RESEND_AFTER` ago.
    #[error("a code was sent moments ago")]
    TooSoon,
    /// The member's SMS for today are used up.
    #[error("daily SMS limit reached")]
    DailyCap,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub trait PhoneStore: Send + Sync + 'static {
    /// Stores the new challenge (replacing one sent before `resend_before`) and counts
    /// its SMS against `day`'s allowance of `cap`, together or not at all.
    fn start_challenge(
        &self,
        user_id: &str,
        challenge: &PhoneChallenge,
        resend_before: Timestamp,
        day: &str,
        cap: u32,
    ) -> impl Future<Output = Result<(), StartChallengeError>> + Send;
    fn challenge(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<PhoneChallenge>, StoreError>> + Send;
    /// Counts a wrong try (only if the challenge still has `seen` tries counted: two
    /// concurrent wrong tries count as one more each, never fewer).
    fn count_attempt(
        &self,
        user_id: &str,
        seen: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Marks `phone` verified on the profile and drops the challenge; false when the
    /// profile's number is no longer `phone`.
    fn verify_phone(
        &self,
        user_id: &str,
        phone: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Takes one SMS from `day`'s allowance of `cap`; false when none is left.
    fn take_sms_allowance(
        &self,
        user_id: &str,
        day: &str,
        cap: u32,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
