//! The dispatcher: runs every matching handler for every routed item, and reports
//! how each call ended.
//!
//! Routing is precomputed when the dispatcher is built. An item goes to every
//! handler registered for its `(object, field)` and every handler registered for
//! its whole object (`#[on(object = "page")]`), in registration order (source file
//! and line for `#[on]`, then routes added with the builder in the order added).
//! An item that no such handler receives goes to the catch-all handlers
//! (`#[on(catch_all)]`), if any.
//!
//! A handler's error, rejected argument or panic is caught and reported; it never
//! stops the other handlers or items. Items are dispatched in delivery order, one
//! handler call at a time unless [`DispatcherBuilder::concurrency`] allows more.
//!
//! Every call is bounded in time: by the route's own timeout
//! (`#[on(.., timeout = "..")]`, [`Route::timeout`]), else by
//! [`DispatcherBuilder::handler_timeout`] (default [`DEFAULT_HANDLER_TIMEOUT`]). A
//! call past its bound is dropped (cancelled at its next `.await`) and reported as
//! [`Outcome::TimedOut`](crate::Outcome::TimedOut), so a hung handler cannot hold a
//! worker or a delivery forever. Dispatching therefore needs a Tokio runtime with
//! its timer enabled (`#[tokio::main]`, or a runtime built with `enable_time`).

mod builder;
mod call;
mod error;
pub(crate) mod gate;
mod route;
mod table;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};

pub use crate::registry::Target;
pub use builder::DispatcherBuilder;
pub use error::{BuildError, Problem, is_valid_name};
pub use route::Route;

use crate::observe;
use crate::payload::{Notification, ParseError};
use crate::registry::HandlerInfo;
use crate::report::{DispatchReport, Reports};
use crate::routing::Item;
use crate::select::{self, Element, Keys};
use crate::state::StateMap;
use gate::Gate;
use table::Table;

/// One call of a delivery: item index, route index, element for `each` routes.
type Call<'n> = (usize, usize, Option<Element<'n>>);

/// How long a handler call may take unless configured otherwise: 30 seconds.
pub const DEFAULT_HANDLER_TIMEOUT: Duration = Duration::from_secs(30);

/// Routes items to handlers. Cheap to share: wrap it in an `Arc`.
pub struct Dispatcher {
    table: Table,
    states: StateMap,
    concurrency: usize,
    timeout: Duration,
}

impl Dispatcher {
    /// A builder with no routes. Add `#[on]` handlers with
    /// [`registered_handlers`](DispatcherBuilder::registered_handlers), routes by
    /// hand with [`route`](DispatcherBuilder::route), or both.
    #[must_use]
    pub fn builder() -> DispatcherBuilder {
        DispatcherBuilder::default()
    }

    /// Every handler with its route, in registration order.
    pub fn handlers(&self) -> impl Iterator<Item = (&Route, HandlerInfo)> {
        self.table.entries.iter().map(|e| (&e.route, e.info))
    }

    /// Every handler with the time limit its calls get (its own, or the
    /// dispatcher's).
    pub fn handler_timeouts(&self) -> impl Iterator<Item = (HandlerInfo, Duration)> {
        self.table
            .entries
            .iter()
            .map(|e| (e.info, e.timeout().unwrap_or(self.timeout)))
    }

