//! Recovery, the same cases against every store (memory, SQLite, NATS JetStream
//! against a real `nats-server` started by the test): a dead letter that used up
//! its attempts runs again when replayed (singly and in bulk) with its earlier
//! errors kept, as does a delivery replayed while it is still retrying, and a rejection (a value the handler's type cannot read) is dead at
//! once instead of retried; idempotency keys have one holder at a time, and only
//! the holder frees one.

#![cfg(feature = "nats")]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use meta_webhooks_tests::nats_server::{self, NatsServer};
use webhook_core::delivery::nats::{JetStreamStore, NatsSettings};
use webhook_core::delivery::sqlite::SqliteStore;
use webhook_core::delivery::{
    DeliveryStore, Engine, EngineConfig, HistoryEvent, KeyClaim, ListFilter, MemoryStore, Query,
    RetryPolicy,
};
use webhook_core::{Dispatcher, Payload, Route, State};
use webhook_server::deliveries::{self, Filter};

const MAX_ATTEMPTS: u32 = 4;

#[derive(Default)]
struct Handlers {
    broken: AtomicBool,
    feed_runs: AtomicUsize,
    strict_runs: AtomicUsize,
    lenient_runs: AtomicUsize,
}

#[derive(serde::Deserialize)]
struct Strict {
    #[allow(dead_code)]
    count: u32,
}

/// What the deploy that fixes `Strict` reads: a count as a number or a string.
#[derive(serde::Deserialize)]
struct Fixed {
    #[allow(dead_code)]
    count: serde_json::Value,
}

/// The engine after that deploy: the `strict` handler reads `Fixed`.
fn engine_after_fix(store: Arc<dyn DeliveryStore>, handlers: &Arc<Handlers>) -> Arc<Engine> {
    engine_with(store, handlers, true)
}

fn engine(store: Arc<dyn DeliveryStore>, handlers: &Arc<Handlers>) -> Arc<Engine> {
    engine_with(store, handlers, false)
}

fn engine_with(
    store: Arc<dyn DeliveryStore>,
    handlers: &Arc<Handlers>,
    fixed: bool,
) -> Arc<Engine> {
    let strict = Route::field("page", "ratings").name("strict");
    let builder = Dispatcher::builder().state_arc(Arc::clone(handlers));
    let builder = if fixed {
        builder.route(
            strict,
            |Payload(_): Payload<Fixed>, State(h): State<Handlers>| async move {
                h.strict_runs.fetch_add(1, Ordering::SeqCst);
            },
        )
    } else {
        builder.route(
            strict,
            |Payload(_): Payload<Strict>, State(h): State<Handlers>| async move {
                h.strict_runs.fetch_add(1, Ordering::SeqCst);
            },
        )
    };
    let dispatcher = builder
        .state_arc(Arc::clone(handlers))
        .route(
            Route::field("page", "feed").name("feed"),
            |State(h): State<Handlers>| async move {
                h.feed_runs.fetch_add(1, Ordering::SeqCst);
                if h.broken.load(Ordering::SeqCst) {
                    anyhow::bail!("the database is down");
                }
                Ok(())
            },
        )
        .route(
            Route::field("page", "ratings").name("lenient"),
            |State(h): State<Handlers>| async move {
                h.lenient_runs.fetch_add(1, Ordering::SeqCst);
            },
        )
        .build()
        .unwrap();
    let config = EngineConfig {
        workers: 1,
        lease: Duration::from_secs(5),
        poll: Duration::from_millis(20),
        batch: 4,
        retry: RetryPolicy {
            max_attempts: MAX_ATTEMPTS,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
        },
        ..EngineConfig::default()
    };
    Engine::new(store, Arc::new(dispatcher), config)
}

