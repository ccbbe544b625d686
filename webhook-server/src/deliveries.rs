//! `meta-webhooks deliveries`: inspect the durable store, replay or discard.
//!
//! `list` and `show` open the file read-only ([`open_read_only`]): they change
//! nothing, take no write lock, and never block a running server. Their `--json`
//! output is one JSON document, for scripts. The same functions work on any
//! [`DeliveryStore`] (the NATS store included).

use std::io::{self, Write};
#[cfg(feature = "sqlite")]
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};
use webhook_core::Notification;
#[cfg(feature = "sqlite")]
use webhook_core::delivery::sqlite::SqliteStore;
use webhook_core::delivery::{
    DeliveryId, DeliveryRecord, DeliveryState, DeliveryStore, Query, StoreError, now_ms,
};

use crate::explain::{ExplainOptions, explain};

#[cfg(feature = "sqlite")]
fn absent(path: &Path) -> StoreError {
    StoreError::Unavailable(format!(
        "no delivery store at {} (set --db or META_WEBHOOK_DB to the server's file)",
        path.display()
    ))
}

/// Opens an existing store to change it (replay, discard); never creates one.
#[cfg(feature = "sqlite")]
pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
    if !path.exists() {
        return Err(absent(path));
    }
    SqliteStore::open(path, None)
}

/// Opens an existing store to read it, without writing to the file or locking a
/// running server out.
#[cfg(feature = "sqlite")]
pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
    if !path.exists() {
        return Err(absent(path));
    }
    SqliteStore::open_read_only(path)
}

/// Which deliveries: the store's [`Query`] plus what only the record tells. The
/// command line and the console filter with it alike.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only notifications of this object (`page`, `whatsapp_business_account`...).
    pub object: Option<String>,
    /// Only notifications with an item routed under this field.
    pub field: Option<String>,
    /// Only notifications with an item of this entry (Page, account, WABA id).
    pub entry: Option<String>,
    /// Only deliveries this handler succeeded or failed on.
    pub handler: Option<String>,
}

