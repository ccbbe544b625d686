//! The baselines the framework is measured against, and the bodies they are
//! measured with (`BENCHMARKS.md`).
//!
//! - [`bare`]: axum answering 200 without reading the body, the HTTP ceiling.
//! - [`handwritten`]: what a careful engineer writes by hand without the framework:
//!   axum, the raw body, HMAC-SHA256 verified in constant time, the body parsed into
//!   a `serde_json::Value`, one call per change or messaging event, 200.
//! - [`handwritten_durable`]: the same, committing each verified body to SQLite
//!   (WAL, `synchronous=FULL`) before answering, as a careful engineer makes a
//!   receiver that loses nothing: the baseline of durable mode.
//! - [`framework_routes`]: the framework's side, no-op handlers for the same items.

use std::hint::black_box;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};

/// The framework's side: one no-op handler for Page feed changes and one for
/// Messenger messages, taking the raw item or (`typed`) our typed value.
pub fn framework_routes(typed: bool) -> webhook_server::DispatcherBuilder {
    use webhook_server::fields::messaging::MessageEvent;
    use webhook_server::fields::page::Feed;
    use webhook_server::{Dispatcher, Payload, RawItem, Route};

    async fn raw(item: RawItem) {
        black_box(item);
    }
    async fn typed_feed(Payload(feed): Payload<Feed>) {
        black_box(feed);
    }
    async fn typed_message(Payload(message): Payload<MessageEvent>) {
        black_box(message);
    }
    if typed {
        Dispatcher::builder()
            .route(Route::field("page", "feed"), typed_feed)
            .route(Route::field("page", "messages"), typed_message)
    } else {
        Dispatcher::builder()
            .route(Route::field("page", "feed"), raw)
            .route(Route::field("page", "messages"), raw)
    }
}

/// The app secret every benchmark signs with.
pub const SECRET: &str = "load-secret";

/// The HTTP ceiling: 200 to every `POST /webhook`, body unread.
pub fn bare() -> Router {
    Router::new().route("/webhook", post(|| async { "EVENT_RECEIVED" }))
}

/// The hand-written receiver on `POST /webhook`.
pub fn handwritten() -> Router {
    Router::new()
        .route("/webhook", post(receive))
        .layer(DefaultBodyLimit::max(4 * 1024 * 1024))
}

fn handle(item: &serde_json::Value) {
    black_box(item);
}

async fn receive(headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    if let Err(refused) = verified(&headers, &body) {
        return refused;
    }
    let Ok(notification) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON");
    };
    for entry in notification["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            handle(change);
        }
        for event in entry["messaging"].as_array().into_iter().flatten() {
            handle(event);
        }
    }
    (StatusCode::OK, "EVENT_RECEIVED")
}

/// Verifies `body` against its `X-Hub-Signature-256` header, as the hand-written
/// receivers do.
fn verified(headers: &HeaderMap, body: &[u8]) -> Result<(), (StatusCode, &'static str)> {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.as_bytes().strip_prefix(b"sha256="))
        .and_then(|hex_digits| hex::decode(hex_digits).ok())
        .ok_or((StatusCode::UNAUTHORIZED, "missing signature"))?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| (StatusCode::FORBIDDEN, "bad signature"))
}

/// The hand-written durable receiver on `POST /webhook`: verify, then one
/// SQLite transaction per body (`synchronous=FULL`: on disk before the 200),
/// on a blocking thread holding the one connection.
///
/// # Panics
/// When the database at `path` cannot be opened.
pub fn handwritten_durable(path: &std::path::Path) -> Router {
    let conn = rusqlite::Connection::open(path).expect("the database opens");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE IF NOT EXISTS deliveries (
             id INTEGER PRIMARY KEY, body BLOB NOT NULL, received_at INTEGER NOT NULL);",
    )
    .expect("the schema is created");
    let conn = std::sync::Arc::new(std::sync::Mutex::new(conn));
    Router::new()
        .route(
            "/webhook",
            post(move |headers: HeaderMap, body: Bytes| {
                let conn = std::sync::Arc::clone(&conn);
                async move {
                    if let Err(refused) = verified(&headers, &body) {
                        return refused;
                    }
                    let stored = tokio::task::spawn_blocking(move || {
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
                        conn.lock()
                            .expect("not poisoned")
                            .execute(
                                "INSERT INTO deliveries (body, received_at) VALUES (?1, ?2)",
                                rusqlite::params![&body[..], now],
                            )
                            .is_ok()
                    })
                    .await
                    .unwrap_or(false);
                    if stored {
                        (StatusCode::OK, "EVENT_RECEIVED")
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "not stored")
                    }
                }
            }),
        )
        .layer(DefaultBodyLimit::max(4 * 1024 * 1024))
}

/// Serves `app` on a free loopback port; prints `listening on http://<addr>/webhook`
/// on standard error, the line the load program waits for.
pub async fn serve(app: Router) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    eprintln!(
        "listening on http://{}/webhook",
        listener.local_addr().unwrap()
    );
    axum::serve(listener, app).await.unwrap();
}

/// Bodies of the benchmarks; `n` makes each one unique.
pub mod bodies {
    /// A 400 B Messenger text message.
    #[must_use]
    pub fn message(n: u64) -> String {
        format!(
            r#"{{"object":"page","entry":[{{"id":"1001","time":1732700000123,"messaging":[{{"sender":{{"id":"2470{n:012}"}},"recipient":{{"id":"1001"}},"timestamp":1732700000100,"message":{{"mid":"m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_{n:012}","text":"load message {n}: a few words of text, as a person would write to a Page","nlp":{{"entities":{{}}}}}}}}]}}]}}"#
        )
    }

    /// A 433 B body: one Page feed comment.
    #[must_use]
    pub fn feed(n: u64) -> String {
        changes(n, 1)
    }

    /// A 10 KB batch: 50 Page feed comments.
    #[must_use]
    pub fn batch(n: u64) -> String {
        changes(n, 50)
    }

    /// Meta's largest batch: 1 000 Page feed comments (about 200 KB).
    #[must_use]
    pub fn batch_1000(n: u64) -> String {
        changes(n, 1000)
    }

    /// `count` Page feed comments in one entry.
    #[must_use]
    pub fn changes(n: u64, count: u64) -> String {
        let changes: Vec<String> = (0..count)
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
    }
}
