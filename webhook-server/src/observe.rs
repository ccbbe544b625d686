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
//! | `webhook_non_200_streak` | gauge | signed deliveries answered something else than 200 since the last 200 (unsigned 401/403 from scanners are not counted) |
//! | `webhook_last_200_timestamp_seconds` | gauge | when a delivery was last answered 200 |
//!
//! Alert on what makes Meta give up: Messenger unsubscribes an app after about an
//! hour of failures, so alert on `webhook_non_200_streak > 0` lasting ten minutes
//! (failing deliveries), on `time() - webhook_last_200_timestamp_seconds` (nothing
//! accepted at all: also catches TLS or network trouble that never reaches the
//! route), and on `time() - webhook_entry_last_seen_timestamp_seconds` of a Page
//! that usually talks (it stopped sending: unsubscribed, or its token expired).
//! Last-seen gauges of accounts silent for 8 days are dropped.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use metrics_util::MetricKindMask;
use webhook_core::Dispatcher;
use webhook_core::delivery::DeliveryStore;
use webhook_core::observe::metrics_enabled;

/// Handler latency buckets, in seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How long a Page's last-seen gauge outlives its last delivery (the `entry_id`
/// label would otherwise grow with every account that ever sent).
const ENTRY_GAUGE_IDLE: Duration = Duration::from_hours(24 * 8);

/// Installs the Prometheus recorder once per process, turns metrics on, and keeps
/// its histograms compacted; fails when the program installed another recorder.
pub(crate) fn install() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .map_err(|e| e.to_string())?
                .idle_timeout(MetricKindMask::GAUGE, Some(ENTRY_GAUGE_IDLE))
                .install_recorder()
                .map_err(|e| {
                    format!("cannot install the Prometheus recorder ({e}): the program installed another metrics recorder")
                })?;
            webhook_core::observe::enable_metrics();
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".to_owned())
                .spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                })
                .map_err(|e| e.to_string())?;
            Ok(handle)
        })
        .clone()
}

/// Answers other than 200 to signed deliveries since the last 200, and the gauge
/// showing it, updated together.
static NON_200_STREAK: Mutex<u64> = Mutex::new(0);

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
    // Unsigned requests (scanners) are not Meta's deliveries failing.
    if matches!(status.as_u16(), 401 | 403) {
        return;
    }
    let mut streak = NON_200_STREAK.lock().expect("not poisoned");
    if status == StatusCode::OK {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        metrics::gauge!("webhook_last_200_timestamp_seconds").set(now);
        *streak = 0;
    } else {
        *streak += 1;
    }
    #[allow(clippy::cast_precision_loss, reason = "a streak is far below 2^52")]
    metrics::gauge!("webhook_non_200_streak").set(*streak as f64);
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
    const PROBE: Duration = Duration::from_secs(2);
    if side.dispatcher.handlers().next().is_none() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: no handlers registered (add #[on(...)] functions)".to_owned(),
        );
    }
    if let Some(store) = &side.store {
        let why = match tokio::time::timeout(PROBE, store.pending()).await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some(format!("no answer within {PROBE:?}")),
        };
        if let Some(why) = why {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: the delivery store does not answer: {why}"),
            );
        }
    }
    (StatusCode::OK, "ready".to_owned())
}
