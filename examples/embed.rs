//! Mounting the webhook routes into an existing axum application, with a field
//! type of your own.
//!
//! ```sh
//! META_APP_SECRET=dev-secret META_VERIFY_TOKEN=dev-token cargo run --example embed
//! ```

use axum::Router;
use axum::routing::get;
use serde::Deserialize;
use webhook_server::{EntryMeta, Payload, Server, on};

/// Your own type for a field: any `serde::Deserialize` works through `Payload<T>`.
/// Meta sends lead ids as numbers or strings; a `serde_json::Value` takes both.
#[derive(Deserialize)]
struct Lead {
    leadgen_id: serde_json::Value,
    form_id: serde_json::Value,
}

#[on(object = "page", field = "leadgen")]
async fn lead(Payload(lead): Payload<Lead>, meta: EntryMeta) -> anyhow::Result<()> {
    tracing::info!(
        "page {}: new lead {} from form {}",
        meta.id,
        lead.leadgen_id,
        lead.form_id
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    webhook_server::logging::init();
    let webhooks = Server::from_env()?;
    let addr = webhooks.config().bind_addr();
    let limits = webhooks.config().limits();
    // The routes, and durable mode's workers: nothing runs until they are spawned.
    let (routes, workers) = webhooks.into_router()?;
    let app = Router::new()
        .route("/", get(|| async { "my existing application" }))
        .merge(routes);
    let workers = workers.spawn();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    // Not `axum::serve`: this applies the transport limits (header and body
    // deadlines, header size, connection caps in all and per address) to the whole
    // application, as `Server::serve` does.
    webhook_server::serve_router(listener, app, limits, webhook_server::shutdown_signal()).await?;
    // Each worker finishes the delivery it holds; the rest stay stored.
    workers.shutdown().await;
    Ok(())
}
