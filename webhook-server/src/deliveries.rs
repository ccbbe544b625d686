//! `meta-webhooks deliveries`: inspect the durable store, replay or discard.

use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use webhook_core::delivery::sqlite::SqliteStore;
use webhook_core::delivery::{
    DeliveryId, DeliveryRecord, DeliveryState, DeliveryStore, ListFilter, StoreError, now_ms,
};

use crate::explain::{ExplainOptions, explain};

/// Opens an existing store (inspection never creates one).
pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
    if !path.exists() {
        return Err(StoreError::Unavailable(format!(
            "no delivery store at {} (set --db or META_WEBHOOK_DB to the server's file)",
            path.display()
        )));
    }
    SqliteStore::open(path, None)
}

fn time(ms: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

fn state(record: &DeliveryRecord) -> &'static str {
    match record.state {
        DeliveryState::Pending if record.attempts > 0 => "failed",
        other => other.as_str(),
    }
}

/// Prints one line per delivery, newest first.
pub async fn list(
    store: &dyn DeliveryStore,
    filter: ListFilter,
    limit: usize,
    out: &mut impl Write,
) -> io::Result<usize> {
    let records = store.list(filter, limit).await.map_err(io::Error::other)?;
    writeln!(
        out,
        "{:>8}  {:<8}  {:>8}  {:<20}  last error",
        "id", "state", "attempts", "received"
    )?;
    for r in &records {
        let error = r
            .last_error
            .as_deref()
            .and_then(|e| e.lines().next())
            .unwrap_or("");
        writeln!(
            out,
            "{:>8}  {:<8}  {:>8}  {:<20}  {error}",
            r.id.0,
            state(r),
            r.attempts,
            time(r.received_at)
        )?;
    }
    Ok(records.len())
}

/// Prints one delivery: its state, attempts, errors, items and raw body.
pub async fn show(store: &dyn DeliveryStore, id: i64, out: &mut impl Write) -> io::Result<bool> {
    let Some(r) = store.get(DeliveryId(id)).await.map_err(io::Error::other)? else {
        return Ok(false);
    };
    writeln!(
        out,
        "delivery {}: {}, {} attempt(s)",
        r.id,
        state(&r),
        r.attempts
    )?;
    writeln!(out, "received:     {}", time(r.received_at))?;
    writeln!(
        out,
        "signature:    {}",
        if r.verified {
            "verified"
        } else {
            "not verified"
        }
    )?;
    if r.state == DeliveryState::Pending {
        writeln!(out, "next attempt: {}", time(r.next_attempt_at))?;
    }
    if let Some(error) = &r.last_error {
        writeln!(out, "last errors:")?;
        for line in error.lines() {
            writeln!(out, "  {line}")?;
        }
    }
    writeln!(
        out,
        "succeeded:    {}",
        if r.done.is_empty() {
            "nothing yet".to_owned()
        } else {
            r.done.iter().cloned().collect::<Vec<_>>().join(", ")
        }
    )?;
    writeln!(out, "items:")?;
    let mut items = Vec::new();
    match explain(&r.body, ExplainOptions::default(), &mut items) {
        Ok(_) => out.write_all(&items)?,
        Err(e) => writeln!(out, "  ({e})")?,
    }
    writeln!(out, "body:")?;
    out.write_all(&r.body)?;
    writeln!(out)?;
    Ok(true)
}

/// Makes a delivery pending again, now.
pub async fn replay(store: &dyn DeliveryStore, id: i64) -> Result<bool, StoreError> {
    store.replay(DeliveryId(id), now_ms()).await
}

/// Deletes a delivery.
pub async fn discard(store: &dyn DeliveryStore, id: i64) -> Result<bool, StoreError> {
    store.discard(DeliveryId(id)).await
}
