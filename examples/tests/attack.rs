//! The resource budget, attacked from outside: the example bot runs as its own
//! process, and strangers write to it over real sockets while Meta (another
//! loopback address) keeps delivering.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

mod support;
use support::Bot;

use webhook_server::signature::{self, Algorithm, AppSecret};

const SECRET: &str = "attack-test-secret";
const STRANGER: Ipv4Addr = Ipv4Addr::LOCALHOST;
const META: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
/// A second stranger: together they hold more slow uploads than there are
/// permits for deliveries in flight (256).
const STRANGER_2: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);

fn start(dir: &tempfile::TempDir) -> (Bot, SocketAddr) {
    start_with(dir, &[])
}

fn start_with(dir: &tempfile::TempDir, more: &[(&str, &str)]) -> (Bot, SocketAddr) {
    start_example("bot", dir, more)
}

/// The example `name` (`bot`, or `embed`: the routes merged into an application
/// of one's own and served with `serve_router`) as its own process.
fn start_example(name: &str, dir: &tempfile::TempDir, more: &[(&str, &str)]) -> (Bot, SocketAddr) {
    let db = dir.path().join(format!("{name}.db"));
    let mut env = vec![
        ("META_APP_SECRET", SECRET),
        ("META_VERIFY_TOKEN", "t"),
        ("META_WEBHOOK_BIND", "127.0.0.1:0"),
        ("META_WEBHOOK_DB", db.to_str().unwrap()),
    ];
    env.extend_from_slice(more);
    let mut bot = Bot::start_binary(&support::example_binary(name), &env, None);
    let listening = bot.wait_for("listening on http://");
    let url = &listening[listening.find("http://").unwrap() + 7..];
    let end = url
        .find(|c: char| c == '/' || c.is_whitespace())
        .unwrap_or(url.len());
    let addr = url[..end].parse().unwrap();
    (bot, addr)
}

/// Both ways an application serves the routes: the bundled server (the bot) and
/// `serve_router` (the embed example).
const SERVED_BY: [&str; 2] = ["bot", "embed"];

/// A connection from `source`.
async fn connect(source: Ipv4Addr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(source), 0))?;
    socket.connect(to).await
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn delivery(n: u32) -> Vec<u8> {
    format!(r#"{{"object":"page","entry":[{{"id":"1","time":{n},"changes":[{{"field":"feed","value":{{"item":"status","verb":"add","post_id":"1_{n}","message":"hi"}}}}]}}]}}"#).into_bytes()
}

/// One signed delivery from Meta's address, on a fresh connection, as a whole
/// request in one write: its status and how long the answer took.
async fn deliver(addr: SocketAddr, n: u32) -> (String, Duration) {
    deliver_body(addr, &delivery(n)).await
}

/// `body`, signed, from Meta's address as one write: its status and how long the
/// answer took.
async fn deliver_body(addr: SocketAddr, body: &[u8]) -> (String, Duration) {
    let header = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), body);
    let mut request = format!(
        "POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-hub-signature-256: {header}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let started = Instant::now();
    let mut stream = connect(META, addr).await.unwrap();
    stream.write_all(&request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split(' ').nth(1).unwrap_or("no answer").to_owned();
    (status, started.elapsed())
}

/// A slow upload from `source`: headers (with a signature of the right shape
/// when `shaped`, none otherwise) announcing 4 MiB, then a byte every 200 ms for as
/// long as the server keeps the connection.
async fn slow_upload(
    source: Ipv4Addr,
    addr: SocketAddr,
    shaped: bool,
    until: Instant,
) -> Option<String> {
    let mut stream = connect(source, addr).await.ok()?;
    let signature = if shaped {
        format!("x-hub-signature-256: sha256={}\r\n", "ab".repeat(32))
    } else {
        String::new()
    };
    let head =
        format!("POST /webhook HTTP/1.1\r\nhost: x\r\n{signature}content-length: 4194304\r\n\r\n");
    stream.write_all(head.as_bytes()).await.ok()?;
    let mut answer = vec![0; 1024];
    let read = loop {
        if Instant::now() >= until || stream.write_all(b"{").await.is_err() {
            break tokio::time::timeout(Duration::from_millis(200), stream.read(&mut answer))
                .await
                .ok()
                .and_then(Result::ok);
        }
        // The server's answer, as soon as it comes.
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
            read = stream.read(&mut answer) => break read.ok(),
        }
    };
    let answer = String::from_utf8_lossy(&answer[..read.unwrap_or(0)]).into_owned();
    Some(answer.split(' ').nth(1).unwrap_or("closed").to_owned())
}

