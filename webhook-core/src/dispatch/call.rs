//! One handler call: arguments extracted, the handler polled once in place, a timer
//! only for handlers that await, panics caught, the outcome logged and reported.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use tracing::Instrument;

use crate::extract::ItemContext;
use crate::handler::{HandlerError, HandlerFuture};
use crate::idempotency::{KeyClaim, element_id, natural_key, pair_key};
use crate::observe;
use crate::report::{HandlerRun, Outcome};
use crate::routing::Item;
use crate::select::Element;

use super::Dispatcher;
use super::gate::Gate;
use super::table::Entry;

impl Dispatcher {
    /// One call through the general path: durable gate, several calls at once.
    #[allow(
        clippy::too_many_arguments,
        reason = "a call's coordinates, passed by value to keep the future small"
    )]
    pub(super) async fn run(
        &self,
        item_id: Option<&str>,
        item: Item<'_>,
        route: usize,
        element: Option<Element<'_>>,
        gate: Option<&dyn Gate>,
        item_span: &tracing::Span,
        start: Option<Instant>,
    ) -> (HandlerRun, Instant) {
        let route = &self.table.entries[route];
        let span = handler_span(route, item_span);
        let start = start.unwrap_or_else(Instant::now);
        let call = async {
            match gate {
                None => self.call(route, item, element).await,
                // Boxed: the durable path's future is large, and moving it with every
                // call would cost the inline path too.
                Some(gate) => {
                    let item_id = item_id.expect("durable dispatch identifies its items");
                    Box::pin(self.call_gated(route, item_id, item, element, gate)).await
                }
            }
        };
        let outcome = call.instrument(span.clone()).await;
        record(route, item, element, outcome, start, &span)
    }

    /// One call of the inline path at one call at a time: the handler is polled
    /// once in place, and only a handler that awaits gets a timer and a future of
    /// its own (moving a general call's future costs more than the call itself).
    pub(super) async fn run_inline(
        &self,
        item: Item<'_>,
        route: &Entry,
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

    async fn call(&self, route: &Entry, item: Item<'_>, element: Option<Element<'_>>) -> Outcome {
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
        route: &Entry,
        item: Item<'_>,
        element: Option<Element<'_>>,
        cx: &mut Context<'_>,
    ) -> FirstPoll {
        let mut item_cx = ItemContext::new(item, &self.states);
        if let Some(element) = element {
            item_cx = item_cx.with_element(element);
        }
        let limit = route.timeout().unwrap_or(self.timeout);
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
        route: &Entry,
        item_id: &str,
        item: Item<'_>,
        element: Option<Element<'_>>,
        gate: &dyn Gate,
    ) -> Outcome {
        let pair = pair_key(
            item_id,
            element.as_ref().map(element_id).as_deref(),
            &route.key,
        );
        if gate.is_done(&pair) {
            return Outcome::AlreadyDone;
        }
        let outcome = self.call_keyed(route, item, element, gate).await;
        if outcome.is_success() {
            gate.succeeded(pair);
        }
        outcome
    }

    /// A call under the route's idempotency key, when it has one.
    async fn call_keyed(
        &self,
        route: &Entry,
        item: Item<'_>,
        element: Option<Element<'_>>,
        gate: &dyn Gate,
    ) -> Outcome {
        let natural = route
            .route
            .idempotent
            .then(|| natural_key(&item, element.as_ref()))
            .flatten();
        let Some(natural) = natural else {
            return self.call(route, item, element).await;
        };
        let key = format!("{}|{natural}", route.key);
        match gate.claim_key(key.clone()).await {
            Ok((KeyClaim::Done, _)) => Outcome::AlreadyDone,
            Ok((KeyClaim::Busy, _)) => Outcome::Failed(format!(
                "idempotency key {natural} is held by another worker"
            )),
            Err(e) => Outcome::Failed(format!("cannot claim idempotency key {natural}: {e}")),
            Ok((KeyClaim::Run, holder)) => {
                let outcome = self.call(route, item, element).await;
                if let Err(e) = gate.finish_key(key, holder, outcome.is_success()).await {
                    return Outcome::Failed(format!(
                        "ran, but cannot record idempotency key {natural}: {e}"
                    ));
                }
                outcome
            }
        }
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

fn handler_span(route: &Entry, item_span: &tracing::Span) -> tracing::Span {
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
    route: &Entry,
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
