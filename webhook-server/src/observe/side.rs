//! The Prometheus recorder and the side listener's routes.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use metrics_util::MetricKindMask;
use webhook_core::Dispatcher;
use webhook_core::delivery::{DeliveryStore, Engine};

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

/// What the side listener reads.
#[derive(Clone)]
pub(crate) struct Side {
    pub(crate) metrics: PrometheusHandle,
    pub(crate) store: Option<Arc<dyn DeliveryStore>>,
    pub(crate) dispatcher: Arc<Dispatcher>,
    /// The workers of this process, when it runs any.
    pub(crate) engine: Option<Arc<Engine>>,
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
    if let Some(engine) = &side.engine {
        let health = engine.worker_health();
        if !health.is_healthy() {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "not ready: {} worker panic(s) in the last minute, {} worker(s) down (restarted \
                     automatically); last: {}",
                    health.recent_panics,
                    health.down,
                    health.last_panic.unwrap_or_default()
                ),
            );
        }
    }
    (StatusCode::OK, "ready".to_owned())
}
