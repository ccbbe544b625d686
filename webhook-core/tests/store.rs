//! The delivery stores' state machine: the same conformance suite against the
//! in-memory store and the SQLite store, and a property test checking that both
//! answer every sequence of operations alike. The cases NATS JetStream shares
//! (recovery, idempotency keys) run against all three in
//! `webhook-server/tests/recovery.rs`.

use std::sync::Arc;

use proptest::prelude::*;
use webhook_core::delivery::{
    Counts, DeliveryId, DeliveryState, DeliveryStore, Enqueued, HistoryEvent, Incoming, KeyClaim,
    ListFilter, MemoryStore, Next, Pruned, Retention, StoreError,
};

const HOUR: u64 = 3_600_000;

fn sqlite(
    dir: &tempfile::TempDir,
    max_pending: Option<u64>,
) -> webhook_core::delivery::sqlite::SqliteStore {
    webhook_core::delivery::sqlite::SqliteStore::open(dir.path().join("store.db"), max_pending)
        .unwrap()
}

/// Each case on a fresh store from `make`.
async fn conformance(make: impl Fn() -> Box<dyn DeliveryStore>) {
    let store = make();
    deliveries_conform(&*store).await;
    replay_conforms(&*make()).await;
    retention_conforms(&*make()).await;
}

/// A dead letter that used up its attempts runs again when replayed: the crash-loop
/// guard counts claims since the last finish, not every claim it ever had, and the
/// errors of before stay in its history.
async fn replay_conforms(store: &dyn DeliveryStore) {
    let Enqueued::Stored(id) = store
        .enqueue(Incoming::new(b"replayed".to_vec(), 0), HOUR)
        .await
        .unwrap()
    else {
        panic!()
    };
    let mut now = 100_000_000;
    for attempt in 1..=10u32 {
        let claimed = store.claim(now, 10).await.unwrap().unwrap();
        assert_eq!((claimed.id, claimed.unfinished), (id, 1));
        let next = if attempt == 10 {
            Next::Dead {
                error: "error 10".into(),
            }
        } else {
            Next::Retry {
                at: now,
                error: format!("error {attempt}"),
            }
        };
        assert!(
            store
                .finish(id, claimed.claims, vec![], next)
                .await
                .unwrap()
        );
        now += 1;
    }
    assert!(store.replay(id, now).await.unwrap());
    let again = store.claim(now, 10).await.unwrap().unwrap();
    assert_eq!(
        (again.id, again.attempts, again.claims, again.unfinished),
        (id, 0, 11, 1),
        "claims keep counting (they are the token), unfinished starts again"
    );
    // A worker that died holding it: claimed again after the lease, unfinished grows.
    let crashed = store.claim(now + 10, 10).await.unwrap().unwrap();
    assert_eq!(crashed.unfinished, 2);
    assert!(
        store
            .finish(id, crashed.claims, vec![], Next::Done)
            .await
            .unwrap()
    );
    let record = store.get(id).await.unwrap().unwrap();
    assert_eq!(record.state, DeliveryState::Done);
    let events: Vec<_> = record.history.iter().map(|h| h.event).collect();
    assert_eq!(events.len(), 12);
    assert_eq!(events[0], HistoryEvent::Retry);
    assert_eq!(
        &events[9..],
        [
            HistoryEvent::Dead,
            HistoryEvent::Replayed,
            HistoryEvent::Done
        ]
    );
    assert_eq!(record.history[0].error.as_deref(), Some("error 1"));
    assert_eq!(record.history[9].error.as_deref(), Some("error 10"));
    assert!(
        record.body.is_empty(),
        "a handled delivery keeps its hash, not its body"
    );
    // Its hash still drops Meta's retry of it.
    assert_eq!(
        store
            .enqueue(Incoming::new(b"replayed".to_vec(), 1), HOUR)
            .await
            .unwrap(),
        Enqueued::Duplicate(id)
    );
    assert!(store.discard(id).await.unwrap());
}

