//! Durable delivery: a 200 to Meta means the delivery is stored.
//!
//! The receiver verifies the signature, [`enqueue`](DeliveryStore::enqueue)s the raw
//! body (one transaction; concurrent deliveries share a commit in the SQLite
//! store), and only then answers 200. Workers ([`Engine`]) claim stored deliveries,
//! dispatch them item by item, and record which `(item, handler)` pairs succeeded,
//! so a retry runs only the pairs that failed.
//!
//! # Guarantee
//!
//! - **At least once.** Every delivery that got a 200 reaches each of its handlers
//!   at least once. A handler runs again when it failed; when its process died
//!   while the delivery was claimed (the claim's lease, renewed while a worker
//!   works, expires and another worker takes it; a delivery claimed three times
//!   without finishing is dead-lettered); when the store could not record its
//!   success; or when the handler's name, target or filters changed.
//! - **A succeeded pair never runs again**, even when another handler of the same
//!   item fails and the delivery is retried.
//! - **Duplicates**: a body whose SHA-256 was seen within the dedup window (default 7
//!   days) is answered 200 and not stored again.
//! - **Idempotency keys** (`#[on(.., idempotent)]`): the handler's natural key
//!   (WhatsApp message id, status id and status, Messenger `mid`, comment id and
//!   verb, lead id; see
//!   [`natural_key`](crate::idempotency::natural_key)) is claimed atomically before it runs, so two
//!   workers never run the same key at once, and a key that succeeded never runs
//!   again, even when Meta re-batches it into another body.
//! - **Effectively once** needs the handler's help: a handler that dies between its
//!   side effect and the store's record runs again, so make the side effect
//!   idempotent (an upsert keyed by the natural key, or the side effect and a
//!   "done" mark in one transaction of your own database).
//!
//! A pair is retried with exponential backoff and jitter ([`RetryPolicy`]) until
//! the attempt limit, then the delivery is dead-lettered with the last errors. A
//! signed body that is not a notification is dead-lettered at once, and so is a
//! delivery whose only failures are rejections (a value a handler's type cannot
//! read fails the same way every time).
//!
//! # Recovery and retention
//!
//! - [`replay`](DeliveryStore::replay) makes a delivery pending again from a clean
//!   slate (attempts and unfinished claims reset); its earlier errors stay in its
//!   [`history`](DeliveryRecord::history) and its succeeded pairs stay succeeded.
//! - A handled delivery keeps its row and hash (for the dedup window), not its
//!   body, so a disk quota refills as workers drain it; dead letters and
//!   idempotency keys have retentions of their own ([`Retention`]).
//! - Progress is recorded per item identity ([`item_ids`](crate::idempotency::item_ids)),
//!   not position, so a release that routes a body differently still reads it right.

mod engine;
mod memory;
#[cfg(feature = "nats")]
pub mod nats;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use sha2::{Digest, Sha256};

pub use crate::idempotency::{KeyClaim, pair_key};
pub use engine::{Engine, EngineConfig, RetryPolicy, WorkerHealth};
pub use memory::MemoryStore;

/// The future of a store operation.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A stored delivery's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryId(pub i64);

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A verified delivery to store.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The raw body, exactly as received and verified.
    pub body: Vec<u8>,
    /// SHA-256 of the body, the deduplication key.
    pub hash: [u8; 32],
    /// Arrival, in Unix milliseconds.
    pub received_at: u64,
    /// Whether its signature was verified before it was stored (always, on the
    /// receive path; kept with the delivery for audits).
    pub verified: bool,
}

impl Incoming {
    /// Hashes `body`.
    #[must_use]
    pub fn new(body: Vec<u8>, received_at: u64) -> Self {
        let hash = Sha256::digest(&body).into();
        Self {
            body,
            hash,
            received_at,
            verified: true,
        }
    }
}

/// What [`enqueue`](DeliveryStore::enqueue) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// Stored as a new delivery.
    Stored(DeliveryId),
    /// The same body was stored within the dedup window; not stored again.
    Duplicate(DeliveryId),
}

