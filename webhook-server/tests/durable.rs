//! Durable mode end to end: the real server over loopback HTTP, the real SQLite
//! store in a temporary directory, workers retrying and dead-lettering.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use webhook_core::delivery::sqlite::SqliteStore;
use webhook_core::delivery::{DeliveryState, DeliveryStore, Incoming, ListFilter, RetryPolicy};
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::testing::{self, RunningServer};
use webhook_server::{Config, ConfigBuilder, RawItem, Server, State, on};

const SECRET: &str = "durable-secret";

/// Every handler call, as `handler item`.
#[derive(Default)]
struct Calls(Mutex<Vec<String>>);

impl Calls {
    fn record(&self, handler: &str, item: &RawItem) -> usize {
        let mut calls = self.0.lock().unwrap();
        let id = match &item.element {
            Some(element) => serde_json::from_str::<serde_json::Value>(element.value.get())
                .unwrap()["id"]
                .to_string(),
            None => item.value.get().to_owned(),
        };
        calls.push(format!("{handler} {id}"));
        calls
            .iter()
            .filter(|c| c.starts_with(&format!("{handler} ")))
            .count()
    }

    fn count(&self, prefix: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.starts_with(prefix))
            .count()
    }
}

#[on(object = "page", field = "t_retry", unchecked)]
async fn fails_twice(item: RawItem, State(calls): State<Calls>) -> anyhow::Result<()> {
    let n = calls.record("fails_twice", &item);
    anyhow::ensure!(n > 2, "transient failure {n}");
    Ok(())
}

#[on(object = "page", field = "t_pair", unchecked)]
async fn pair_ok(item: RawItem, State(calls): State<Calls>) {
    calls.record("pair_ok", &item);
}

#[on(object = "page", field = "t_pair", unchecked)]
async fn pair_flaky(item: RawItem, State(calls): State<Calls>) -> Result<(), String> {
    let n = calls.record("pair_flaky", &item);
    if n > 2 {
        Ok(())
    } else {
        Err(format!("flaky {n}"))
    }
}

#[on(object = "page", field = "t_dead", unchecked)]
async fn always_fails(item: RawItem, State(calls): State<Calls>) -> Result<(), String> {
    calls.record("always_fails", &item);
    Err("downstream is down".to_owned())
}

#[on(object = "page", field = "t_panic", unchecked)]
async fn always_panics(item: RawItem, State(calls): State<Calls>) {
    calls.record("always_panics", &item);
    panic!("handler bug");
}

#[on(object = "page", field = "t_ok", unchecked)]
async fn ok(item: RawItem, State(calls): State<Calls>) {
    calls.record("ok", &item);
}

#[on(object = "page", field = "t_block", unchecked)]
async fn blocks(item: RawItem, State(calls): State<Calls>, State(gate): State<Notify>) {
    gate.notified().await;
    calls.record("blocks", &item);
}

#[on(object = "page", field = "t_hang", unchecked)]
async fn hangs(item: RawItem, State(calls): State<Calls>) {
    calls.record("hangs", &item);
    std::future::pending::<()>().await;
}

#[on(
    object = "whatsapp_business_account",
    field = "messages",
    each = "messages",
    idempotent
)]
async fn once_per_wamid(item: RawItem, State(calls): State<Calls>) {
    calls.record("once_per_wamid", &item);
}

struct Running {
    url: String,
    client: reqwest::Client,
    calls: Arc<Calls>,
    gate: Arc<Notify>,
    store: Arc<dyn DeliveryStore>,
    server: RunningServer,
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(50),
    }
}

async fn start(
    dir: &tempfile::TempDir,
    configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
) -> Running {
    let path = dir.path().join("deliveries.db");
    let builder = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .durable(&path)
        .retry(fast_retries(4));
    let config = configure(builder).build().unwrap();
    let store: Arc<dyn DeliveryStore> =
        Arc::new(SqliteStore::open(&path, config.max_pending()).unwrap());
    let (calls, gate) = (Arc::new(Calls::default()), Arc::new(Notify::new()));
    let server = Server::new(config)
        .store(Arc::clone(&store))
        .dispatcher(|b| {
            b.state_arc(Arc::clone(&calls))
                .state_arc(Arc::clone(&gate))
                .state(Held::default())
        });
    let server = testing::spawn(server).await;
    Running {
        url: server.url().to_owned(),
        client: reqwest::Client::new(),
        calls,
        gate,
        store,
        server,
    }
}

