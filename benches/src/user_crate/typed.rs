// A user's crate as the README writes it: one no-op `#[on]` handler for Page feed
// changes taking our typed value, and the bundled server configured by `META_*`.
// Included by the `on_typed` receivers of the load benchmark.

use std::hint::black_box;

use webhook_server::fields::page::Feed;
use webhook_server::{Payload, Server, on};

#[on(object = "page", field = "feed")]
async fn feed(Payload(feed): Payload<Feed>) {
    black_box(feed);
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    webhook_server::logging::init();
    Ok(Server::from_env()?.serve().await?)
}