/// A delivery claimed by a worker until its lease expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Its id.
    pub id: DeliveryId,
    /// The raw body.
    pub body: Vec<u8>,
    /// Attempts finished before this claim.
    pub attempts: u32,
    /// How many times it was claimed, this claim included. Also the claim's token:
    /// only the latest claim may renew or finish it.
    pub claims: u64,
    /// Claims since its last finished attempt (or replay), this one included: above
    /// one, a worker died holding it. The crash-loop guard reads this, not
    /// `claims`, so that a replay starts with a clean slate.
    pub unfinished: u64,
    /// Pairs (see [`pair_key`]) that already succeeded.
    pub done: BTreeSet<String>,
}

/// How a claimed delivery ends its attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Every pair succeeded.
    Done,
    /// Some pairs failed; try again at `at` (Unix ms).
    Retry {
        /// When.
        at: u64,
        /// The failures, for inspection.
        error: String,
    },
    /// Give up: keep it with the dead letters.
    Dead {
        /// Why.
        error: String,
    },
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// Waiting for a worker (new, or retrying after a failure).
    Pending,
    /// Every handler succeeded.
    Done,
    /// Given up on; kept for inspection and replay.
    Dead,
}

impl DeliveryState {
    /// `pending`, `done` or `dead`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    /// Parses [`as_str`](Self::as_str)'s output.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "done" => Some(Self::Done),
            "dead" => Some(Self::Dead),
            _ => None,
        }
    }
}

/// A stored delivery, for inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Its id.
    pub id: DeliveryId,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts finished.
    pub attempts: u32,
    /// Arrival, Unix ms.
    pub received_at: u64,
    /// Whether its signature was verified before it was stored.
    pub verified: bool,
    /// Earliest next attempt, Unix ms (pending deliveries).
    pub next_attempt_at: u64,
    /// The last attempt's failures.
    pub last_error: Option<String>,
    /// Pairs that succeeded.
    pub done: BTreeSet<String>,
    /// SHA-256 of the body: the dedup key, kept after the body is dropped.
    pub hash: [u8; 32],
    /// The raw body; empty once handled (only its hash is kept, for dedup).
    pub body: Vec<u8>,
    /// Every finished attempt and replay, oldest first: errors of earlier attempts
    /// stay here after a replay.
    pub history: Vec<HistoryEntry>,
}

/// One event in a delivery's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// When, Unix ms.
    pub at: u64,
    /// What happened.
    pub event: HistoryEvent,
    /// The failures, for attempts that had some.
    pub error: Option<String>,
}

/// What happened to a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryEvent {
    /// An attempt ended with every pair done.
    Done,
    /// An attempt ended with failures; it will be retried.
    Retry,
    /// An attempt ended the delivery as a dead letter.
    Dead,
    /// It was made pending again by hand.
    Replayed,
}

impl HistoryEvent {
    /// `done`, `retry`, `dead` or `replayed`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Retry => "retry",
            Self::Dead => "dead",
            Self::Replayed => "replayed",
        }
    }

    /// Parses [`as_str`](Self::as_str)'s output.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Done, Self::Retry, Self::Dead, Self::Replayed]
            .into_iter()
            .find(|e| e.as_str() == text)
    }
}

impl HistoryEntry {
    /// The entry for an attempt that ended with `next`, at `at`.
    #[must_use]
    pub fn of(next: &Next, at: u64) -> Self {
        let (event, error) = match next {
            Next::Done => (HistoryEvent::Done, None),
            Next::Retry { error, .. } => (HistoryEvent::Retry, Some(error.clone())),
            Next::Dead { error } => (HistoryEvent::Dead, Some(error.clone())),
        };
        Self { at, event, error }
    }
}

/// The most history entries kept per delivery (the oldest go first).
pub const MAX_HISTORY: usize = 50;

/// Which deliveries to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFilter {
    /// Every delivery.
    #[default]
    All,
    /// Pending deliveries that have not failed yet.
    Pending,
    /// Pending deliveries that failed at least once.
    Failed,
    /// Dead letters.
    Dead,
    /// Finished deliveries.
    Done,
}

