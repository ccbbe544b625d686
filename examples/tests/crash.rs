//! Nothing lost across crashes: the example bot in durable mode, as a process,
//! receives a few thousand signed deliveries from concurrent clients while it is
//! killed (`SIGKILL`) twice and restarted on the same database. Clients retry until they
//! get a 200, as Meta does.
//!
//! What the handlers did is read from the bot's log, which survives the kills (it
//! is written to the pipe line by line). Every delivery that got a 200 must be
//! handled; a delivery may be handled twice only if it was claimed by a worker at
//! a kill (at most workers × batch per kill); a body sent twice is handled once.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod support;
use support::Bot;

use webhook_server::delivery::{DeliveryState, DeliveryStore, ListFilter};
use webhook_server::signature::{self, Algorithm, AppSecret};

const SECRET: &str = "crash-test-secret";
const DELIVERIES: usize = 3000;
const CLIENTS: usize = 8;
const WORKERS: usize = 4;
/// Deliveries a worker claims at once (the engine's default batch).
const BATCH: usize = 16;
const KILLS_AT: [usize; 2] = [1000, 2000];

fn body(n: usize) -> Vec<u8> {
    format!(
        r#"{{"object":"page","entry":[{{"id":"1001","time":1732700000123,"messaging":[{{"sender":{{"id":"u{n}"}},"recipient":{{"id":"1001"}},"timestamp":{n},"message":{{"mid":"m_{n}","text":"crash test {n}"}}}}]}}]}}"#
    )
    .into_bytes()
}