fn feed(n: u32) -> Vec<u8> {
    format!(r#"{{"object":"page","entry":[{{"id":"1","changes":[{{"field":"feed","value":{{"n":{n}}}}}]}}]}}"#)
        .into_bytes()
}

/// Works until `done` holds, within 20 s.
async fn work_until(engine: &Engine, what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        if engine.work_once().await.unwrap() == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn dead(store: &dyn DeliveryStore) -> usize {
    store.list(ListFilter::Dead, 100).await.unwrap().len()
}

/// A dead letter that used up every attempt runs again when replayed, and its
/// earlier errors stay in its history.
async fn replay_runs_a_dead_letter_again(store: Arc<dyn DeliveryStore>) {
    let handlers = Arc::new(Handlers::default());
    handlers.broken.store(true, Ordering::SeqCst);
    let engine = engine(Arc::clone(&store), &handlers);
    engine.receive(feed(1)).await.unwrap();
    work_until(&engine, "the dead letter", async || {
        dead(&*store).await == 1
    })
    .await;
    assert_eq!(
        handlers.feed_runs.load(Ordering::SeqCst),
        MAX_ATTEMPTS as usize
    );
    let letter = store.list(ListFilter::Dead, 1).await.unwrap().remove(0);
    assert_eq!(letter.attempts, MAX_ATTEMPTS);
    assert!(
        letter
            .last_error
            .as_deref()
            .unwrap()
            .contains("the database is down")
    );

    // The fix is deployed; the operator replays it.
    handlers.broken.store(false, Ordering::SeqCst);
    assert!(store.replay(letter.id, 0).await.unwrap());
    let pending = store.list(ListFilter::All, 10).await.unwrap();
    assert_eq!(dead(&*store).await, 0);
    let replayed = &pending[0];
    assert_eq!(replayed.attempts, 0);
    let events: Vec<_> = replayed.history.iter().map(|h| h.event).collect();
    assert_eq!(events.len(), MAX_ATTEMPTS as usize + 1, "{events:?}");
    assert_eq!(events.last(), Some(&HistoryEvent::Replayed));
    assert!(
        replayed.history[0]
            .error
            .as_deref()
            .unwrap()
            .contains("the database is down")
    );
    work_until(&engine, "the replayed run", async || {
        handlers.feed_runs.load(Ordering::SeqCst) > MAX_ATTEMPTS as usize
            && store.pending().await.unwrap() == 0
    })
    .await;
    assert_eq!(
        handlers.feed_runs.load(Ordering::SeqCst),
        MAX_ATTEMPTS as usize + 1
    );
    assert_eq!(dead(&*store).await, 0, "handled, not dead again");
}

/// A delivery replayed while still retrying starts its attempts again and runs,
/// rather than counting its earlier claims as unfinished ones.
async fn replay_runs_a_pending_delivery_again(store: Arc<dyn DeliveryStore>) {
    let handlers = Arc::new(Handlers::default());
    handlers.broken.store(true, Ordering::SeqCst);
    let engine = engine(Arc::clone(&store), &handlers);
    engine.receive(feed(2)).await.unwrap();
    let failed = MAX_ATTEMPTS as usize - 1;
    work_until(&engine, "failed attempts", async || {
        handlers.feed_runs.load(Ordering::SeqCst) == failed
    })
    .await;
    let pending = store.list(ListFilter::All, 1).await.unwrap().remove(0);
    assert_eq!(pending.attempts, MAX_ATTEMPTS - 1);

    handlers.broken.store(false, Ordering::SeqCst);
    assert!(store.replay(pending.id, 0).await.unwrap());
    assert_eq!(store.list(ListFilter::All, 1).await.unwrap()[0].attempts, 0);
    work_until(&engine, "the replayed run", async || {
        store.pending().await.unwrap() == 0
    })
    .await;
    assert_eq!(handlers.feed_runs.load(Ordering::SeqCst), failed + 1);
    assert_eq!(dead(&*store).await, 0, "handled, not dead");
}

/// Every dead letter matching a filter replays at once.
async fn bulk_replay(store: Arc<dyn DeliveryStore>) {
    let handlers = Arc::new(Handlers::default());
    handlers.broken.store(true, Ordering::SeqCst);
    let engine = engine(Arc::clone(&store), &handlers);
    for n in 0..3 {
        engine.receive(feed(100 + n)).await.unwrap();
    }
    work_until(&engine, "three dead letters", async || {
        dead(&*store).await == 3
    })
    .await;
    handlers.broken.store(false, Ordering::SeqCst);
    let runs = handlers.feed_runs.load(Ordering::SeqCst);
    let filter = Filter {
        object: Some("page".to_owned()),
        field: Some("feed".to_owned()),
        ..Filter::default()
    };
    let ids = deliveries::replay_matching(&*store, Query::new(ListFilter::Dead, 1), &filter)
        .await
        .unwrap();
    assert_eq!(ids.len(), 3, "all pages, not only the first");
    work_until(&engine, "the replayed runs", async || {
        store.pending().await.unwrap() == 0
    })
    .await;
    assert_eq!(handlers.feed_runs.load(Ordering::SeqCst), runs + 3);
    assert_eq!(dead(&*store).await, 0);
}

/// A value the handler's type cannot read fails the same way every time: dead at
/// the first attempt, while the item's other handler ran once.
async fn a_rejection_is_dead_at_once(store: Arc<dyn DeliveryStore>) {
    let handlers = Arc::new(Handlers::default());
    let engine = engine(Arc::clone(&store), &handlers);
    let body = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"ratings","value":{"count":"many"}}]}]}"#;
    engine.receive(body.to_vec()).await.unwrap();
    work_until(&engine, "the dead letter", async || {
        dead(&*store).await == 1
    })
    .await;
    let letter = store.list(ListFilter::Dead, 1).await.unwrap().remove(0);
    assert_eq!(letter.attempts, 1);
    let error = letter.last_error.clone().unwrap();
    assert!(
        error.contains("strict on (page, ratings) rejected")
            && error.contains("retrying cannot help"),
        "{error}"
    );
    assert_eq!(handlers.strict_runs.load(Ordering::SeqCst), 0);
    assert_eq!(handlers.lenient_runs.load(Ordering::SeqCst), 1);

    // A deploy fixes the type; the replay runs the handler that rejected it, and
    // not the one that already succeeded.
    let engine = engine_after_fix(Arc::clone(&store), &handlers);
    assert!(store.replay(letter.id, 0).await.unwrap());
    work_until(&engine, "the replayed run", async || {
        store.pending().await.unwrap() == 0
    })
    .await;
    assert_eq!(handlers.strict_runs.load(Ordering::SeqCst), 1);
    assert_eq!(handlers.lenient_runs.load(Ordering::SeqCst), 1);
    assert_eq!(dead(&*store).await, 0);
}