impl ListFilter {
    /// Whether `record` passes.
    #[must_use]
    pub fn matches(self, record: &DeliveryRecord) -> bool {
        match self {
            Self::All => true,
            Self::Pending => record.state == DeliveryState::Pending && record.attempts == 0,
            Self::Failed => record.state == DeliveryState::Pending && record.attempts > 0,
            Self::Dead => record.state == DeliveryState::Dead,
            Self::Done => record.state == DeliveryState::Done,
        }
    }
}

/// A page of deliveries to list: newest first, by state, before an id (the cursor
/// of the page before), received within a time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    /// Which states.
    pub state: ListFilter,
    /// Only ids below this one (the last id of the page before).
    pub before: Option<DeliveryId>,
    /// Only deliveries received at or after this Unix ms time.
    pub since: Option<u64>,
    /// Only deliveries received before this Unix ms time.
    pub until: Option<u64>,
    /// At most this many.
    pub limit: usize,
}

impl Query {
    /// The newest `limit` deliveries in `state`.
    #[must_use]
    pub fn new(state: ListFilter, limit: usize) -> Self {
        Self {
            state,
            before: None,
            since: None,
            until: None,
            limit,
        }
    }

    /// Whether `record` passes every condition but the limit.
    #[must_use]
    pub fn matches(&self, record: &DeliveryRecord) -> bool {
        self.state.matches(record)
            && self.before.is_none_or(|before| record.id < before)
            && self.since.is_none_or(|since| record.received_at >= since)
            && self.until.is_none_or(|until| record.received_at < until)
    }
}

/// Why the store could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The pending queue is at its bound; Meta should retry later.
    Full {
        /// Pending deliveries.
        pending: u64,
    },
    /// The store could not be read or written (disk full, file unwritable ...).
    Unavailable(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full { pending } => write!(f, "the delivery queue is full ({pending} pending)"),
            Self::Unavailable(why) => write!(f, "the delivery store is unavailable: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Where deliveries wait to be handled. Implemented by [`MemoryStore`] and, with
/// the `sqlite` feature, [`sqlite::SqliteStore`]; shaped to fit a networked broker
/// too (every operation is one request, claims carry leases).
///
/// Times are Unix milliseconds passed by the caller, so that behaviour does not
/// depend on the store's clock.
///
/// A store of your own is given to the server with `Server::store`; see
/// `examples/own_store.rs` (a decorator over [`MemoryStore`], with its test) and
/// the source of [`MemoryStore`], the reference implementation of every method.
pub trait DeliveryStore: Send + Sync + 'static {
    /// Stores a delivery unless the same body was stored within `dedup_window` ms.
    fn enqueue(&self, incoming: Incoming, dedup_window: u64) -> StoreFuture<'_, Enqueued>;

    /// Claims the oldest pending delivery that is due and not leased, until
    /// `now + lease`.
    fn claim(&self, now: u64, lease: u64) -> StoreFuture<'_, Option<Claimed>>;

    /// Records the pairs that succeeded in this attempt and how it ends, in one step,
    /// if claim `claims` is still the latest; false (and nothing written) otherwise.
    fn finish(
        &self,
        id: DeliveryId,
        claims: u64,
        done: Vec<String>,
        next: Next,
    ) -> StoreFuture<'_, bool>;

    /// Extends claim `claims` until `until`; false when it is no longer the latest.
    fn renew(&self, id: DeliveryId, claims: u64, until: u64) -> StoreFuture<'_, bool>;

    /// Claims an idempotency key until `now + lease`.
    fn claim_key(&self, key: String, now: u64, lease: u64) -> StoreFuture<'_, KeyClaim>;

    /// Releases a key claimed until `holder` (the `now + lease` of its
    /// [`claim_key`](Self::claim_key)): marked done when the handler succeeded;
    /// freed otherwise, but only while that claim still holds it (a worker whose
    /// lease ran out must not free the key under the worker that took it over).
    fn finish_key(&self, key: String, holder: u64, succeeded: bool) -> StoreFuture<'_, ()>;

    /// Deliveries passing `filter`, newest first, at most `limit`.
    fn list(&self, filter: ListFilter, limit: usize) -> StoreFuture<'_, Vec<DeliveryRecord>>;

    /// A page of deliveries (see [`Query`]), newest first. The default filters
    /// [`list`](Self::list)'s whole answer; stores with an index override it.
    fn page(&self, query: Query) -> StoreFuture<'_, Vec<DeliveryRecord>> {
        let all = self.list(query.state, usize::MAX);
        Box::pin(async move {
            let mut records = all.await?;
            records.retain(|r| query.matches(r));
            records.truncate(query.limit);
            Ok(records)
        })
    }

    /// One delivery.
    fn get(&self, id: DeliveryId) -> StoreFuture<'_, Option<DeliveryRecord>>;

    /// Makes a delivery pending again, due at `now`, with its attempts and
    /// unfinished claims reset and a [`HistoryEvent::Replayed`] entry added (its
    /// succeeded pairs stay succeeded, its history stays; a current claim keeps its
    /// lease). False when there is no such delivery.
    fn replay(&self, id: DeliveryId, now: u64) -> StoreFuture<'_, bool>;

    /// Deletes a delivery. False when there is no such delivery.
    fn discard(&self, id: DeliveryId) -> StoreFuture<'_, bool>;

    /// Forgets what is older than its retention (see [`Retention`]); returns how
    /// much went.
    fn prune(&self, retention: Retention) -> StoreFuture<'_, Pruned>;

    /// How many deliveries are waiting to be handled (new or to be retried): the
    /// queue depth. Also the readiness probe: it fails when the store does.
    fn pending(&self) -> StoreFuture<'_, u64>;

    /// How many deliveries the store holds in each state. The default reads every
    /// record through [`list`](Self::list); stores that can count override it.
    fn counts(&self) -> StoreFuture<'_, Counts> {
        let all = self.list(ListFilter::All, usize::MAX);
        Box::pin(async move {
            let mut counts = Counts::default();
            for record in all.await? {
                counts.add(&record);
            }
            Ok(counts)
        })
    }
}

