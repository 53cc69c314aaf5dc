//! Retrying transactions that lost a race.
//!
//! DynamoDB cancels a transaction with `TransactionConflict` when another transaction or
//! write touches one of its items at the same moment. That says nothing about whether its
//! conditions hold, so the right answer is to try again shortly: the next attempt either
//! succeeds or fails on a condition (a real 409). The SDK does not retry this by itself,
//! and no local stand-in ever produces it, so the policy is tested here with fakes.

use std::future::Future;
use std::time::Duration;

/// Attempts in all, the first included.
pub const MAX_ATTEMPTS: u32 = 4;
const BASE: Duration = Duration::from_millis(10);

/// Cancellation reason codes (one per action) that mean "lost a race, conditions unknown".
pub fn is_conflict_only<'a>(codes: impl IntoIterator<Item = Option<&'a str>> + Clone) -> bool {
    let has = |wanted: &str| codes.clone().into_iter().any(|c| c == Some(wanted));
    has("TransactionConflict") && !has("ConditionalCheckFailed")
}

/// Exponential backoff with jitter in `[0.5, 1.5)` of the nominal delay.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    BASE.mul_f64(2f64.powi(attempt as i32) * (0.5 + jitter.clamp(0.0, 1.0)))
}

fn jitter() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 64) as f64 / u64::MAX as f64
}

/// Runs `op` until it succeeds, fails for another reason, or `MAX_ATTEMPTS` are used.
pub async fn with_conflict_retry<T, E, F, Fut>(
    mut op: F,
    is_conflict: impl Fn(&E) -> bool,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(e) if is_conflict(&e) && attempt + 1 < MAX_ATTEMPTS => {
                tokio::time::sleep(backoff(attempt, jitter())).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn classifies_cancellation_reasons() {
        assert!(is_conflict_only([
            None,
            Some("TransactionConflict"),
            Some("None")
        ]));
        assert!(!is_conflict_only([
            Some("ConditionalCheckFailed"),
            Some("TransactionConflict")
        ]));
        assert!(!is_conflict_only([Some("ConditionalCheckFailed")]));
        assert!(!is_conflict_only([Some("None"), None]));
    }

    #[test]
    fn backoff_grows_with_bounded_jitter() {
        assert_eq!(backoff(0, 0.5), Duration::from_millis(10));
        assert_eq!(backoff(2, 0.5), Duration::from_millis(40));
        assert!(
            backoff(3, 0.0) >= Duration::from_millis(40)
                && backoff(3, 1.0) <= Duration::from_millis(120)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retries_conflicts_then_succeeds() {
        let calls = AtomicU32::new(0);
        let result: Result<&str, &str> = with_conflict_retry(
            || async {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                if n < 2 { Err("conflict") } else { Ok("done") }
            },
            |e| *e == "conflict",
        )
        .await;
        assert_eq!(result, Ok("done"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_attempts_and_never_retries_other_errors() {
        let calls = AtomicU32::new(0);
        let result: Result<(), &str> = with_conflict_retry(
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("conflict")
            },
            |e| *e == "conflict",
        )
        .await;
        assert_eq!(result, Err("conflict"));
        assert_eq!(calls.load(Ordering::SeqCst), MAX_ATTEMPTS);

        let calls = AtomicU32::new(0);
        let result: Result<(), &str> = with_conflict_retry(
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("condition failed")
            },
            |e| *e == "conflict",
        )
        .await;
        assert_eq!(result, Err("condition failed"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