/// Dead letters and idempotency keys have retentions of their own.
async fn retention_conforms(store: &dyn DeliveryStore) {
    let base = 500_000_000;
    let Enqueued::Stored(old) = store
        .enqueue(Incoming::new(b"old dead".to_vec(), base), HOUR)
        .await
        .unwrap()
    else {
        panic!()
    };
    let Enqueued::Stored(young) = store
        .enqueue(Incoming::new(b"young dead".to_vec(), base + 1_000), HOUR)
        .await
        .unwrap()
    else {
        panic!()
    };
    for _ in 0..2 {
        let claimed = store.claim(base + 2_000, 10).await.unwrap().unwrap();
        let dead = Next::Dead { error: "no".into() };
        store
            .finish(claimed.id, claimed.claims, vec![], dead)
            .await
            .unwrap();
    }
    assert_eq!(
        store.claim_key("old".into(), base, 10).await.unwrap(),
        KeyClaim::Run
    );
    store
        .finish_key("old".into(), base + 10, true)
        .await
        .unwrap();
    assert_eq!(
        store
            .claim_key("young".into(), base + 1_000, 10)
            .await
            .unwrap(),
        KeyClaim::Run
    );
    store
        .finish_key("young".into(), base + 1_010, true)
        .await
        .unwrap();
    let pruned = store
        .prune(Retention {
            handled_before: 0,
            dead_before: base + 500,
            keys_before: base + 500,
        })
        .await
        .unwrap();
    assert_eq!((pruned.dead, pruned.keys), (1, 1));
    assert_eq!(store.get(old).await.unwrap(), None);
    assert!(store.get(young).await.unwrap().is_some());
    assert_eq!(
        store
            .claim_key("old".into(), base + 2_000, 10)
            .await
            .unwrap(),
        KeyClaim::Run
    );
    assert_eq!(
        store
            .claim_key("young".into(), base + 2_000, 10)
            .await
            .unwrap(),
        KeyClaim::Done
    );
    store.discard(young).await.unwrap();
}

async fn deliveries_conform(store: &dyn DeliveryStore) {
    let a = Incoming::new(b"body a".to_vec(), 1_000);
    let b = Incoming::new(b"body b".to_vec(), 2_000);
    let Enqueued::Stored(id_a) = store.enqueue(a.clone(), HOUR).await.unwrap() else {
        panic!()
    };
    let Enqueued::Stored(id_b) = store.enqueue(b, HOUR).await.unwrap() else {
        panic!()
    };
    // The same body within the window is a duplicate; after it, a new delivery.
    let again = Incoming {
        received_at: 1_500,
        ..a.clone()
    };
    assert_eq!(
        store.enqueue(again, HOUR).await.unwrap(),
        Enqueued::Duplicate(id_a)
    );
    let later = Incoming {
        received_at: 1_000 + HOUR,
        ..a.clone()
    };
    let Enqueued::Stored(id_c) = store.enqueue(later, HOUR).await.unwrap() else {
        panic!("window expired")
    };

    // Claims go oldest first and hold until the lease ends.
    let first = store.claim(10_000, 5_000).await.unwrap().unwrap();
    assert_eq!(
        (first.id, first.body.as_slice(), first.attempts),
        (id_a, &b"body a"[..], 0)
    );
    let second = store.claim(10_000, 5_000).await.unwrap().unwrap();
    assert_eq!(second.id, id_b);
    assert_eq!(
        store.claim(10_000, 5_000).await.unwrap(),
        None,
        "c is not due before it arrived"
    );
    // A live worker renews its claim; a worker that dies loses it when the lease
    // expires, and its late results are refused.
    assert_eq!((first.claims, second.claims), (1, 1));
    assert!(store.renew(id_b, 1, 20_000).await.unwrap());
    let reclaimed = store.claim(15_000, 5_000).await.unwrap().unwrap();
    assert_eq!((reclaimed.id, reclaimed.claims), (id_a, 2));
    assert!(
        !store.renew(id_a, 1, 99_000).await.unwrap(),
        "a stale claim cannot renew"
    );
    assert!(
        !store
            .finish(id_a, 1, vec!["stale".into()], Next::Done)
            .await
            .unwrap(),
        "nor finish"
    );

    // Retry: succeeded pairs accumulate; not due before `at`.
    assert!(
        store
            .finish(
                id_a,
                2,
                vec!["0/h1".into()],
                Next::Retry {
                    at: 30_000,
                    error: "h2 failed".into(),
                },
            )
            .await
            .unwrap()
    );
    assert!(store.finish(id_b, 1, vec![], Next::Done).await.unwrap());
    assert_eq!(store.claim(20_000, 5_000).await.unwrap(), None);
    let retried = store.claim(30_000, 5_000).await.unwrap().unwrap();
    assert_eq!((retried.id, retried.attempts), (id_a, 1));
    assert_eq!(retried.done.iter().cloned().collect::<Vec<_>>(), ["0/h1"]);
    assert_eq!(retried.claims, 3);
    store
        .finish(
            id_a,
            3,
            vec!["0/h2".into()],
            Next::Dead {
                error: "gave up".into(),
            },
        )
        .await
        .unwrap();

    inspection_conforms(store, id_a, id_b, id_c).await;
}

