//! The side listener scraped over HTTP after real deliveries: Prometheus counters
//! with the expected values, and health endpoints that flip when the store stops
//! answering. (One test: the metrics recorder is global to the process.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use webhook_core::delivery::sqlite::SqliteStore;
use webhook_core::delivery::{
    Claimed, DeliveryId, DeliveryRecord, DeliveryStore, Enqueued, Incoming, KeyClaim, ListFilter,
    Next, StoreError, StoreFuture,
};
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::testing::{self, RunningServer};
use webhook_server::{Config, Payload, RawItem, Route, Server, State, on};

const SECRET: &str = "metrics-secret";

#[on(object = "page", field = "t_ok", unchecked)]
async fn ok(_item: RawItem, State(count): State<AtomicUsize>) {
    count.fetch_add(1, Ordering::SeqCst);
}

#[derive(serde::Deserialize)]
struct Strict {
    #[allow(dead_code)]
    count: u32,
}

/// Rejects a value whose `count` is no number: no retry can help.
async fn strict(Payload(_): Payload<Strict>) {}

async fn always_fails() -> Result<(), String> {
    Err("downstream is down".to_owned())
}

/// The real SQLite store, with a switch that makes it stop answering, and one that
/// makes claiming panic (a bug in a store, outside any handler).
struct Switchable {
    inner: SqliteStore,
    down: AtomicBool,
    panics: AtomicBool,
}

impl Switchable {
    fn check(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable(
                "disk I/O error (switched off by the test)".into(),
            ))
        } else {
            Ok(())
        }
    }
}

impl DeliveryStore for Switchable {
    fn enqueue(&self, incoming: Incoming, window: u64) -> StoreFuture<'_, Enqueued> {
        Box::pin(async move {
            self.check()?;
            self.inner.enqueue(incoming, window).await
        })
    }
    fn claim(&self, now: u64, lease: u64) -> StoreFuture<'_, Option<Claimed>> {
        assert!(
            !self.panics.load(Ordering::SeqCst),
            "claim bug (switched on by the test)"
        );
        self.inner.claim(now, lease)
    }
    fn finish(
        &self,
        id: DeliveryId,
        claims: u64,
        done: Vec<String>,
        next: Next,
    ) -> StoreFuture<'_, bool> {
        self.inner.finish(id, claims, done, next)
    }
    fn renew(&self, id: DeliveryId, claims: u64, until: u64) -> StoreFuture<'_, bool> {
        self.inner.renew(id, claims, until)
    }
    fn claim_key(&self, key: String, now: u64, lease: u64) -> StoreFuture<'_, KeyClaim> {
        self.inner.claim_key(key, now, lease)
    }
    fn finish_key(&self, key: String, holder: u64, succeeded: bool) -> StoreFuture<'_, ()> {
        self.inner.finish_key(key, holder, succeeded)
    }
    fn list(&self, filter: ListFilter, limit: usize) -> StoreFuture<'_, Vec<DeliveryRecord>> {
        self.inner.list(filter, limit)
    }
    fn get(&self, id: DeliveryId) -> StoreFuture<'_, Option<DeliveryRecord>> {
        self.inner.get(id)
    }
    fn replay(&self, id: DeliveryId, now: u64) -> StoreFuture<'_, bool> {
        self.inner.replay(id, now)
    }
    fn discard(&self, id: DeliveryId) -> StoreFuture<'_, bool> {
        self.inner.discard(id)
    }
    fn prune(
        &self,
        retention: webhook_core::delivery::Retention,
    ) -> StoreFuture<'_, webhook_core::delivery::Pruned> {
        self.inner.prune(retention)
    }
    fn pending(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            self.check()?;
            self.inner.pending().await
        })
    }
}

/// The value of the sample of `name` carrying every label of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .find(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

/// A durable server on the switchable store, with its metrics listener.
struct App {
    _dir: tempfile::TempDir,
    url: String,
    side_url: String,
    count: Arc<AtomicUsize>,
    store: Arc<Switchable>,
    client: reqwest::Client,
    server: RunningServer,
}

