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
//! signed body that is not a notification is dead-lettered at once.

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
pub use engine::{Engine, EngineConfig, RetryPolicy};
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
    /// The raw body.
    pub body: Vec<u8>,
}

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

    /// Releases a key: marked done when the handler succeeded, free otherwise.
    fn finish_key(&self, key: String, succeeded: bool) -> StoreFuture<'_, ()>;

    /// Deliveries passing `filter`, newest first, at most `limit`.
    fn list(&self, filter: ListFilter, limit: usize) -> StoreFuture<'_, Vec<DeliveryRecord>>;

    /// One delivery.
    fn get(&self, id: DeliveryId) -> StoreFuture<'_, Option<DeliveryRecord>>;

    /// Makes a delivery pending again, due at `now`, with its attempts reset (its
    /// succeeded pairs stay succeeded; a current claim keeps its lease). False when
    /// there is no such delivery.
    fn replay(&self, id: DeliveryId, now: u64) -> StoreFuture<'_, bool>;

    /// Deletes a delivery. False when there is no such delivery.
    fn discard(&self, id: DeliveryId) -> StoreFuture<'_, bool>;

    /// Forgets finished deliveries and dedup records older than `before`; returns
    /// how many deliveries were removed.
    fn prune(&self, before: u64) -> StoreFuture<'_, u64>;

    /// How many deliveries are waiting to be handled (new or to be retried): the
    /// queue depth. Also the readiness probe: it fails when the store does.
    fn pending(&self) -> StoreFuture<'_, u64>;
}

/// Unix milliseconds now.
#[must_use]
pub fn now_ms() -> u64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}