impl Running {
    async fn post(&self, body: &[u8]) -> reqwest::Response {
        let header = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), body);
        self.client
            .post(&self.url)
            .header("x-hub-signature-256", header)
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// Waits (bounded) until `done` holds.
    async fn until(&self, what: &str, done: impl AsyncFn(&Self) -> bool) {
        for _ in 0..400 {
            if done(self).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "timed out waiting for {what}; calls: {:?}",
            self.calls.0.lock().unwrap()
        );
    }

    async fn records(&self, filter: ListFilter) -> Vec<webhook_core::delivery::DeliveryRecord> {
        self.store.list(filter, 100).await.unwrap()
    }

    async fn stop(self) {
        self.server.stop().await.unwrap();
    }
}

fn body(field: &str, n: u32) -> Vec<u8> {
    format!(r#"{{"object":"page","entry":[{{"id":"1","changes":[{{"field":"{field}","value":{n}}}]}}]}}"#).into_bytes()
}

#[tokio::test]
async fn the_answer_comes_once_stored_before_the_handler_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c).await;
    let response = app.post(&body("t_block", 1)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.calls.count("blocks"),
        0,
        "answered while the handler is still waiting"
    );
    assert_eq!(
        app.records(ListFilter::Pending).await.len(),
        1,
        "and the delivery is in the store"
    );
    app.gate.notify_one();
    app.until("the handler", async |a| a.calls.count("blocks") == 1)
        .await;
    app.stop().await;
}

#[tokio::test]
async fn a_failing_handler_is_retried_until_it_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c).await;
    assert_eq!(app.post(&body("t_retry", 1)).await.status(), StatusCode::OK);
    app.until("three attempts", async |a| {
        a.calls.count("fails_twice") == 3
    })
    .await;
    app.until("done", async |a| {
        a.records(ListFilter::Done).await.len() == 1
    })
    .await;
    let done = app.records(ListFilter::Done).await;
    assert_eq!((done.len(), done[0].attempts), (1, 3));
    app.stop().await;
}

#[tokio::test]
async fn a_succeeded_pair_never_runs_again_when_another_handler_of_the_item_fails() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c).await;
    assert_eq!(app.post(&body("t_pair", 7)).await.status(), StatusCode::OK);
    app.until("the flaky handler to succeed", async |a| {
        a.calls.count("pair_flaky") == 3
    })
    .await;
    app.until("done", async |a| {
        a.records(ListFilter::Done).await.len() == 1
    })
    .await;
    assert_eq!(
        app.calls.count("pair_ok"),
        1,
        "ran once although the delivery was attempted three times"
    );
    app.stop().await;
}

#[tokio::test]
async fn handlers_that_always_fail_or_panic_are_dead_lettered_with_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c.retry(fast_retries(3))).await;
    assert_eq!(app.post(&body("t_dead", 1)).await.status(), StatusCode::OK);
    assert_eq!(app.post(&body("t_panic", 2)).await.status(), StatusCode::OK);
    app.until("three attempts each", async |a| {
        a.calls.count("always_fails") == 3 && a.calls.count("always_panics") == 3
    })
    .await;
    app.until("two dead letters", async |a| {
        a.records(ListFilter::Dead).await.len() == 2
    })
    .await;
    let dead = app.records(ListFilter::Dead).await;
    assert_eq!(dead.len(), 2);
    let errors: Vec<_> = dead
        .iter()
        .map(|d| (d.attempts, d.last_error.clone().unwrap()))
        .collect();
    assert!(
        errors.iter().any(|(n, e)| *n == 3
            && e.contains("always_panics")
            && e.contains("panicked: handler bug")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(n, e)| *n == 3
            && e.contains("always_fails")
            && e.contains("downstream is down")),
        "{errors:?}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.calls.count("always_fails"),
        3,
        "dead letters are not retried"
    );
    app.stop().await;
}