/// Idempotency keys: one holder at a time; done is final; a failure frees it, but
/// only its own claim's.
async fn idempotency_keys_conform(store: Arc<dyn DeliveryStore>) {
    assert_eq!(
        store.claim_key("k".into(), 0, 100).await.unwrap(),
        KeyClaim::Run
    );
    assert_eq!(
        store.claim_key("k".into(), 50, 100).await.unwrap(),
        KeyClaim::Busy
    );
    assert_eq!(
        store.claim_key("k".into(), 100, 100).await.unwrap(),
        KeyClaim::Run,
        "lease expired"
    );
    // The first holder, whose lease ran out, fails: the key stays with the second.
    store.finish_key("k".into(), 100, false).await.unwrap();
    assert_eq!(
        store.claim_key("k".into(), 101, 100).await.unwrap(),
        KeyClaim::Busy,
        "a stale holder cannot free the key"
    );
    store.finish_key("k".into(), 200, false).await.unwrap();
    assert_eq!(
        store.claim_key("k".into(), 101, 100).await.unwrap(),
        KeyClaim::Run
    );
    store.finish_key("k".into(), 201, true).await.unwrap();
    assert_eq!(
        store.claim_key("k".into(), 10_000, 100).await.unwrap(),
        KeyClaim::Done
    );
}

async fn suite(make: impl AsyncFn(&str) -> Arc<dyn DeliveryStore>) {
    replay_runs_a_dead_letter_again(make("replay").await).await;
    replay_runs_a_pending_delivery_again(make("pending").await).await;
    bulk_replay(make("bulk").await).await;
    a_rejection_is_dead_at_once(make("reject").await).await;
    idempotency_keys_conform(make("keys").await).await;
}

#[tokio::test]
async fn memory_store_recovers() {
    suite(async |_| Arc::new(MemoryStore::new()) as Arc<dyn DeliveryStore>).await;
}

#[tokio::test]
async fn sqlite_store_recovers() {
    let dir = tempfile::tempdir().unwrap();
    suite(async |name| {
        let path = dir.path().join(format!("{name}.db"));
        Arc::new(SqliteStore::open(path, None).unwrap()) as Arc<dyn DeliveryStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_store_recovers() {
    if !nats_server::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let nats = NatsServer::start(dir.path());
    let url = nats.url();
    suite(async |name| {
        let settings = NatsSettings {
            url: url.clone(),
            prefix: name.to_owned(),
            ..NatsSettings::default()
        };
        let store = JetStreamStore::connect(
            settings,
            None,
            Duration::from_secs(5),
            Duration::from_hours(1),
        )
        .await
        .unwrap();
        Arc::new(store) as Arc<dyn DeliveryStore>
    })
    .await;
    drop(nats);
}

/// A store made by the previous release (its consumer stopped redelivering after
/// the retry limit + 8) is brought to an unlimited `max_deliver` when a receiver
/// connects, so no message is ever dropped by JetStream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_store_of_the_previous_release_is_brought_up_to_date() {
    if !nats_server::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let nats = NatsServer::start(dir.path());
    let settings = NatsSettings {
        url: nats.url(),
        prefix: "upgrade".to_owned(),
        ..NatsSettings::default()
    };
    let connect = || {
        JetStreamStore::connect(
            settings.clone(),
            None,
            Duration::from_secs(5),
            Duration::from_hours(1),
        )
    };
    drop(connect().await.unwrap());
    // The previous release's consumer.
    let client = async_nats::connect(nats.url()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let stream = js.get_stream("UPGRADE").await.unwrap();
    let mut consumer: async_nats::jetstream::consumer::PullConsumer =
        stream.get_consumer("upgrade_workers").await.unwrap();
    let mut config = consumer.cached_info().config.clone();
    config.max_deliver = i64::from(MAX_ATTEMPTS) + 8;
    stream.update_consumer(config).await.unwrap();

    drop(connect().await.unwrap());
    let info = consumer.info().await.unwrap();
    assert_eq!(info.config.max_deliver, -1);
    drop(nats);
}
