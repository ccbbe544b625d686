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
    Claimed, Counts, DeliveryId, DeliveryRecord, DeliveryState, DeliveryStore, Enqueued,
    HistoryEntry, HistoryEvent, Incoming, KeyClaim, ListFilter, MAX_HISTORY, Next, Pruned,
    Retention, StoreError, StoreFuture,
};

mod schema;

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
        let from = schema::migrate(&conn)
            .map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
        if from != 0 && from != schema::VERSION {
            tracing::info!(
                "upgraded the delivery store {} from schema version {from} to {}",
                path.display(),
                schema::VERSION
            );
        }
        if let Some(bytes) = max_bytes {
            let page: i64 = conn
                .pragma_query_value(None, "page_size", |r| r.get(0))
                .map_err(named)?;
            let pages = i64::try_from(bytes).unwrap_or(i64::MAX) / page.max(1);
            conn.pragma_update(None, "max_page_count", pages.max(1))
                .map_err(named)?;
        }
        Self::start(conn, path, max_pending, "BEGIN IMMEDIATE")
    }

    /// Opens an existing store for reading only: no schema change, no journal
    /// switch, no write lock, so a running server is never blocked (in WAL mode
    /// readers and the writer do not wait for each other). Every write fails. The
    /// file must be at this build's schema version.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_owned();
        let named =
            |e: rusqlite::Error| StoreError::Unavailable(format!("{}: {e}", path.display()));
        let conn = Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(named)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(named)?;
        schema::expect_current(&conn).map_err(|e| {
            StoreError::Unavailable(format!("{}: {}", path.display(), unwrap_unavailable(e)))
        })?;
        Self::start(conn, path, None, "BEGIN DEFERRED")
    }

    fn start(
        conn: Connection,
        path: PathBuf,
        max_pending: Option<u64>,
        begin: &'static str,
    ) -> Result<Self, StoreError> {
        let (ops, queue) = mpsc::channel::<Op>();
        std::thread::Builder::new()
            .name("meta-webhooks-store".to_owned())
            .spawn(move || writer(&conn, &queue, begin))
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
fn writer(conn: &Connection, queue: &mpsc::Receiver<Op>, begin: &str) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let mut live = conn.execute_batch(begin).is_ok();
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

fn unwrap_unavailable(e: StoreError) -> String {
    match e {
        StoreError::Unavailable(why) => why,
        other => other.to_string(),
    }
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
        hash: row.get("hash")?,
        body: row.get("body")?,
        history: Vec::new(),
    })
}

/// A delivery's history, oldest first.
fn history(conn: &Connection, id: i64) -> Result<Vec<HistoryEntry>, StoreError> {
    let mut statement = conn
        .prepare_cached(
            "SELECT at, event, error FROM history WHERE delivery_id = ?1 ORDER BY rowid",
        )
        .map_err(sql)?;
    let rows = statement
        .query_map([id], |r| {
            let event: String = r.get(1)?;
            Ok(HistoryEntry {
                at: r.get::<_, i64>(0)?.try_into().unwrap_or_default(),
                event: HistoryEvent::parse(&event).unwrap_or(HistoryEvent::Retry),
                error: r.get(2)?,
            })
        })
        .map_err(sql)?;
    rows.collect::<Result<_, _>>().map_err(sql)
}