#[tokio::test]
async fn duplicates_are_answered_200_and_handled_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c).await;
    let delivery = body("t_ok", 42);
    for _ in 0..3 {
        assert_eq!(app.post(&delivery).await.status(), StatusCode::OK);
    }
    app.until("the handler", async |a| a.calls.count("ok") == 1)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.calls.count("ok"), 1);
    assert_eq!(app.records(ListFilter::All).await.len(), 1);
    let stats = app.server.stats().snapshot();
    assert_eq!((stats.acknowledged, stats.duplicates), (3, 2), "{stats:?}");
    app.stop().await;
}

#[tokio::test]
async fn fifty_concurrent_copies_are_stored_once_and_all_answered_200() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c).await;
    let delivery = body("t_ok", 50);
    let posts = (0..50).map(|_| app.post(&delivery));
    let statuses: Vec<_> = futures_util::future::join_all(posts)
        .await
        .iter()
        .map(reqwest::Response::status)
        .collect();
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    app.until("the handler", async |a| a.calls.count("ok") == 1)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.calls.count("ok"), 1);
    assert_eq!(app.records(ListFilter::All).await.len(), 1);
    let stats = app.server.stats().snapshot();
    assert_eq!(
        (stats.acknowledged, stats.duplicates),
        (50, 49),
        "{stats:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_copy_sent_after_a_restart_is_still_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let delivery = body("t_ok", 77);
    let app = start(&dir, |c| c).await;
    assert_eq!(app.post(&delivery).await.status(), StatusCode::OK);
    app.until("the handler", async |a| a.calls.count("ok") == 1)
        .await;
    app.stop().await;

    let app = start(&dir, |c| c).await;
    assert_eq!(app.post(&delivery).await.status(), StatusCode::OK);
    assert_eq!(app.server.stats().snapshot().duplicates, 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.calls.count("ok"),
        0,
        "not handled again after the restart"
    );
    assert_eq!(app.records(ListFilter::All).await.len(), 1);
    app.stop().await;
}

