//! `meta-webhooks deliveries`: inspect the durable store, replay or discard.
//!
//! `list` and `show` open the file read-only ([`open_read_only`]): they change
//! nothing, take no write lock, and never block a running server. Their `--json`
//! output is one JSON document, for scripts. The same functions work on any
//! [`DeliveryStore`] (the NATS store included).

use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};
use webhook_core::Notification;
use webhook_core::delivery::sqlite::SqliteStore;
use webhook_core::delivery::{
    DeliveryId, DeliveryRecord, DeliveryState, DeliveryStore, Query, StoreError, now_ms,
};

use crate::explain::{ExplainOptions, explain};

fn absent(path: &Path) -> StoreError {
    StoreError::Unavailable(format!(
        "no delivery store at {} (set --db or META_WEBHOOK_DB to the server's file)",
        path.display()
    ))
}

/// Opens an existing store to change it (replay, discard); never creates one.
pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
    if !path.exists() {
        return Err(absent(path));
    }
    SqliteStore::open(path, None)
}

/// Opens an existing store to read it, without writing to the file or locking a
/// running server out.
pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
    if !path.exists() {
        return Err(absent(path));
    }
    SqliteStore::open_read_only(path)
}

/// Which deliveries: the store's [`Query`] plus what only the body tells.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only notifications of this object (`page`, `whatsapp_business_account`...).
    pub object: Option<String>,
    /// Only notifications with an item routed under this field.
    pub field: Option<String>,
}

impl Filter {
    /// Whether the body passes. A handled delivery keeps no body: it passes only
    /// when neither object nor field is asked for.
    #[must_use]
    pub fn matches(&self, body: &[u8]) -> bool {
        if self.object.is_none() && self.field.is_none() {
            return true;
        }
        let Ok(notification) = Notification::parse(body) else {
            return false;
        };
        self.object
            .as_deref()
            .is_none_or(|o| notification.object() == o)
            && self
                .field
                .as_deref()
                .is_none_or(|f| notification.items().any(|item| item.field() == Some(f)))
    }
}

