// A user's crate as the README writes it: one no-op `#[on]` handler for Page feed
// changes taking the raw item, and the bundled server configured by `META_*`.
// Included by the `on_raw` receivers of the load benchmark.

use std::hint::black_box;

use webhook_server::{RawItem, Server, on};

#[on(object = "page", field = "feed")]
async fn feed(item: RawItem) {
    black_box(item);
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    webhook_server::logging::init();
    Ok(Server::from_env()?.serve().await?)
}