async fn start() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Switchable {
        inner: SqliteStore::open(dir.path().join("d.db"), None).unwrap(),
        down: AtomicBool::new(false),
        panics: AtomicBool::new(false),
    });
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .durable(dir.path().join("unused.db"))
        .retry(webhook_core::delivery::RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(50),
        })
        .build()
        .unwrap();
    let side = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let side_url = format!("http://{}", side.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let routes = webhook_server::Dispatcher::builder()
        .state_arc(Arc::clone(&count))
        .route(Route::object("page"), ok)
        .route(Route::object("user"), always_fails)
        .route(Route::object("instagram").name("strict"), strict);
    let server = Server::new(config)
        .dispatcher(|_| routes)
        .store(Arc::clone(&store) as Arc<dyn DeliveryStore>)
        .metrics_listener(side);
    let server = testing::spawn(server).await;
    App {
        _dir: dir,
        url: server.url().to_owned(),
        side_url,
        count,
        store,
        client: reqwest::Client::new(),
        server,
    }
}

impl App {
    async fn post(&self, body: &str, secret: Option<&str>) -> u16 {
        let mut request = self.client.post(&self.url).body(body.to_owned());
        if let Some(secret) = secret {
            let header = signature::sign(
                Algorithm::Sha256,
                &AppSecret::new(secret).unwrap(),
                body.as_bytes(),
            );
            request = request.header("x-hub-signature-256", header);
        }
        request.send().await.unwrap().status().as_u16()
    }

