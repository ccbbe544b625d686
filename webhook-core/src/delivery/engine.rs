//! Workers that take stored deliveries and run their handlers, with retries.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, RandomState};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use std::sync::Mutex;

use futures_util::FutureExt;
use tokio::sync::{Notify, watch};

use super::{
    Claimed, DeliveryStore, Enqueued, Incoming, KeyClaim, Next, Retention, StoreError, now_ms,
};
use crate::dispatch::Dispatcher;
use crate::dispatch::gate::{Gate, GateFuture};
use crate::{Notification, Outcome};
use tracing::Instrument;

/// How often handled deliveries older than the dedup window are pruned.
const PRUNE_EVERY: Duration = Duration::from_mins(10);

/// Claims that never reached `finish` (the process died each time) before a
/// delivery is dead-lettered.
const MAX_UNFINISHED_CLAIMS: u64 = 3;

/// How failed pairs are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before a delivery is dead-lettered (the first one included).
    pub max_attempts: u32,
    /// The delay after the first failure; it doubles with each further failure.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts over about 2 hours: 5 s, 10 s, 20 s ... capped at 30 min.
    fn default() -> Self {
        Self {
            max_attempts: 10,
            base_delay: Duration::from_secs(5),
            max_delay: Duration::from_mins(30),
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt `attempt + 1`, after `attempt` failures (1-based):
    /// exponential, capped, with "equal jitter" (between half and all of it), so
    /// that deliveries failing together do not retry together.
    #[must_use]
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let exponential = self.base_delay.saturating_mul(
            1u32.checked_shl(attempt.saturating_sub(1).min(31))
                .unwrap_or(u32::MAX),
        );
        let capped = exponential.min(self.max_delay);
        capped.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    }
}

/// How the engine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineConfig {
    /// Worker tasks dispatching deliveries concurrently.
    pub workers: usize,
    /// How long a claim lasts; a worker that dies loses its deliveries to another
    /// worker after this.
    pub lease: Duration,
    /// How often idle workers look for due retries and expired leases.
    pub poll: Duration,
    /// How long a body hash is remembered for deduplication (Meta retries for up to
    /// 7 days).
    pub dedup_window: Duration,
    /// Retries of failed pairs.
    pub retry: RetryPolicy,
    /// Deliveries a worker claims at once, handles concurrently and records in one
    /// commit (each claim and each finish would otherwise wait for its own fsync).
    pub batch: usize,
    /// How long dead letters are kept for inspection and replay.
    pub dead_letter_retention: Duration,
    /// How long an idempotency key is remembered after its handler ran (Meta
    /// retries for up to 7 days, and may re-batch an event into another body).
    pub key_retention: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            workers: 4,
            lease: Duration::from_mins(1),
            poll: Duration::from_millis(250),
            dedup_window: Duration::from_hours(7 * 24),
            retry: RetryPolicy::default(),
            batch: 16,
            dead_letter_retention: Duration::from_hours(30 * 24),
            key_retention: Duration::from_hours(7 * 24),
        }
    }
}

/// Stores deliveries and runs workers over them.
pub struct Engine {
    store: Arc<dyn DeliveryStore>,
    dispatcher: Arc<Dispatcher>,
    config: EngineConfig,
    wake: Notify,
    health: Mutex<Health>,
}

/// How long a worker panic counts against readiness.
const PANIC_MEMORY: Duration = Duration::from_mins(1);

/// Workers that panicked and were restarted (handler panics are caught and never
/// get here: this is a panic of the worker itself, or of a store).
#[derive(Debug, Default)]
struct Health {
    down: usize,
    panics: std::collections::VecDeque<(std::time::Instant, String)>,
}

/// The workers' state, for a readiness probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerHealth {
    /// Workers stopped by a panic and not restarted yet.
    pub down: usize,
    /// Worker panics in the last minute.
    pub recent_panics: usize,
    /// The last panic's message.
    pub last_panic: Option<String>,
}

