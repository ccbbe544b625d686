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
//! Every call is bounded in time: by the handler's own `#[on(.., timeout = "..")]`,
//! else by [`DispatcherBuilder::handler_timeout`] (default
//! [`DEFAULT_HANDLER_TIMEOUT`]). A call past its bound is dropped (cancelled at its
//! next `.await`) and reported as [`Outcome::TimedOut`], so a hung handler cannot
//! hold a worker or a delivery forever. Dispatching therefore needs a Tokio runtime
//! with its timer enabled (`#[tokio::main]`, or a runtime built with `enable_time`).

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::{FutureExt, StreamExt, stream};
use tracing::Instrument;

use crate::delivery::{KeyClaim, StoreFuture, natural_key, pair_key};
use crate::extract::ItemContext;
use crate::handler::{Handler, HandlerError, HandlerFuture};
use crate::observe;
use crate::payload::{Notification, ParseError};
use crate::registry::{self, HandlerInfo, PreflightFn, Target};
use crate::report::Reports;
use crate::report::{DispatchReport, HandlerRun, Outcome};
use crate::routing::Item;
use crate::select::{self, Element, Filter, Keys};
use crate::state::{MissingState, StateMap};

type DynCall = Arc<dyn Fn(&ItemContext<'_>) -> HandlerFuture + Send + Sync>;

/// One call of a delivery: item index, route index, element for `each` routes.
type Call<'n> = (usize, usize, Option<Element<'n>>);

struct Route {
    object: Option<Box<str>>,
    field: Option<Box<str>>,
    filter: Filter,
    info: HandlerInfo,
    /// Names the route stably across restarts (durable progress is kept per route).
    key: Arc<str>,
    call: DynCall,
    preflight: PreflightFn,
    /// The handler's own bound, overriding the dispatcher's.
    timeout: Option<Duration>,
}

/// How long a handler call may take unless configured otherwise: 30 seconds.
pub const DEFAULT_HANDLER_TIMEOUT: Duration = Duration::from_secs(30);

/// Routes items to handlers. Cheap to share: wrap it in an `Arc`.
pub struct Dispatcher {
    routes: Vec<Route>,
    objects: HashMap<Box<str>, ObjectRoutes>,
    catch_all: Vec<usize>,
    states: StateMap,
    concurrency: usize,
    timeout: Duration,
}

#[derive(Default)]
struct ObjectRoutes {
    /// Per field: the field's handlers merged with the object-wide ones.
    by_field: HashMap<Box<str>, Vec<usize>>,
    any_field: Vec<usize>,
}

/// Builds a [`Dispatcher`].
///
/// ```
/// use webhook_core::{Dispatcher, Notification, State, Value};
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// async fn feed(Value(v): Value<serde_json::Value>, State(seen): State<AtomicUsize>) {
///     seen.fetch_add(1, Ordering::Relaxed);
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dispatcher = Dispatcher::empty_builder()
///     .state(AtomicUsize::new(0))
///     .route("page", "feed", feed)
///     .build()
///     .unwrap();
/// let body = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{}}]}]}"#;
/// let report = dispatcher.dispatch(&Notification::parse(body).unwrap()).await;
/// assert!(report.is_success());
/// assert_eq!(report.items()[0].runs().len(), 1);
/// # });
/// ```
pub struct DispatcherBuilder {
    routes: Vec<Route>,
    states: StateMap,
    concurrency: usize,
    timeout: Duration,
}

impl Dispatcher {
    /// A builder holding every `#[on]` handler linked into the program.
    #[must_use]
    pub fn builder() -> DispatcherBuilder {
        let mut builder = Self::empty_builder();
        for r in registry::registrations() {
            let call = r.call;
            let (object, field) = match r.target {
                Target::Field(object, field) => (Some(object), Some(field)),
                Target::Object(object) => (Some(object), None),
                Target::CatchAll => (None, None),
            };
            builder.push(
                object,
                field,
                Filter::from_static(r.each, r.equals, r.idempotent),
                r.info,
                Arc::new(move |cx| call(cx)),
                r.preflight,
            );
            if let Some(route) = builder.routes.last_mut() {
                route.timeout = r.timeout;
            }
        }
        builder
    }

    /// A builder with no handlers: only those added with
    /// [`route`](DispatcherBuilder::route) and friends. Useful for isolated tests,
    /// since `#[on]` registrations are global to the program.
    #[must_use]
    pub fn empty_builder() -> DispatcherBuilder {
        DispatcherBuilder {
            routes: Vec::new(),
            states: StateMap::default(),
            concurrency: 1,
            timeout: DEFAULT_HANDLER_TIMEOUT,
        }
    }

