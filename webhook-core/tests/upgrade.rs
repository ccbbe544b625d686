//! A store written by 0.1 (`fixtures/store-v0.db`, the unversioned schema, made by
//! a real engine run: see `fixtures/README.md`) opened by today's code: the schema
//! is migrated in place, nothing is lost, and progress recorded by position in 0.1
//! is read right, so no handler that succeeded runs again and every one that did
//! not, does.

use std::sync::Arc;
use std::sync::Mutex;

use webhook_core::delivery::sqlite::SqliteStore;
use webhook_core::delivery::{
    DeliveryId, DeliveryState, DeliveryStore, Engine, EngineConfig, HistoryEvent, ListFilter,
};
use webhook_core::{Dispatcher, Payload, Route, State};

type Calls = Mutex<Vec<String>>;

fn copy_of_the_fixture(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("store.db");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-v0.db"),
        &path,
    )
    .unwrap();
    path
}

/// The routes of the run that made the fixture (same names, targets and filters,
/// so the same route keys), now all succeeding.
fn dispatcher() -> Dispatcher {
    Dispatcher::builder()
        .state(Calls::default())
        .route(
            Route::field("page", "feed").name("feed"),
            |Payload(v): Payload<serde_json::Value>, State(calls): State<Calls>| async move {
                calls.lock().unwrap().push(format!("feed {}", v["n"]));
            },
        )
        .route(
            Route::field("page", "mention").name("mention"),
            |Payload(v): Payload<serde_json::Value>, State(calls): State<Calls>| async move {
                calls.lock().unwrap().push(format!("mention {}", v["n"]));
            },
        )
        .route(
            Route::field("whatsapp_business_account", "messages")
                .each("messages")
                .name("message"),
            |Payload(v): Payload<serde_json::Value>, State(calls): State<Calls>| async move {
                calls.lock().unwrap().push(format!("message {}", v["id"]));
            },
        )
        .route(
            Route::field("page", "feed").name("feed_once").idempotent(),
            |State(calls): State<Calls>| async move {
                calls.lock().unwrap().push("feed_once".to_owned());
            },
        )
        .build()
        .unwrap()
}

fn schema_version(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_store_of_0_1_is_migrated_and_its_progress_read_right() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_the_fixture(&dir);
    assert_eq!(schema_version(&path), 0);
    let store: Arc<dyn DeliveryStore> = Arc::new(SqliteStore::open(&path, None).unwrap());
    assert_eq!(schema_version(&path), 2);

    // Everything is still there, with the errors of 0.1 as the first history entry.
    let all = store.list(ListFilter::All, 10).await.unwrap();
    let states: Vec<_> = all.iter().map(|r| (r.id.0, r.state, r.attempts)).collect();
    assert_eq!(
        states,
        [
            (4, DeliveryState::Dead, 1),
            (3, DeliveryState::Done, 1),
            (2, DeliveryState::Pending, 1),
            (1, DeliveryState::Pending, 1),
        ]
    );
    let dead = &all[0];
    assert_eq!(dead.history.len(), 1);
    assert_eq!(dead.history[0].event, HistoryEvent::Dead);
    assert!(
        dead.history[0]
            .error
            .as_deref()
            .unwrap()
            .contains("mentions are down")
    );
    assert!(
        all[1].body.is_empty(),
        "a handled body is dropped by the migration"
    );
    assert!(!all[2].body.is_empty() && !all[0].body.is_empty());

    // The retries run only what did not succeed in 0.1.
    let dispatcher = Arc::new(dispatcher());
    let engine = Engine::new(
        Arc::clone(&store),
        Arc::clone(&dispatcher),
        EngineConfig::default(),
    );
    // Due at once: 0.1 scheduled the retries an hour ahead.
    for id in [1, 2] {
        assert!(store.replay(DeliveryId(id), 0).await.unwrap());
    }
    while engine.work_once().await.unwrap() > 0 {}
    let calls = dispatcher.state::<Calls>().unwrap();
    let mut ran = calls.lock().unwrap().clone();
    ran.sort();
    assert_eq!(
        ran,
        ["mention 2", "message \"wamid.B\""],
        "feed items 1 and 3, their idempotent twin and message A succeeded in 0.1"
    );
    for id in [1, 2] {
        let record = store.get(DeliveryId(id)).await.unwrap().unwrap();
        assert_eq!(record.state, DeliveryState::Done, "{id}");
        // Progress is recorded in today's keys from now on.
        assert!(
            record.done.iter().any(|k| k.starts_with('i')),
            "{:?}",
            record.done
        );
    }

    // The dead letter of 0.1 replays.
    assert!(store.replay(DeliveryId(4), 0).await.unwrap());
    calls.lock().unwrap().clear();
    while engine.work_once().await.unwrap() > 0 {}
    assert_eq!(*calls.lock().unwrap(), ["mention 9"]);
    let record = store.get(DeliveryId(4)).await.unwrap().unwrap();
    let events: Vec<_> = record.history.iter().map(|h| h.event).collect();
    assert_eq!(
        events,
        [
            HistoryEvent::Dead,
            HistoryEvent::Replayed,
            HistoryEvent::Done
        ]
    );

    // Opened again: nothing to migrate, nothing changes.
    drop(engine);
    drop(store);
    let again = SqliteStore::open(&path, None).unwrap();
    assert_eq!(again.list(ListFilter::All, 10).await.unwrap().len(), 4);
    assert_eq!(schema_version(&path), 2);
}

#[tokio::test]
async fn a_store_of_a_newer_release_is_refused_naming_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_the_fixture(&dir);
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let error = SqliteStore::open(&path, None).unwrap_err().to_string();
    assert!(
        error.contains("newer release") && error.contains("99") && error.contains("store.db"),
        "{error}"
    );
    let error = SqliteStore::open_read_only(&path).unwrap_err().to_string();
    assert!(error.contains("newer release"), "{error}");
}

#[tokio::test]
async fn reading_an_old_store_asks_for_the_upgrade_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_the_fixture(&dir);
    let before = std::fs::read(&path).unwrap();
    let error = SqliteStore::open_read_only(&path).unwrap_err().to_string();
    assert!(error.contains("start the server once"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("store.db-wal").exists());
}