/// List, get, replay, discard and prune, after `deliveries_conform` left `a` dead,
/// `b` done and `c` pending.
async fn inspection_conforms(
    store: &dyn DeliveryStore,
    id_a: DeliveryId,
    id_b: DeliveryId,
    id_c: DeliveryId,
) {
    // One dead letter, one handled, one pending: the store's count agrees with
    // counting its records one by one.
    let counts = store.counts().await.unwrap();
    let mut by_record = Counts::default();
    for record in store.list(ListFilter::All, 100).await.unwrap() {
        by_record.add(&record);
    }
    assert_eq!(counts, by_record);
    assert_eq!(
        (counts.dead, counts.done, counts.pending + counts.failed),
        (1, 1, 1)
    );
    let dead = store.list(ListFilter::Dead, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].id, dead[0].attempts, dead[0].last_error.as_deref()),
        (id_a, 2, Some("gave up"))
    );
    assert_eq!(dead[0].done.len(), 2);
    assert_eq!(store.list(ListFilter::Done, 10).await.unwrap()[0].id, id_b);
    assert_eq!(
        store
            .list(ListFilter::All, 10)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        [id_c, id_b, id_a]
    );

    // Replay makes a dead letter pending again; discard removes it.
    assert!(store.replay(id_a, 40_000).await.unwrap());
    let replayed = store.get(id_a).await.unwrap().unwrap();
    assert_eq!(
        (replayed.state, replayed.attempts),
        (DeliveryState::Pending, 0)
    );
    assert!(store.discard(id_a).await.unwrap());
    assert!(!store.discard(id_a).await.unwrap());
    assert_eq!(store.get(id_a).await.unwrap(), None);
    assert!(!store.replay(DeliveryId(999), 0).await.unwrap());

    // Prune forgets finished deliveries and old dedup records.
    let handled = Retention {
        handled_before: 5_000,
        dead_before: 0,
        keys_before: 0,
    };
    assert_eq!(
        store.prune(handled).await.unwrap(),
        Pruned {
            handled: 1,
            ..Pruned::default()
        }
    );
    assert_eq!(store.get(id_b).await.unwrap(), None);
    assert!(
        store.get(id_c).await.unwrap().is_some(),
        "pending deliveries are never pruned"
    );
}

