//! The HTTP ceiling of the load benchmark: axum answering 200 to every
//! `POST /webhook` without reading the body.

#[tokio::main]
async fn main() {
    meta_webhooks_benches::serve(meta_webhooks_benches::bare()).await;
}