/// Posts until the bot answers 200 (connection refused while it restarts).
async fn deliver(client: &reqwest::Client, url: &std::sync::RwLock<String>, body: Vec<u8>) {
    let header = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), &body);
    let deadline = Instant::now() + Duration::from_mins(1);
    loop {
        let target = url.read().unwrap().clone();
        let sent = client
            .post(target)
            .header("x-hub-signature-256", &header)
            .body(body.clone())
            .send()
            .await;
        if sent.is_ok_and(|r| r.status() == 200) {
            return;
        }
        assert!(Instant::now() < deadline, "no 200 within a minute");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Starts the bot on a port it picks; returns it with its webhook URL.
fn start(db: &std::path::Path) -> (Bot, String) {
    let workers = WORKERS.to_string();
    let mut bot = Bot::start(&[
        ("META_APP_SECRET", SECRET),
        ("META_VERIFY_TOKEN", "t"),
        ("META_WEBHOOK_BIND", "127.0.0.1:0"),
        ("META_WEBHOOK_DB", db.to_str().unwrap()),
        ("META_WEBHOOK_WORKERS", &workers),
        // Claims of a killed process are taken over after one second.
        ("META_WEBHOOK_LEASE_SECS", "1"),
        // Handlers must finish within the lease.
        ("META_WEBHOOK_HANDLER_TIMEOUT_MS", "500"),
    ]);
    let line = bot.wait_for("listening on http://");
    let url = line[line.find("http://").unwrap()..].trim().to_owned();
    (bot, url)
}

/// How many times each delivery's message was handled, from the bot's log lines
/// (`message from ..: ".." (m_<n>, ..)`).
fn handled_counts(log: &[String]) -> HashMap<usize, usize> {
    let mut counts = HashMap::new();
    for line in log {
        if let Some(rest) = line.split("(m_").nth(1) {
            let n: usize = rest.split(',').next().unwrap().parse().unwrap();
            *counts.entry(n).or_default() += 1;
        }
    }
    counts
}

/// Moves the bot's log lines read so far into `log`.
fn drain(bot: &mut Bot, log: &mut Vec<String>) {
    log.append(&mut bot.log);
    log.extend(bot.lines.try_iter());
}

/// The store holds each body once (the copies were deduplicated), all handled.
async fn assert_stored_once_and_done(db: &std::path::Path) {
    let store = webhook_server::delivery::sqlite::SqliteStore::open(db, None).unwrap();
    let stored = store.list(ListFilter::All, DELIVERIES * 2).await.unwrap();
    assert_eq!(stored.len(), DELIVERIES);
    let unfinished: Vec<_> = stored
        .iter()
        .filter(|d| d.state != DeliveryState::Done)
        .map(|d| (d.id, d.state, d.attempts, d.last_error.clone()))
        .collect();
    assert!(unfinished.is_empty(), "not done: {unfinished:?}");
}

/// Deliveries a killed process had handled but not marked done come back after
/// their lease and run again (at least once): waits until none is pending.
async fn until_nothing_pending(db: &std::path::Path, deadline: Instant) {
    let store = webhook_server::delivery::sqlite::SqliteStore::open(db, None).unwrap();
    while store.pending().await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "deliveries still pending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_delivery_is_handled_across_two_sigkills() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");

    let (mut bot, first_url) = start(&db);
    // Clients follow the bot to whatever port each restart picks.
    let url = Arc::new(std::sync::RwLock::new(first_url));
    let mut log = Vec::new();

    let next = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (next, acknowledged, url) = (
                Arc::clone(&next),
                Arc::clone(&acknowledged),
                Arc::clone(&url),
            );
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    if n >= DELIVERIES {
                        break;
                    }
                    deliver(&client, &url, body(n)).await;
                    // Every tenth body is sent again, as Meta does after a lost answer.
                    if n % 10 == 0 {
                        deliver(&client, &url, body(n)).await;
                    }
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();

    for kill_at in KILLS_AT {
        while acknowledged.load(Ordering::SeqCst) < kill_at {
            tokio::time::sleep(Duration::from_millis(5)).await;
            drain(&mut bot, &mut log);
        }
        bot.child.kill().unwrap(); // SIGKILL
        bot.child.wait().unwrap();
        // Everything the dead process wrote, up to the end of its pipe.
        log.append(&mut bot.log);
        log.extend(bot.lines.iter());
        let (restarted, new_url) = start(&db);
        bot = restarted;
        *url.write().unwrap() = new_url;
    }
    for client in clients {
        client.await.unwrap();
    }

    // Every acknowledged delivery is handled, eventually.
    let deadline = Instant::now() + Duration::from_mins(2);
    while handled_counts(&log).len() < DELIVERIES {
        assert!(
            Instant::now() < deadline,
            "only {} of {DELIVERIES} handled",
            handled_counts(&log).len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        drain(&mut bot, &mut log);
    }
    until_nothing_pending(&db, deadline).await;
    drain(&mut bot, &mut log);
    let counts = handled_counts(&log);
    let missing: Vec<_> = (0..DELIVERIES)
        .filter(|n| !counts.contains_key(n))
        .collect();
    assert!(missing.is_empty(), "never handled: {missing:?}");
    let twice: Vec<_> = counts
        .iter()
        .filter(|(_, c)| **c > 1)
        .map(|(n, c)| (*n, *c))
        .collect();
    assert!(
        twice.iter().all(|(_, c)| *c == 2),
        "handled more than twice: {twice:?}"
    );
    assert!(
        twice.len() <= KILLS_AT.len() * WORKERS * BATCH,
        "{} deliveries handled twice; only those claimed at a kill may be: {twice:?}",
        twice.len()
    );
    let duplicates_twice = twice.iter().filter(|(n, _)| n % 10 == 0).count();
    assert!(
        duplicates_twice <= KILLS_AT.len() * WORKERS * BATCH,
        "bodies sent twice were handled twice"
    );
    eprintln!(
        "crash test: {DELIVERIES} deliveries ({} sent twice), 2 SIGKILLs, {} handled twice (claimed at a kill)",
        DELIVERIES / 10,
        twice.len()
    );

    let status = std::process::Command::new("kill")
        .args(["-TERM", &bot.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(bot.child.wait().unwrap().success());

    assert_stored_once_and_done(&db).await;
}