/// G1: shutting down under load answers or closes every request, and every
/// delivery that got its 200 is in the store afterwards.
#[tokio::test]
async fn shutdown_under_load_keeps_every_acknowledged_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c).await;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..8u32)
        .map(|client| {
            let (url, http, acked) = (app.url.clone(), app.client.clone(), Arc::clone(&acked));
            tokio::spawn(async move {
                for n in 0..10_000 {
                    let delivery = body("t_ok", client * 100_000 + n);
                    let header = signature::sign(
                        Algorithm::Sha256,
                        &AppSecret::new(SECRET).unwrap(),
                        &delivery,
                    );
                    let sent = http
                        .post(&url)
                        .header("x-hub-signature-256", header)
                        .body(delivery.clone())
                        .send();
                    // Answered or refused, never left hanging.
                    match tokio::time::timeout(Duration::from_secs(20), sent)
                        .await
                        .expect("a request hung through shutdown")
                    {
                        Ok(r) if r.status() == StatusCode::OK => {
                            acked.lock().unwrap().push(delivery);
                        }
                        Ok(r) => panic!("unexpected {}", r.status()),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    app.until("some deliveries", async |a| a.calls.count("ok") >= 50)
        .await;
    app.stop().await;
    for client in clients {
        client.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 50, "{}", acked.len());
    let store = SqliteStore::open(dir.path().join("deliveries.db"), None).unwrap();
    // Handled deliveries keep their hash, not their body.
    let stored: std::collections::HashSet<[u8; 32]> = store
        .list(ListFilter::All, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.hash)
        .collect();
    let lost: Vec<_> = acked
        .iter()
        .filter(|b| !stored.contains(&Incoming::new((*b).clone(), 0).hash))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged deliveries lost",
        lost.len(),
        acked.len()
    );
}

#[tokio::test]
async fn a_hung_handler_is_cut_off_retried_and_dead_lettered_while_others_flow() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| {
        c.workers(1)
            .retry(fast_retries(2))
            .handler_timeout(Duration::from_millis(100))
    })
    .await;
    assert_eq!(app.post(&body("t_hang", 1)).await.status(), StatusCode::OK);
    for n in 2..6 {
        assert_eq!(app.post(&body("t_ok", n)).await.status(), StatusCode::OK);
    }
    app.until("the other deliveries", async |a| a.calls.count("ok") == 4)
        .await;
    app.until("the dead letter", async |a| {
        a.records(ListFilter::Dead).await.len() == 1
    })
    .await;
    let dead = app.records(ListFilter::Dead).await;
    let error = dead[0].last_error.clone().unwrap();
    assert_eq!(dead[0].attempts, 2);
    assert!(
        error.contains("hangs") && error.contains("timed out after 100ms"),
        "{error}"
    );
    assert_eq!(app.calls.count("hangs"), 2, "one call per attempt");
    app.stop().await;
}

#[tokio::test]
async fn a_signed_body_that_is_not_a_notification_is_dead_lettered_with_200() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c).await;
    assert_eq!(
        app.post(b"{\"not\":\"an envelope\"}").await.status(),
        StatusCode::OK
    );
    app.until("a dead letter", async |a| {
        !a.records(ListFilter::Dead).await.is_empty()
    })
    .await;
    let dead = app.records(ListFilter::Dead).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempts, 1, "not retried");
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("not a webhook notification")
    );
    assert_eq!(dead[0].body, b"{\"not\":\"an envelope\"}");
    app.stop().await;
}

/// C8, C9: whatever a signed body holds, it is kept and answered 200 (a 4xx would
/// make Meta retry it for days), never handled, and the server goes on.
#[tokio::test]
async fn signed_bodies_that_cannot_be_parsed_are_kept_as_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c).await;
    let deep = "[".repeat(100_000).into_bytes();
    let deep_value = format!(
        r#"{{"object":"page","entry":[{{"id":"1","changes":[{{"field":"t_ok","value":{}"#,
        "[".repeat(100_000)
    )
    .into_bytes();
    let bodies: Vec<&[u8]> = vec![
        b"\xff\xfe{\"object\":\"page\"}",
        b"{\"object\":\"page\",\"entry\":[",
        b"[]",
        b"null",
        b"",
        &deep,
        &deep_value,
    ];
    for body in &bodies {
        assert_eq!(app.post(body).await.status(), StatusCode::OK);
    }
    app.until("a dead letter each", async |a| {
        a.records(ListFilter::Dead).await.len() == bodies.len()
    })
    .await;
    let dead = app.records(ListFilter::Dead).await;
    for body in &bodies {
        let record = dead.iter().find(|d| d.body == *body).unwrap();
        assert_eq!(record.attempts, 1, "not retried");
    }
    for record in &dead {
        let error = record.last_error.as_deref().unwrap();
        assert!(error.contains("not a webhook notification"), "{error}");
    }

    // The same deep body unsigned is refused without being parsed or stored.
    let unsigned = app
        .client
        .post(&app.url)
        .header("x-hub-signature-256", format!("sha256={}", "0".repeat(64)))
        .body(deep.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.records(ListFilter::All).await.len(), bodies.len());

    assert_eq!(app.post(&body("t_ok", 1)).await.status(), StatusCode::OK);
    app.until("a valid delivery", async |a| a.calls.count("ok") == 1)
        .await;
    app.stop().await;
}

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c.max_pending(Some(1)).workers(1)).await;
    assert_eq!(app.post(&body("t_block", 1)).await.status(), StatusCode::OK);
    let refused = app.post(&body("t_block", 2)).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["retry-after"], "30");
    assert!(refused.text().await.unwrap().contains("queue is full"));
    app.gate.notify_one();
    app.until("the first delivery", async |a| a.calls.count("blocks") == 1)
        .await;
    app.stop().await;
}