/// How many uploads ended with each answer (`no connection` when none was made).
async fn outcomes(
    uploads: Vec<tokio::task::JoinHandle<Option<String>>>,
) -> std::collections::BTreeMap<String, usize> {
    let mut outcomes = std::collections::BTreeMap::new();
    for upload in uploads {
        let outcome = upload
            .await
            .unwrap()
            .unwrap_or_else(|| "no connection".to_owned());
        *outcomes.entry(outcome).or_default() += 1;
    }
    outcomes
}

/// While 450 slow uploads (300 of them with a false signature of the right shape,
/// from two addresses) and 1 000 idle sockets from one address are open,
/// signed deliveries from another address get 200 within a second, and the
/// server's memory stays small.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_cannot_starve_meta() {
    rlimit::increase_nofile_limit(8192).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut bot, addr) = start(&dir);
    let pid = bot.child.id();
    let rss_before = rss_kib(pid);

    let attack_ends = Instant::now() + Duration::from_secs(8);
    // 150 unsigned uploads and 150 with a false signature from the first
    // stranger, 150 with a false signature from the second: 300 shaped ones, more
    // than the 256 permits for deliveries in flight, which only verified
    // deliveries take.
    let uploads: Vec<_> = (0..450)
        .map(|n| {
            let (source, shaped) = match n % 3 {
                0 => (STRANGER, false),
                1 => (STRANGER, true),
                _ => (STRANGER_2, true),
            };
            tokio::spawn(slow_upload(source, addr, shaped, attack_ends))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut idle = Vec::new();
    for _ in 0..1_000 {
        if let Ok(stream) = connect(STRANGER, addr).await {
            idle.push(stream);
        }
    }
    // Meta delivers throughout the attack.
    let mut answers = Vec::new();
    let mut peak = 0;
    let mut n = 0;
    while Instant::now() < attack_ends {
        n += 1;
        answers.push(deliver(addr, n).await);
        peak = peak.max(rss_kib(pid));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let outcomes = outcomes(uploads).await;
    drop(idle);
    bot.log.extend(bot.lines.try_iter());

    let slowest = answers.iter().map(|(_, took)| *took).max().unwrap();
    let refused: Vec<_> = answers
        .iter()
        .filter(|(status, _)| status != "200")
        .collect();
    eprintln!(
        "{} deliveries during the attack, slowest answer {slowest:?}; slow uploads ended: {outcomes:?}; \
         RSS {rss_before} KiB before, peak {peak} KiB",
        answers.len()
    );
    assert!(answers.len() >= 20, "{}", answers.len());
    assert!(refused.is_empty(), "refused: {refused:?}");
    assert!(slowest < Duration::from_secs(1), "{slowest:?}");
    assert!(peak < 64 * 1024, "RSS {peak} KiB");
    // Unsigned uploads cost no body (401 at once); shaped ones are cut at the
    // minimum rate (408, also in the log); connections past the address's share
    // (the idle sockets, and uploads when they came first) were turned away (503).
    assert!(
        outcomes.get("401").copied().unwrap_or(0) > 0,
        "{outcomes:?}"
    );
    assert!(
        bot.log
            .iter()
            .any(|l| l.contains("408") && l.contains("arrives slower than")),
        "{}",
        bot.log.join("\n")
    );
    assert!(
        bot.log
            .iter()
            .any(|l| l.contains("META_WEBHOOK_MAX_CONNECTIONS_PER_IP")),
        "{}",
        bot.log.join("\n")
    );
    // The log says so in a few lines, not one per request.
    let refusals = bot.log.iter().filter(|l| l.contains("refus")).count();
    assert!(refusals < 20, "{refusals} lines:\n{}", bot.log.join("\n"));
}

/// An upload from the stranger with a signature of the right shape that sends
/// `first` bytes at once, then 32 KiB every 250 ms (twice the minimum rate) until
/// `until`: it holds what it sent against the body budget. Ends with the answer's
/// status.
async fn filling_upload(addr: SocketAddr, first: usize, until: Instant) -> Option<String> {
    let mut stream = connect(STRANGER, addr).await.ok()?;
    let head = format!(
        "POST /webhook HTTP/1.1\r\nhost: x\r\nx-hub-signature-256: sha256={}\r\ncontent-length: 1048576\r\n\r\n",
        "ab".repeat(32)
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(&vec![b' '; first]).await.ok()?;
    let chunk = vec![b' '; 32 * 1024];
    let mut answer = vec![0; 1024];
    let read = loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(250)) => {}
            read = stream.read(&mut answer) => break read.ok(),
        }
        if Instant::now() >= until || stream.write_all(&chunk).await.is_err() {
            break None;
        }
    };
    let answer = String::from_utf8_lossy(&answer[..read.unwrap_or(0)]).into_owned();
    Some(answer.split(' ').nth(1).unwrap_or("held").to_owned())
}

