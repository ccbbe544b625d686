//! Hostile clients over raw TCP, where an HTTP client cannot express the attack
//! (reliability.md C4, C5, C7, C10, C13, C14): slow, oversized, compressed,
//! smuggling and pipelined requests. None holds a connection past its deadline or
//! gets a body past the signature check, and after each one the server still serves
//! a valid signed delivery.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::testing::{self, RunningServer};
use webhook_server::{Config, Limits, Server, State, on};

const SECRET: &str = "slow-secret";
const BODY: &[u8] = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;

#[on(object = "page", field = "feed")]
async fn feed(State(count): State<AtomicUsize>) {
    count.fetch_add(1, Ordering::SeqCst);
}

struct Running {
    addr: String,
    count: Arc<AtomicUsize>,
    server: RunningServer,
}

async fn start() -> Running {
    let limits = Limits {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        max_header_bytes: 16 * 1024,
        drain_timeout: Duration::from_secs(5),
        max_in_flight: 64,
        max_connections: 8,
        max_connections_per_ip: 8,
        ..Limits::default()
    };
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .inline()
        .limits(limits)
        .build()
        .unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let server = Server::new(config).dispatcher(|b| b.state_arc(Arc::clone(&count)));
    let server = testing::spawn(server).await;
    Running {
        addr: server.addr().to_string(),
        count,
        server,
    }
}

impl Running {
    /// A valid signed delivery gets 200 and reaches the handler.
    async fn still_serves(&self) {
        let before = self.count.load(Ordering::SeqCst);
        let header = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), BODY);
        let response = reqwest::Client::new()
            .post(format!("http://{}/webhook", self.addr))
            .header("x-hub-signature-256", header)
            .body(BODY.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(self.count.load(Ordering::SeqCst), before + 1);
    }
}

/// The server closed the connection, or answered `status` and closed it.
#[track_caller]
fn closed_or(answer: &str, status: &str) {
    assert!(
        answer.is_empty() || answer.starts_with(&format!("HTTP/1.1 {status}")),
        "{answer}"
    );
}

