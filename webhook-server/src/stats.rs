//! Counters of what the webhook route answered since the server started.
//!
//! Take a handle with [`Server::stats`](crate::Server::stats) before serving; read
//! it at any time with [`Stats::snapshot`]. Counting is a relaxed atomic add per
//! request.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters, shared by every request.
#[derive(Debug, Default)]
pub struct Stats {
    acknowledged: AtomicU64,
    duplicates: AtomicU64,
    signature_refused: AtomicU64,
    shed: AtomicU64,
    connections_refused: AtomicU64,
    store_unavailable: AtomicU64,
    too_large: AtomicU64,
    too_slow: AtomicU64,
    unsupported_encoding: AtomicU64,
    not_notifications: AtomicU64,
    handler_failures: AtomicU64,
    rejected: AtomicU64,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatsSnapshot {
    /// Deliveries answered 200 (duplicates included).
    pub acknowledged: u64,
    /// Of those, bodies already stored within the dedup window: answered 200 and
    /// not handled again (durable mode).
    pub duplicates: u64,
    /// Requests refused for a missing, malformed or wrong signature (401/403).
    pub signature_refused: u64,
    /// Requests shed at once because too many were in flight (503).
    pub shed: u64,
    /// Connections past `max_connections`, answered 503 and closed.
    pub connections_refused: u64,
    /// Signed deliveries the store could not take: full or failing (503).
    pub store_unavailable: u64,
    /// Bodies over the limit (413).
    pub too_large: u64,
    /// Bodies that did not arrive in time (408).
    pub too_slow: u64,
    /// Bodies with a `Content-Encoding` other than `identity` (415).
    pub unsupported_encoding: u64,
    /// Inline mode: signed bodies that are not notifications (400).
    pub not_notifications: u64,
    /// Inline mode: deliveries answered 500 because a handler failed.
    pub handler_failures: u64,
    /// Inline mode: deliveries answered 200 although a handler rejected a value
    /// its type cannot read (a redelivery would fail the same way and re-run every
    /// other handler); each logged at ERROR.
    pub rejected: u64,
}

/// What to count.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Acknowledged,
    Duplicate,
    SignatureRefused,
    Shed,
    ConnectionRefused,
    StoreUnavailable,
    TooLarge,
    TooSlow,
    UnsupportedEncoding,
    NotNotification,
    HandlerFailure,
    Rejected,
}

impl Stats {
    pub(crate) fn count(&self, event: Event) {
        let counter = match event {
            Event::Acknowledged => &self.acknowledged,
            Event::Duplicate => &self.duplicates,
            Event::SignatureRefused => &self.signature_refused,
            Event::Shed => &self.shed,
            Event::ConnectionRefused => &self.connections_refused,
            Event::StoreUnavailable => &self.store_unavailable,
            Event::TooLarge => &self.too_large,
            Event::TooSlow => &self.too_slow,
            Event::UnsupportedEncoding => &self.unsupported_encoding,
            Event::NotNotification => &self.not_notifications,
            Event::HandlerFailure => &self.handler_failures,
            Event::Rejected => &self.rejected,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    #[must_use]
    pub fn snapshot(&self) -> StatsSnapshot {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        StatsSnapshot {
            acknowledged: read(&self.acknowledged),
            duplicates: read(&self.duplicates),
            signature_refused: read(&self.signature_refused),
            shed: read(&self.shed),
            connections_refused: read(&self.connections_refused),
            store_unavailable: read(&self.store_unavailable),
            too_large: read(&self.too_large),
            too_slow: read(&self.too_slow),
            unsupported_encoding: read(&self.unsupported_encoding),
            not_notifications: read(&self.not_notifications),
            handler_failures: read(&self.handler_failures),
            rejected: read(&self.rejected),
        }
    }
}