#[tokio::test]
async fn memory_store_conforms() {
    conformance(|| Box::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicUsize::new(0);
    conformance(|| {
        let file = format!(
            "store-{}.db",
            n.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        Box::new(
            webhook_core::delivery::sqlite::SqliteStore::open(dir.path().join(file), None).unwrap(),
        )
    })
    .await;
}

#[tokio::test]
async fn a_full_queue_refuses_new_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let stores: [Box<dyn DeliveryStore>; 2] = [
        Box::new(MemoryStore::with_max_pending(2)),
        Box::new(sqlite(&dir, Some(2))),
    ];
    for store in stores {
        for i in 0..2u8 {
            assert!(matches!(
                store.enqueue(Incoming::new(vec![i], 0), HOUR).await,
                Ok(Enqueued::Stored(_))
            ));
        }
        assert_eq!(
            store.enqueue(Incoming::new(vec![9], 0), HOUR).await,
            Err(StoreError::Full { pending: 2 })
        );
        let claimed = store.claim(0, 10).await.unwrap().unwrap();
        store
            .finish(claimed.id, claimed.claims, vec![], Next::Done)
            .await
            .unwrap();
        assert!(matches!(
            store.enqueue(Incoming::new(vec![9], 0), HOUR).await,
            Ok(Enqueued::Stored(_))
        ));
    }
}

#[tokio::test]
async fn sqlite_keeps_everything_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir, None);
    let Enqueued::Stored(id) = store
        .enqueue(Incoming::new(b"kept".to_vec(), 0), HOUR)
        .await
        .unwrap()
    else {
        panic!()
    };
    store.claim(0, 60_000).await.unwrap().unwrap();
    store.claim_key("key".into(), 0, 1).await.unwrap();
    store.finish_key("key".into(), 0, true).await.unwrap();
    drop(store);
    let store = sqlite(&dir, None);
    assert_eq!(
        store.claim(1_000, 1).await.unwrap(),
        None,
        "still leased by the dead worker"
    );
    assert_eq!(
        store.claim(60_000, 1).await.unwrap().unwrap().id,
        id,
        "reclaimed after the lease"
    );
    assert_eq!(
        store
            .enqueue(Incoming::new(b"kept".to_vec(), 5), HOUR)
            .await
            .unwrap(),
        Enqueued::Duplicate(id)
    );
    assert_eq!(
        store.claim_key("key".into(), 9, 1).await.unwrap(),
        KeyClaim::Done
    );
}

#[test]
fn an_unwritable_store_names_the_file() {
    let err = webhook_core::delivery::sqlite::SqliteStore::open("/nonexistent-dir/store.db", None)
        .unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent-dir/store.db"),
        "{err}"
    );
}

#[tokio::test]
async fn concurrent_enqueues_share_commits_and_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(sqlite(&dir, None));
    let tasks: Vec<_> = (0..200u32)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .enqueue(Incoming::new(i.to_be_bytes().to_vec(), 0), HOUR)
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert!(matches!(task.await.unwrap(), Ok(Enqueued::Stored(_))));
    }
    assert_eq!(
        store.list(ListFilter::Pending, 1000).await.unwrap().len(),
        200
    );
}

#[derive(Debug, Clone)]
enum Op {
    Enqueue {
        body: u8,
        at: u64,
    },
    Claim {
        at: u64,
        lease: u64,
    },
    Finish {
        nth: usize,
        claim: u64,
        done: u8,
        next: u8,
        at: u64,
    },
    Renew {
        nth: usize,
        claim: u64,
        until: u64,
    },
    ClaimKey {
        key: u8,
        at: u64,
        lease: u64,
    },
    FinishKey {
        key: u8,
        holder: u64,
        ok: bool,
    },
    Replay {
        nth: usize,
        at: u64,
    },
    Discard {
        nth: usize,
    },
    Prune {
        handled: u64,
        dead: u64,
        keys: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..6u8, 0..100u64).prop_map(|(body, at)| Op::Enqueue { body, at }),
        (0..100u64, 1..50u64).prop_map(|(at, lease)| Op::Claim { at, lease }),
        (0..8usize, 0..4u64, 0..4u8, 0..3u8, 0..100u64).prop_map(|(nth, claim, done, next, at)| {
            Op::Finish {
                nth,
                claim,
                done,
                next,
                at,
            }
        }),
        (0..8usize, 0..4u64, 0..100u64).prop_map(|(nth, claim, until)| Op::Renew {
            nth,
            claim,
            until
        }),
        (0..3u8, 0..100u64, 1..50u64).prop_map(|(key, at, lease)| Op::ClaimKey { key, at, lease }),
        (0..3u8, 0..150u64, any::<bool>()).prop_map(|(key, holder, ok)| Op::FinishKey {
            key,
            holder,
            ok
        }),
        (0..8usize, 0..100u64).prop_map(|(nth, at)| Op::Replay { nth, at }),
        (0..8usize).prop_map(|nth| Op::Discard { nth }),
        (0..100u64, 0..100u64, 0..100u64).prop_map(|(handled, dead, keys)| Op::Prune {
            handled,
            dead,
            keys
        }),
    ]
}