#[tokio::test]
async fn an_unwritable_store_stops_start_up_naming_the_file() {
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .durable("/nonexistent-dir/deliveries.db")
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server::new(config).dispatcher(|_| webhook_server::Dispatcher::builder());
    let err = server
        .serve_on(listener, async {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/nonexistent-dir/deliveries.db") && err.contains("META_WEBHOOK_DB"),
        "{err}"
    );
}

#[tokio::test]
async fn a_handler_that_may_outlive_the_lease_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .durable(dir.path().join("d.db"))
        .lease(Duration::from_secs(10))
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    // The default handler timeout (30 s) is above the 10 s lease.
    let server = Server::new(config).dispatcher(|b| {
        b.state(Calls::default())
            .state(Notify::new())
            .state(Held::default())
    });
    let err = server
        .serve_on(listener, async {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("META_WEBHOOK_LEASE_SECS") && err.contains("30s"),
        "{err}"
    );
}

#[tokio::test]
async fn a_delivery_claimed_by_a_dead_worker_is_handled_after_its_lease() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deliveries.db");
    {
        // A previous process stored a delivery and claimed it, then died.
        let store = SqliteStore::open(&path, None).unwrap();
        store
            .enqueue(
                Incoming::new(body("t_ok", 9), webhook_core::delivery::now_ms()),
                1000,
            )
            .await
            .unwrap();
        let claimed = store
            .claim(webhook_core::delivery::now_ms(), 1_500)
            .await
            .unwrap();
        assert!(claimed.is_some());
    }
    let app = start(&dir, |c| {
        c.lease(Duration::from_secs(1))
            .handler_timeout(Duration::from_millis(500))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.calls.count("ok"),
        0,
        "not while the dead worker's lease runs"
    );
    app.until("the orphaned delivery", async |a| a.calls.count("ok") == 1)
        .await;
    app.stop().await;
}

#[tokio::test]
async fn an_idempotent_handler_runs_once_per_natural_key_across_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(&dir, |c| c).await;
    let wa = |ids: &[&str]| {
        let messages: Vec<_> = ids
            .iter()
            .map(|id| format!(r#"{{"id":"{id}","type":"text"}}"#))
            .collect();
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"w","changes":[{{"field":"messages","value":{{"messages":[{}]}}}}]}}]}}"#,
            messages.join(",")
        )
    };
    // Meta re-batches a retried message with a new one: a different body.
    assert_eq!(
        app.post(wa(&["wamid.A"]).as_bytes()).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(wa(&["wamid.A", "wamid.B"]).as_bytes())
            .await
            .status(),
        StatusCode::OK
    );
    app.until("both messages", async |a| {
        a.calls.count("once_per_wamid") >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let calls = app.calls.0.lock().unwrap().clone();
    assert_eq!(
        calls.iter().filter(|c| c.contains("wamid.A")).count(),
        1,
        "{calls:?}"
    );
    assert_eq!(
        calls.iter().filter(|c| c.contains("wamid.B")).count(),
        1,
        "{calls:?}"
    );
    assert!(
        app.records(ListFilter::All)
            .await
            .iter()
            .all(|r| r.state == DeliveryState::Done)
    );
    app.stop().await;
}

/// A durable server on the SQLite file `path` with a disk quota of `bytes`, its
/// `t_quota` handler held by `held`.
async fn with_quota(path: &std::path::Path, bytes: u64, held: Arc<Held>) -> RunningServer {
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .durable(path)
        .max_db_bytes(Some(bytes))
        .build()
        .unwrap();
    let server = Server::new(config).dispatcher(|b| {
        b.state_arc(held)
            .state(Calls::default())
            .state(Notify::new())
    });
    testing::spawn(server).await
}

/// Posts a signed delivery of about 8 KiB, distinct for each `n`, to `field`.
async fn post_8_kib(client: &reqwest::Client, url: &str, field: &str, n: u32) -> reqwest::Response {
    let body = format!(
        r#"{{"object":"page","entry":[{{"id":"1","changes":[{{"field":"{field}","value":"{}"}}]}}]}}"#,
        format!("{n:04}").repeat(2000)
    );
    let header = signature::sign(
        Algorithm::Sha256,
        &AppSecret::new(SECRET).unwrap(),
        body.as_bytes(),
    );
    client
        .post(url)
        .header("x-hub-signature-256", header)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_store_that_cannot_write_answers_503_never_200() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quota.db");
    // A real SQLite quota: the file may not grow past 128 KiB.
    let server = with_quota(&path, 128 * 1024, Arc::default()).await;
    let url = server.url().to_owned();
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for n in 0..40 {
        let response = post_8_kib(&client, &url, "t_nowhere", n).await;
        let status = response.status();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(response.headers()["retry-after"], "30");
            let why = response.text().await.unwrap();
            // The quota's own error, or a batch it rolled back with it.
            assert!(why.contains("delivery store is unavailable"), "{why}");
        }
        statuses.push(status);
    }
    assert_eq!(statuses[0], StatusCode::OK, "{statuses:?}");
    assert!(
        statuses.contains(&StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    server.stop().await.unwrap();
    // Every 200 is in the store.
    let store = SqliteStore::open(&path, None).unwrap();
    let stored = store.list(ListFilter::All, 100).await.unwrap().len();
    assert_eq!(
        stored,
        statuses.iter().filter(|s| **s == StatusCode::OK).count()
    );
}

/// Holds every call until the test opens it.
#[derive(Default)]
struct Held(std::sync::atomic::AtomicBool);

#[on(object = "page", field = "t_quota", unchecked)]
async fn held(State(held): State<Held>) {
    while !held.0.load(std::sync::atomic::Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// With a disk quota, the store fills while handlers are stuck (503, Meta retries),
/// and accepts again once the workers drained it, with nobody discarding by hand:
/// a handled delivery keeps its hash, not its body.
#[tokio::test]
async fn a_full_quota_accepts_again_once_the_workers_drain_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quota.db");
    let held = Arc::new(Held::default());
    let server = with_quota(&path, 256 * 1024, Arc::clone(&held)).await;
    let client = reqwest::Client::new();
    let post = async |n: u32| {
        post_8_kib(&client, server.url(), "t_quota", n)
            .await
            .status()
    };
    let mut accepted = 0;
    let mut n = 0;
    loop {
        n += 1;
        assert!(n < 200, "the quota never filled");
        match post(n).await {
            StatusCode::OK => accepted += 1,
            StatusCode::SERVICE_UNAVAILABLE => break,
            other => panic!("{other}"),
        }
    }
    assert!(accepted > 5, "{accepted}");

    // The handlers recover; the workers drain the queue.
    held.0.store(true, std::sync::atomic::Ordering::SeqCst);
    let store = SqliteStore::open_read_only(&path).unwrap();
    let drain = std::time::Instant::now();
    let deadline = drain + Duration::from_secs(20);
    while store.pending().await.unwrap() > 0 {
        assert!(std::time::Instant::now() < deadline, "not drained");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "a 256 KiB quota took {accepted} deliveries of 8 KiB before 503, drained in {:?}",
        drain.elapsed()
    );
    // As many new deliveries as filled it before are accepted, without a hand.
    for m in 0..accepted {
        assert_eq!(
            post(1_000 + m).await,
            StatusCode::OK,
            "delivery {m} after the drain"
        );
    }
    server.stop().await.unwrap();
}

/// A real in-memory store whose commits wait for the test's go-ahead.
struct HeldStore {
    inner: webhook_core::delivery::MemoryStore,
    commit: Notify,
}

impl DeliveryStore for HeldStore {
    fn enqueue(
        &self,
        incoming: Incoming,
        window: u64,
    ) -> webhook_core::delivery::StoreFuture<'_, webhook_core::delivery::Enqueued> {
        Box::pin(async move {
            self.commit.notified().await;
            self.inner.enqueue(incoming, window).await
        })
    }
    fn claim(
        &self,
        now: u64,
        lease: u64,
    ) -> webhook_core::delivery::StoreFuture<'_, Option<webhook_core::delivery::Claimed>> {
        self.inner.claim(now, lease)
    }
    fn finish(
        &self,
        id: webhook_core::delivery::DeliveryId,
        claims: u64,
        done: Vec<String>,
        next: webhook_core::delivery::Next,
    ) -> webhook_core::delivery::StoreFuture<'_, bool> {
        self.inner.finish(id, claims, done, next)
    }
    fn renew(
        &self,
        id: webhook_core::delivery::DeliveryId,
        claims: u64,
        until: u64,
    ) -> webhook_core::delivery::StoreFuture<'_, bool> {
        self.inner.renew(id, claims, until)
    }
    fn claim_key(
        &self,
        key: String,
        now: u64,
        lease: u64,
    ) -> webhook_core::delivery::StoreFuture<'_, webhook_core::delivery::KeyClaim> {
        self.inner.claim_key(key, now, lease)
    }
    fn finish_key(
        &self,
        key: String,
        holder: u64,
        succeeded: bool,
    ) -> webhook_core::delivery::StoreFuture<'_, ()> {
        self.inner.finish_key(key, holder, succeeded)
    }
    fn list(
        &self,
        filter: ListFilter,
        limit: usize,
    ) -> webhook_core::delivery::StoreFuture<'_, Vec<webhook_core::delivery::DeliveryRecord>> {
        self.inner.list(filter, limit)
    }
    fn get(
        &self,
        id: webhook_core::delivery::DeliveryId,
    ) -> webhook_core::delivery::StoreFuture<'_, Option<webhook_core::delivery::DeliveryRecord>>
    {
        self.inner.get(id)
    }
    fn replay(
        &self,
        id: webhook_core::delivery::DeliveryId,
        now: u64,
    ) -> webhook_core::delivery::StoreFuture<'_, bool> {
        self.inner.replay(id, now)
    }
    fn discard(
        &self,
        id: webhook_core::delivery::DeliveryId,
    ) -> webhook_core::delivery::StoreFuture<'_, bool> {
        self.inner.discard(id)
    }
    fn prune(
        &self,
        retention: webhook_core::delivery::Retention,
    ) -> webhook_core::delivery::StoreFuture<'_, webhook_core::delivery::Pruned> {
        self.inner.prune(retention)
    }
    fn pending(&self) -> webhook_core::delivery::StoreFuture<'_, u64> {
        self.inner.pending()
    }
}