/// One address cannot fill the buffered-bytes budget: with a 1 MiB body limit
/// (so a 2 MiB budget), eight uploads of 300 KiB each from the stranger, kept
/// above the minimum rate, hold at most its share, and Meta's 900 KiB delivery
/// from another address still fits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_fill_the_body_budget() {
    let dir = tempfile::tempdir().unwrap();
    let (mut bot, addr) = start_with(&dir, &[("META_WEBHOOK_BODY_LIMIT", "1048576")]);
    let until = Instant::now() + Duration::from_secs(4);
    let uploads: Vec<_> = (0..8)
        .map(|_| tokio::spawn(filling_upload(addr, 300 * 1024, until)))
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;

    let padding = "x".repeat(900 * 1024);
    let body = format!(
        r#"{{"object":"page","entry":[{{"id":"1","time":1,"changes":[{{"field":"feed","value":{{"item":"status","verb":"add","post_id":"1_1","message":"{padding}"}}}}]}}]}}"#
    );
    let (status, _) = deliver_body(addr, body.as_bytes()).await;

    let outcomes = outcomes(uploads).await;
    bot.log.extend(bot.lines.try_iter());
    assert_eq!(
        status,
        "200",
        "uploads: {outcomes:?}\n{}",
        bot.log.join("\n")
    );
    // The uploads past the address's share were refused; the others were held.
    assert!(
        outcomes.get("503").copied().unwrap_or(0) >= 4,
        "{outcomes:?}"
    );
    assert!(
        bot.log.iter().any(|l| l.contains("this address's bodies")),
        "{}",
        bot.log.join("\n")
    );
}

/// The request line and headers are limited however they arrive: in one write
/// (hyper's buffer limit alone let that through) or one byte at a time, by the
/// bot and by an application serving the routes with `serve_router`.
#[tokio::test]
async fn the_header_limit_holds_in_one_write_and_byte_by_byte() {
    for example in SERVED_BY {
        header_limit_holds(example).await;
    }
}