/// Adds a history entry, keeping the newest [`MAX_HISTORY`].
fn add_history(conn: &Connection, id: i64, entry: &HistoryEntry) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO history (delivery_id, at, event, error) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut s| {
        s.execute(params![
            id,
            int(entry.at),
            entry.event.as_str(),
            entry.error
        ])
    })
    .map_err(sql)?;
    conn.prepare_cached(
        "DELETE FROM history WHERE delivery_id = ?1 AND rowid NOT IN
            (SELECT rowid FROM history WHERE delivery_id = ?1 ORDER BY rowid DESC LIMIT ?2)",
    )
    .and_then(|mut s| s.execute(params![id, int(MAX_HISTORY as u64)]))
    .map_err(sql)?;
    Ok(())
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
                    "UPDATE deliveries SET lease_until = ?2, claims = claims + 1, unfinished = unfinished + 1
                     WHERE id = (SELECT id FROM deliveries INDEXED BY deliveries_claimable
                                 WHERE state = 'pending' AND next_attempt_at <= ?1 AND lease_until <= ?1
                                 ORDER BY id LIMIT 1)
                     RETURNING id, body, attempts, claims, done, unfinished",
                )
                .and_then(|mut s| {
                    s.query_row(params![int(now), int(now.saturating_add(lease))], |r| {
                        let done: String = r.get(4)?;
                        Ok(Claimed {
                            id: DeliveryId(r.get(0)?),
                            body: r.get(1)?,
                            attempts: r.get(2)?,
                            claims: r.get::<_, i64>(3)?.try_into().unwrap_or_default(),
                            unfinished: r.get::<_, i64>(5)?.try_into().unwrap_or_default(),
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
            let Some((existing, attempts)): Option<(String, u32)> = conn
                .prepare_cached("SELECT done, attempts FROM deliveries WHERE id = ?1 AND claims = ?2")
                .and_then(|mut s| s.query_row(params![id.0, int(claims)], |r| Ok((r.get(0)?, r.get(1)?))))
                .optional()
                .map_err(sql)?
            else {
                return Ok(false);
            };
            // A delivery handled at its first claim has no history (the hot path
            // writes one row); anything else records how each attempt ended.
            if attempts > 0 || claims > 1 || next != Next::Done {
                add_history(conn, id.0, &HistoryEntry::of(&next, super::now_ms()))?;
            }
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
                        unfinished = 0, next_attempt_at = coalesce(?4, next_attempt_at), last_error = ?5,
                        body = CASE ?3 WHEN 'done' THEN x'' ELSE body END
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
                        "INSERT INTO idempotency_keys (key, done, lease_until, updated_at) VALUES (?1, 0, ?2, ?3)
                         ON CONFLICT (key) DO UPDATE SET done = 0, lease_until = excluded.lease_until,
                                                         updated_at = excluded.updated_at",
                        params![key, int(now.saturating_add(lease)), int(now)],
                    )
                    .map_err(sql)?;
                    Ok(KeyClaim::Run)
                }
            }
        })
    }

    fn finish_key(&self, key: String, holder: u64, succeeded: bool) -> StoreFuture<'_, ()> {
        self.run(move |conn| {
            if succeeded {
                conn.execute(
                    "INSERT INTO idempotency_keys (key, done, lease_until, updated_at) VALUES (?1, 1, 0, ?2)
                     ON CONFLICT (key) DO UPDATE SET done = 1, lease_until = 0",
                    params![key, int(holder)],
                )
            } else {
                conn.execute(
                    "DELETE FROM idempotency_keys WHERE key = ?1 AND done = 0 AND lease_until = ?2",
                    params![key, int(holder)],
                )
            }
            .map(drop)
            .map_err(sql)
        })
    }

    fn list(&self, filter: ListFilter, limit: usize) -> StoreFuture<'_, Vec<DeliveryRecord>> {
        self.page(super::Query::new(filter, limit))
    }

    fn page(&self, query: super::Query) -> StoreFuture<'_, Vec<DeliveryRecord>> {
        self.run(move |conn| {
            let condition = match query.state {
                ListFilter::All => "1",
                ListFilter::Pending => "state = 'pending' AND attempts = 0",
                ListFilter::Failed => "state = 'pending' AND attempts > 0",
                ListFilter::Dead => "state = 'dead'",
                ListFilter::Done => "state = 'done'",
            };
            let mut statement = conn
                .prepare_cached(&format!(
                    "SELECT * FROM deliveries WHERE {condition} AND id < ?2 AND received_at >= ?3
                        AND received_at < ?4
                     ORDER BY id DESC LIMIT ?1"
                ))
                .map_err(sql)?;
            let rows = statement
                .query_map(
                    params![
                        i64::try_from(query.limit).unwrap_or(i64::MAX),
                        query.before.map_or(i64::MAX, |id| id.0),
                        query.since.map_or(0, int),
                        query.until.map_or(i64::MAX, int),
                    ],
                    record,
                )
                .map_err(sql)?;
            let mut records: Vec<DeliveryRecord> = rows.collect::<Result<_, _>>().map_err(sql)?;
            for r in &mut records {
                r.history = history(conn, r.id.0)?;
            }
            Ok(records)
        })
    }

    fn get(&self, id: DeliveryId) -> StoreFuture<'_, Option<DeliveryRecord>> {
        self.run(move |conn| {
            let mut found = conn
                .query_row("SELECT * FROM deliveries WHERE id = ?1", [id.0], record)
                .optional()
                .map_err(sql)?;
            if let Some(r) = &mut found {
                r.history = history(conn, r.id.0)?;
            }
            Ok(found)
        })
    }

    fn replay(&self, id: DeliveryId, now: u64) -> StoreFuture<'_, bool> {
        self.run(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE deliveries SET state = 'pending', attempts = 0, unfinished = 0, next_attempt_at = ?2
                     WHERE id = ?1",
                    params![id.0, int(now)],
                )
                .map_err(sql)?;
            if changed > 0 {
                let entry = HistoryEntry { at: now, event: HistoryEvent::Replayed, error: None };
                add_history(conn, id.0, &entry)?;
            }
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

    fn counts(&self) -> StoreFuture<'_, Counts> {
        self.run(|conn| {
            let mut statement = conn
                .prepare_cached(
                    "SELECT state, attempts > 0, count(*) FROM deliveries GROUP BY 1, 2",
                )
                .map_err(sql)?;
            let rows = statement
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
                .map_err(sql)?;
            let mut counts = Counts::default();
            for row in rows {
                let (state, failed, n) = row.map_err(sql)?;
                let n = u64::try_from(n).unwrap_or_default();
                match (state.as_str(), failed) {
                    ("pending", true) => counts.failed += n,
                    ("pending", false) => counts.pending += n,
                    ("dead", _) => counts.dead += n,
                    _ => counts.done += n,
                }
            }
            Ok(counts)
        })
    }

    fn prune(&self, retention: Retention) -> StoreFuture<'_, Pruned> {
        self.run(move |conn| {
            let delete = |state: &str, before: u64| {
                conn.execute(
                    "DELETE FROM deliveries WHERE state = ?1 AND received_at < ?2",
                    params![state, int(before)],
                )
                .map(|n| n as u64)
                .map_err(sql)
            };
            let handled = delete("done", retention.handled_before)?;
            let dead = delete("dead", retention.dead_before)?;
            conn.execute(
                "DELETE FROM seen WHERE seen_at < ?1",
                [int(retention.handled_before)],
            )
            .map_err(sql)?;
            let keys = conn
                .execute(
                    "DELETE FROM idempotency_keys WHERE updated_at < ?1 AND lease_until < ?1",
                    [int(retention.keys_before)],
                )
                .map_err(sql)? as u64;
            Ok(Pruned {
                handled,
                dead,
                keys,
            })
        })
    }
}
