//! The framework side of the load benchmark's comparison: the bundled server in
//! inline mode with one no-op handler per Page feed change and Messenger message,
//! taking the raw item (`BENCH_HANDLER=raw`, the default) or our typed value
//! (`BENCH_HANDLER=typed`). Configured like the bot (`META_*`).
//!
//! `BENCH_SERVE=axum` serves the same router with `axum::serve`, as the baselines
//! are served, instead of the bundled server's connection loop (header and body
//! deadlines, connection cap, graceful drain): the difference is what those cost.

use webhook_server::Server;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The load program reads the listening address from the log.
    webhook_server::logging::init();
    let typed = std::env::var("BENCH_HANDLER").is_ok_and(|h| h == "typed");
    let routes = meta_webhooks_benches::framework_routes(typed);
    let server = Server::from_env()?.dispatcher(|_| routes);
    if std::env::var("BENCH_SERVE").is_ok_and(|s| s == "axum") {
        let listener = tokio::net::TcpListener::bind(server.config().bind_addr()).await?;
        eprintln!(
            "listening on http://{}{}",
            listener.local_addr()?,
            server.config().path()
        );
        axum::serve(listener, server.into_router()?.0).await?;
        return Ok(());
    }
    Ok(server.serve().await?)
}