    /// The shared state of type `T` given to the builder, if any.
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.states.get::<T>()
    }

    /// Parses a body and dispatches it.
    pub async fn dispatch_body(&self, body: &[u8]) -> Result<DispatchReport, ParseError> {
        let notification = Notification::parse(body)?;
        Ok(self.dispatch(&notification).await)
    }

    /// Runs every matching handler for every item of a notification.
    pub async fn dispatch(&self, notification: &Notification<'_>) -> DispatchReport {
        self.dispatch_inner(notification, None).await
    }

    /// Like [`dispatch`](Self::dispatch), skipping pairs the gate says are done and
    /// claiming idempotency keys for `idempotent` routes (the durable path).
    #[cfg(feature = "durable")]
    pub(crate) async fn dispatch_gated(
        &self,
        notification: &Notification<'_>,
        gate: &dyn Gate,
    ) -> DispatchReport {
        self.dispatch_inner(notification, Some(gate)).await
    }

    async fn dispatch_inner(
        &self,
        notification: &Notification<'_>,
        gate: Option<&dyn Gate>,
    ) -> DispatchReport {
        let items: Vec<Item<'_>> = notification.items().collect();
        let ids = gate.map(|_| crate::idempotency::item_ids(&items));
        let id = |index: usize| ids.as_ref().map(|ids| ids[index].as_str());
        let mut reports = Reports::with_capacity(items.len());
        let mut spans = Vec::with_capacity(items.len());
        let mut calls = Vec::new();
        // Items of a batch mostly share their object and field: look routes up again
        // only when they change.
        let mut last: Option<(&str, Option<&str>, &[usize])> = None;
        for (index, item) in items.iter().enumerate() {
            let entry = item.entry().id();
            observe::item(item.object(), item.field(), entry);
            spans.push(tracing::info_span!(
                "item",
                object = item.object(),
                field = item.field(),
                entry,
                kind = item.kind().name()
            ));
            let before = calls.len();
            let routes = match last {
                Some((object, field, routes))
                    if object == item.object() && field == item.field() =>
                {
                    routes
                }
                _ => self.table.routes_for(item),
            };
            last = Some((item.object(), item.field(), routes));
            self.select(index, item, routes, &mut calls);
            let to_catch_all = calls.len() == before;
            if to_catch_all {
                calls.extend(
                    self.table
                        .catch_all
                        .iter()
                        .map(|&route| (index, route, None)),
                );
            }
            reports.push(item, to_catch_all, before..calls.len());
        }
        let mut runs = Vec::with_capacity(calls.len());
        if self.concurrency == 1 {
            // One call after another: no buffer of futures to build and poll, and
            // one clock reading per call (a call starts when the one before ends).
            let mut start = Instant::now();
            for (index, route, element) in calls {
                let (run, end) = if gate.is_none() {
                    let route = &self.table.entries[route];
                    self.run_inline(items[index], route, element, &spans[index], start)
                        .await
                } else {
                    // Boxed: the general call's future is large (see `run`).
                    Box::pin(self.run(
                        id(index),
                        items[index],
                        route,
                        element,
                        gate,
                        &spans[index],
                        Some(start),
                    ))
                    .await
                };
                runs.push(run);
                start = end;
            }
            return DispatchReport {
                items: reports.finish(runs),
            };
        }
        // Futures are built in a loop, not a closure: a closure here makes the
        // future's lifetimes higher-ranked and it stops being provably `Send`.
        let mut futures = Vec::with_capacity(calls.len());
        for (index, route, element) in calls {
            futures.push(self.run(
                id(index),
                items[index],
                route,
                element,
                gate,
                &spans[index],
                None,
            ));
        }
        // `buffered` yields in call order, so runs stay in call order.
        let mut ended = stream::iter(futures).buffered(self.concurrency);
        while let Some((run, _)) = ended.next().await {
            runs.push(run);
        }
        DispatchReport {
            items: reports.finish(runs),
        }
    }

    /// Adds the calls the item's routes select (see [`select`](crate::select)).
    fn select<'n>(
        &'n self,
        index: usize,
        item: &Item<'n>,
        routes: &[usize],
        calls: &mut Vec<Call<'n>>,
    ) {
        // Parsed once per item, and only when a route filters.
        let mut keys: Option<Option<Keys<'n>>> = None;
        for &route in routes {
            let filter = self.table.entries[route].filter();
            if filter.is_empty() {
                calls.push((index, route, None));
                continue;
            }
            let keys = keys
                .get_or_insert_with(|| Keys::of(select::payload(item)))
                .as_ref();
            match &filter.each {
                None if select::matches(keys, Some(item), &filter.equals) => {
                    calls.push((index, route, None));
                }
                None => {}
                Some(each) => {
                    let elements = keys.map(|k| k.elements(each)).unwrap_or_default();
                    for (position, value) in elements.into_iter().enumerate() {
                        if select::matches(Keys::of(value).as_ref(), None, &filter.equals) {
                            let element = Element {
                                key: each,
                                index: position,
                                value,
                            };
                            calls.push((index, route, Some(element)));
                        }
                    }
                }
            }
        }
    }
}

/// Progress keys of 0.1, `<item position>[.<element position>]/<route key>`.
#[cfg(feature = "durable")]
fn legacy_pair(key: &str) -> Option<(usize, Option<usize>, &str)> {
    if !key.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (position, route) = key.split_once('/')?;
    match position.split_once('.') {
        Some((item, element)) => Some((item.parse().ok()?, Some(element.parse().ok()?), route)),
        None => Some((position.parse().ok()?, None, route)),
    }
}

#[cfg(feature = "durable")]
impl Dispatcher {
    /// Rewrites progress recorded by 0.1 (keyed by positions) into today's keys
    /// (keyed by what identifies each item, see
    /// [`item_ids`](crate::idempotency::item_ids)), reading the positions the way
    /// 0.1 routed the body. Keys of routes that no longer exist are dropped (their
    /// pairs are not run again anyway); today's keys pass unchanged, and a set
    /// without legacy keys (every one written by this release) is not copied.
    pub(crate) fn upgrade_progress<'d>(
        &self,
        notification: &Notification<'_>,
        done: &'d std::collections::BTreeSet<String>,
    ) -> std::borrow::Cow<'d, std::collections::BTreeSet<String>> {
        if !done.iter().any(|key| legacy_pair(key).is_some()) {
            return std::borrow::Cow::Borrowed(done);
        }
        let items: Vec<Item<'_>> = notification.items().collect();
        let ids = crate::idempotency::item_ids(&items);
        let upgraded = done
            .iter()
            .filter_map(|key| {
                let Some((index, element, route)) = legacy_pair(key) else {
                    return Some(key.clone());
                };
                let item = items.get(index)?;
                let element = match element {
                    None => None,
                    Some(position) => {
                        let entry = self.table.entries.iter().find(|e| &*e.key == route)?;
                        let each = entry.filter().each.as_deref()?;
                        let keys = Keys::of(select::payload(item))?;
                        let value = *keys.elements(each).get(position)?;
                        Some(crate::idempotency::element_id(&Element {
                            key: each,
                            index: position,
                            value,
                        }))
                    }
                };
                Some(crate::idempotency::pair_key(
                    &ids[index],
                    element.as_deref(),
                    route,
                ))
            })
            .collect();
        std::borrow::Cow::Owned(upgraded)
    }
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field(
                "handlers",
                &self
                    .table
                    .entries
                    .iter()
                    .map(|e| e.info)
                    .collect::<Vec<_>>(),
            )
            .field("concurrency", &self.concurrency)
            .field("handler_timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
