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
//! use webhook_core::{on, Dispatcher, EntryMeta, Notification, Value};
//!
//! #[derive(serde::Deserialize)]
//! struct Feed { item: String, verb: String }
//!
//! #[on(object = "page", field = "feed")]
//! async fn feed(Value(post): Value<Feed>, meta: EntryMeta) -> Result<(), std::io::Error> {
//!     println!("page {}: {} {}", meta.id, post.item, post.verb);
//!     Ok(())
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dispatcher = Dispatcher::builder().build().unwrap();
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
//! - [`extract`]: handler arguments ([`Value<T>`], [`EntryMeta`], [`State<T>`], ...).
//! - [`select`]: routing below the field (`key = "value"` filters, `each`).
//! - [`fields`]: typed values of Meta's fields.
//! - [`dispatch`]: the [`Dispatcher`] and its [`DispatchReport`].
//! - [`delivery`]: durable delivery (store, workers, retries, dead letters, dedup).
//!
//! Handlers return `()` or `Result<(), E>`. Meta delivers at least once and retries
//! failed deliveries, so handlers must be idempotent.

#[allow(
    unused_extern_crates,
    reason = "lets `#[on]` inside this crate name `::webhook_core`"
)]
extern crate self as webhook_core;

pub mod delivery;
pub mod dispatch;
pub mod extract;
pub mod field_check;
pub mod fields;
pub mod handler;
pub mod handshake;
pub mod observe;
pub mod payload;
pub mod registry;
pub mod report;
pub mod routing;
pub mod select;
pub mod signature;
pub mod state;

pub use dispatch::{BuildError, DEFAULT_HANDLER_TIMEOUT, Dispatcher, DispatcherBuilder};
pub use extract::{
    EntryMeta, FromItem, ItemContext, Object, RawEntry, RawItem, Rejection, State, Value,
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
    pub use crate::field_check::{FieldName, Probe, ViaAny, ViaTyped};
    pub use crate::registry::{HandlerInfo, Registration, Target};
    pub use inventory;

    use crate::extract::{FromItem, ItemContext};
    use crate::handler::{Handler, HandlerFuture, IntoOutcome};
    use crate::state::{MissingState, StateMap};

    /// Fails to compile, at the argument, when `T` is not a handler argument.
    pub const fn assert_extractor<T: FromItem>() {}

    /// Fails to compile, at the return type, when `T` is not a handler outcome.
    pub const fn assert_outcome<T: IntoOutcome>() {}

    /// Fails to compile, at the function, when its future is not `Send`.
    pub fn assert_send<T: Send>(_: T) {}

    /// Starts a call of `handler`.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "takes the fn item as the macro writes it"
    )]
    pub fn call<H: Handler<A>, A>(handler: H, cx: &ItemContext<'_>) -> HandlerFuture {
        handler.call(cx)
    }

    /// Runs `handler`'s start-up checks.
    #[must_use]
    #[allow(
        clippy::needless_pass_by_value,
        reason = "takes the fn item as the macro writes it"
    )]
    pub fn preflight<H: Handler<A>, A>(_: H, states: &StateMap) -> Vec<MissingState> {
        H::preflight(states)
    }
}