impl WorkerHealth {
    /// Whether every worker runs and none panicked in the last minute.
    #[must_use]
    pub fn is_healthy(&self) -> bool {
        self.down == 0 && self.recent_panics == 0
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Engine {
    /// An engine over `store`, dispatching with `dispatcher`.
    pub fn new(
        store: Arc<dyn DeliveryStore>,
        dispatcher: Arc<Dispatcher>,
        config: EngineConfig,
    ) -> Arc<Self> {
        Arc::new(Self {
            store,
            dispatcher,
            config,
            wake: Notify::new(),
            health: Mutex::new(Health::default()),
        })
    }

    /// Whether the workers run (see [`WorkerHealth`]).
    #[must_use]
    pub fn worker_health(&self) -> WorkerHealth {
        let mut health = self
            .health
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while health
            .panics
            .front()
            .is_some_and(|(at, _)| at.elapsed() > PANIC_MEMORY)
        {
            health.panics.pop_front();
        }
        WorkerHealth {
            down: health.down,
            recent_panics: health.panics.len(),
            last_panic: health.panics.back().map(|(_, why)| why.clone()),
        }
    }

    /// One worker: claims and handles deliveries until `shutdown`.
    async fn work(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        while !*shutdown.borrow() {
            match self.work_once().await {
                Ok(0) => {}
                Ok(_) => continue,
                Err(e) => tracing::error!("delivery store error: {e}"),
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.config.poll) => {}
                changed = shutdown.changed() => if changed.is_err() { break },
            }
        }
    }

    /// Runs a worker, restarting it (after a pause) when it panics, until
    /// `shutdown`. What it held comes back after its lease, as after a crash.
    async fn supervise(self: Arc<Self>, shutdown: watch::Receiver<bool>) {
        let mut pause = Duration::from_millis(100);
        loop {
            let run = AssertUnwindSafe(Arc::clone(&self).work(shutdown.clone()))
                .catch_unwind()
                .await;
            let Err(panic) = run else { return };
            let why = panic
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            tracing::error!(
                restart_in_ms = pause.as_millis(),
                "a delivery worker panicked and will be restarted: {why}"
            );
            crate::observe::worker_panic();
            {
                let mut health = self
                    .health
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                health.down += 1;
                health.panics.push_back((std::time::Instant::now(), why));
            }
            let mut stop = shutdown.clone();
            let stopped = tokio::select! {
                () = tokio::time::sleep(pause) => false,
                _ = stop.wait_for(|stop| *stop) => true,
            };
            self.health
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .down -= 1;
            if stopped || *shutdown.borrow() {
                return;
            }
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Arc<dyn DeliveryStore> {
        &self.store
    }

    /// Stores a verified body (the receive path) and wakes a worker.
    pub async fn receive(&self, body: Vec<u8>) -> Result<Enqueued, StoreError> {
        let enqueued = self
            .store
            .enqueue(
                Incoming::new(body, now_ms()),
                millis(self.config.dedup_window),
            )
            .await?;
        if matches!(enqueued, Enqueued::Stored(_)) {
            self.wake.notify_one();
        }
        Ok(enqueued)
    }

    /// Starts the workers; they stop when `shutdown` turns true, each after
    /// finishing the delivery it holds.
    pub fn spawn_workers(
        self: &Arc<Self>,
        shutdown: &watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks: Vec<_> = (0..self.config.workers.max(1))
            .map(|_| tokio::spawn(Arc::clone(self).supervise(shutdown.clone())))
            .collect();
        let engine = Arc::clone(self);
        let mut shutdown = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            // What is past its retention goes.
            let mut every = tokio::time::interval(PRUNE_EVERY);
            loop {
                tokio::select! {
                    _ = every.tick() => {
                        match engine.store.prune(engine.retention(now_ms())).await {
                            Ok(pruned) if pruned.is_empty() => {}
                            Ok(pruned) => tracing::info!(
                                handled = pruned.handled,
                                dead_letters = pruned.dead,
                                idempotency_keys = pruned.keys,
                                "pruned what is past its retention"
                            ),
                            Err(e) => tracing::error!("cannot prune the delivery store: {e}"),
                        }
                    }
                    changed = shutdown.changed() => if changed.is_err() || *shutdown.borrow() { break },
                }
            }
        }));
        tasks
    }

    /// The cut-offs of this configuration's retentions at `now`.
    #[must_use]
    pub fn retention(&self, now: u64) -> Retention {
        Retention::at(
            now,
            millis(self.config.dedup_window),
            millis(self.config.dead_letter_retention),
            millis(self.config.key_retention),
        )
    }

