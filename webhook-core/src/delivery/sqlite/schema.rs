//! The SQLite store's schema, versioned by `PRAGMA user_version`, and the forward
//! migrations that bring a file made by an earlier release to it.
//!
//! | version | release | change |
//! |---|---|---|
//! | 0 | before 0.1 was versioned | the schema of version 1, unmarked (or an empty file) |
//! | 1 | 0.1 | deliveries, dedup records, idempotency keys, the pending count |
//! | 2 | 0.2 | unfinished claims (replay resets them), history, handled bodies dropped, key times |
//!
//! Each step runs in the transaction that sets the new version, so a crash leaves
//! the file at one version or the next. A file newer than this build is refused:
//! downgrades are not supported.

use rusqlite::Connection;

use super::super::StoreError;

/// The version this build writes: one per step.
#[allow(
    clippy::cast_possible_wrap,
    reason = "a handful of steps, in a constant"
)]
pub(super) const VERSION: i64 = STEPS.len() as i64;

/// Version 1, written so that it also completes an unmarked file of version 0.
const V1: &str = "
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hash BLOB NOT NULL,
    body BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    verified INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL DEFAULT 0,
    claims INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    done TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
-- Claiming reads this index alone, in id order, and stops at the first due and
-- unleased delivery, however large the backlog or `done` grows (the claim names it:
-- the planner otherwise picks `deliveries_due` and sorts every due row, 2 ms per
-- claim at 9 000 pending, which made a backlog grow faster than workers drained it).
DROP INDEX IF EXISTS deliveries_pending;
CREATE INDEX IF NOT EXISTS deliveries_claimable ON deliveries (id, next_attempt_at, lease_until)
    WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS seen (
    hash BLOB PRIMARY KEY,
    delivery_id INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY,
    done INTEGER NOT NULL,
    lease_until INTEGER NOT NULL
);
-- The number of pending deliveries, kept by triggers: every enqueue checks it
-- against the bound, and counting a backlog row by row made each enqueue slower
-- as the backlog grew.
CREATE TABLE IF NOT EXISTS pending_count (n INTEGER NOT NULL);
INSERT INTO pending_count (n)
    SELECT (SELECT count(*) FROM deliveries WHERE state = 'pending')
    WHERE NOT EXISTS (SELECT 1 FROM pending_count);
CREATE TRIGGER IF NOT EXISTS pending_count_insert AFTER INSERT ON deliveries
    WHEN NEW.state = 'pending'
    BEGIN UPDATE pending_count SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS pending_count_delete AFTER DELETE ON deliveries
    WHEN OLD.state = 'pending'
    BEGIN UPDATE pending_count SET n = n - 1; END;
CREATE TRIGGER IF NOT EXISTS pending_count_update AFTER UPDATE OF state ON deliveries
    WHEN (OLD.state = 'pending') <> (NEW.state = 'pending')
    BEGIN UPDATE pending_count SET n = n + (NEW.state = 'pending') - (OLD.state = 'pending'); END;
";

/// Version 2.
const V2: &str = "
-- The crash-loop guard counts claims since the last finished attempt or replay:
-- `claims` is the claim token and never goes back, so a replay could not reset it.
ALTER TABLE deliveries ADD COLUMN unfinished INTEGER NOT NULL DEFAULT 0;
UPDATE deliveries SET unfinished = max(claims - attempts, 0) WHERE state = 'pending';
-- Failed attempts, replays and how a delivery ended; errors survive a replay.
CREATE TABLE history (
    delivery_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    error TEXT
);
CREATE INDEX history_delivery ON history (delivery_id);
INSERT INTO history (delivery_id, at, event, error)
    SELECT id, received_at,
           CASE state WHEN 'pending' THEN 'retry' ELSE state END, last_error
    FROM deliveries WHERE attempts > 0 AND last_error IS NOT NULL;
CREATE TRIGGER history_delete AFTER DELETE ON deliveries
    BEGIN DELETE FROM history WHERE delivery_id = OLD.id; END;
-- A handled delivery keeps its row (dedup, counts) but not its body.
UPDATE deliveries SET body = x'' WHERE state = 'done';
-- Retention: dead letters and handled rows by age.
CREATE INDEX deliveries_state_received ON deliveries (state, received_at);
-- Idempotency keys are pruned by age; keys from before the upgrade count from now.
ALTER TABLE idempotency_keys ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE idempotency_keys SET updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
";

/// The steps, `STEPS[n]` bringing version `n` to `n + 1`.
const STEPS: &[&str] = &[V1, V2];

/// Brings the file to [`VERSION`], one transaction per step; returns the version it
/// was at.
pub(super) fn migrate(conn: &Connection) -> Result<i64, String> {
    let found = version(conn)?;
    if found > VERSION {
        return Err(format!(
            "made by a newer release (schema version {found}, this build knows up to {VERSION}); \
             run that release, or restore a backup taken before it upgraded the file"
        ));
    }
    for (from, step) in STEPS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        let to = from + 1;
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;\n{step}\nPRAGMA user_version = {to};\nCOMMIT;"
        ))
        .map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            format!("cannot upgrade the schema from version {from} to {to}: {e}")
        })?;
    }
    Ok(found)
}

/// The file's schema version.
pub(super) fn version(conn: &Connection) -> Result<i64, String> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| e.to_string())
}

/// Checks that a file opened read-only is at this build's version.
pub(super) fn expect_current(conn: &Connection) -> Result<(), StoreError> {
    match version(conn).map_err(StoreError::Unavailable)? {
        VERSION => Ok(()),
        found if found > VERSION => Err(StoreError::Unavailable(format!(
            "made by a newer release (schema version {found}, this build knows up to {VERSION})"
        ))),
        found => Err(StoreError::Unavailable(format!(
            "schema version {found} is older than this build's {VERSION}: \
             start the server once (it upgrades the file) before inspecting it"
        ))),
    }
}