    /// Every handler, with what it receives: `(object, field)`; `field` is `None`
    /// for object-wide handlers and both are `None` for catch-alls.
    pub fn handlers(&self) -> impl Iterator<Item = (Option<&str>, Option<&str>, HandlerInfo)> {
        self.routes
            .iter()
            .map(|r| (r.object.as_deref(), r.field.as_deref(), r.info))
    }

    /// Every handler's filters below the field, as written in `#[on]` (empty when
    /// it has none), in the order of [`handlers`](Self::handlers).
    pub fn filters(&self) -> impl Iterator<Item = String> {
        self.routes.iter().map(|r| r.filter.describe())
    }

    /// Every handler with the time limit its calls get (its own, or the
    /// dispatcher's).
    pub fn handler_timeouts(&self) -> impl Iterator<Item = (HandlerInfo, Duration)> {
        self.routes
            .iter()
            .map(|r| (r.info, r.timeout.unwrap_or(self.timeout)))
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
                _ => self.routes_for(item),
            };
            last = Some((item.object(), item.field(), routes));
            self.select(index, item, routes, &mut calls);
            let to_catch_all = calls.len() == before;
            if to_catch_all {
                calls.extend(self.catch_all.iter().map(|&route| (index, route, None)));
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
                    let route = &self.routes[route];
                    self.run_inline(items[index], route, element, &spans[index], start)
                        .await
                } else {
                    // Boxed: the general call's future is large (see `run`).
                    Box::pin(self.run(
                        index,
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
                index,
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

    /// The routes registered for the item's object and field.
    fn routes_for(&self, item: &Item<'_>) -> &[usize] {
        self.objects.get(item.object()).map_or(&[][..], |o| {
            item.field()
                .and_then(|f| o.by_field.get(f))
                .unwrap_or(&o.any_field)
        })
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
            let filter = &self.routes[route].filter;
            if filter.is_empty() {
                calls.push((index, route, None));
                continue;
            }
            let keys = keys
                .get_or_insert_with(|| Keys::of(select::payload(item)))
                .as_ref();
            match &filter.each {
                None if select::matches(keys, &filter.equals) => calls.push((index, route, None)),
                None => {}
                Some(each) => {
                    let elements = keys.map(|k| k.elements(each)).unwrap_or_default();
                    for (position, value) in elements.into_iter().enumerate() {
                        if select::matches(Keys::of(value).as_ref(), &filter.equals) {
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

    /// One call through the general path: durable gate, several calls at once.
    #[allow(
        clippy::too_many_arguments,
        reason = "a call's coordinates, passed by value to keep the future small"
    )]
    async fn run(
        &self,
        index: usize,
        item: Item<'_>,
        route: usize,
        element: Option<Element<'_>>,
        gate: Option<&dyn Gate>,
        item_span: &tracing::Span,
        start: Option<Instant>,
    ) -> (HandlerRun, Instant) {
        let route = &self.routes[route];
        let span = handler_span(route, item_span);
        let start = start.unwrap_or_else(Instant::now);
        let call = async {
            match gate {
                None => self.call(route, item, element).await,
                // Boxed: the durable path's future is large, and moving it with every
                // call would cost the inline path too.
                Some(gate) => Box::pin(self.call_gated(route, index, item, element, gate)).await,
            }
        };
        let outcome = call.instrument(span.clone()).await;
        record(route, item, element, outcome, start, &span)
    }

    /// One call of the inline path at one call at a time: the handler is polled
    /// once in place, and only a handler that awaits gets a timer and a future of
    /// its own (moving a general call's future costs more than the call itself).
    async fn run_inline(
        &self,
        item: Item<'_>,
        route: &Route,
        element: Option<Element<'_>>,
        item_span: &tracing::Span,
        start: Instant,
    ) -> (HandlerRun, Instant) {
        let span = handler_span(route, item_span);
        let first = std::future::poll_fn(|cx| {
            Poll::Ready(span.in_scope(|| self.first_poll(route, item, element, cx)))
        })
        .await;
        let outcome = match first {
            FirstPoll::Ended(outcome) => outcome,
            FirstPoll::Pending(guarded, limit) => {
                Box::pin(until_done(guarded, limit).instrument(span.clone())).await
            }
        };
        record(route, item, element, outcome, start, &span)
    }

    async fn call(&self, route: &Route, item: Item<'_>, element: Option<Element<'_>>) -> Outcome {
        let first =
            std::future::poll_fn(|cx| Poll::Ready(self.first_poll(route, item, element, cx))).await;
        match first {
            FirstPoll::Ended(outcome) => outcome,
            // Boxed for the same reason as the gate: most calls never reach the timer.
            FirstPoll::Pending(guarded, limit) => Box::pin(until_done(guarded, limit)).await,
        }
    }

    /// Extracts the arguments, calls the handler and polls its future once.
    fn first_poll(
        &self,
        route: &Route,
        item: Item<'_>,
        element: Option<Element<'_>>,
        cx: &mut Context<'_>,
    ) -> FirstPoll {
        let mut item_cx = ItemContext::new(item, &self.states);
        if let Some(element) = element {
            item_cx = item_cx.with_element(element);
        }
        let limit = route.timeout.unwrap_or(self.timeout);
        match catch_unwind(AssertUnwindSafe(|| (route.call)(&item_cx))) {
            Err(panic) => FirstPoll::Ended(Outcome::Panicked(panic_message(&*panic))),
            Ok(future) => {
                let mut guarded = AssertUnwindSafe(future).catch_unwind();
                match Pin::new(&mut guarded).poll(cx) {
                    Poll::Ready(ended) => FirstPoll::Ended(outcome(ended)),
                    Poll::Pending => FirstPoll::Pending(guarded, limit),
                }
            }
        }
    }

    async fn call_gated(
        &self,
        route: &Route,
        index: usize,
        item: Item<'_>,
        element: Option<Element<'_>>,
        gate: &dyn Gate,
    ) -> Outcome {
        if gate.is_done(&pair_key(index, element.map(|e| e.index), &route.key)) {
            return Outcome::AlreadyDone;
        }
        let natural = route
            .filter
            .idempotent
            .then(|| natural_key(&item, element.as_ref()))
            .flatten();
        let Some(natural) = natural else {
            return self.call(route, item, element).await;
        };
        let key = format!("{}|{natural}", route.key);
        match gate.claim_key(key.clone()).await {
            Ok(KeyClaim::Done) => Outcome::AlreadyDone,
            Ok(KeyClaim::Busy) => Outcome::Failed(format!(
                "idempotency key {natural} is held by another worker"
            )),
            Err(e) => Outcome::Failed(format!("cannot claim idempotency key {natural}: {e}")),
            Ok(KeyClaim::Run) => {
                let outcome = self.call(route, item, element).await;
                if let Err(e) = gate.finish_key(key, outcome.is_success()).await {
                    return Outcome::Failed(format!(
                        "ran, but cannot record idempotency key {natural}: {e}"
                    ));
                }
                outcome
            }
        }
    }
}

/// What durable dispatch asks the store before each call.
pub(crate) trait Gate: Sync {
    /// Whether the pair already succeeded in an earlier attempt.
    fn is_done(&self, pair: &str) -> bool;
    /// Claims an idempotency key.
    fn claim_key(&self, key: String) -> StoreFuture<'_, KeyClaim>;
    /// Releases it, as done when the handler succeeded.
    fn finish_key(&self, key: String, succeeded: bool) -> StoreFuture<'_, ()>;
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field(
                "handlers",
                &self.routes.iter().map(|r| r.info).collect::<Vec<_>>(),
            )
            .field("concurrency", &self.concurrency)
            .field("handler_timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A handler's future, its panics caught.
type Guarded = futures_util::future::CatchUnwind<AssertUnwindSafe<HandlerFuture>>;

/// How a handler's first poll went.
enum FirstPoll {
    Ended(Outcome),
    /// It awaits: the rest of it, and how long it may take.
    Pending(Guarded, Duration),
}

/// Runs a handler that did not finish at its first poll, within its time limit.
async fn until_done(guarded: Guarded, limit: Duration) -> Outcome {
    match tokio::time::timeout(limit, guarded).await {
        Err(_) => Outcome::TimedOut(limit),
        Ok(ended) => outcome(ended),
    }
}

fn outcome(ended: std::thread::Result<Result<(), HandlerError>>) -> Outcome {
    match ended {
        Ok(Ok(())) => Outcome::Succeeded,
        Ok(Err(HandlerError::Rejected(rejection))) => Outcome::Rejected(rejection.to_string()),
        Ok(Err(HandlerError::Failed(error))) => Outcome::Failed(error_chain(&*error)),
        Err(panic) => Outcome::Panicked(panic_message(&*panic)),
    }
}

fn handler_span(route: &Route, item_span: &tracing::Span) -> tracing::Span {
    tracing::info_span!(
        parent: item_span,
        "handler",
        handler = route.info.name,
        outcome = tracing::field::Empty,
        duration_ms = tracing::field::Empty
    )
}

/// Ends a call: its span fields, metrics, a log line when it did not succeed, and
/// its report. Returns the time it ended.
fn record(
    route: &Route,
    item: Item<'_>,
    element: Option<Element<'_>>,
    outcome: Outcome,
    start: Instant,
    span: &tracing::Span,
) -> (HandlerRun, Instant) {
    let mut end = Instant::now();
    let took = end - start;
    span.record("outcome", outcome.name());
    span.record("duration_ms", took.as_secs_f64() * 1000.0);
    observe::handler_call(route.info.name, outcome.name(), took);
    let _entered = span.enter();
    match &outcome {
        Outcome::Failed(e) | Outcome::Rejected(e) => tracing::warn!(
            handler = route.info.name,
            object = item.object(),
            field = item.field(),
            entry = item.entry().id(),
            outcome = outcome.name(),
            "webhook handler failed: {e}"
        ),
        Outcome::TimedOut(limit) => tracing::warn!(
            handler = route.info.name,
            object = item.object(),
            field = item.field(),
            entry = item.entry().id(),
            timeout_ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
            "webhook handler timed out and was cancelled"
        ),
        Outcome::Panicked(e) => tracing::error!(
            handler = route.info.name,
            object = item.object(),
            field = item.field(),
            entry = item.entry().id(),
            "webhook handler panicked: {e}"
        ),
        _ => {}
    }
    if !outcome.is_success() {
        // The next call starts after this one's log line, not before it.
        end = Instant::now();
    }
    let run = HandlerRun {
        handler: route.info,
        route_key: Arc::clone(&route.key),
        element: element.map(|e| e.index),
        outcome,
        duration: took,
    };
    (run, end)
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-string payload".to_owned())
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

impl DispatcherBuilder {
    /// Adds shared state, reachable from handlers as [`State<T>`](crate::State).
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.states.insert(value);
        self
    }

    /// Adds shared state that other parts of the program already hold an `Arc` of.
    #[must_use]
    pub fn state_arc<T: Send + Sync + 'static>(mut self, value: Arc<T>) -> Self {
        self.states.insert_arc(value);
        self
    }

    /// Routes `(object, field)` to `handler`, without the macro.
    #[must_use]
    #[track_caller]
    pub fn route<H: Handler<A>, A>(self, object: &str, field: &str, handler: H) -> Self {
        self.add(
            Some(object),
            Some(field),
            Filter::new(),
            handler,
            Location::caller(),
        )
    }

    /// Routes `(object, field)` to `handler` for the items (or array elements)
    /// `filter` selects (see [`select`](crate::select)).
    #[must_use]
    #[track_caller]
    pub fn route_filtered<H: Handler<A>, A>(
        self,
        object: &str,
        field: &str,
        filter: Filter,
        handler: H,
    ) -> Self {
        self.add(
            Some(object),
            Some(field),
            filter,
            handler,
            Location::caller(),
        )
    }

    /// Routes every item of `object` to `handler`.
    #[must_use]
    #[track_caller]
    pub fn route_object<H: Handler<A>, A>(self, object: &str, handler: H) -> Self {
        self.add(
            Some(object),
            None,
            Filter::new(),
            handler,
            Location::caller(),
        )
    }

    /// Adds a handler for items that no other handler receives.
    #[must_use]
    #[track_caller]
    pub fn catch_all<H: Handler<A>, A>(self, handler: H) -> Self {
        self.add(None, None, Filter::new(), handler, Location::caller())
    }

    /// How many handler calls of one delivery may run at once (default 1: items in
    /// delivery order, one handler after another). Results are reported in order
    /// either way.
    #[must_use]
    pub fn concurrency(mut self, calls: usize) -> Self {
        self.concurrency = calls.max(1);
        self
    }

    /// How long one handler call may run before it is cancelled and reported as
    /// [`Outcome::TimedOut`] (default [`DEFAULT_HANDLER_TIMEOUT`]; zero counts as one
    /// millisecond). A handler's own `#[on(.., timeout = "..")]` takes precedence.
    ///
    /// In durable mode a timed-out call is retried like a failed one; inline, the
    /// delivery is answered 500 and Meta redelivers it. Keep inline timeouts well
    /// under Meta's few seconds.
    #[must_use]
    pub fn handler_timeout(mut self, limit: Duration) -> Self {
        self.timeout = limit.max(Duration::from_millis(1));
        self
    }

    fn add<H: Handler<A>, A>(
        mut self,
        object: Option<&str>,
        field: Option<&str>,
        filter: Filter,
        handler: H,
        at: &'static Location<'static>,
    ) -> Self {
        let info = HandlerInfo {
            name: std::any::type_name::<H>(),
            module: "",
            file: at.file(),
            line: at.line(),
        };
        self.push(
            object,
            field,
            filter,
            info,
            Arc::new(move |cx| handler.call(cx)),
            H::preflight,
        );
        self
    }

    fn push(
        &mut self,
        object: Option<&str>,
        field: Option<&str>,
        filter: Filter,
        info: HandlerInfo,
        call: DynCall,
        preflight: PreflightFn,
    ) {
        self.routes.push(Route {
            object: object.map(Into::into),
            field: field.map(Into::into),
            filter,
            info,
            key: Arc::from(""),
            call,
            preflight,
            timeout: None,
        });
    }

    /// Checks every handler (names, required state) and precomputes the routing.
    ///
    /// Fails with every problem found, each naming the handler and where it was
    /// written.
    pub fn build(self) -> Result<Dispatcher, BuildError> {
        let mut problems = Vec::new();
        for route in &self.routes {
            for name in route.object.iter().chain(&route.field) {
                if !is_valid_name(name) {
                    problems.push(Problem::BadName {
                        handler: route.info,
                        name: name.to_string(),
                    });
                }
            }
            for missing in (route.preflight)(&self.states) {
                problems.push(Problem::MissingState {
                    handler: route.info,
                    missing,
                });
            }
        }
        if !problems.is_empty() {
            return Err(BuildError { problems });
        }
        let mut objects: HashMap<Box<str>, ObjectRoutes> = HashMap::new();
        let mut catch_all = Vec::new();
        for (index, route) in self.routes.iter().enumerate() {
            match (&route.object, &route.field) {
                (Some(object), Some(field)) => {
                    objects
                        .entry(object.clone())
                        .or_default()
                        .by_field
                        .entry(field.clone())
                        .or_default()
                        .push(index);
                }
                (Some(object), None) => objects
                    .entry(object.clone())
                    .or_default()
                    .any_field
                    .push(index),
                (None, _) => catch_all.push(index),
            }
        }
        for routes in objects.values_mut() {
            for list in routes.by_field.values_mut() {
                list.extend(&routes.any_field);
                list.sort_unstable();
            }
        }
        let mut routes = self.routes;
        let mut seen: HashMap<String, usize> = HashMap::new();
        for route in &mut routes {
            let target = match (&route.object, &route.field) {
                (Some(object), Some(field)) => format!("({object}, {field})"),
                (Some(object), None) => format!("({object}, *)"),
                _ => "(catch_all)".to_owned(),
            };
            let info = route.info;
            let key = format!(
                "{}::{} {target} {}",
                info.module,
                info.name,
                route.filter.describe()
            )
            .trim_end()
            .to_owned();
            // Two routes to one handler and target (closures share a type name)
            // still need distinct keys, or one's progress would count for the other.
            let n = seen.entry(key.clone()).or_insert(0usize);
            *n += 1;
            route.key = if *n == 1 {
                key.into()
            } else {
                format!("{key} #{n}").into()
            };
        }
        Ok(Dispatcher {
            routes,
            objects,
            catch_all,
            states: self.states,
            concurrency: self.concurrency,
            timeout: self.timeout,
        })
    }
}

impl fmt::Debug for DispatcherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatcherBuilder")
            .field("handlers", &self.routes.len())
            .finish_non_exhaustive()
    }
}

/// Whether `name` is a valid object or field name: lowercase snake case
/// (`[a-z][a-z0-9_]*`), as every Meta object and subscription field is.
#[must_use]
pub fn is_valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Building the dispatcher failed.
#[derive(Debug)]
pub struct BuildError {
    problems: Vec<Problem>,
}

/// One reason a dispatcher could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A handler takes `State<T>` but no `T` was given.
    MissingState {
        /// The handler.
        handler: HandlerInfo,
        /// The missing type.
        missing: MissingState,
    },
    /// An object or field name is not lowercase snake case.
    BadName {
        /// The handler.
        handler: HandlerInfo,
        /// The name.
        name: String,
    },
}

impl BuildError {
    /// Every problem found.
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingState { handler, missing } => write!(
                f,
                "handler {handler} takes `State<{ty}>`, but no state of type `{ty}` was given; \
                 add it with `.state(value)` on the dispatcher builder, or take `Option<State<{ty}>>`",
                ty = missing.type_name()
            ),
            Self::BadName { handler, name } => write!(
                f,
                "handler {handler} is routed to `{name}`, which is not a Meta object or field name \
                 (lowercase snake_case, e.g. `page`, `feed`)"
            ),
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the webhook dispatcher:")?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}
