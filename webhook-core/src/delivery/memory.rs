//! The in-memory store: for tests, inline use, and as the model the SQLite store is
//! checked against. Nothing survives the process.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::{
    Claimed, DeliveryId, DeliveryRecord, DeliveryState, DeliveryStore, Enqueued, Incoming,
    KeyClaim, ListFilter, Next, StoreError, StoreFuture,
};

/// Deliveries in a `Mutex`ed map.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    max_pending: Option<u64>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: i64,
    /// Each delivery with its lease end and claim count.
    deliveries: BTreeMap<DeliveryId, (DeliveryRecord, u64, u64)>,
    seen: HashMap<[u8; 32], (DeliveryId, u64)>,
    keys: HashMap<String, Key>,
}

#[derive(Debug, Clone, Copy)]
enum Key {
    Running { until: u64 },
    Done,
}

impl MemoryStore {
    /// An empty store with no bound on pending deliveries.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store refusing new deliveries once `max` are pending.
    #[must_use]
    pub fn with_max_pending(max: u64) -> Self {
        Self {
            max_pending: Some(max),
            ..Self::default()
        }
    }

    fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Inner) -> Result<T, StoreError>,
    ) -> StoreFuture<'_, T> {
        let result = match self.inner.lock() {
            Ok(mut inner) => f(&mut inner),
            Err(_) => Err(StoreError::Unavailable(
                "the in-memory store's lock is poisoned".to_owned(),
            )),
        };
        Box::pin(std::future::ready(result))
    }
}

impl DeliveryStore for MemoryStore {
    fn enqueue(&self, incoming: Incoming, dedup_window: u64) -> StoreFuture<'_, Enqueued> {
        let max_pending = self.max_pending;
        self.with(move |inner| {
            if let Some(&(id, seen_at)) = inner.seen.get(&incoming.hash)
                && incoming.received_at.saturating_sub(seen_at) < dedup_window
            {
                return Ok(Enqueued::Duplicate(id));
            }
            let pending = inner
                .deliveries
                .values()
                .filter(|(r, ..)| r.state == DeliveryState::Pending)
                .count() as u64;
            if max_pending.is_some_and(|max| pending >= max) {
                return Err(StoreError::Full { pending });
            }
            inner.next_id += 1;
            let id = DeliveryId(inner.next_id);
            inner.seen.insert(incoming.hash, (id, incoming.received_at));
            let record = DeliveryRecord {
                id,
                state: DeliveryState::Pending,
                attempts: 0,
                received_at: incoming.received_at,
                verified: incoming.verified,
                next_attempt_at: incoming.received_at,
                last_error: None,
                done: std::collections::BTreeSet::new(),
                body: incoming.body,
            };
            inner.deliveries.insert(id, (record, 0, 0));
            Ok(Enqueued::Stored(id))
        })
    }

    fn claim(&self, now: u64, lease: u64) -> StoreFuture<'_, Option<Claimed>> {
        self.with(move |inner| {
            let due = inner.deliveries.values_mut().find(|(r, lease_until, _)| {
                r.state == DeliveryState::Pending && r.next_attempt_at <= now && *lease_until <= now
            });
            Ok(due.map(|(record, lease_until, claims)| {
                *lease_until = now + lease;
                *claims += 1;
                Claimed {
                    id: record.id,
                    body: record.body.clone(),
                    attempts: record.attempts,
                    claims: *claims,
                    done: record.done.clone(),
                }
            }))
        })
    }

    fn finish(
        &self,
        id: DeliveryId,
        claim: u64,
        done: Vec<String>,
        next: Next,
    ) -> StoreFuture<'_, bool> {
        self.with(move |inner| {
            let Some((record, lease_until, claims)) = inner.deliveries.get_mut(&id) else {
                return Ok(false);
            };
            if *claims != claim {
                return Ok(false);
            }
            record.done.extend(done);
            record.attempts += 1;
            *lease_until = 0;
            match next {
                Next::Done => {
                    record.state = DeliveryState::Done;
                    record.last_error = None;
                }
                Next::Retry { at, error } => {
                    record.state = DeliveryState::Pending;
                    record.next_attempt_at = at;
                    record.last_error = Some(error);
                }
                Next::Dead { error } => {
                    record.state = DeliveryState::Dead;
                    record.last_error = Some(error);
                }
            }
            Ok(true)
        })
    }

    fn renew(&self, id: DeliveryId, claim: u64, until: u64) -> StoreFuture<'_, bool> {
        self.with(move |inner| {
            Ok(match inner.deliveries.get_mut(&id) {
                Some((_, lease_until, claims)) if *claims == claim && *lease_until > 0 => {
                    *lease_until = until;
                    true
                }
                _ => false,
            })
        })
    }

    fn claim_key(&self, key: String, now: u64, lease: u64) -> StoreFuture<'_, KeyClaim> {
        self.with(move |inner| {
            Ok(match inner.keys.get(&key) {
                Some(Key::Done) => KeyClaim::Done,
                Some(Key::Running { until }) if *until > now => KeyClaim::Busy,
                _ => {
                    inner.keys.insert(key, Key::Running { until: now + lease });
                    KeyClaim::Run
                }
            })
        })
    }

    fn finish_key(&self, key: String, succeeded: bool) -> StoreFuture<'_, ()> {
        self.with(move |inner| {
            if succeeded {
                inner.keys.insert(key, Key::Done);
            } else {
                inner.keys.remove(&key);
            }
            Ok(())
        })
    }

    fn list(&self, filter: ListFilter, limit: usize) -> StoreFuture<'_, Vec<DeliveryRecord>> {
        self.with(move |inner| {
            Ok(inner
                .deliveries
                .values()
                .rev()
                .map(|(r, ..)| r)
                .filter(|r| filter.matches(r))
                .take(limit)
                .cloned()
                .collect())
        })
    }

    fn get(&self, id: DeliveryId) -> StoreFuture<'_, Option<DeliveryRecord>> {
        self.with(move |inner| Ok(inner.deliveries.get(&id).map(|(r, ..)| r.clone())))
    }

    fn replay(&self, id: DeliveryId, now: u64) -> StoreFuture<'_, bool> {
        self.with(move |inner| {
            Ok(inner.deliveries.get_mut(&id).is_some_and(|(record, ..)| {
                record.state = DeliveryState::Pending;
                record.attempts = 0;
                record.next_attempt_at = now;
                true
            }))
        })
    }

    fn discard(&self, id: DeliveryId) -> StoreFuture<'_, bool> {
        self.with(move |inner| Ok(inner.deliveries.remove(&id).is_some()))
    }

    fn pending(&self) -> StoreFuture<'_, u64> {
        self.with(|inner| {
            Ok(inner
                .deliveries
                .values()
                .filter(|(r, ..)| r.state == DeliveryState::Pending)
                .count() as u64)
        })
    }

    fn prune(&self, before: u64) -> StoreFuture<'_, u64> {
        self.with(move |inner| {
            let old: Vec<_> = inner
                .deliveries
                .values()
                .filter(|(r, ..)| r.state == DeliveryState::Done && r.received_at < before)
                .map(|(r, ..)| r.id)
                .collect();
            for id in &old {
                inner.deliveries.remove(id);
            }
            inner.seen.retain(|_, (_, seen_at)| *seen_at >= before);
            Ok(old.len() as u64)
        })
    }
}
