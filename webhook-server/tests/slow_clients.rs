//! Slow and oversized clients over raw TCP (reliability.md C4, C5, C14): none of
//! them holds a connection past its deadline, and the server keeps serving valid
//! signed deliveries meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use webhook_core::signature::{self, Algorithm, AppSecret};
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
    stop: oneshot::Sender<()>,
}

async fn start() -> Running {
    let limits = Limits {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        max_header_bytes: 16 * 1024,
        drain_timeout: Duration::from_secs(5),
        max_in_flight: 64,
    };
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .inline()
        .limits(limits)
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let count = Arc::new(AtomicUsize::new(0));
    let server = Server::new(config).dispatcher(|b| b.state_arc(Arc::clone(&count)));
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve_on(listener, async move {
        let _ = stopped.await;
    }));
    Running { addr, count, stop }
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
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    app.still_serves().await;
    app.stop.send(()).unwrap();
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let app = start().await;
    let mut idle = TcpStream::connect(&app.addr).await.unwrap();
    let answer = answer_or_close(&mut idle).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    app.still_serves().await;
    app.stop.send(()).unwrap();
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
    app.still_serves().await;
    app.stop.send(()).unwrap();
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
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer}"
    );
    app.still_serves().await;
    app.stop.send(()).unwrap();
}
