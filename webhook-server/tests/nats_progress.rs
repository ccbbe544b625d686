//! NATS mode keeps per-handler progress between deliveries of a message: when one
//! handler of an item fails and JetStream redelivers the message, the handler that
//! already succeeded does not run again. Against a real `nats-server` started by
//! the test (skipped, with a note, where it is not installed, except in CI).

#![cfg(feature = "nats")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use meta_webhooks_tests::nats_server::{self, NatsServer};
use webhook_core::delivery::RetryPolicy;
use webhook_core::delivery::nats::NatsSettings;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::testing;
use webhook_server::{Config, Server, State, on};

const SECRET: &str = "nats-progress-secret";

#[derive(Default)]
struct Runs {
    steady: AtomicUsize,
    flaky: AtomicUsize,
}

#[on(object = "page", field = "feed")]
async fn steady(State(runs): State<Runs>) {
    runs.steady.fetch_add(1, Ordering::SeqCst);
}

#[on(object = "page", field = "feed")]
async fn flaky(State(runs): State<Runs>) -> Result<(), String> {
    let n = runs.flaky.fetch_add(1, Ordering::SeqCst) + 1;
    if n < 3 {
        Err(format!("failure {n}"))
    } else {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_message_does_not_rerun_handlers_that_succeeded() {
    if !nats_server::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let nats = NatsServer::start(dir.path());
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .nats(NatsSettings {
            url: nats.url(),
            prefix: "progress".to_owned(),
            ..NatsSettings::default()
        })
        .retry(RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(100),
        })
        .build()
        .unwrap();
    let runs = Arc::new(Runs::default());
    let server = Server::new(config).dispatcher(|b| b.state_arc(Arc::clone(&runs)));
    let server = testing::spawn(server).await;
    let url = server.url().to_owned();

    let body = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;
    let header = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), body);
    let mut status = 0;
    for _ in 0..100 {
        let sent = reqwest::Client::new()
            .post(&url)
            .header("x-hub-signature-256", &header)
            .body(body.to_vec())
            .send()
            .await;
        status = sent.map_or(0, |r| r.status().as_u16());
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    while runs.flaky.load(Ordering::SeqCst) < 3 {
        assert!(
            Instant::now() < deadline,
            "flaky ran {} times",
            runs.flaky.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        runs.flaky.load(Ordering::SeqCst),
        3,
        "retried until it succeeded, then not again"
    );
    assert_eq!(
        runs.steady.load(Ordering::SeqCst),
        1,
        "not re-run on the redeliveries"
    );
    server.stop().await.unwrap();
    drop(nats);
}