impl Filter {
    /// Whether the body passes the object, field and entry conditions. A handled
    /// delivery keeps no body: it passes only when none of them is asked for.
    #[must_use]
    pub fn matches(&self, body: &[u8]) -> bool {
        if self.object.is_none() && self.field.is_none() && self.entry.is_none() {
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
            && self.entry.as_deref().is_none_or(|e| {
                notification
                    .items()
                    .any(|item| item.entry().id() == Some(e))
            })
    }

    /// Whether the delivery passes every condition.
    #[must_use]
    pub fn matches_record(&self, record: &DeliveryRecord) -> bool {
        self.handler.as_deref().is_none_or(|handler| {
            let outcomes = HandlerOutcomes::of(record);
            outcomes.succeeded.iter().any(|h| h == handler)
                || outcomes.failed.iter().any(|(h, _)| h == handler)
                || outcomes.failed_before.iter().any(|h| h == handler)
        }) && self.matches(&record.body)
    }

    /// Whether no condition is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Which handlers succeeded on a delivery and which failed, read from its
/// record: succeeded pairs end in `/<module>::<handler> (<object>, <field>)`;
/// failure lines read
/// `<handler> on (<object>, <field>) <outcome>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandlerOutcomes {
    /// Handlers with at least one succeeded pair, by name, once each.
    pub succeeded: Vec<String>,
    /// The last attempt's failures: handler and what happened.
    pub failed: Vec<(String, String)>,
    /// Handlers that failed in an earlier attempt (of the history), once each.
    pub failed_before: Vec<String>,
}

impl HandlerOutcomes {
    /// Reads them from `record`.
    #[must_use]
    pub fn of(record: &DeliveryRecord) -> Self {
        let mut succeeded: Vec<String> = record
            .done
            .iter()
            .filter_map(|pair| pair.split_once('/').map(|(_, key)| handler_name(key)))
            .collect();
        succeeded.sort();
        succeeded.dedup();
        let failed = if record.state == DeliveryState::Done {
            Vec::new()
        } else {
            record
                .last_error
                .as_deref()
                .map(failure_lines)
                .unwrap_or_default()
        };
        let mut failed_before: Vec<String> = record
            .history
            .iter()
            .filter_map(|h| h.error.as_deref())
            .flat_map(failure_lines)
            .map(|(handler, _)| handler)
            .collect();
        failed_before.sort();
        failed_before.dedup();
        Self {
            succeeded,
            failed,
            failed_before,
        }
    }
}

/// A handler's name from its key in a succeeded pair
/// (`module::path::name (object, field)`).
fn handler_name(key: &str) -> String {
    let path = key.split_once(" (").map_or(key, |(path, _)| path);
    path.rsplit_once("::")
        .map_or(path, |(_, name)| name)
        .to_owned()
}

/// The failures of one attempt's error: `(handler, the rest of the line)` for
/// each line naming a handler; other lines are kept whole with an empty handler.
#[must_use]
pub fn failure_lines(error: &str) -> Vec<(String, String)> {
    error
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| match line.split_once(" on (") {
            Some((handler, rest)) if !handler.contains(' ') => {
                (handler.to_owned(), format!("on ({rest}"))
            }
            _ => (String::new(), line.to_owned()),
        })
        .collect()
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
            if filter.matches_record(&record) {
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

/// A time given as an RFC 3339 time (`2026-12-05T10:00:00Z`) or a duration ago
/// (`2h`, `3days`), as Unix ms.
///
/// # Errors
/// When it is neither, with a message saying what is expected.
pub fn instant(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if let Ok(ago) = humantime::parse_duration(text) {
        let ago = u64::try_from(ago.as_millis()).unwrap_or(u64::MAX);
        return Ok(now_ms().saturating_sub(ago));
    }
    let at = humantime::parse_rfc3339_weak(text).map_err(|_| {
        format!("`{text}` is neither a time (2026-12-05T10:00:00Z) nor a duration ago (2h)")
    })?;
    let since = at.duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?;
    Ok(u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
}

/// A Unix ms time as RFC 3339, to the second.
#[must_use]
pub fn time(ms: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

/// `pending`, `failed` (pending after a failed attempt), `dead` or `done`.
#[must_use]
pub fn state(record: &DeliveryRecord) -> &'static str {
    match record.state {
        DeliveryState::Pending if record.attempts > 0 => "failed",
        other => other.as_str(),
    }
}

/// The object of a body, or `-` (a handled delivery keeps no body).
fn object_of(body: &[u8]) -> String {
    Notification::parse(body).map_or_else(|_| "-".to_owned(), |n| n.object().to_owned())
}

/// The routed items of `body`, one JSON object each as `explain` writes them;
/// `None` when the body is not a notification (or was dropped once handled).
#[must_use]
pub fn items(body: &[u8]) -> Option<Vec<Value>> {
    let mut lines = Vec::new();
    explain(body, ExplainOptions::default(), &mut lines).ok()?;
    Some(
        String::from_utf8_lossy(&lines)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .collect(),
    )
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
        value["items"] = items(&r.body).map_or(Value::Null, Value::from);
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

/// The ids of every delivery passing `query` and `filter`, over every page (not
/// only the first `query.limit`), newest first.
pub async fn matching_ids(
    store: &dyn DeliveryStore,
    mut query: Query,
    filter: &Filter,
) -> Result<Vec<DeliveryId>, StoreError> {
    let mut ids = Vec::new();
    query.limit = 500;
    loop {
        let (records, next) = page(store, query, filter).await?;
        ids.extend(records.iter().map(|r| r.id));
        match next {
            Some(next) => query.before = Some(next),
            None => return Ok(ids),
        }
    }
}

/// Makes every delivery passing `query` and `filter` pending again (all pages, not
/// only the first `query.limit`); returns their ids.
pub async fn replay_matching(
    store: &dyn DeliveryStore,
    query: Query,
    filter: &Filter,
) -> Result<Vec<DeliveryId>, StoreError> {
    // Collected first: replaying changes the states the pages are read by.
    let ids = matching_ids(store, query, filter).await?;
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use webhook_core::delivery::{HistoryEntry, HistoryEvent};

    fn record(state: DeliveryState, done: &[&str], last_error: Option<&str>) -> DeliveryRecord {
        DeliveryRecord {
            id: DeliveryId(7),
            state,
            attempts: 2,
            received_at: 0,
            verified: true,
            next_attempt_at: 0,
            last_error: last_error.map(str::to_owned),
            done: done.iter().map(|d| (*d).to_owned()).collect::<BTreeSet<_>>(),
            hash: [0; 32],
            body: br#"{"object":"page","entry":[{"id":"1001","changes":[{"field":"feed","value":{}}]}]}"#.to_vec(),
            history: vec![HistoryEntry {
                at: 1,
                event: HistoryEvent::Retry,
                error: Some("early on (page, feed) failed: timeout".to_owned()),
            }],
        }
    }

    #[test]
    fn outcomes_name_handlers_by_their_function_name() {
        let r = record(
            DeliveryState::Dead,
            &[
                "iabc/app::page::feed (page, feed)",
                "iabc.e1/app::page::feed (page, feed)",
            ],
            Some(
                "notify on (page, feed) failed: connection refused\nlog on (page, feed) timed out after 2s",
            ),
        );
        let outcomes = HandlerOutcomes::of(&r);
        assert_eq!(outcomes.succeeded, ["feed"]);
        assert_eq!(
            outcomes.failed,
            [
                (
                    "notify".to_owned(),
                    "on (page, feed) failed: connection refused".to_owned()
                ),
                (
                    "log".to_owned(),
                    "on (page, feed) timed out after 2s".to_owned()
                ),
            ]
        );
        assert_eq!(outcomes.failed_before, ["early"]);
    }

    #[test]
    fn the_handler_and_entry_filters_read_the_record() {
        let r = record(
            DeliveryState::Dead,
            &["i1/app::feed (page, feed)"],
            Some("notify on (page, feed) failed: x"),
        );
        let by = |handler: &str| Filter {
            handler: Some(handler.to_owned()),
            ..Filter::default()
        };
        assert!(by("feed").matches_record(&r));
        assert!(by("notify").matches_record(&r));
        assert!(
            by("early").matches_record(&r),
            "a failure of an earlier attempt counts"
        );
        assert!(!by("other").matches_record(&r));
        let entry = |id: &str| Filter {
            entry: Some(id.to_owned()),
            ..Filter::default()
        };
        assert!(entry("1001").matches_record(&r));
        assert!(!entry("1002").matches_record(&r));
    }
}
