//! Handler arguments: types built from one routed item.
//!
//! | argument | gives |
//! |---|---|
//! | [`Payload<T>`] | the item's value deserialised into any `T: Deserialize` (your own field types plug in here) |
//! | [`RawItem`] | object, field, kind, entry id and the raw JSON value |
//! | [`EntryMeta`] | the entry's id and time |
//! | [`RawEntry`] | the whole entry's raw JSON, unknown keys included |
//! | [`State<T>`] | shared state given to [`DispatcherBuilder::state`](crate::DispatcherBuilder::state) |
//! | [`Object`] | the notification's object |
//! | `Option<E>` | `None` when the part is absent: `Option<State<T>>` when no `T` was given (and no start-up check), `Option<Payload<T>>` when the value is missing or `null` (a `changed_fields` name); a part that is present but invalid is still rejected. Implemented for the extractors that implement [`OptionalFromItem`] |
//! | `Result<E, Rejection>` | the rejection itself |
//!
//! Extraction is synchronous and produces owned values, so a handler's future is
//! `'static`; asynchronous work belongs in the handler body. Implement [`FromItem`]
//! for a domain type that validates or combines several parts of an item, and
//! [`OptionalFromItem`] to let handlers take it as `Option<T>`:
//!
//! ```
//! use webhook_core::{FromItem, ItemContext, Rejection};
//!
//! /// The Page, Instagram account or WABA an item is about.
//! struct AccountId(String);
//!
//! impl FromItem for AccountId {
//!     fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
//!         cx.item()
//!             .entry()
//!             .id()
//!             .map(|id| Self(id.to_owned()))
//!             .ok_or_else(|| Rejection::new("the entry has no id"))
//!     }
//! }
//!
//! async fn handler(AccountId(id): AccountId) { println!("{id}"); }
//! ```
//!
//! `examples/own_extractor.rs` is a whole one, with its test;
//! [`fields::whatsapp::ChangeContext`](crate::fields::whatsapp::ChangeContext) is a
//! larger one.

use std::any::type_name;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::routing::Item;
use crate::select::Element;
use crate::state::{MissingState, StateMap};

/// What an extractor sees: the routed item and the dispatcher's state.
#[derive(Debug, Clone, Copy)]
pub struct ItemContext<'n> {
    item: Item<'n>,
    element: Option<Element<'n>>,
    states: &'n StateMap,
}

impl<'n> ItemContext<'n> {
    /// Pairs an item with the state map it is dispatched with.
    #[must_use]
    pub fn new(item: Item<'n>, states: &'n StateMap) -> Self {
        Self {
            item,
            element: None,
            states,
        }
    }

    /// The same context for one element of an array (routes with `each`).
    #[must_use]
    pub fn with_element(self, element: Element<'n>) -> Self {
        Self {
            element: Some(element),
            ..self
        }
    }

    /// The element a route with `each` is called for.
    #[must_use]
    pub fn element(&self) -> Option<Element<'n>> {
        self.element
    }

    /// What [`Payload<T>`] reads: the element for routes with `each`, else the item's value.
    #[must_use]
    pub fn value(&self) -> &'n RawValue {
        self.element.map_or(self.item.value(), |e| e.value)
    }

    /// The routed item.
    #[must_use]
    pub fn item(&self) -> Item<'n> {
        self.item
    }

    /// The dispatcher's shared state.
    #[must_use]
    pub fn states(&self) -> &'n StateMap {
        self.states
    }
}

/// Types a handler can take as an argument, built from one routed item.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a webhook handler argument",
    label = "not a handler argument",
    note = "handler arguments implement `FromItem`: `Payload<T>`, `RawItem`, `EntryMeta`, `RawEntry`, `ChangeKeys<T>`, `State<T>`, `Object`, `Option<_>`, `Result<_, Rejection>`, or your own type",
    note = "to read the item's value into `{Self}`, take `Payload<{Self}>` (with `#[derive(serde::Deserialize)]` on `{Self}`)"
)]
pub trait FromItem: Sized {
    /// Builds the argument, or says why it cannot.
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection>;

    /// Checked once when the dispatcher is built, so that a missing [`State<T>`]
    /// stops start-up instead of failing every delivery. Only state-like
    /// extractors override it.
    fn preflight(_states: &StateMap) -> Result<(), MissingState> {
        Ok(())
    }
}

/// Why an extractor could not build its argument. The handler is not called and
/// its outcome is [`Outcome::Rejected`](crate::Outcome::Rejected).
#[derive(Debug)]
pub struct Rejection {
    message: String,
}