    /// Waits (bounded) for a dead letter and `calls` successful handler calls.
    async fn until_handled(&self, calls: usize) {
        for _ in 0..200 {
            let dead = !self
                .store
                .list(ListFilter::Dead, 1)
                .await
                .unwrap()
                .is_empty();
            if dead && self.count.load(Ordering::SeqCst) == calls {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("not handled: {} calls", self.count.load(Ordering::SeqCst));
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.side_url))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

fn body(n: u32) -> String {
    format!(
        r#"{{"object":"page","entry":[{{"id":"77","changes":[{{"field":"t_ok","value":{n}}}]}}]}}"#
    )
}

#[tokio::test]
async fn counters_after_real_deliveries_and_health_that_flips_with_the_store() {
    let app = start().await;
    assert_eq!(app.post(&body(1), Some(SECRET)).await, 200);
    assert_eq!(app.post(&body(2), Some(SECRET)).await, 200);
    assert_eq!(app.post(&body(2), Some(SECRET)).await, 200, "a duplicate");
    assert_eq!(app.post(&body(3), Some("wrong")).await, 403);
    assert_eq!(app.post(&body(3), None).await, 401);
    let poison =
        r#"{"object":"user","entry":[{"id":"9","changes":[{"field":"photos","value":{}}]}]}"#;
    assert_eq!(app.post(poison, Some(SECRET)).await, 200);
    let unreadable = r#"{"object":"instagram","entry":[{"id":"9","changes":[{"field":"comments","value":{"count":"many"}}]}]}"#;
    assert_eq!(app.post(unreadable, Some(SECRET)).await, 200);
    app.until_handled(2).await;
    // The poison after its retries, the rejection at once.
    for _ in 0..250 {
        if app.store.list(ListFilter::Dead, 10).await.unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    let text = app.get("/metrics").await.1;
    let expect = |name: &str, labels: &[(&str, &str)], value: f64| {
        assert_eq!(
            sample(&text, name, labels),
            Some(value),
            "{name} {labels:?} in:\n{text}"
        );
    };
    expect(
        "webhook_deliveries_total",
        &[("status", "200"), ("outcome", "accepted")],
        5.0,
    );
    expect(
        "webhook_deliveries_total",
        &[("status", "403"), ("outcome", "unauthenticated")],
        1.0,
    );
    expect(
        "webhook_deliveries_total",
        &[("status", "401"), ("outcome", "unauthenticated")],
        1.0,
    );
    expect(
        "webhook_signature_failures_total",
        &[("reason", "mismatch")],
        1.0,
    );
    expect(
        "webhook_signature_failures_total",
        &[("reason", "missing")],
        1.0,
    );
    expect("webhook_duplicates_total", &[], 1.0);
    expect(
        "webhook_items_total",
        &[("object", "page"), ("field", "t_ok")],
        2.0,
    );
    expect(
        "webhook_handler_calls_total",
        &[("outcome", "succeeded")],
        2.0,
    );
    expect(
        "webhook_handler_duration_seconds_count",
        &[("handler", "ok")],
        2.0,
    );
    expect("webhook_non_200_streak", &[], 0.0);
    expect("webhook_retries_total", &[], 1.0);
    expect("webhook_dead_letters_total", &[], 2.0);
    expect(
        "webhook_handler_calls_total",
        &[("handler", "strict"), ("outcome", "rejected")],
        1.0,
    );
    expect(
        "webhook_handler_calls_total",
        &[("handler", "always_fails"), ("outcome", "failed")],
        2.0,
    );
    expect("webhook_queue_depth", &[], 0.0);
    let seen = sample(
        &text,
        "webhook_entry_last_seen_timestamp_seconds",
        &[("entry_id", "77")],
    )
    .unwrap();
    assert!(seen > 1.7e9, "{seen}");
    assert!(sample(&text, "webhook_last_200_timestamp_seconds", &[]).unwrap() > 1.7e9);

    health_flips_with_the_store(&app).await;
    a_panicked_worker_is_restarted_and_readyz_says_so(&app).await;

    // The webhook port does not serve the side listener's paths.
    let on_public = app
        .client
        .get(app.url.replace("/webhook", "/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(on_public.status(), 404);
    app.server.stop().await.unwrap();
}

/// A worker that panics outside a handler is restarted, and `/readyz` reports it.
async fn a_panicked_worker_is_restarted_and_readyz_says_so(app: &App) {
    let handled = app.count.load(Ordering::SeqCst);
    app.store.panics.store(true, Ordering::SeqCst);
    assert_eq!(app.post(&body(5), Some(SECRET)).await, 200);
    let mut why = String::new();
    for _ in 0..200 {
        let (status, text) = app.get("/readyz").await;
        if status == 503 {
            why = text;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        why.contains("worker panic") && why.contains("claim bug"),
        "{why:?}"
    );
    let text = app.get("/metrics").await.1;
    assert!(sample(&text, "webhook_worker_panics_total", &[]).unwrap() >= 1.0);
    // The bug goes away (a store that recovers): the restarted workers handle it.
    app.store.panics.store(false, Ordering::SeqCst);
    for _ in 0..500 {
        if app.count.load(Ordering::SeqCst) > handled {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no worker came back");
}

/// `/readyz` answers 503 while the store does not, `/healthz` stays 200, and the
/// 503 the store causes shows in the non-200 streak.
async fn health_flips_with_the_store(app: &App) {
    assert_eq!(app.get("/healthz").await, (200, "ok".to_owned()));
    assert_eq!(app.get("/readyz").await, (200, "ready".to_owned()));
    app.store.down.store(true, Ordering::SeqCst);
    let (status, why) = app.get("/readyz").await;
    assert_eq!(status, 503);
    assert!(
        why.contains("store does not answer") && why.contains("disk I/O error"),
        "{why}"
    );
    assert_eq!(app.get("/healthz").await.0, 200, "alive, though not ready");
    assert_eq!(app.post(&body(4), Some(SECRET)).await, 503);
    // Unsigned refusals other than 401 (a scanner's compressed or oversized body)
    // are not Meta's deliveries failing.
    let compressed = app
        .client
        .post(&app.url)
        .header("content-encoding", "gzip")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), 415);
    let text = app.get("/metrics").await.1;
    assert_eq!(sample(&text, "webhook_non_200_streak", &[]), Some(1.0));
    app.store.down.store(false, Ordering::SeqCst);
    assert_eq!(app.get("/readyz").await.0, 200);
    assert_eq!(app.post(&body(4), Some(SECRET)).await, 200);
}
