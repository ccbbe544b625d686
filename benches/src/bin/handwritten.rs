//! What a careful engineer writes by hand without the framework: axum, the raw
//! body, HMAC-SHA256 verified in constant time, the body parsed into a
//! `serde_json::Value`, one call per change, 200. The baseline of the load
//! benchmark. Prints `listening on http://<addr>/webhook` on standard error.

use std::hint::black_box;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};

const SECRET: &[u8] = b"load-secret";

fn handle(change: &serde_json::Value) {
    black_box(change);
}

async fn receive(headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    let Some(signature) = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.as_bytes().strip_prefix(b"sha256="))
        .and_then(|hex_digits| hex::decode(hex_digits).ok())
    else {
        return (StatusCode::UNAUTHORIZED, "missing signature");
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET).expect("any key length");
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

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    eprintln!(
        "listening on http://{}/webhook",
        listener.local_addr().unwrap()
    );
    let app = Router::new()
        .route("/webhook", post(receive))
        .layer(DefaultBodyLimit::max(4 * 1024 * 1024));
    axum::serve(listener, app).await.unwrap();
}
