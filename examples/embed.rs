//! Mounting the webhook routes into an existing axum application, with a field
//! type of your own.
//!
//! ```sh
//! META_APP_SECRET=dev-secret META_VERIFY_TOKEN=dev-token cargo run --example embed
//! ```

use axum::Router;
use axum::routing::get;
use serde::Deserialize;
use webhook_server::{EntryMeta, Server, Value, on};

/// Your own type for a field: any `serde::Deserialize` works through `Value<T>`.
/// Meta sends lead ids as numbers or strings; a `serde_json::Value` takes both.
#[derive(Deserialize)]
struct Lead {
    leadgen_id: serde_json::Value,
    form_id: serde_json::Value,
}

#[on(object = "page", field = "leadgen")]
async fn lead(Value(lead): Value<Lead>, meta: EntryMeta) -> anyhow::Result<()> {
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
    webhook_server::logging::try_init();
    let webhooks = Server::from_env()?;
    let addr = webhooks.config().bind_addr();
    let app = Router::new()
        .route("/", get(|| async { "my existing application" }))
        .merge(webhooks.into_router()?);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(webhook_server::shutdown_signal())
        .await?;
    Ok(())
}
