//! What happened lately, kept in memory for the operator's console (feature
//! `metrics`, once [`enable_metrics`](super::enable_metrics) is called): signed
//! deliveries answered and attempts that failed per five minutes over the last
//! six hours, and each handler's calls, failures and latency over the last hour.
//! This process only: in NATS mode each receiver and worker keeps its own.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// The width of a [`timeline`] bucket.
pub const BUCKET: Duration = Duration::from_mins(5);
const BUCKET_MS: u64 = 300_000;
/// Buckets in the timeline: six hours.
const TIMELINE: usize = 72;
/// Buckets in a handler's window: one hour.
const WINDOW: usize = 12;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// Which five minutes (Unix ms / [`BUCKET_MS`]); stale slots are reset on use.
    epoch: u64,
    first: u64,
    second: u64,
    micros: u64,
}

/// A ring of the last `N` five-minute slots.
#[derive(Debug)]
struct Ring<const N: usize>([Slot; N]);

impl<const N: usize> Ring<N> {
    const fn new() -> Self {
        Self(
            [Slot {
                epoch: 0,
                first: 0,
                second: 0,
                micros: 0,
            }; N],
        )
    }

    /// The slot of `epoch`, or `None` for a time older than the slot's (a clock
    /// stepping back must not wipe newer counts).
    fn at(&mut self, epoch: u64) -> Option<&mut Slot> {
        #[allow(clippy::cast_possible_truncation, reason = "a remainder below N")]
        let slot = &mut self.0[(epoch % N as u64) as usize];
        if slot.epoch > epoch {
            return None;
        }
        if slot.epoch != epoch {
            *slot = Slot {
                epoch,
                ..Slot::default()
            };
        }
        Some(slot)
    }

    /// The slot of `epoch` if it is still held.
    fn get(&self, epoch: u64) -> Slot {
        #[allow(clippy::cast_possible_truncation, reason = "a remainder below N")]
        let slot = self.0[(epoch % N as u64) as usize];
        if slot.epoch == epoch {
            slot
        } else {
            Slot::default()
        }
    }
}

static DELIVERIES: Mutex<Ring<TIMELINE>> = Mutex::new(Ring::new());
static HANDLERS: Mutex<BTreeMap<&'static str, Ring<WINDOW>>> = Mutex::new(BTreeMap::new());

fn epoch(now_ms: u64) -> u64 {
    now_ms / BUCKET_MS
}

/// Counts a signed delivery answered 200 (the server calls it).
pub fn delivery_received(now_ms: u64) {
    if super::metrics_enabled()
        && let Some(slot) = DELIVERIES.lock().expect("not poisoned").at(epoch(now_ms))
    {
        slot.first += 1;
    }
}

/// Counts a failed attempt: a durable attempt to be retried or dead-lettered,
/// or an inline delivery answered 500.
pub fn delivery_failed(now_ms: u64) {
    if super::metrics_enabled()
        && let Some(slot) = DELIVERIES.lock().expect("not poisoned").at(epoch(now_ms))
    {
        slot.second += 1;
    }
}

pub(crate) fn handler_call(handler: &'static str, failed: bool, took: Duration, now_ms: u64) {
    let mut handlers = HANDLERS.lock().expect("not poisoned");
    let Some(slot) = handlers
        .entry(handler)
        .or_insert_with(Ring::new)
        .at(epoch(now_ms))
    else {
        return;
    };
    slot.first += 1;
    slot.second += u64::from(failed);
    slot.micros += u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
}

/// Five minutes of the [`timeline`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Its start, Unix ms.
    pub start_ms: u64,
    /// Signed deliveries answered 200.
    pub received: u64,
    /// Attempts that failed.
    pub failed: u64,
}

/// The last six hours in five-minute buckets, oldest first, the last one holding
/// `now_ms`.
#[must_use]
pub fn timeline(now_ms: u64) -> Vec<Bucket> {
    let ring = DELIVERIES.lock().expect("not poisoned");
    let last = epoch(now_ms);
    (last + 1 - TIMELINE as u64..=last)
        .map(|e| {
            let slot = ring.get(e);
            Bucket {
                start_ms: e * BUCKET_MS,
                received: slot.first,
                failed: slot.second,
            }
        })
        .collect()
}

/// A handler over the last hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandlerSummary {
    /// Its name.
    pub handler: &'static str,
    /// Calls.
    pub calls: u64,
    /// Calls that failed, were rejected, panicked or timed out.
    pub failures: u64,
    /// Mean call time.
    pub mean: Duration,
}

/// Every handler called in the last hour, by name.
#[must_use]
pub fn handlers(now_ms: u64) -> Vec<HandlerSummary> {
    let handlers = HANDLERS.lock().expect("not poisoned");
    let last = epoch(now_ms);
    handlers
        .iter()
        .filter_map(|(handler, ring)| {
            let (calls, failures, micros) = (last + 1 - WINDOW as u64..=last)
                .map(|e| ring.get(e))
                .fold((0, 0, 0), |(c, f, m), s| {
                    (c + s.first, f + s.second, m + s.micros)
                });
            (calls > 0).then(|| HandlerSummary {
                handler,
                calls,
                failures,
                mean: Duration::from_micros(micros / calls),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_forgets_what_is_older_than_its_window() {
        let mut ring: Ring<3> = Ring::new();
        ring.at(10).unwrap().first += 1;
        ring.at(11).unwrap().first += 2;
        assert_eq!(ring.get(10).first, 1);
        // Epoch 13 reuses epoch 10's slot: it starts from zero.
        ring.at(13).unwrap().first += 5;
        assert_eq!(ring.get(13).first, 5);
        assert_eq!(ring.get(10).first, 0);
        assert_eq!(ring.get(11).first, 2);
        // An older time than its slot holds is not counted.
        assert!(ring.at(10).is_none());
    }

    #[test]
    fn handlers_sum_the_last_hour_and_drop_older_calls() {
        let now = 1_000 * BUCKET_MS;
        handler_call("recent_test_a", false, Duration::from_millis(2), now);
        handler_call(
            "recent_test_a",
            true,
            Duration::from_millis(4),
            now - BUCKET_MS,
        );
        handler_call(
            "recent_test_a",
            true,
            Duration::from_millis(9),
            now - 13 * BUCKET_MS,
        );
        let found = handlers(now);
        let a = found.iter().find(|h| h.handler == "recent_test_a").unwrap();
        assert_eq!((a.calls, a.failures), (2, 1));
        assert_eq!(a.mean, Duration::from_millis(3));
        assert!(
            handlers(now + 12 * BUCKET_MS)
                .iter()
                .all(|h| h.handler != "recent_test_a")
        );
    }

    #[test]
    fn the_timeline_holds_six_hours_ending_now() {
        let now = 2_000 * BUCKET_MS + 7;
        let buckets = timeline(now);
        assert_eq!(buckets.len(), 72);
        assert_eq!(buckets.last().unwrap().start_ms, 2_000 * BUCKET_MS);
        assert_eq!(buckets[0].start_ms, (2_000 - 71) * BUCKET_MS);
    }
}