impl Rejection {
    /// A rejection with a message saying what was expected.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rejection {}

/// The item's value deserialised into `T`.
///
/// For a change that is `value`; for a messaging or standby event the whole event
/// (`sender`, `recipient`, `timestamp` and the event key: filters look inside the
/// event key's object, `Payload<T>` gets the whole event); for a handler routed with
/// `each`, the element it is called for; for a `changed_fields` name it is `null`
/// (use `Payload<Option<T>>` or [`RawItem`]). Unknown keys are ignored by serde's
/// defaults, so Meta adding a key never rejects your type.
///
/// ```
/// # use webhook_core::Payload;
/// #[derive(serde::Deserialize)]
/// struct Lead { leadgen_id: String }
///
/// async fn on_lead(Payload(lead): Payload<Lead>) {
///     println!("new lead {}", lead.leadgen_id);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload<T>(pub T);

impl<T: DeserializeOwned> FromItem for Payload<T> {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        let item = cx.item();
        serde_json::from_str(cx.value().get())
            .map(Payload)
            .map_err(|e| {
                Rejection::new(format!(
                    "the value of ({}, {}) is not a `{}`: {e}",
                    item.object(),
                    item.field().unwrap_or("<unknown>"),
                    type_name::<T>()
                ))
            })
    }
}

impl<T> Deref for Payload<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The routed item, owned: object, field, kind, entry id and the raw JSON value.
#[derive(Debug, Clone)]
pub struct RawItem {
    /// The notification's object.
    pub object: String,
    /// The subscription field; `None` for a messaging event outside the routing table.
    pub field: Option<String>,
    /// Where the item came from: `change`, `changed_fields`, the messaging event key,
    /// `standby`, `entry_field` or `threads`.
    pub kind: String,
    /// The entry's id (see [`Entry::id`](crate::Entry::id)).
    pub entry_id: Option<String>,
    /// The item's JSON, exactly as received (for routes with `each`, the whole
    /// value holding the array; the element is in [`element`](Self::element)).
    pub value: Box<RawValue>,
    /// For routes with `each`: the element this call is for.
    pub element: Option<RawElement>,
    /// A change's keys beside `field` and `value`, raw (`action` of Page
    /// `page_upcoming_change`); empty for other items (see
    /// [`Item::change_keys`](crate::Item::change_keys)).
    pub change_keys: Vec<(String, Box<RawValue>)>,
}

/// One element of the array a route iterates with `each`.
#[derive(Debug, Clone)]
pub struct RawElement {
    /// The array's key (`messages`, `statuses`, ...).
    pub key: String,
    /// The element's position in the array.
    pub index: usize,
    /// The element's JSON, exactly as received.
    pub value: Box<RawValue>,
}

impl RawItem {
    /// Deserialises the value into `T`.
    pub fn value_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.value.get())
    }
}

impl FromItem for RawItem {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        let item = cx.item();
        Ok(Self {
            object: item.object().to_owned(),
            field: item.field().map(str::to_owned),
            kind: item.kind().name().to_owned(),
            entry_id: item.entry().id().map(str::to_owned),
            value: item.value().to_owned(),
            element: cx.element().map(|e| RawElement {
                key: e.key.to_owned(),
                index: e.index,
                value: e.value.to_owned(),
            }),
            change_keys: item
                .change_keys()
                .map(|(key, value)| (key.to_owned(), value.to_owned()))
                .collect(),
        })
    }
}

/// A change's keys beside `field` and `value`, deserialised into `T`: Page
/// `page_upcoming_change` and `page_change_proposal` carry their `action` there
/// ([`page::ProposalKeys`](crate::fields::page::ProposalKeys)). Empty (`{}`) for
/// other items, so a `T` whose fields are all optional always reads.
///
/// ```
/// use webhook_core::{on, ChangeKeys, Payload};
/// use webhook_core::fields::page::{ChangeAction, ProposalKeys, UpcomingChange};
///
/// #[on(object = "page", field = "page_upcoming_change")]
/// async fn upcoming(Payload(change): Payload<UpcomingChange>, ChangeKeys(keys): ChangeKeys<ProposalKeys>) {
///     if keys.action == Some(ChangeAction::Pending) {
///         println!("{:?} awaits a decision", change.proposal);
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeKeys<T>(pub T);

