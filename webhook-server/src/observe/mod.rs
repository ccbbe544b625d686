//! The side listener (feature `metrics`; off unless `META_WEBHOOK_METRICS_BIND` is
//! set; never the public webhook port): Prometheus metrics, liveness and readiness.
//! Without the feature the counters below cost one relaxed load each.
//!
//! | path | answer |
//! |---|---|
//! | `/metrics` | Prometheus text: the metrics below and those of [`webhook_core::observe`] |
//! | `/healthz` | `200 ok` while the process serves |
//! | `/readyz` | `200 ready` when handlers are registered, the store answers and no worker panicked in the last minute (a panicked worker is restarted); else `503` naming what is wrong |
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `webhook_deliveries_total` | counter | `status` (the code answered), `outcome` (`accepted`, `unauthenticated`, `rejected`, `unavailable`, `handler_failed`) |
//! | `webhook_signature_failures_total` | counter | `reason` (`missing`, `duplicate`, `malformed`, `mismatch`, `sha1_refused`) |
//! | `webhook_duplicates_total` | counter | durable mode: bodies already stored within the dedup window |
//! | `webhook_shed_total` | counter | `reason` (`in_flight`, `connections`, `per_ip`, `body_budget`, `body_budget_per_ip`) |
//! | `webhook_queue_depth` | gauge | durable mode: deliveries waiting (read at each scrape) |
//! | `webhook_non_200_streak` | gauge | signed deliveries answered something else than 200 since the last 200 (requests without a signature header, and 401/403, are scanners, not Meta, and are not counted; a `408`, `413` or `503` comes before the signature can be checked, so a forged header of the right shape counts there: one 200 from Meta ends the streak) |
//! | `webhook_last_200_timestamp_seconds` | gauge | when a delivery was last answered 200 |
//!
//! Alert on what makes Meta give up: Messenger unsubscribes an app after about an
//! hour of failures, so alert on `webhook_non_200_streak > 0` lasting ten minutes
//! (failing deliveries), on `time() - webhook_last_200_timestamp_seconds` (nothing
//! accepted at all: also catches TLS or network trouble that never reaches the
//! route), and on `time() - webhook_entry_last_seen_timestamp_seconds` of a Page
//! that usually talks (it stopped sending: unsubscribed, or its token expired).
//! Last-seen gauges of accounts silent for 8 days are dropped.

#[cfg(feature = "metrics")]
mod side;

#[cfg(feature = "metrics")]
use std::sync::Mutex;
#[cfg(feature = "metrics")]
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
#[cfg(feature = "metrics")]
use webhook_core::observe::{metrics_enabled, recent};

#[cfg(feature = "metrics")]
pub(crate) use side::{Side, install, router};

/// Answers other than 200 to signed deliveries since the last 200, and the gauge
/// showing it, updated together.
#[cfg(feature = "metrics")]
static NON_200_STREAK: Mutex<u64> = Mutex::new(0);

/// When a signed delivery was last answered 200, Unix ms (0: not since start).
#[cfg(feature = "metrics")]
static LAST_200_MS: AtomicU64 = AtomicU64::new(0);

/// The non-200 streak and the last 200 (Unix ms, 0 for none), as the gauges
/// show them.
#[cfg(feature = "console")]
pub(crate) fn answers() -> (u64, u64) {
    let streak = *NON_200_STREAK.lock().expect("not poisoned");
    (streak, LAST_200_MS.load(Ordering::Relaxed))
}

/// Counts an answer to a delivery (`POST`); `signed` when it carried a signature
/// header (only those count in the non-200 streak: a scanner's 413 or 415 is not
/// Meta's deliveries failing).
#[cfg_attr(
    not(feature = "metrics"),
    allow(unused_variables, reason = "recorded only with the `metrics` feature")
)]
pub(crate) fn delivery(status: StatusCode, signed: bool) {
    #[cfg(feature = "metrics")]
    {
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
        // Unsigned or forged requests (scanners) are not Meta's deliveries failing.
        if !signed || matches!(status.as_u16(), 401 | 403) {
            return;
        }
        let mut streak = NON_200_STREAK.lock().expect("not poisoned");
        let now_ms = webhook_core::delivery::now_ms();
        if status == StatusCode::OK {
            #[allow(clippy::cast_precision_loss, reason = "ms since 1970 are below 2^52")]
            metrics::gauge!("webhook_last_200_timestamp_seconds").set(now_ms as f64 / 1000.0);
            LAST_200_MS.store(now_ms, Ordering::Relaxed);
            recent::delivery_received(now_ms);
            *streak = 0;
        } else {
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                recent::delivery_failed(now_ms);
            }
            *streak += 1;
        }
        #[allow(clippy::cast_precision_loss, reason = "a streak is far below 2^52")]
        metrics::gauge!("webhook_non_200_streak").set(*streak as f64);
    }
}

/// Counts a refused signature.
#[cfg_attr(
    not(feature = "metrics"),
    allow(unused_variables, reason = "recorded only with the `metrics` feature")
)]
pub(crate) fn signature_failure(reason: &'static str) {
    #[cfg(feature = "metrics")]
    {
        if metrics_enabled() {
            metrics::counter!("webhook_signature_failures_total", "reason" => reason).increment(1);
        }
    }
}

/// Counts a duplicate body (durable mode).
#[cfg_attr(
    not(feature = "metrics"),
    allow(unused_variables, reason = "recorded only with the `metrics` feature")
)]
pub(crate) fn duplicate() {
    #[cfg(feature = "metrics")]
    {
        if metrics_enabled() {
            metrics::counter!("webhook_duplicates_total").increment(1);
        }
    }
}

/// Counts a request or connection shed under load.
#[cfg_attr(
    not(feature = "metrics"),
    allow(unused_variables, reason = "recorded only with the `metrics` feature")
)]
pub(crate) fn shed(reason: &'static str) {
    #[cfg(feature = "metrics")]
    {
        if metrics_enabled() {
            metrics::counter!("webhook_shed_total", "reason" => reason).increment(1);
        }
    }
}
