//! The embedded SQLite store: one file, WAL journal, `synchronous=FULL`.
//!
//! One writer thread owns the connection. Operations queue up to it; it runs every
//! operation waiting at that moment in one transaction and answers them only after
//! the commit, so concurrent deliveries share one fsync (group commit) and none is
//! acknowledged before it is on disk.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use super::{
    Claimed, DeliveryId, DeliveryRecord, DeliveryState, DeliveryStore, Enqueued, Incoming,
    KeyClaim, ListFilter, Next, StoreError, StoreFuture,
};

/// The most operations committed in one transaction.
const MAX_BATCH: usize = 512;

type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// Runs against the connection (or, given `None`, reports that it could not run) and
/// says whether it failed, so that its partial writes are undone.
type Op = Box<dyn FnOnce(Option<&Connection>) -> (Completion, bool) + Send>;

/// Deliveries in a SQLite file.
pub struct SqliteStore {
    ops: mpsc::Sender<Op>,
    path: PathBuf,
    max_pending: Option<u64>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("max_pending", &self.max_pending)
            .finish_non_exhaustive()
    }
}

/// One transaction: the pending count is initialised and its triggers created
/// before any other writer can change the table in between.
const SCHEMA: &str = "
BEGIN IMMEDIATE;
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
COMMIT;
";

/// The pending deliveries, as the triggers count them.
const PENDING: &str = "SELECT n FROM pending_count";

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl SqliteStore {
    /// Opens (or creates) the store at `path`. Fails, naming the file, when it
    /// cannot be opened or written.
    pub fn open(path: impl AsRef<Path>, max_pending: Option<u64>) -> Result<Self, StoreError> {
        Self::open_bounded(path, max_pending, None)
    }

    /// Like [`open`](Self::open), refusing to grow the file past about `max_bytes`:
    /// a disk quota. Past it, enqueues fail with "database or disk is full" and the
    /// receiver answers 503 until space is freed (the engine prunes handled
    /// deliveries older than the dedup window).
    pub fn open_bounded(
        path: impl AsRef<Path>,
        max_pending: Option<u64>,
        max_bytes: Option<u64>,
    ) -> Result<Self, StoreError> {
        let path = path.as_ref().to_owned();
        let named =
            |e: rusqlite::Error| StoreError::Unavailable(format!("{}: {e}", path.display()));
        let conn = Connection::open(&path).map_err(named)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(named)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(named)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(named)?;
        conn.execute_batch(SCHEMA).map_err(named)?;
        if let Some(bytes) = max_bytes {
            let page: i64 = conn
                .pragma_query_value(None, "page_size", |r| r.get(0))
                .map_err(named)?;
            let pages = i64::try_from(bytes).unwrap_or(i64::MAX) / page.max(1);
            conn.pragma_update(None, "max_page_count", pages.max(1))
                .map_err(named)?;
        }
        let (ops, queue) = mpsc::channel::<Op>();
        std::thread::Builder::new()
            .name("meta-webhooks-store".to_owned())
            .spawn(move || writer(&conn, &queue))
            .map_err(unavailable)?;
        Ok(Self {
            ops,
            path,
            max_pending,
        })
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in the writer's next transaction; answers after the commit.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'_, T> {
        let (reply, answer) = oneshot::channel();
        let op: Op = Box::new(move |conn: Option<&Connection>| {
            let result = match conn {
                Some(conn) => f(conn),
                None => Err(StoreError::Unavailable(
                    "the store's transaction could not be started or was rolled back".to_owned(),
                )),
            };
            let failed = result.is_err();
            let complete: Completion = Box::new(move |committed: Result<(), StoreError>| {
                // The operation's own error says more than the commit's.
                let _ = reply.send(result.and_then(|value| committed.map(|()| value)));
            });
            (complete, failed)
        });
        let sent = self.ops.send(op);
        Box::pin(async move {
            sent.map_err(|_| {
                StoreError::Unavailable("the store's writer thread stopped".to_owned())
            })?;
            answer.await.map_err(|_| {
                StoreError::Unavailable("the store's writer thread stopped".to_owned())
            })?
        })
    }
}

/// The writer: takes every operation waiting, runs them in one transaction, each in
/// a savepoint so that one failing does not undo the others, commits, then answers.
fn writer(conn: &Connection, queue: &mpsc::Receiver<Op>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let mut live = conn.execute_batch("BEGIN IMMEDIATE").is_ok();
        let mut completions = Vec::with_capacity(batch.len());
        for op in batch {
            if !live {
                completions.push(op(None).0);
                continue;
            }
            let _ = conn.execute_batch("SAVEPOINT op");
            let (complete, failed) = op(Some(conn));
            completions.push(complete);
            if failed {
                let _ = conn.execute_batch("ROLLBACK TO op");
            }
            let _ = conn.execute_batch("RELEASE op");
            // Some errors (SQLITE_FULL, I/O) make SQLite roll the whole transaction
            // back: what ran before is gone, and nothing more may run outside it.
            live = !conn.is_autocommit();
        }
        let committed = if live {
            conn.execute_batch("COMMIT").map_err(unavailable)
        } else {
            Err(StoreError::Unavailable(
                "the transaction was rolled back".to_owned(),
            ))
        };
        if committed.is_err() && !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for complete in completions {
            complete(committed.clone());
        }
    }
}

