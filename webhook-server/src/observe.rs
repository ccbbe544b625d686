//! The side listener (off unless `META_WEBHOOK_METRICS_BIND` is set; never the
//! public webhook port): Prometheus metrics, liveness and readiness.
//!
//! | path | answer |
//! |---|---|
//! | `/metrics` | Prometheus text: the metrics below and those of [`webhook_core::observe`] |
//! | `/healthz` | `200 ok` while the process serves |
//! | `/readyz` | `200 ready` when handlers are registered and the store answers; else `503` naming what is wrong |
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `webhook_deliveries_total` | counter | `status` (the code answered), `outcome` (`accepted`, `unauthenticated`, `rejected`, `unavailable`, `handler_failed`) |
//! | `webhook_signature_failures_total` | counter | `reason` (`missing`, `duplicate`, `malformed`, `mismatch`, `sha1_refused`) |
//! | `webhook_duplicates_total` | counter | durable mode: bodies already stored within the dedup window |
//! | `webhook_shed_total` | counter | `reason` (`in_flight`, `connections`) |
//! | `webhook_queue_depth` | gauge | durable mode: deliveries waiting (read at each scrape) |
//! | `webhook_non_200_streak` | gauge | deliveries answered something else than 200 since the last 200 |
//! | `webhook_last_200_timestamp_seconds` | gauge | when a delivery was last answered 200 |
//!
//! Alert on what makes Meta give up: Messenger unsubscribes an app after about an
//! hour of failures, so alert on `webhook_non_200_streak > 0` lasting ten minutes,
//! and on `time() - webhook_entry_last_seen_timestamp_seconds` of a Page that
//! usually talks (it stopped sending: unsubscribed, or its token expired).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use webhook_core::Dispatcher;
use webhook_core::delivery::DeliveryStore;
use webhook_core::observe::metrics_enabled;

/// Installs the Prometheus recorder once per process and turns metrics on.
pub(crate) fn install() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .install_recorder()
                .expect("no other metrics recorder is installed");
            webhook_core::observe::enable_metrics();
            handle
        })
        .clone()
}

static NON_200_STREAK: AtomicU64 = AtomicU64::new(0);

/// Counts an answer to a delivery (`POST`).
pub(crate) fn delivery(status: StatusCode) {
    if !metrics_enabled() {
        return;
    }
    let outcome = match status.as_u16() {
        200 => "accepted",
        401 | 403 => "unauthenticated",
        500 => "handler_failed",
        503 => "unavailable",
        _ => "rejected",
    };
    metrics::counter!(
        "webhook_deliveries_total",
        "status" => status.as_str().to_owned(),
        "outcome" => outcome
    )
    .increment(1);
    let streak = if status == StatusCode::OK {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        metrics::gauge!("webhook_last_200_timestamp_seconds").set(now);
        NON_200_STREAK.store(0, Ordering::Relaxed);
        0
    } else {
        NON_200_STREAK.fetch_add(1, Ordering::Relaxed) + 1
    };
    #[allow(clippy::cast_precision_loss, reason = "a streak is far below 2^52")]
    metrics::gauge!("webhook_non_200_streak").set(streak as f64);
}

/// Counts a refused signature.
pub(crate) fn signature_failure(reason: &'static str) {
    if metrics_enabled() {
        metrics::counter!("webhook_signature_failures_total", "reason" => reason).increment(1);
    }
}

/// Counts a duplicate body (durable mode).
pub(crate) fn duplicate() {
    if metrics_enabled() {
        metrics::counter!("webhook_duplicates_total").increment(1);
    }
}

/// Counts a request or connection shed under load.
pub(crate) fn shed(reason: &'static str) {
    if metrics_enabled() {
        metrics::counter!("webhook_shed_total", "reason" => reason).increment(1);
    }
}

/// What the side listener reads.
#[derive(Clone)]
pub(crate) struct Side {
    pub(crate) metrics: PrometheusHandle,
    pub(crate) store: Option<Arc<dyn DeliveryStore>>,
    pub(crate) dispatcher: Arc<Dispatcher>,
}

/// `/metrics`, `/healthz`, `/readyz`.
pub(crate) fn router(side: Side) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(side)
}

async fn scrape(State(side): State<Side>) -> String {
    if let Some(store) = &side.store
        && let Ok(pending) = store.pending().await
    {
        #[allow(clippy::cast_precision_loss, reason = "a queue is far below 2^52")]
        metrics::gauge!("webhook_queue_depth").set(pending as f64);
    }
    side.metrics.render()
}

async fn ready(State(side): State<Side>) -> (StatusCode, String) {
    if side.dispatcher.handlers().next().is_none() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: no handlers registered (add #[on(...)] functions)".to_owned(),
        );
    }
    if let Some(store) = &side.store
        && let Err(e) = store.pending().await
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: the delivery store does not answer: {e}"),
        );
    }
    (StatusCode::OK, "ready".to_owned())
}