/// Reads until the server answers or closes; panics if it does neither within
/// ten times the deadline under test.
async fn answer_or_close(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    let read = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("the server neither answered nor closed the connection");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn headers_that_never_finish_are_cut_off_while_others_are_served() {
    let app = start().await;
    let mut slow = TcpStream::connect(&app.addr).await.unwrap();
    slow.write_all(
        b"POST /webhook HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n",
    )
    .await
    .unwrap();
    app.still_serves().await;
    let answer = answer_or_close(&mut slow).await;
    closed_or(&answer, "408");
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let app = start().await;
    let mut idle = TcpStream::connect(&app.addr).await.unwrap();
    let answer = answer_or_close(&mut idle).await;
    closed_or(&answer, "408");
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408() {
    let app = start().await;
    let mut slow = TcpStream::connect(&app.addr).await.unwrap();
    let head = format!(
        "POST /webhook HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\nx-hub-signature-256: sha256={}\r\n\r\n",
        BODY.len(),
        "0".repeat(64)
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(&BODY[..10]).await.unwrap();
    let answer = answer_or_close(&mut slow).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("the body did not arrive within"),
        "{answer}"
    );
    assert_eq!(app.server.stats().snapshot().too_slow, 1);
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn oversized_headers_are_refused() {
    let app = start().await;
    let mut big = TcpStream::connect(&app.addr).await.unwrap();
    let head = format!(
        "POST /webhook HTTP/1.1\r\nhost: localhost\r\nx-padding: {}\r\n\r\n",
        "a".repeat(80 * 1024)
    );
    // The server may close before it has read it all.
    let _ = big.write_all(head.as_bytes()).await;
    let answer = answer_or_close(&mut big).await;
    closed_or(&answer, "431");
    // C14: too many headers, each small.
    let many = (0..200).fold(String::new(), |mut headers, n| {
        let _ = write!(headers, "x-h{n}: {n}\r\n");
        headers
    });
    let answer = exchange(
        &app.addr,
        format!("POST /webhook HTTP/1.1\r\nhost: localhost\r\n{many}\r\n").as_bytes(),
    )
    .await;
    closed_or(&answer, "431");
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

fn signed_head(extra: &str) -> String {
    let header = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), BODY);
    format!("POST /webhook HTTP/1.1\r\nhost: localhost\r\nx-hub-signature-256: {header}\r\n{extra}")
}

/// `BODY` in chunks of 16 bytes, with the terminating chunk.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in body.chunks(16) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Sends `request` on a new connection and returns everything the server wrote
/// before closing.
async fn exchange(addr: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before it has read everything.
    let _ = stream.write_all(request).await;
    answer_or_close(&mut stream).await
}

fn statuses(answer: &str) -> Vec<&str> {
    answer
        .match_indices("HTTP/1.1 ")
        .map(|(at, _)| &answer[at + 9..at + 12])
        .collect()
}

/// C7: a compressed body is never inflated (a zip bomb costs nothing).
#[tokio::test]
async fn a_compressed_body_gets_415_unread() {
    let app = start().await;
    let mut request = signed_head(&format!(
        "content-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        BODY.len()
    ))
    .into_bytes();
    request.extend_from_slice(BODY);
    let answer = exchange(&app.addr, &request).await;
    assert_eq!(statuses(&answer), ["415"], "{answer}");
    assert!(answer.contains("Content-Encoding"), "{answer}");
    assert_eq!(app.server.stats().snapshot().unsupported_encoding, 1);
    assert_eq!(app.count.load(Ordering::SeqCst), 0);
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

/// C10: the content type plays no part; only the signature and the body do.
#[tokio::test]
async fn any_content_type_or_none_is_accepted_when_signed() {
    let app = start().await;
    for content_type in [
        "",
        "content-type: text/plain\r\n",
        "content-type: application/json; charset=UTF-8\r\n",
        "content-type: application/x-www-form-urlencoded\r\n",
    ] {
        let mut request = signed_head(&format!(
            "{content_type}content-length: {}\r\nconnection: close\r\n\r\n",
            BODY.len()
        ))
        .into_bytes();
        request.extend_from_slice(BODY);
        let answer = exchange(&app.addr, &request).await;
        assert_eq!(statuses(&answer), ["200"], "{content_type}: {answer}");
    }
    assert_eq!(app.count.load(Ordering::SeqCst), 4);
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

/// C13: with both Transfer-Encoding and Content-Length, the body is the de-chunked
/// bytes (the signature, over `BODY`, covers exactly them), and nothing after it on the
/// connection is served as a second request.
#[tokio::test]
async fn transfer_encoding_with_content_length_cannot_smuggle_a_request() {
    let app = start().await;
    let mut request =
        signed_head("content-length: 4\r\ntransfer-encoding: chunked\r\n\r\n").into_bytes();
    request.extend_from_slice(&chunked(BODY));
    let smuggled = b"GET /webhook?hub.mode=subscribe&hub.challenge=SMUGGLED&hub.verify_token=t HTTP/1.1\r\nhost: localhost\r\n\r\n";
    request.extend_from_slice(smuggled);
    // RFC 9112 6.3: refused with 400 (a proxy may have read it by its length), the
    // connection closed, so what follows is never read as a request; nothing is
    // handled. Whether the bytes come in one write or one at a time.
    for one_write in [true, false] {
        let answer = if one_write {
            exchange(&app.addr, &request).await
        } else {
            let mut stream = TcpStream::connect(&app.addr).await.unwrap();
            for byte in &request {
                if stream.write_all(std::slice::from_ref(byte)).await.is_err() {
                    break;
                }
            }
            answer_or_close(&mut stream).await
        };
        assert_eq!(statuses(&answer), ["400"], "{answer}");
        assert!(answer.contains("connection: close"), "{answer}");
        assert!(
            answer.contains("Content-Length and Transfer-Encoding"),
            "{answer}"
        );
        assert!(
            !answer.contains("SMUGGLED"),
            "a second request was served: {answer}"
        );
    }
    assert_eq!(app.count.load(Ordering::SeqCst), 0);
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

/// C13: a malformed chunk and conflicting lengths are refused or cut off.
#[tokio::test]
async fn broken_framing_is_refused() {
    let app = start().await;
    let mut bad_chunk = signed_head("transfer-encoding: chunked\r\n\r\n").into_bytes();
    bad_chunk.extend_from_slice(b"zz\r\n{}\r\n0\r\n\r\n");
    let conflicting = signed_head(&format!(
        "content-length: {}\r\ncontent-length: {}\r\n\r\n",
        BODY.len(),
        BODY.len() + 1
    ));
    let mut conflicting = conflicting.into_bytes();
    conflicting.extend_from_slice(BODY);
    let mut truncated =
        signed_head(&format!("content-length: {}\r\n\r\n", BODY.len())).into_bytes();
    truncated.extend_from_slice(&BODY[..BODY.len() / 2]);
    for (what, request, shut) in [
        ("bad chunk", bad_chunk, false),
        ("conflicting lengths", conflicting, false),
        ("truncated body", truncated, true),
    ] {
        let mut stream = TcpStream::connect(&app.addr).await.unwrap();
        let _ = stream.write_all(&request).await;
        if shut {
            // The client goes away mid-body.
            let _ = stream.shutdown().await;
        }
        let answer = answer_or_close(&mut stream).await;
        let statuses = statuses(&answer);
        assert!(
            statuses.is_empty() || statuses == ["400"],
            "{what}: {answer}"
        );
    }
    assert_eq!(app.count.load(Ordering::SeqCst), 0, "nothing was handled");
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

/// Pipelined requests on one connection are each verified and answered in order.
#[tokio::test]
async fn pipelined_deliveries_are_each_verified_and_answered_in_order() {
    let app = start().await;
    let one = |extra: &str| {
        let mut request =
            signed_head(&format!("content-length: {}\r\n{extra}\r\n", BODY.len())).into_bytes();
        request.extend_from_slice(BODY);
        request
    };
    let mut unsigned = format!(
        "POST /webhook HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\n\r\n",
        BODY.len()
    )
    .into_bytes();
    unsigned.extend_from_slice(BODY);
    let mut request = one("");
    request.extend_from_slice(&unsigned);
    request.extend_from_slice(&one("connection: close\r\n"));
    let answer = exchange(&app.addr, &request).await;
    assert_eq!(statuses(&answer), ["200", "401", "200"], "{answer}");
    assert_eq!(app.count.load(Ordering::SeqCst), 2);
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

/// C6: a keep-alive connection left idle after its answer is closed at the
/// header deadline, like one that never sent anything.
#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = start().await;
    let mut stream = TcpStream::connect(&app.addr).await.unwrap();
    let mut request = signed_head(&format!("content-length: {}\r\n\r\n", BODY.len())).into_bytes();
    request.extend_from_slice(BODY);
    stream.write_all(&request).await.unwrap();
    // The answer arrives, then the server closes the idle connection by itself.
    let answer = answer_or_close(&mut stream).await;
    assert_eq!(statuses(&answer), ["200"], "{answer}");
    assert!(
        !answer.contains("connection: close"),
        "kept alive at first: {answer}"
    );
    assert_eq!(app.count.load(Ordering::SeqCst), 1);
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

/// C6: connections past the cap are answered 503 and closed at once, so idle
/// clients cannot exhaust file descriptors; once theirs time out, service resumes.
#[tokio::test]
async fn connections_past_the_cap_are_turned_away_at_once() {
    let app = start().await;
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(TcpStream::connect(&app.addr).await.unwrap());
    }
    // Give the server time to accept them all.
    tokio::time::sleep(Duration::from_millis(50)).await;
    // A real client has sent its whole request before reading the answer.
    let mut request = signed_head(&format!("content-length: {}\r\n\r\n", BODY.len())).into_bytes();
    request.extend_from_slice(BODY);
    let answer = exchange(&app.addr, &request).await;
    assert_eq!(statuses(&answer), ["503"], "{answer}");
    assert!(answer.contains("retry-after: 5"), "{answer}");
    assert_eq!(app.server.stats().snapshot().connections_refused, 1);
    // The idle connections are closed at the header deadline, freeing the slots.
    for mut stream in idle {
        answer_or_close(&mut stream).await;
    }
    app.still_serves().await;
    app.server.stop().await.unwrap();
}

/// Routes taken with `into_router` and merged into an application of one's own get
/// the same transport limits through `serve_router`: the connection cap, the
/// header limit, the smuggling refusal; the application's own routes too.
#[tokio::test]
async fn routes_served_with_serve_router_get_the_transport_limits() {
    let limits = Limits {
        header_timeout: Duration::from_millis(500),
        max_header_bytes: 16 * 1024,
        max_connections: 2,
        max_connections_per_ip: 2,
        ..Limits::default()
    };
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .inline()
        .build()
        .unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let server = Server::new(config).dispatcher(|b| b.state_arc(Arc::clone(&count)));
    let (routes, _workers) = server.into_router().unwrap();
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "mine" }))
        .merge(routes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(webhook_server::serve_router(listener, app, limits, async {
        let _ = stopped.await;
    }));

    let mut request = signed_head(&format!("content-length: {}\r\n\r\n", BODY.len())).into_bytes();
    request.extend_from_slice(BODY);
    assert_eq!(statuses(&exchange(&addr, &request).await), ["200"]);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let big = format!(
        "GET / HTTP/1.1\r\nhost: x\r\nx-padding: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    assert_eq!(statuses(&exchange(&addr, big.as_bytes()).await), ["431"]);
    let mut smuggle =
        signed_head("content-length: 4\r\ntransfer-encoding: chunked\r\n\r\n").into_bytes();
    smuggle.extend_from_slice(&chunked(BODY));
    assert_eq!(statuses(&exchange(&addr, &smuggle).await), ["400"]);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    // Two idle connections hold the cap: a third is turned away at once.
    let _idle = [
        TcpStream::connect(&addr).await.unwrap(),
        TcpStream::connect(&addr).await.unwrap(),
    ];
    tokio::time::sleep(Duration::from_millis(50)).await;
    let answer = exchange(&addr, b"GET / HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert_eq!(statuses(&answer), ["503"], "{answer}");
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
}