    /// Claims up to [`EngineConfig::batch`] due deliveries (one commit), handles
    /// them concurrently while renewing their leases, and records the results (one
    /// commit); returns how many it handled.
    pub async fn work_once(&self) -> Result<usize, StoreError> {
        let lease = millis(self.config.lease);
        let now = now_ms();
        // Sent together, the claims share one transaction of the store.
        let claims =
            join_all((0..self.config.batch.max(1)).map(|_| self.store.claim(now, lease))).await;
        // What was claimed is handled even when other claims of the batch failed
        // (left unhandled, it would only come back after its lease).
        let mut batch = Vec::new();
        let mut failed = None;
        for claim in claims {
            match claim {
                Ok(Some(claimed)) => batch.push(claimed),
                Ok(None) => {}
                Err(e) => failed = Some(e),
            }
        }
        if batch.is_empty() {
            return failed.map_or(Ok(0), Err);
        }
        let outcomes = join_all(batch.iter().map(|claimed| self.outcome(claimed)));
        tokio::pin!(outcomes);
        let mut renew = tokio::time::interval(self.config.lease / 3);
        renew.tick().await;
        let outcomes = loop {
            tokio::select! {
                outcomes = &mut outcomes => break outcomes,
                _ = renew.tick() => {
                    let until = now_ms() + lease;
                    let renewed = join_all(batch.iter().map(|c| self.store.renew(c.id, c.claims, until))).await;
                    for (claimed, renewed) in batch.iter().zip(renewed) {
                        match renewed {
                            Ok(true) => {}
                            Ok(false) => tracing::warn!(delivery = claimed.id.0, "lost the claim on a delivery while handling it"),
                            // Handlers keep running: the next renewal may succeed, and the
                            // finish says whether the claim held.
                            Err(e) => tracing::warn!(delivery = claimed.id.0, "cannot renew a claim: {e}"),
                        }
                    }
                }
            }
        };
        let finished = join_all(
            batch
                .iter()
                .zip(outcomes)
                .map(|(c, (done, next))| self.store.finish(c.id, c.claims, done, next)),
        )
        .await;
        for (claimed, finished) in batch.iter().zip(finished) {
            if !finished? {
                tracing::warn!(
                    delivery = claimed.id.0,
                    "another worker took over this delivery; its result is left to that worker"
                );
            }
        }
        Ok(batch.len())
    }

    /// Handles one claimed delivery and says how its attempt ends.
    async fn outcome(&self, claimed: &Claimed) -> (Vec<String>, Next) {
        let id = claimed.id;
        let span = tracing::info_span!(
            "delivery",
            id = id.0,
            attempt = claimed.attempts + 1,
            bytes = claimed.body.len(),
            items = tracing::field::Empty,
            outcome = tracing::field::Empty,
            duration_ms = tracing::field::Empty
        );
        let start = std::time::Instant::now();
        let (done, next) = if claimed.unfinished > MAX_UNFINISHED_CLAIMS {
            // Claimed again and again without an attempt ever finishing: something in
            // its handling kills the process. Keep it out of the way.
            let error = format!(
                "claimed {} times without finishing: a handler may be crashing the process",
                claimed.unfinished - 1
            );
            (Vec::new(), Next::Dead { error })
        } else {
            self.attempt(claimed).instrument(span.clone()).await
        };
        span.record(
            "outcome",
            match &next {
                Next::Done => "done",
                Next::Retry { .. } => "retry",
                Next::Dead { .. } => "dead",
            },
        );
        span.record("duration_ms", start.elapsed().as_secs_f64() * 1000.0);
        let _entered = span.enter();
        let attempt = claimed.attempts + 1;
        match &next {
            Next::Done => tracing::info!(delivery = id.0, attempt, "delivery handled"),
            Next::Retry { at, error } => {
                crate::observe::retry();
                tracing::warn!(
                    delivery = id.0,
                    attempt,
                    retry_in_ms = at.saturating_sub(now_ms()),
                    "delivery will be retried: {error}"
                );
            }
            Next::Dead { error } => {
                crate::observe::dead_letter();
                tracing::error!(delivery = id.0, attempt, "delivery dead-lettered: {error}");
            }
        }
        (done, next)
    }