/// Applies `op` and renders everything observable about its result.
async fn apply(store: &dyn DeliveryStore, op: &Op, ids: &mut Vec<DeliveryId>) -> String {
    let nth = |ids: &Vec<DeliveryId>, n: usize| {
        ids.get(n % ids.len().max(1))
            .copied()
            .unwrap_or(DeliveryId(0))
    };
    match *op {
        Op::Enqueue { body, at } => {
            let r = store.enqueue(Incoming::new(vec![body], at), 30).await;
            if let Ok(Enqueued::Stored(id)) = r {
                ids.push(id);
            }
            format!("{r:?}")
        }
        Op::Claim { at, lease } => format!("{:?}", store.claim(at, lease).await),
        Op::Renew {
            nth: n,
            claim,
            until,
        } => format!("{:?}", store.renew(nth(ids, n), claim, until).await),
        Op::Finish {
            nth: n,
            claim,
            done,
            next,
            at,
        } => {
            let next = match next {
                0 => Next::Done,
                1 => Next::Retry {
                    at,
                    error: "e".into(),
                },
                _ => Next::Dead { error: "d".into() },
            };
            format!(
                "{:?}",
                store
                    .finish(nth(ids, n), claim, vec![format!("p{done}")], next)
                    .await
            )
        }
        Op::ClaimKey { key, at, lease } => {
            format!("{:?}", store.claim_key(format!("k{key}"), at, lease).await)
        }
        Op::FinishKey { key, holder, ok } => {
            format!(
                "{:?}",
                store.finish_key(format!("k{key}"), holder, ok).await
            )
        }
        Op::Replay { nth: n, at } => format!("{:?}", store.replay(nth(ids, n), at).await),
        Op::Discard { nth: n } => format!("{:?}", store.discard(nth(ids, n)).await),
        Op::Prune {
            handled,
            dead,
            keys,
        } => {
            let retention = Retention {
                handled_before: handled,
                dead_before: dead,
                keys_before: keys,
            };
            format!("{:?}", store.prune(retention).await)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The SQLite store behaves exactly as the in-memory model, operation by
    /// operation, and both end in the same state.
    #[test]
    fn sqlite_matches_the_in_memory_model(ops in proptest::collection::vec(op(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let (model, real) = (MemoryStore::new(), sqlite(&dir, None));
            let (mut model_ids, mut real_ids) = (Vec::new(), Vec::new());
            for op in &ops {
                let expected = apply(&model, op, &mut model_ids).await;
                let actual = apply(&real, op, &mut real_ids).await;
                prop_assert_eq!(&actual, &expected, "after {:?}", op);
                // Counted by triggers in SQLite, by a scan in the model.
                prop_assert_eq!(real.pending().await.unwrap(), model.pending().await.unwrap(), "pending after {:?}", op);
            }
            // History times are the stores' own clock readings.
            let timeless = |mut records: Vec<webhook_core::delivery::DeliveryRecord>| {
                for r in &mut records {
                    for h in &mut r.history {
                        h.at = 0;
                    }
                }
                records
            };
            prop_assert_eq!(
                timeless(real.list(ListFilter::All, 100).await.unwrap()),
                timeless(model.list(ListFilter::All, 100).await.unwrap())
            );
            drop(real);
            let reopened = sqlite(&dir, None);
            prop_assert_eq!(reopened.pending().await.unwrap(), model.pending().await.unwrap());
            Ok(())
        })?;
    }
}
