//! The HTTP ceiling: axum answering 200 to every `POST /webhook` without reading
//! the body. Prints `listening on http://<addr>/webhook` on standard error.

use axum::Router;
use axum::routing::post;

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    eprintln!(
        "listening on http://{}/webhook",
        listener.local_addr().unwrap()
    );
    let app = Router::new().route("/webhook", post(|| async { "EVENT_RECEIVED" }));
    axum::serve(listener, app).await.unwrap();
}
