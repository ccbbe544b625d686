//! The core of meta-webhooks: everything between "these raw bytes arrived with this
//! signature header" and "every matching handler ran".
//!
//! A Meta webhook delivery is a [`Notification`]: an `object` (`page`, `instagram`,
//! `whatsapp_business_account`, ...) and a list of entries, each holding changes,
//! messaging events, standby events or changed field names. Every one of those is a
//! routed [`Item`] with a subscription field, and every item reaches each handler
//! registered for its `(object, field)`.
//!
//! ```
//! use webhook_core::{on, Dispatcher, EntryMeta, Notification, Payload};
//!
//! #[derive(serde::Deserialize)]
//! struct Feed { item: String, verb: String }
//!
//! #[on(object = "page", field = "feed")]
//! async fn feed(Payload(post): Payload<Feed>, meta: EntryMeta) -> Result<(), std::io::Error> {
//!     println!("page {}: {} {}", meta.id, post.item, post.verb);
//!     Ok(())
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dispatcher = Dispatcher::builder().registered_handlers().build().unwrap();
//! let body = br#"{"object":"page","entry":[{"id":"1","time":1700000000,
//!     "changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;
//! let report = dispatcher.dispatch(&Notification::parse(body).unwrap()).await;
//! assert_eq!(report.items()[0].runs()[0].handler.name, "feed");
//! # });
//! ```
//!
//! - [`signature`]: `X-Hub-Signature-256` checks over the raw bytes.
//! - [`handshake`]: the `GET` verification handshake.
//! - [`routing`]: the routing algorithm and the messaging-event table.
//! - [`extract`]: handler arguments ([`Payload<T>`], [`EntryMeta`], [`State<T>`], ...).
//! - [`select`]: routing below the field (`when(key = "value")` filters, `each`).
//! - [`fields`]: typed values of Meta's fields.
//! - [`dispatch`]: the [`Dispatcher`], its [`Route`]s and its [`DispatchReport`].
//! - [`idempotency`]: natural keys of items and keys of `(item, handler)` pairs.
//! - `delivery` (feature `durable`): durable delivery (store, workers, retries, dead
//!   letters, dedup), with the SQLite (`sqlite`) and NATS JetStream (`nats`) stores.
//!
//! # Features
//!
//! | feature | gives | default |
//! |---|---|---|
//! | `macros` | the `#[on]` attribute | yes |
//! | `durable` | `delivery`: the store trait, the in-memory store and the worker engine | no |
//! | `sqlite` | `delivery::sqlite` (rusqlite, SQLite compiled in; needs a C compiler) | no |
//! | `nats` | `delivery::nats` (async-nats) | no |
//!
//! Handlers return `()` or `Result<(), E>`. Meta delivers at least once and retries
//! failed deliveries, so handlers must be idempotent.

#![cfg_attr(docsrs, feature(doc_cfg))]

#[allow(
    unused_extern_crates,
    reason = "lets `#[on]` inside this crate name `::webhook_core`"
)]
extern crate self as webhook_core;

#[cfg(feature = "durable")]
pub mod delivery;
pub mod dispatch;
pub mod extract;
pub mod field_check;
pub mod fields;
pub mod handler;
pub mod handshake;
pub mod idempotency;
mod json_str;
mod messaging_events;
pub mod names;
pub mod observe;
pub mod payload;
pub mod registry;
pub mod report;
pub mod routing;
pub mod select;
pub mod signature;
pub mod state;

pub use dispatch::{
    BuildError, DEFAULT_HANDLER_TIMEOUT, Dispatcher, DispatcherBuilder, Route, Target,
};
pub use extract::{
    ChangeKeys, EntryMeta, FromItem, ItemContext, Object, OptionalFromItem, Payload, RawEntry,
    RawItem, Rejection, State,
};
pub use handler::{BoxError, Handler, IntoOutcome};
pub use payload::{Entry, Notification, ParseError};
pub use report::{DispatchReport, HandlerRun, ItemReport, Outcome};
pub use routing::{Item, ItemKind};
pub use state::StateMap;

#[cfg(feature = "macros")]
pub use webhook_macros::on;

/// Used by the code `#[on]` generates. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::{HandlerInfo, Registration, StaticRoute, Target};
    pub use crate::{field_check, names};
    pub use inventory;

    use std::future::Future;

    use crate::extract::{FromItem, ItemContext, Rejection};
    use crate::handler::{HandlerError, HandlerFuture, IntoOutcome};
    use crate::state::{MissingState, StateMap};

    /// Extracts one argument; fails to compile, at the argument, when `T` is not one.
    pub fn extract<T: FromItem>(cx: &ItemContext<'_>) -> Result<T, Rejection> {
        T::from_item(cx)
    }

    /// The call's future when an argument was rejected.
    #[must_use]
    pub fn rejected(rejection: Rejection) -> HandlerFuture {
        Box::pin(std::future::ready(Err(HandlerError::Rejected(rejection))))
    }

    /// Adds the argument's missing start-up requirement, if any.
    pub fn preflight_arg<T: FromItem>(states: &StateMap, missing: &mut Vec<MissingState>) {
        if let Err(e) = T::preflight(states) {
            missing.push(e);
        }
    }

    /// Boxes a handler's future: `<ReturnType as Finish>::finish(handler(..))`, so that
    /// a return type that is not an outcome is one error at the return type, and a
    /// future that is not `Send` one error at the function.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a valid webhook handler return type",
        label = "handlers return `()` or `Result<(), E>`",
        note = "the error type must convert into `Box<dyn std::error::Error + Send + Sync>`, as `anyhow::Error`, `std::io::Error` and `String` do"
    )]
    pub trait Finish: IntoOutcome + Sized + 'static {
        /// The call's future, boxed.
        fn finish<F>(future: F) -> HandlerFuture
        where
            F: Future<Output = Self> + Send + 'static,
        {
            Box::pin(async move { future.await.into_outcome().map_err(HandlerError::Failed) })
        }
    }

    impl<T: IntoOutcome + 'static> Finish for T {}
}

/// The crate README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
