//! The baselines the framework is measured against, and the bodies they are
//! measured with (`BENCHMARKS.md`).
//!
//! - [`bare`]: axum answering 200 without reading the body, the HTTP ceiling.
//! - [`handwritten`]: what a careful engineer writes by hand without the framework:
//!   axum, the raw body, HMAC-SHA256 verified in constant time, the body parsed into
//!   a `serde_json::Value`, one call per change or messaging event, 200.
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
    let Some(signature) = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.as_bytes().strip_prefix(b"sha256="))
        .and_then(|hex_digits| hex::decode(hex_digits).ok())
    else {
        return (StatusCode::UNAUTHORIZED, "missing signature");
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(&body);
    if mac.verify_slice(&signature).is_err() {
        return (StatusCode::FORBIDDEN, "bad signature");
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

    /// A 10 KB batch: 50 Page feed comments.
    #[must_use]
    pub fn batch(n: u64) -> String {
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
    }
}