    async fn attempt(&self, claimed: &Claimed) -> (Vec<String>, Next) {
        let notification = match Notification::parse(&claimed.body) {
            Ok(notification) => notification,
            Err(e) => {
                return (
                    Vec::new(),
                    Next::Dead {
                        error: format!("signed body is not a webhook notification: {e}"),
                    },
                );
            }
        };
        let upgraded = self
            .dispatcher
            .upgrade_progress(&notification, &claimed.done);
        let gate = StoreGate {
            store: &*self.store,
            done: &upgraded,
            succeeded: Mutex::new(Vec::new()),
            lease: millis(self.config.lease),
        };
        let report = self.dispatcher.dispatch_gated(&notification, &gate).await;
        tracing::Span::current().record("items", report.items().len());
        let mut done = gate.succeeded.into_inner().unwrap_or_default();
        // Rewritten progress of an earlier release is recorded in today's keys.
        if let std::borrow::Cow::Owned(upgraded) = &upgraded {
            done.extend(upgraded.difference(&claimed.done).cloned());
        }
        let mut failures = Vec::new();
        let mut only_rejections = true;
        for item in report.items() {
            for run in item.runs() {
                if run.outcome.is_success() {
                    continue;
                }
                only_rejections &= matches!(run.outcome, Outcome::Rejected(_));
                failures.push(format!(
                    "{} on ({}, {}) {}",
                    run.handler.name,
                    item.object(),
                    item.field().unwrap_or("<unknown>"),
                    run.outcome,
                ));
            }
        }
        if failures.is_empty() {
            return (done, Next::Done);
        }
        let error = failures.join("\n");
        let attempt = claimed.attempts + 1;
        if only_rejections {
            // The handlers' types cannot read these values: the same body fails the
            // same way every time, so it waits with the dead letters for a deploy
            // that fixes the types, and a replay.
            return (
                done,
                Next::Dead {
                    error: format!(
                        "{error}\n(rejected: retrying cannot help; replay it after fixing the handler's type)"
                    ),
                },
            );
        }
        if attempt >= self.config.retry.max_attempts {
            return (done, Next::Dead { error });
        }
        let jitter =
            f64::from(u32::try_from(RandomState::new().hash_one(claimed.id.0) % 1000).unwrap_or(0))
                / 1000.0;
        let at = now_ms() + millis(self.config.retry.delay(attempt, jitter));
        (done, Next::Retry { at, error })
    }
}

/// Durable dispatch's view of the store: pairs already done, idempotency keys.
struct StoreGate<'a> {
    store: &'a dyn DeliveryStore,
    done: &'a BTreeSet<String>,
    /// Pairs that succeeded in this attempt.
    succeeded: Mutex<Vec<String>>,
    lease: u64,
}

impl Gate for StoreGate<'_> {
    fn is_done(&self, pair: &str) -> bool {
        self.done.contains(pair)
    }

    fn succeeded(&self, pair: String) {
        if let Ok(mut succeeded) = self.succeeded.lock() {
            succeeded.push(pair);
        }
    }

    fn claim_key(&self, key: String) -> GateFuture<'_, (KeyClaim, u64)> {
        let now = now_ms();
        let holder = now.saturating_add(self.lease);
        let claim = self.store.claim_key(key, now, self.lease);
        Box::pin(async move { Ok((claim.await?, holder)) })
    }

    fn finish_key(&self, key: String, holder: u64, succeeded: bool) -> GateFuture<'_, ()> {
        let finish = self.store.finish_key(key, holder, succeeded);
        Box::pin(async move { Ok(finish.await?) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_with_jitter_and_a_cap() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_mins(1),
        };
        assert_eq!(p.delay(1, 1.0), Duration::from_secs(1));
        assert_eq!(p.delay(2, 1.0), Duration::from_secs(2));
        assert_eq!(p.delay(4, 1.0), Duration::from_secs(8));
        assert_eq!(p.delay(4, 0.0), Duration::from_secs(4));
        assert_eq!(p.delay(20, 1.0), Duration::from_mins(1));
        assert_eq!(p.delay(200, 0.5), Duration::from_secs(45));
    }
}
