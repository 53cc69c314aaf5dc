//! The invocation a piece of work belongs to, carried by the tokio task that does it.
//!
//! Set once per Lambda invocation (or per in-process call of the local gateway) by
//! `edge`, narrowed per record by consumers and per booking by the booking routes. Read by
//! the log formatter (every line) and by adapters (the outbox event's correlation id).

use std::future::Future;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// The function's crate name (`create-booking`): the same locally and on AWS.
    pub function: &'static str,
    /// API Gateway's or Lambda's request id: one HTTP request or one batch.
    pub request_id: String,
    /// What ties the requests and events of one flow together (see the module docs).
    pub correlation_id: String,
    /// Lambda's `_X_AMZN_TRACE_ID` when tracing is active, so a line leads to its trace.
    pub trace_id: Option<String>,
}

tokio::task_local! {
    // A cell, so a handler can `adopt` a correlation for the rest of its invocation.
    static CURRENT: std::cell::RefCell<Invocation>;
}

impl Invocation {
    /// A new invocation of `function`; without a request id from the platform, a fresh one.
    pub fn new(
        function: &'static str,
        request_id: Option<String>,
        trace_id: Option<String>,
    ) -> Self {
        let request_id = request_id
            .filter(|id| is_valid_id(id))
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        Self {
            function,
            correlation_id: request_id.clone(),
            request_id,
            trace_id: trace_id.filter(|t| is_valid_id(t)),
        }
    }
}

/// Runs `work` as `invocation`.
pub async fn run<F: Future>(invocation: Invocation, work: F) -> F::Output {
    CURRENT
        .scope(std::cell::RefCell::new(invocation), work)
        .await
}

/// Correlates the rest of the current invocation with `correlation_id` (a route about one
/// booking adopts its id, so every line of the request, its failure too, is in the
/// booking's flow). Ignored outside an invocation or for an id that is not a plain token.
pub fn adopt(correlation_id: &str) {
    if is_valid_id(correlation_id) {
        let _ =
            CURRENT.try_with(|cell| cell.borrow_mut().correlation_id = correlation_id.to_string());
    }
}

/// Runs `work` correlated with `correlation_id` (a booking id, an event's correlation id),
/// inside the current invocation. An id that is not a plain token is ignored: it came
/// from a record or an event, and a log line must not carry arbitrary text.
pub async fn correlate<F: Future>(correlation_id: Option<&str>, work: F) -> F::Output {
    let Some(id) = correlation_id.filter(|id| is_valid_id(id)) else {
        return work.await;
    };
    let mut invocation = current().unwrap_or_else(|| Invocation::new("local", None, None));
    invocation.correlation_id = id.to_string();
    run(invocation, work).await
}

/// `work` to run on another task (`tokio::spawn`, a `JoinSet`) as part of the current
/// invocation: task-locals do not cross a spawn, so its lines would otherwise be anonymous.
pub fn inherit<F: Future>(work: F) -> impl Future<Output = F::Output> {
    let invocation = current();
    async move {
        match invocation {
            Some(inv) => run(inv, work).await,
            None => work.await,
        }
    }
}

/// The current invocation, if any (none outside a function's work, e.g. at start-up).
pub fn current() -> Option<Invocation> {
    CURRENT.try_with(|cell| cell.borrow().clone()).ok()
}

/// Reads the current invocation without cloning it (the log formatter, once per line).
pub fn with_current<R>(f: impl FnOnce(Option<&Invocation>) -> R) -> R {
    let mut f = Some(f);
    match CURRENT.try_with(|cell| (f.take().expect("called once"))(Some(&cell.borrow()))) {
        Ok(r) => r,
        Err(_) => (f.take().expect("not called yet"))(None),
    }
}

pub fn correlation_id() -> Option<String> {
    CURRENT
        .try_with(|cell| cell.borrow().correlation_id.clone())
        .ok()
}

/// Ids we put in log lines: UUIDs, API Gateway and Lambda request ids, X-Ray trace ids
/// (`Root=1-...;Parent=...;Sampled=1`), our booking ids. Nothing else.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'=' | b';')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_correlation_narrows_the_invocation_and_ends_with_its_work() {
        assert_eq!(current(), None);
        let inv = Invocation::new("create-booking", Some("req-1".into()), None);
        run(inv, async {
            assert_eq!(correlation_id().as_deref(), Some("req-1"));
            correlate(Some("bk_1"), async {
                let now = current().unwrap();
                assert_eq!(now.correlation_id, "bk_1");
                assert_eq!(now.request_id, "req-1");
                assert_eq!(now.function, "create-booking");
            })
            .await;
            assert_eq!(correlation_id().as_deref(), Some("req-1"));
        })
        .await;
        assert_eq!(correlation_id(), None);
    }

    #[tokio::test]
    async fn an_adopted_correlation_lasts_for_the_rest_of_the_invocation() {
        let inv = Invocation::new("cancel-booking", Some("req-3".into()), None);
        run(inv, async {
            adopt("bk_3");
            assert_eq!(correlation_id().as_deref(), Some("bk_3"));
            adopt("not an id");
            assert_eq!(correlation_id().as_deref(), Some("bk_3"));
            correlate(Some("evt"), async {
                assert_eq!(correlation_id().as_deref(), Some("evt"));
            })
            .await;
            assert_eq!(correlation_id().as_deref(), Some("bk_3"));
        })
        .await;
    }

    #[tokio::test]
    async fn spawned_work_inherits_the_invocation() {
        let inv = Invocation::new("search-spaces", Some("req-2".into()), None);
        let seen = run(inv, async {
            tokio::spawn(inherit(async { correlation_id() }))
                .await
                .unwrap()
        })
        .await;
        assert_eq!(seen.as_deref(), Some("req-2"));
    }

    #[tokio::test]
    async fn text_that_is_not_an_id_is_never_adopted() {
        let inv = Invocation::new("f", Some("has space\"quote".into()), None);
        assert_ne!(inv.request_id, "has space\"quote");
        run(inv.clone(), async {
            correlate(Some("x\ny"), async {
                assert_eq!(correlation_id(), Some(inv.request_id.clone()));
            })
            .await;
            correlate(Some(&"a".repeat(129)), async {
                assert_eq!(correlation_id(), Some(inv.request_id.clone()));
            })
            .await;
        })
        .await;
    }
}