#[tokio::test]
async fn no_200_before_the_commit() {
    let store = Arc::new(HeldStore {
        inner: webhook_core::delivery::MemoryStore::new(),
        commit: Notify::new(),
    });
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .durable("/unused")
        .build()
        .unwrap();
    let calls = Arc::new(Calls::default());
    let server = Server::new(config)
        .store(Arc::clone(&store) as Arc<dyn DeliveryStore>)
        .dispatcher(|b| {
            b.state_arc(Arc::clone(&calls))
                .state(Notify::new())
                .state(Held::default())
        });
    let server = testing::spawn(server).await;
    let url = server.url().to_owned();
    let delivery = body("t_ok", 5);
    let header = signature::sign(
        Algorithm::Sha256,
        &AppSecret::new(SECRET).unwrap(),
        &delivery,
    );
    let post = tokio::spawn(
        reqwest::Client::new()
            .post(url)
            .header("x-hub-signature-256", header)
            .body(delivery)
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!post.is_finished(), "the answer waits for the commit");
    assert!(
        store
            .inner
            .list(ListFilter::All, 10)
            .await
            .unwrap()
            .is_empty()
    );
    store.commit.notify_one();
    assert_eq!(post.await.unwrap().unwrap().status(), StatusCode::OK);
    assert_eq!(
        store.inner.list(ListFilter::All, 10).await.unwrap().len(),
        1,
        "stored before the 200"
    );
    server.stop().await.unwrap();
}
