//! Building a [`Dispatcher`]: routes (from `#[on]` or by hand), shared state,
//! concurrency and the handler time limit, checked once at start-up.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use crate::handler::Handler;
use crate::registry::{self, HandlerInfo, PreflightFn};
use crate::state::StateMap;

use super::error::{BuildError, Problem, is_valid_name};
use super::route::Route;
use super::table::{DynCall, Entry, Table};
use super::{DEFAULT_HANDLER_TIMEOUT, Dispatcher};

/// Builds a [`Dispatcher`]. Start with [`Dispatcher::builder`], which holds no
/// routes; [`registered_handlers`](Self::registered_handlers) adds every `#[on]`
/// handler of the program.
///
/// ```
/// use webhook_core::{Dispatcher, Notification, Payload, Route, State};
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// async fn feed(Payload(v): Payload<serde_json::Value>, State(seen): State<AtomicUsize>) {
///     seen.fetch_add(1, Ordering::Relaxed);
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dispatcher = Dispatcher::builder()
///     .state(AtomicUsize::new(0))
///     .route(Route::field("page", "feed"), feed)
///     .build()
///     .unwrap();
/// let body = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{}}]}]}"#;
/// let report = dispatcher.dispatch(&Notification::parse(body).unwrap()).await;
/// assert!(report.is_success());
/// assert_eq!(report.items()[0].runs().len(), 1);
/// # });
/// ```
pub struct DispatcherBuilder {
    entries: Vec<Entry>,
    states: StateMap,
    concurrency: usize,
    timeout: Duration,
}

impl Default for DispatcherBuilder {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            states: StateMap::default(),
            concurrency: 1,
            timeout: DEFAULT_HANDLER_TIMEOUT,
        }
    }
}

impl DispatcherBuilder {
    /// Adds every `#[on]` handler linked into the program, in a stable order (source
    /// file and line), before or after routes added by hand.
    #[must_use]
    pub fn registered_handlers(mut self) -> Self {
        for registration in registry::registrations() {
            let call = registration.call;
            self.push(
                Route::registered(&registration.route, registration.info.name),
                registration.info,
                Arc::new(move |cx| call(cx)),
                registration.preflight,
            );
        }
        self
    }

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

    /// Routes the items `route` describes to `handler`: the builder's form of
    /// `#[on]`.
    #[must_use]
    #[track_caller]
    pub fn route<H: Handler<A>, A>(mut self, route: Route, handler: H) -> Self {
        let at = Location::caller();
        let info = HandlerInfo {
            name: route.name.unwrap_or_else(short_type_name::<H>),
            module: "",
            file: at.file(),
            line: at.line(),
        };
        self.push(
            route,
            info,
            Arc::new(move |cx| handler.call(cx)),
            H::preflight,
        );
        self
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
    /// [`Outcome::TimedOut`](crate::Outcome::TimedOut) (default
    /// [`DEFAULT_HANDLER_TIMEOUT`]; zero counts as one millisecond). A route's own
    /// timeout (`#[on(.., timeout = "..")]`, [`Route::timeout`]) takes precedence.
    ///
    /// In durable mode a timed-out call is retried like a failed one; inline, the
    /// delivery is answered 500 and Meta redelivers it. Keep inline timeouts well
    /// under Meta's few seconds.
    #[must_use]
    pub fn handler_timeout(mut self, limit: Duration) -> Self {
        self.timeout = limit.max(Duration::from_millis(1));
        self
    }

    fn push(&mut self, route: Route, info: HandlerInfo, call: DynCall, preflight: PreflightFn) {
        self.entries.push(Entry {
            route,
            info,
            key: Arc::from(""),
            call,
            preflight,
        });
    }

    /// Checks every handler (names, required state) and precomputes the routing.
    ///
    /// Fails with every problem found, each naming the handler and where it was
    /// written.
    pub fn build(self) -> Result<Dispatcher, BuildError> {
        let mut problems = Vec::new();
        for entry in &self.entries {
            for name in entry.route.object.iter().chain(&entry.route.field) {
                if !is_valid_name(name) {
                    problems.push(Problem::BadName {
                        handler: entry.info,
                        name: name.to_string(),
                    });
                }
            }
            for missing in (entry.preflight)(&self.states) {
                problems.push(Problem::MissingState {
                    handler: entry.info,
                    missing,
                });
            }
        }
        if !problems.is_empty() {
            return Err(BuildError { problems });
        }
        Ok(Dispatcher {
            table: Table::new(self.entries),
            states: self.states,
            concurrency: self.concurrency,
            timeout: self.timeout,
        })
    }
}

/// A handler's type name without its path (`feed` for `my_app::page::feed`), for
/// logs only: it is never part of a durable key.
fn short_type_name<H>() -> &'static str {
    let full = std::any::type_name::<H>();
    // Closures print as `path::to::fn::{{closure}}`: keep the enclosing function.
    let trimmed = full.trim_end_matches("::{{closure}}");
    trimmed.rsplit("::").next().unwrap_or(trimmed)
}

impl fmt::Debug for DispatcherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatcherBuilder")
            .field("handlers", &self.entries.len())
            .finish_non_exhaustive()
    }
}
