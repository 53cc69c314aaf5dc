//! With EventBridge failing, events wait in the outbox (the relay fails and is retried
//! from the failed record) and are delivered, once, when it is back.
//!
//! The failure is real network failure: this binary's functions reach EventBridge through
//! a proxy (`AWS_ENDPOINT_URL_EVENTBRIDGE`) that the test can cut, because the local
//! stand-in accepts events for a missing bus. Its own binary (own stack and gateway), so
//! the outage disturbs no other test.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use integration_tests::fixtures::*;
use integration_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Forwards TCP to `target` while `up`; while down, every connection (new or open) is cut.
struct Proxy {
    up: AtomicBool,
    target: Mutex<Option<String>>,
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    proxy: Arc<Proxy>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if !proxy.up.load(Ordering::SeqCst) || to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn start_proxy() -> (Arc<Proxy>, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let proxy = Arc::new(Proxy {
        up: AtomicBool::new(false),
        target: Mutex::new(None),
    });
    let p = Arc::clone(&proxy);
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let target = p.target.lock().unwrap().clone();
            if !p.up.load(Ordering::SeqCst) || target.is_none() {
                drop(client);
                continue;
            }
            let Ok(server) = TcpStream::connect(target.unwrap()).await else {
                continue;
            };
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(pipe(cr, sw, Arc::clone(&p)));
            tokio::spawn(pipe(sr, cw, Arc::clone(&p)));
        }
    });
    (proxy, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_wait_in_the_outbox_while_eventbridge_is_down() {
    let (proxy, port) = start_proxy().await;
    override_function_env(
        "AWS_ENDPOINT_URL_EVENTBRIDGE",
        &format!("http://127.0.0.1:{port}"),
    );
    let env = env();
    let target = env
        .stack
        .aws_endpoint_url
        .trim_start_matches("http://")
        .to_string();
    *proxy.target.lock().unwrap() = Some(target);
    // EventBridge is down from the start of this booking's life.
    proxy.up.store(false, Ordering::SeqCst);

    let f = fixture("Etc/UTC", &[0]).await;
    let member = user_with_roles(&[]).await;
    let date = day(25);
    let b = book_paid(
        &member.access_token,
        &f.items[0],
        &at(&date, "10:00"),
        &at(&date, "11:00"),
    )
    .await;
    let id = b["id"].as_str().unwrap().to_string();
    // The change is committed, its event is in the outbox, and it cannot leave.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        notifications_about(&member.access_token, "BookingConfirmed", &id).await,
        0
    );

    // EventBridge comes back: the relay's retry delivers, exactly once.
    proxy.up.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(40);
    while notifications_about(&member.access_token, "BookingConfirmed", &id).await == 0 {
        assert!(
            Instant::now() < deadline,
            "not delivered after EventBridge came back"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        notifications_about(&member.access_token, "BookingConfirmed", &id).await,
        1
    );
}
