//! What the dispatcher and the delivery engine report about themselves: tracing
//! spans always (free when no subscriber listens), metrics once a program turns
//! them on with [`enable_metrics`] (the server does when its metrics listener is
//! configured), so that dispatch allocates nothing for metrics nobody reads.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `webhook_items_total` | counter | `object`, `field` (items dispatched; a retried delivery counts again) |
//! | `webhook_entry_last_seen_timestamp_seconds` | gauge | `object`, `entry_id`: when an item of that Page, account or WABA was last dispatched |
//! | `webhook_handler_calls_total` | counter | `handler`, `outcome` (`succeeded`, `failed`, `rejected`, `panicked`, `timed_out`, `already_done`) |
//! | `webhook_handler_duration_seconds` | histogram | `handler` |
//! | `webhook_retries_total` | counter | durable mode: attempts that will be retried |
//! | `webhook_dead_letters_total` | counter | durable mode: deliveries dead-lettered |
//! | `webhook_worker_panics_total` | counter | durable mode: worker tasks that panicked (outside a handler) and were restarted |
//!
//! Spans: `item` (`object`, `field`, `entry`, `kind`) for each routed item, and
//! inside it `handler` (`handler`, `outcome`, `duration_ms`) for each call;
//! durable workers open `delivery` (`id`, `attempt`, `bytes`, `items`, `outcome`
//! `done`/`retry`/`dead`, `duration_ms`) around an attempt.

#[cfg(feature = "metrics")]
pub mod recent;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
#[cfg(feature = "metrics")]
use std::time::{SystemTime, UNIX_EPOCH};

static METRICS: AtomicBool = AtomicBool::new(false);

/// Turns metric recording on for the dispatcher and engine. Call it once a
/// `metrics` recorder is installed.
pub fn enable_metrics() {
    METRICS.store(true, Ordering::Relaxed);
}

/// Whether [`enable_metrics`] was called.
#[must_use]
pub fn metrics_enabled() -> bool {
    METRICS.load(Ordering::Relaxed)
}

#[cfg_attr(
    not(feature = "metrics"),
    allow(unused_variables, reason = "recorded only with the `metrics` feature")
)]
pub(crate) fn item(object: &str, field: Option<&str>, entry: Option<&str>) {
    #[cfg(feature = "metrics")]
    {
        if !metrics_enabled() {
            return;
        }
        let field = field.unwrap_or("").to_owned();
        metrics::counter!("webhook_items_total", "object" => object.to_owned(), "field" => field)
            .increment(1);
        if let Some(entry) = entry {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            metrics::gauge!(
                "webhook_entry_last_seen_timestamp_seconds",
                "object" => object.to_owned(),
                "entry_id" => entry.to_owned()
            )
            .set(now);
        }
    }
}

#[cfg_attr(
    not(feature = "metrics"),
    allow(unused_variables, reason = "recorded only with the `metrics` feature")
)]
pub(crate) fn handler_call(handler: &'static str, outcome: &'static str, took: Duration) {
    #[cfg(feature = "metrics")]
    {
        if !metrics_enabled() {
            return;
        }
        metrics::counter!("webhook_handler_calls_total", "handler" => handler, "outcome" => outcome)
            .increment(1);
        metrics::histogram!("webhook_handler_duration_seconds", "handler" => handler)
            .record(took.as_secs_f64());
        let failed = matches!(outcome, "failed" | "rejected" | "panicked" | "timed_out");
        recent::handler_call(handler, failed, took, now_ms());
    }
}

#[cfg(feature = "durable")]
#[cfg_attr(
    not(feature = "metrics"),
    allow(unused_variables, reason = "recorded only with the `metrics` feature")
)]
pub(crate) fn retry() {
    #[cfg(feature = "metrics")]
    {
        if metrics_enabled() {
            metrics::counter!("webhook_retries_total").increment(1);
            recent::delivery_failed(now_ms());
        }
    }
}

#[cfg(feature = "durable")]
#[cfg_attr(
    not(feature = "metrics"),
    allow(unused_variables, reason = "recorded only with the `metrics` feature")
)]
pub(crate) fn dead_letter() {
    #[cfg(feature = "metrics")]
    {
        if metrics_enabled() {
            metrics::counter!("webhook_dead_letters_total").increment(1);
            recent::delivery_failed(now_ms());
        }
    }
}

#[cfg(feature = "durable")]
pub(crate) fn worker_panic() {
    #[cfg(feature = "metrics")]
    {
        if metrics_enabled() {
            metrics::counter!("webhook_worker_panics_total").increment(1);
        }
    }
}

#[cfg(feature = "metrics")]
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
