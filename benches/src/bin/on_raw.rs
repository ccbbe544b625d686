//! A user's crate as the README writes it: one no-op `#[on]` handler for Page
//! feed changes taking the raw item, the bundled server (`META_*`).

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