impl<T: DeserializeOwned> FromItem for ChangeKeys<T> {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        let item = cx.item();
        let mut object = String::from("{");
        let mut written: Vec<&str> = Vec::new();
        for (key, value) in item.change_keys() {
            // The first of a repeated key, as `Item::change_key` reads it.
            if written.contains(&key) {
                continue;
            }
            if !written.is_empty() {
                object.push(',');
            }
            written.push(key);
            // The key was unescaped when parsed: written back as a JSON string.
            object.push_str(&serde_json::to_string(key).expect("a string serialises"));
            object.push(':');
            object.push_str(value.get());
        }
        object.push('}');
        serde_json::from_str(&object).map(ChangeKeys).map_err(|e| {
            Rejection::new(format!(
                "the keys beside the field of ({}, {}) are not a `{}`: {e}",
                item.object(),
                item.field().unwrap_or("<unknown>"),
                type_name::<T>()
            ))
        })
    }
}

/// The entry's id and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMeta {
    /// The object id (Page, Instagram account, WABA, user ...) as sent, falling back
    /// to the legacy `uid`; `"0"` for App Dashboard test notifications. Empty when
    /// Meta sent neither.
    pub id: String,
    /// `entry[].time` as sent: seconds for Graph topics, milliseconds for messaging
    /// entries, `None` when absent (WhatsApp `messages`). See
    /// [`time_unix_seconds`](Self::time_unix_seconds).
    pub time: Option<u64>,
}

impl EntryMeta {
    /// [`time`](Self::time) in Unix seconds, reading numbers above 10^11 as milliseconds.
    #[must_use]
    pub fn time_unix_seconds(&self) -> Option<u64> {
        self.time.map(crate::payload::unix_seconds)
    }

    /// Whether this is an App Dashboard test notification (entry id `"0"`).
    #[must_use]
    pub fn is_test(&self) -> bool {
        self.id == "0"
    }
}

impl FromItem for EntryMeta {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        let entry = cx.item().entry();
        Ok(Self {
            id: entry.id().unwrap_or_default().to_owned(),
            time: entry.time(),
        })
    }
}

/// The whole entry's JSON, exactly as received (unknown keys included).
#[derive(Debug, Clone)]
pub struct RawEntry(pub Box<RawValue>);

impl FromItem for RawEntry {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        Ok(Self(cx.item().entry().raw().to_owned()))
    }
}

/// The notification's `object` (`page`, `instagram`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object(pub String);

impl FromItem for Object {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        Ok(Self(cx.item().object().to_owned()))
    }
}

/// Shared state of type `T`, given to
/// [`DispatcherBuilder::state`](crate::DispatcherBuilder::state).
///
/// Building the dispatcher fails, naming the handler, when a handler takes a
/// `State<T>` that was never given.
#[derive(Debug)]
pub struct State<T: ?Sized>(pub Arc<T>);

impl<T: ?Sized> Clone for State<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: ?Sized> Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Send + Sync + 'static> FromItem for State<T> {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        cx.states()
            .get::<T>()
            .map(State)
            .ok_or_else(|| Rejection::new(MissingState::of::<T>().to_string()))
    }

    fn preflight(states: &StateMap) -> Result<(), MissingState> {
        if states.get::<T>().is_some() {
            Ok(())
        } else {
            Err(MissingState::of::<T>())
        }
    }
}

/// Extractors whose part can be absent, for `Option<E>` arguments: `None` when the
/// part is absent, a [`Rejection`] when it is present but invalid (as axum 0.8's
/// `OptionalFromRequestParts`). To accept a rejection as well, take
/// `Result<E, Rejection>`.
#[diagnostic::on_unimplemented(
    message = "`Option<{Self}>` cannot be used as a webhook handler argument",
    label = "`{Self}` is never absent",
    note = "`Option<E>` is for parts that can be absent: `Option<Payload<T>>`, `Option<State<T>>`, or your own `OptionalFromItem` type",
    note = "to see why `{Self}` was rejected instead, take `Result<{Self}, Rejection>`"
)]
pub trait OptionalFromItem: Sized {
    /// Builds the argument, `Ok(None)` when its part is absent.
    fn from_item_optional(cx: &ItemContext<'_>) -> Result<Option<Self>, Rejection>;
}

impl<E: OptionalFromItem> FromItem for Option<E> {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        E::from_item_optional(cx)
    }
}

impl<T: DeserializeOwned> OptionalFromItem for Payload<T> {
    fn from_item_optional(cx: &ItemContext<'_>) -> Result<Option<Self>, Rejection> {
        if cx.value().get().trim() == "null" {
            return Ok(None);
        }
        Self::from_item(cx).map(Some)
    }
}

impl<T: Send + Sync + 'static> OptionalFromItem for State<T> {
    fn from_item_optional(cx: &ItemContext<'_>) -> Result<Option<Self>, Rejection> {
        Ok(cx.states().get::<T>().map(State))
    }
}

impl<T: FromItem> FromItem for Result<T, Rejection> {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        Ok(T::from_item(cx))
    }
}