fn sql(e: rusqlite::Error) -> StoreError {
    unavailable(e)
}

fn done_set(json: &str) -> BTreeSet<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn record(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRecord> {
    let state: String = row.get("state")?;
    let done: String = row.get("done")?;
    Ok(DeliveryRecord {
        id: DeliveryId(row.get("id")?),
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Pending),
        attempts: row.get("attempts")?,
        verified: row.get("verified")?,
        received_at: row
            .get::<_, i64>("received_at")?
            .try_into()
            .unwrap_or_default(),
        next_attempt_at: row
            .get::<_, i64>("next_attempt_at")?
            .try_into()
            .unwrap_or_default(),
        last_error: row.get("last_error")?,
        done: done_set(&done),
        body: row.get("body")?,
    })
}

fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl DeliveryStore for SqliteStore {
    fn enqueue(&self, incoming: Incoming, dedup_window: u64) -> StoreFuture<'_, Enqueued> {
        let max_pending = self.max_pending;
        self.run(move |conn| {
            let seen: Option<(i64, i64)> = conn
                .prepare_cached("SELECT delivery_id, seen_at FROM seen WHERE hash = ?1")
                .and_then(|mut s| s.query_row([&incoming.hash[..]], |r| Ok((r.get(0)?, r.get(1)?))))
                .optional()
                .map_err(sql)?;
            if let Some((id, seen_at)) = seen
                && int(incoming.received_at).saturating_sub(seen_at) < int(dedup_window)
            {
                return Ok(Enqueued::Duplicate(DeliveryId(id)));
            }
            if let Some(max) = max_pending {
                let pending: i64 = conn
                    .prepare_cached(PENDING)
                    .and_then(|mut s| s.query_row([], |r| r.get(0)))
                    .map_err(sql)?;
                if pending >= int(max) {
                    return Err(StoreError::Full { pending: pending.try_into().unwrap_or_default() });
                }
            }
            let received = int(incoming.received_at);
            conn.prepare_cached(
                "INSERT INTO deliveries (hash, body, received_at, verified, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?3)",
            )
            .and_then(|mut s| s.execute(params![&incoming.hash[..], incoming.body, received, incoming.verified]))
            .map_err(sql)?;
            let id = conn.last_insert_rowid();
            conn.prepare_cached(
                "INSERT INTO seen (hash, delivery_id, seen_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (hash) DO UPDATE SET delivery_id = excluded.delivery_id, seen_at = excluded.seen_at",
            )
            .and_then(|mut s| s.execute(params![&incoming.hash[..], id, received]))
            .map_err(sql)?;
            Ok(Enqueued::Stored(DeliveryId(id)))
        })
    }

    fn claim(&self, now: u64, lease: u64) -> StoreFuture<'_, Option<Claimed>> {
        self.run(move |conn| {
            let claimed = conn
                .prepare_cached(
                    "UPDATE deliveries SET lease_until = ?2, claims = claims + 1
                     WHERE id = (SELECT id FROM deliveries INDEXED BY deliveries_claimable
                                 WHERE state = 'pending' AND next_attempt_at <= ?1 AND lease_until <= ?1
                                 ORDER BY id LIMIT 1)
                     RETURNING id, body, attempts, claims, done",
                )
                .and_then(|mut s| {
                    s.query_row(params![int(now), int(now.saturating_add(lease))], |r| {
                        let done: String = r.get(4)?;
                        Ok(Claimed {
                            id: DeliveryId(r.get(0)?),
                            body: r.get(1)?,
                            attempts: r.get(2)?,
                            claims: r.get::<_, i64>(3)?.try_into().unwrap_or_default(),
                            done: done_set(&done),
                        })
                    })
                })
                .optional()
                .map_err(sql)?;
            Ok(claimed)
        })
    }

    fn finish(
        &self,
        id: DeliveryId,
        claims: u64,
        done: Vec<String>,
        next: Next,
    ) -> StoreFuture<'_, bool> {
        self.run(move |conn| {
            let Some(existing): Option<String> = conn
                .prepare_cached("SELECT done FROM deliveries WHERE id = ?1 AND claims = ?2")
                .and_then(|mut s| s.query_row(params![id.0, int(claims)], |r| r.get(0)))
                .optional()
                .map_err(sql)?
            else {
                return Ok(false);
            };
            let mut all = done_set(&existing);
            all.extend(done);
            let all = serde_json::to_string(&all).map_err(unavailable)?;
            let (state, next_at, error) = match next {
                Next::Done => ("done", None, None),
                Next::Retry { at, error } => ("pending", Some(int(at)), Some(error)),
                Next::Dead { error } => ("dead", None, Some(error)),
            };
            conn.prepare_cached(
                "UPDATE deliveries SET done = ?2, state = ?3, attempts = attempts + 1, lease_until = 0,
                        next_attempt_at = coalesce(?4, next_attempt_at), last_error = ?5
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id.0, all, state, next_at, error]))
            .map_err(sql)?;
            Ok(true)
        })
    }

    fn renew(&self, id: DeliveryId, claims: u64, until: u64) -> StoreFuture<'_, bool> {
        self.run(move |conn| {
            let renewed = conn
                .execute(
                    "UPDATE deliveries SET lease_until = ?3 WHERE id = ?1 AND claims = ?2 AND lease_until > 0",
                    params![id.0, int(claims), int(until)],
                )
                .map_err(sql)?;
            Ok(renewed > 0)
        })
    }

    fn claim_key(&self, key: String, now: u64, lease: u64) -> StoreFuture<'_, KeyClaim> {
        self.run(move |conn| {
            let current: Option<(bool, i64)> = conn
                .query_row("SELECT done, lease_until FROM idempotency_keys WHERE key = ?1", [&key], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(sql)?;
            match current {
                Some((true, _)) => Ok(KeyClaim::Done),
                Some((false, until)) if until > int(now) => Ok(KeyClaim::Busy),
                _ => {
                    conn.execute(
                        "INSERT INTO idempotency_keys (key, done, lease_until) VALUES (?1, 0, ?2)
                         ON CONFLICT (key) DO UPDATE SET done = 0, lease_until = excluded.lease_until",
                        params![key, int(now.saturating_add(lease))],
                    )
                    .map_err(sql)?;
                    Ok(KeyClaim::Run)
                }
            }
        })
    }

    fn finish_key(&self, key: String, succeeded: bool) -> StoreFuture<'_, ()> {
        self.run(move |conn| {
            if succeeded {
                conn.execute(
                    "INSERT INTO idempotency_keys (key, done, lease_until) VALUES (?1, 1, 0)
                     ON CONFLICT (key) DO UPDATE SET done = 1, lease_until = 0",
                    [&key],
                )
            } else {
                conn.execute("DELETE FROM idempotency_keys WHERE key = ?1", [&key])
            }
            .map(drop)
            .map_err(sql)
        })
    }

    fn list(&self, filter: ListFilter, limit: usize) -> StoreFuture<'_, Vec<DeliveryRecord>> {
        self.run(move |conn| {
            let condition = match filter {
                ListFilter::All => "1",
                ListFilter::Pending => "state = 'pending' AND attempts = 0",
                ListFilter::Failed => "state = 'pending' AND attempts > 0",
                ListFilter::Dead => "state = 'dead'",
                ListFilter::Done => "state = 'done'",
            };
            let mut statement = conn
                .prepare(&format!(
                    "SELECT * FROM deliveries WHERE {condition} ORDER BY id DESC LIMIT ?1"
                ))
                .map_err(sql)?;
            let rows = statement
                .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], record)
                .map_err(sql)?;
            rows.collect::<Result<_, _>>().map_err(sql)
        })
    }

    fn get(&self, id: DeliveryId) -> StoreFuture<'_, Option<DeliveryRecord>> {
        self.run(move |conn| {
            conn.query_row("SELECT * FROM deliveries WHERE id = ?1", [id.0], record)
                .optional()
                .map_err(sql)
        })
    }

    fn replay(&self, id: DeliveryId, now: u64) -> StoreFuture<'_, bool> {
        self.run(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?2 WHERE id = ?1",
                    params![id.0, int(now)],
                )
                .map_err(sql)?;
            Ok(changed > 0)
        })
    }

    fn discard(&self, id: DeliveryId) -> StoreFuture<'_, bool> {
        self.run(move |conn| {
            Ok(conn
                .execute("DELETE FROM deliveries WHERE id = ?1", [id.0])
                .map_err(sql)?
                > 0)
        })
    }

    fn pending(&self) -> StoreFuture<'_, u64> {
        self.run(|conn| {
            let pending: i64 = conn.query_row(PENDING, [], |r| r.get(0)).map_err(sql)?;
            Ok(u64::try_from(pending).unwrap_or_default())
        })
    }

    fn prune(&self, before: u64) -> StoreFuture<'_, u64> {
        self.run(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM deliveries WHERE state = 'done' AND received_at < ?1",
                    [int(before)],
                )
                .map_err(sql)?;
            conn.execute("DELETE FROM seen WHERE seen_at < ?1", [int(before)])
                .map_err(sql)?;
            Ok(removed as u64)
        })
    }
}
