//! The bundled server of meta-webhooks, with everything from `webhook-core`
//! re-exported, so that an application names this one crate.
//!
//! ```no_run
//! use webhook_server::{on, EntryMeta, Server, Value};
//!
//! #[derive(serde::Deserialize)]
//! struct Feed { item: String, verb: String }
//!
//! #[on(object = "page", field = "feed")]
//! async fn feed(Value(post): Value<Feed>, meta: EntryMeta) -> anyhow::Result<()> {
//!     tracing::info!("page {}: {} {}", meta.id, post.item, post.verb);
//!     Ok(())
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), webhook_server::ServerError> {
//!     // META_APP_SECRET and META_VERIFY_TOKEN are required.
//!     Server::from_env()?.serve().await
//! }
//! ```
//!
//! To mount the routes into an existing axum application, use
//! [`Server::into_router`] and merge the result. The status policy is in
//! [`routes`].

#[allow(
    unused_extern_crates,
    reason = "lets `#[on]` inside this crate name `::webhook_server`"
)]
extern crate self as webhook_server;

pub mod cli;
pub mod config;
pub mod deliveries;
pub mod explain;
pub mod fixtures;
pub mod logging;
pub mod observe;
pub mod routes;
mod serve;
mod server;
pub mod stats;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

pub use config::{Config, ConfigBuilder, ConfigError, Limits, Mode, Role};
pub use server::{Server, ServerError, Workers, shutdown_signal};
pub use stats::{Stats, StatsSnapshot};
pub use webhook_core::*;

/// The README's Rust examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
