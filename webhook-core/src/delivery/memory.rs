//! The in-memory store: for tests, inline use, and as the model the SQLite store is
//! checked against. Nothing survives the process.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::{
    Claimed, DeliveryId, DeliveryRecord, DeliveryState, DeliveryStore, Enqueued, HistoryEntry,
    HistoryEvent, Incoming, KeyClaim, ListFilter, MAX_HISTORY, Next, Pruned, Retention, StoreError,
    StoreFuture,
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
    deliveries: BTreeMap<DeliveryId, Held>,
    seen: HashMap<[u8; 32], (DeliveryId, u64)>,
    keys: HashMap<String, Key>,
}

/// A delivery with its claim bookkeeping.
#[derive(Debug)]
struct Held {
    record: DeliveryRecord,
    lease_until: u64,
    claims: u64,
    unfinished: u64,
}

#[derive(Debug, Clone, Copy)]
enum Key {
    Running { since: u64, until: u64 },
    Done { at: u64 },
}

fn push_history(record: &mut DeliveryRecord, entry: HistoryEntry) {
    if record.history.len() >= MAX_HISTORY {
        record.history.remove(0);
    }
    record.history.push(entry);
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
                .filter(|h| h.record.state == DeliveryState::Pending)
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
                hash: incoming.hash,
                body: incoming.body,
                history: Vec::new(),
            };
            inner.deliveries.insert(
                id,
                Held {
                    record,
                    lease_until: 0,
                    claims: 0,
                    unfinished: 0,
                },
            );
            Ok(Enqueued::Stored(id))
        })
    }

    fn claim(&self, now: u64, lease: u64) -> StoreFuture<'_, Option<Claimed>> {
        self.with(move |inner| {
            let due = inner.deliveries.values_mut().find(|h| {
                h.record.state == DeliveryState::Pending
                    && h.record.next_attempt_at <= now
                    && h.lease_until <= now
            });
            Ok(due.map(|h| {
                h.lease_until = now + lease;
                h.claims += 1;
                h.unfinished += 1;
                Claimed {
                    id: h.record.id,
                    body: h.record.body.clone(),
                    attempts: h.record.attempts,
                    claims: h.claims,
                    unfinished: h.unfinished,
                    done: h.record.done.clone(),
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
            let Some(held) = inner.deliveries.get_mut(&id) else {
                return Ok(false);
            };
            if held.claims != claim {
                return Ok(false);
            }
            held.lease_until = 0;
            held.unfinished = 0;
            let record = &mut held.record;
            // As in the SQLite store: no history for a delivery handled at its first
            // claim.
            if record.attempts > 0 || claim > 1 || next != Next::Done {
                push_history(record, HistoryEntry::of(&next, super::now_ms()));
            }
            record.done.extend(done);
            record.attempts += 1;
            match next {
                Next::Done => {
                    record.state = DeliveryState::Done;
                    record.last_error = None;
                    record.body = Vec::new();
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
                Some(h) if h.claims == claim && h.lease_until > 0 => {
                    h.lease_until = until;
                    true
                }
                _ => false,
            })
        })
    }

    fn claim_key(&self, key: String, now: u64, lease: u64) -> StoreFuture<'_, KeyClaim> {
        self.with(move |inner| {
            Ok(match inner.keys.get(&key) {
                Some(Key::Done { .. }) => KeyClaim::Done,
                Some(Key::Running { until, .. }) if *until > now => KeyClaim::Busy,
                _ => {
                    inner.keys.insert(
                        key,
                        Key::Running {
                            since: now,
                            until: now + lease,
                        },
                    );
                    KeyClaim::Run
                }
            })
        })
    }

    fn finish_key(&self, key: String, holder: u64, succeeded: bool) -> StoreFuture<'_, ()> {
        self.with(move |inner| {
            let current = inner.keys.get(&key).copied();
            if succeeded {
                // Remembered from the time it was claimed.
                let at = match current {
                    Some(Key::Running { since, .. }) => since,
                    Some(Key::Done { at }) => at,
                    None => holder,
                };
                inner.keys.insert(key, Key::Done { at });
            } else if matches!(current, Some(Key::Running { until, .. }) if until == holder) {
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
                .map(|h| &h.record)
                .filter(|r| filter.matches(r))
                .take(limit)
                .cloned()
                .collect())
        })
    }

    fn get(&self, id: DeliveryId) -> StoreFuture<'_, Option<DeliveryRecord>> {
        self.with(move |inner| Ok(inner.deliveries.get(&id).map(|h| h.record.clone())))
    }

    fn replay(&self, id: DeliveryId, now: u64) -> StoreFuture<'_, bool> {
        self.with(move |inner| {
            Ok(inner.deliveries.get_mut(&id).is_some_and(|h| {
                h.unfinished = 0;
                let record = &mut h.record;
                record.state = DeliveryState::Pending;
                record.attempts = 0;
                record.next_attempt_at = now;
                push_history(
                    record,
                    HistoryEntry {
                        at: now,
                        event: HistoryEvent::Replayed,
                        error: None,
                    },
                );
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
                .filter(|h| h.record.state == DeliveryState::Pending)
                .count() as u64)
        })
    }

    fn prune(&self, retention: Retention) -> StoreFuture<'_, Pruned> {
        self.with(move |inner| {
            let mut pruned = Pruned::default();
            inner.deliveries.retain(|_, h| {
                let r = &h.record;
                match r.state {
                    DeliveryState::Done if r.received_at < retention.handled_before => {
                        pruned.handled += 1;
                        false
                    }
                    DeliveryState::Dead if r.received_at < retention.dead_before => {
                        pruned.dead += 1;
                        false
                    }
                    _ => true,
                }
            });
            inner
                .seen
                .retain(|_, (_, seen_at)| *seen_at >= retention.handled_before);
            let keys = inner.keys.len();
            inner.keys.retain(|_, key| match *key {
                Key::Done { at } => at >= retention.keys_before,
                Key::Running { since, until } => {
                    since >= retention.keys_before || until >= retention.keys_before
                }
            });
            pruned.keys = (keys - inner.keys.len()) as u64;
            Ok(pruned)
        })
    }
}
