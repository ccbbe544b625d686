//! The bundled server of meta-webhooks, with everything from `webhook-core`
//! re-exported, so that an application names this one crate.
//!
//! ```no_run
//! use webhook_server::{on, EntryMeta, Server, Payload};
//!
//! #[derive(serde::Deserialize)]
//! struct Feed { item: String, verb: String }
//!
//! #[on(object = "page", field = "feed")]
//! async fn feed(Payload(post): Payload<Feed>, meta: EntryMeta) -> anyhow::Result<()> {
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
//!
//! # Features
//!
//! | feature | gives | default |
//! |---|---|---|
//! | `sqlite` | durable mode on an embedded SQLite file, the default mode (needs a C compiler) | yes |
//! | `nats` | NATS JetStream mode: several receivers and workers | no |
//! | `tls` | HTTPS and Meta's mutual TLS with rustls | no |
//! | `metrics` | Prometheus `/metrics`, `/healthz`, `/readyz` on a side listener | no |
//! | `logging` | `logging::init()`: log lines to standard error (`RUST_LOG`, text or JSON) | no |
//! | `fixtures` | sample bodies of every documented field | no |
//! | `testing` | signed requests, an in-process test client, and the fixtures | no |
//! | `graph` | [`graph::Graph`], a small Graph API client for handlers (replies, read receipts) | no |
//! | `cli` | the `meta-webhooks` command and `cli::main()` for your own binary | no |
//!
//! Without default features the server runs inline (handlers before the answer),
//! or durable with a store you pass to [`Server::store`].

#![cfg_attr(docsrs, feature(doc_cfg))]

#[allow(
    unused_extern_crates,
    reason = "lets `#[on]` inside this crate name `::webhook_server`"
)]
extern crate self as webhook_server;

#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
#[cfg(feature = "console")]
pub mod console;
#[cfg(any(feature = "cli", feature = "console"))]
pub mod deliveries;
#[cfg(feature = "fixtures")]
pub mod explain;
#[cfg(feature = "fixtures")]
pub mod fixtures;
#[cfg(feature = "graph")]
pub mod graph;
mod head_scan;
#[cfg(feature = "logging")]
pub mod logging;
pub mod observe;
mod per_address;
mod quiet;
pub mod routes;
mod serve;
mod server;
pub mod stats;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

pub use config::{Config, ConfigBuilder, ConfigError, Limits, Mode, Role};
pub use serve::serve_router;
pub use server::{RunningWorkers, Server, ServerError, Workers, shutdown_signal};
pub use stats::{Stats, StatsSnapshot};

// `webhook-core`, re-exported by name so that an application names this one crate.
#[doc(hidden)]
pub use webhook_core::__private;
pub use webhook_core::{
    BoxError, BuildError, ChangeKeys, DEFAULT_HANDLER_TIMEOUT, DispatchReport, Dispatcher,
    DispatcherBuilder, Entry, EntryMeta, FromItem, Handler, HandlerRun, IntoOutcome, Item,
    ItemContext, ItemKind, ItemReport, Notification, Object, OptionalFromItem, Outcome, ParseError,
    Payload, RawEntry, RawItem, Rejection, Route, State, StateMap, Target,
};
pub use webhook_core::{
    delivery, dispatch, extract, field_check, fields, handler, handshake, idempotency, names,
    payload, registry, report, routing, select, signature, state,
};
/// Registers an `async fn` as a handler: `webhook_core::on`, finding the runtime
/// through this crate, so that an application depending on `webhook-server` alone
/// can use it. Under another name (`[dependencies] hooks = { package =
/// "webhook-server" }`), add `crate = ::hooks`.
pub use webhook_macros::on_via_server as on;

/// The README's Rust examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