async fn header_limit_holds(example: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (_bot, addr) = start_example(example, &dir, &[]);
    let body = delivery(1);
    let sign = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), &body);
    let request = |padding: usize| {
        let mut request = format!(
            "POST /webhook HTTP/1.1\r\nhost: x\r\nx-padding: {}\r\nx-hub-signature-256: {sign}\r\ncontent-length: {}\r\n\r\n",
            "a".repeat(padding),
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(&body);
        request
    };
    for (padding, expected) in [(60_000, "200"), (70_000, "431"), (100_000, "431")] {
        for one_write in [true, false] {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let bytes = request(padding);
            if one_write {
                stream.write_all(&bytes).await.unwrap();
            } else {
                for chunk in bytes.chunks(1) {
                    if stream.write_all(chunk).await.is_err() {
                        break;
                    }
                }
            }
            let mut answer = vec![0; 4096];
            let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
                .await
                .unwrap()
                .unwrap_or(0);
            let answer = String::from_utf8_lossy(&answer[..read]);
            assert!(
                answer.starts_with(&format!("HTTP/1.1 {expected}")),
                "{example}: {padding} bytes of padding, one write: {one_write}: {answer}"
            );
        }
    }
}

/// A request with both `Content-Length` and `Transfer-Encoding` is refused with
/// `400` and its connection closed, so what a proxy might have framed differently
/// is never served; in one write and byte by byte, by the bot and by an
/// application serving the routes with `serve_router`.
#[tokio::test]
async fn a_request_framed_two_ways_is_refused() {
    for example in SERVED_BY {
        framed_two_ways_is_refused(example).await;
    }
}

async fn framed_two_ways_is_refused(example: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (_bot, addr) = start_example(example, &dir, &[]);
    let body = delivery(1);
    let sign = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), &body);
    let mut request = format!(
        "POST /webhook HTTP/1.1\r\nhost: x\r\nx-hub-signature-256: {sign}\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    request.extend_from_slice(b"\r\n0\r\n\r\nGET /webhook?hub.mode=subscribe&hub.verify_token=t&hub.challenge=SMUGGLED HTTP/1.1\r\nhost: x\r\n\r\n");
    for one_write in [true, false] {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        if one_write {
            stream.write_all(&request).await.unwrap();
        } else {
            for byte in &request {
                if stream.write_all(std::slice::from_ref(byte)).await.is_err() {
                    break;
                }
            }
        }
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 400"),
            "{example}: one write: {one_write}: {answer}"
        );
        assert!(!answer.contains("SMUGGLED"), "{answer}");
    }
}

/// The open-files limit is checked at start: the soft limit is raised to the
/// hard one, and a hard limit that cannot hold the connection cap lowers the cap,
/// with a warning naming the fix, and the bot still serves.
#[tokio::test]
async fn a_low_open_files_limit_lowers_the_cap_and_says_so() {
    if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "prlimit (util-linux) is missing"
        );
        eprintln!("skipped: prlimit is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fds.db");
    let env = [
        ("META_APP_SECRET", SECRET),
        ("META_VERIFY_TOKEN", "t"),
        ("META_WEBHOOK_BIND", "127.0.0.1:0"),
        ("META_WEBHOOK_DB", db.to_str().unwrap()),
    ];
    // A soft limit of 200 under a hard one of 4096: raised, so the cap holds.
    let mut raised = Bot::start_with_open_files(&env, Some((200, 4096)));
    raised.wait_for("listening on http://");
    let soft_limit = || {
        let limits =
            std::fs::read_to_string(format!("/proc/{}/limits", raised.child.id())).unwrap();
        let open_files = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .unwrap()
            .to_owned();
        open_files.split_whitespace().nth(3).unwrap().to_owned()
    };
    // Raised as the listener starts serving, just after the line.
    let deadline = Instant::now() + Duration::from_secs(5);
    while soft_limit() != "4096" && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(soft_limit(), "4096");
    drop(raised);

    let mut bot = Bot::start_with_open_files(&env, Some((200, 200)));
    let listening = bot.wait_for("listening on http://");
    let warning = bot.wait_for("open-files limit");
    assert!(
        warning
            .contains("the open-files limit is 200: connections are capped at 136 instead of 1024")
            && warning.contains("LimitNOFILE"),
        "{warning}"
    );
    let url = &listening[listening.find("http://").unwrap() + 7..];
    let addr: SocketAddr = url[..url.find('/').unwrap()].parse().unwrap();
    let (status, _) = deliver(addr, 1).await;
    assert_eq!(status, "200");
}