/// A page of deliveries passing `query` and `filter`, newest first, and the cursor
/// of the next page (`--before`), if there may be one.
pub async fn page(
    store: &dyn DeliveryStore,
    mut query: Query,
    filter: &Filter,
) -> Result<(Vec<DeliveryRecord>, Option<DeliveryId>), StoreError> {
    let want = query.limit;
    let mut found = Vec::new();
    // Reads the store a page at a time until `want` pass the body filter.
    query.limit = want.clamp(1, 500);
    loop {
        let records = store.page(query).await?;
        let exhausted = records.len() < query.limit;
        query.before = records.last().map(|r| r.id).or(query.before);
        for record in records {
            if filter.matches(&record.body) {
                found.push(record);
                if found.len() == want {
                    let next = found.last().map(|r| r.id);
                    return Ok((found, next));
                }
            }
        }
        if exhausted {
            return Ok((found, None));
        }
    }
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

/// The object of a body, or `-` (a handled delivery keeps no body).
fn object_of(body: &[u8]) -> String {
    Notification::parse(body).map_or_else(|_| "-".to_owned(), |n| n.object().to_owned())
}

/// A delivery as JSON; with `full`, its items and body too.
#[must_use]
pub fn to_json(r: &DeliveryRecord, full: bool) -> Value {
    let mut value = json!({
        "id": r.id.0,
        "state": state(r),
        "attempts": r.attempts,
        "received_at": time(r.received_at),
        "received_at_ms": r.received_at,
        "verified": r.verified,
        "next_attempt_at": (r.state == DeliveryState::Pending).then(|| time(r.next_attempt_at)),
        "last_error": r.last_error,
        "object": (!r.body.is_empty()).then(|| object_of(&r.body)),
        "body_bytes": r.body.len(),
        "succeeded": r.done,
        "history": r.history.iter().map(|h| json!({
            "at": time(h.at),
            "event": h.event.as_str(),
            "error": h.error,
        })).collect::<Vec<_>>(),
    });
    if full {
        let mut items = Vec::new();
        let explained = explain(&r.body, ExplainOptions::default(), &mut items).is_ok();
        value["items"] = if explained {
            String::from_utf8_lossy(&items)
                .lines()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .collect::<Vec<_>>()
                .into()
        } else {
            Value::Null
        };
        value["body"] = match serde_json::from_slice::<Value>(&r.body) {
            Ok(body) => body,
            Err(_) if r.body.is_empty() => Value::Null,
            Err(_) => Value::String(String::from_utf8_lossy(&r.body).into_owned()),
        };
    }
    value
}

/// Prints a page of deliveries: a table, or with `as_json` one JSON document
/// `{"deliveries": [..], "next_before": id or null}`. Returns how many.
pub async fn list(
    store: &dyn DeliveryStore,
    query: Query,
    filter: &Filter,
    as_json: bool,
    out: &mut impl Write,
) -> io::Result<usize> {
    let (records, next) = page(store, query, filter).await.map_err(io::Error::other)?;
    if as_json {
        let page = json!({
            "deliveries": records.iter().map(|r| to_json(r, false)).collect::<Vec<_>>(),
            "next_before": next.map(|id| id.0),
        });
        writeln!(out, "{page}")?;
        return Ok(records.len());
    }
    writeln!(
        out,
        "{:>8}  {:<8}  {:>8}  {:<20}  {:<26}  last error",
        "id", "state", "attempts", "received", "object"
    )?;
    for r in &records {
        let error = r
            .last_error
            .as_deref()
            .and_then(|e| e.lines().next())
            .unwrap_or("");
        let object = if r.body.is_empty() {
            "-".to_owned()
        } else {
            object_of(&r.body)
        };
        writeln!(
            out,
            "{:>8}  {:<8}  {:>8}  {:<20}  {object:<26}  {error}",
            r.id.0,
            state(r),
            r.attempts,
            time(r.received_at)
        )?;
    }
    if let Some(next) = next {
        writeln!(out, "more: --before {next}")?;
    }
    Ok(records.len())
}

/// Prints one delivery: its state, attempts, history, items and raw body (or, with
/// `as_json`, all of it as one JSON document).
pub async fn show(
    store: &dyn DeliveryStore,
    id: i64,
    as_json: bool,
    out: &mut impl Write,
) -> io::Result<bool> {
    let Some(r) = store.get(DeliveryId(id)).await.map_err(io::Error::other)? else {
        return Ok(false);
    };
    if as_json {
        writeln!(out, "{}", to_json(&r, true))?;
        return Ok(true);
    }
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
    if !r.history.is_empty() {
        writeln!(out, "history:")?;
        for h in &r.history {
            let first = h.error.as_deref().and_then(|e| e.lines().next());
            writeln!(
                out,
                "  {}  {:<8}  {}",
                time(h.at),
                h.event.as_str(),
                first.unwrap_or("")
            )?;
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
    if r.body.is_empty() && r.state == DeliveryState::Done {
        writeln!(
            out,
            "body:         dropped once handled (its hash is kept to drop duplicates)"
        )?;
        return Ok(true);
    }
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

/// Makes every delivery passing `query` and `filter` pending again (all pages, not
/// only the first `query.limit`); returns their ids.
pub async fn replay_matching(
    store: &dyn DeliveryStore,
    mut query: Query,
    filter: &Filter,
) -> Result<Vec<DeliveryId>, StoreError> {
    // Collected first: replaying changes the states the pages are read by.
    let mut ids = Vec::new();
    query.limit = 500;
    loop {
        let (records, next) = page(store, query, filter).await?;
        ids.extend(records.iter().map(|r| r.id));
        match next {
            Some(next) => query.before = Some(next),
            None => break,
        }
    }
    let now = now_ms();
    let mut replayed = Vec::with_capacity(ids.len());
    for id in ids {
        if store.replay(id, now).await? {
            replayed.push(id);
        }
    }
    Ok(replayed)
}

/// Deletes a delivery.
pub async fn discard(store: &dyn DeliveryStore, id: i64) -> Result<bool, StoreError> {
    store.discard(DeliveryId(id)).await
}