/// How many deliveries are in each state (see [`ListFilter`] for the states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Pending, not failed yet.
    pub pending: u64,
    /// Pending after a failed attempt: to be retried.
    pub failed: u64,
    /// Dead letters.
    pub dead: u64,
    /// Handled (kept for the dedup window; a store that forgets handled
    /// deliveries at once, as NATS does, counts none).
    pub done: u64,
}

impl Counts {
    /// Counts `record` in its state.
    pub fn add(&mut self, record: &DeliveryRecord) {
        let counter = match record.state {
            DeliveryState::Pending if record.attempts > 0 => &mut self.failed,
            DeliveryState::Pending => &mut self.pending,
            DeliveryState::Dead => &mut self.dead,
            DeliveryState::Done => &mut self.done,
        };
        *counter += 1;
    }

    /// Every delivery held.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.pending + self.failed + self.dead + self.done
    }
}

/// What [`prune`](DeliveryStore::prune) forgets: everything older than its
/// cut-off, each a Unix ms time (`now` minus the retention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Handled deliveries (their rows, bodies long gone) and dedup records received
    /// before this: the dedup window.
    pub handled_before: u64,
    /// Dead letters received before this.
    pub dead_before: u64,
    /// Idempotency keys done (or abandoned) before this.
    pub keys_before: u64,
}

impl Retention {
    /// Cut-offs `now` minus each retention (ms).
    #[must_use]
    pub fn at(now: u64, dedup_window: u64, dead_letters: u64, keys: u64) -> Self {
        Self {
            handled_before: now.saturating_sub(dedup_window),
            dead_before: now.saturating_sub(dead_letters),
            keys_before: now.saturating_sub(keys),
        }
    }
}

/// What [`prune`](DeliveryStore::prune) removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    /// Handled deliveries.
    pub handled: u64,
    /// Dead letters.
    pub dead: u64,
    /// Idempotency keys.
    pub keys: u64,
}

impl Pruned {
    /// Whether anything went.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Unix milliseconds now.
#[must_use]
pub fn now_ms() -> u64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}
