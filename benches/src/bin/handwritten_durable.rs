//! The baseline of durable mode in the load benchmark: the hand-written receiver
//! committing each body to SQLite before answering
//! ([`meta_webhooks_benches::handwritten_durable`]), on `META_WEBHOOK_DB`.

#[tokio::main]
async fn main() {
    let db = std::env::var("META_WEBHOOK_DB").unwrap_or_else(|_| "handwritten.db".to_owned());
    meta_webhooks_benches::serve(meta_webhooks_benches::handwritten_durable(
        std::path::Path::new(&db),
    ))
    .await;
}
