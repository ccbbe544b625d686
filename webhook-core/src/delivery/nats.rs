//! The NATS JetStream store (feature `nats`): several receivers and workers on one
//! stream, for more than one machine.
//!
//! | piece | JetStream | what it gives |
//! |---|---|---|
//! | deliveries | stream `<prefix>` on `<prefix>.deliveries`, work-queue retention, file storage, `max_messages` = the pending bound with `DiscardNew` | a 200 only after the `PubAck` (durable, replicated as configured); a full queue refuses, so the receiver answers 503 |
//! | dedup | `Nats-Msg-Id` = the body's SHA-256 (the stream's duplicate window, across receivers), then the KV bucket `<prefix>_seen` (the dedup window, 7 days by default) | Meta's duplicates and retries are stored once |
//! | claims | a durable pull consumer `<prefix>_workers`, explicit ack, `ack_wait` = the lease, in-progress acks while a worker works, `max_deliver` unlimited (the engine ends deliveries, never JetStream) | a crashed worker's deliveries come back after the lease |
//! | retries | NAK with the engine's backoff delay | the same policy as the embedded store |
//! | progress | KV bucket `<prefix>_progress`, keyed by the body's hash: the attempts, the latest claim, and the `(item, handler)` pairs that succeeded; written with compare-and-set | a redelivered (or replayed) message does not re-run handlers that succeeded; a worker whose claim was taken over cannot finish it |
//! | idempotency keys | KV bucket `<prefix>_keys` with compare-and-set | `#[on(.., idempotent)]` across workers |
//! | dead letters | stream `<prefix>_DEAD` on `<prefix>.dead` (limits retention), the original then terminated | inspectable and replayable |
//!
//! A delivery's id is its sequence in the deliveries stream. Handled deliveries are
//! removed by JetStream (work queue), so `list(Done)` is empty here.
//!
//! The consumer's `ack_wait` and `max_deliver` and the stream's bound and duplicate
//! window are brought to this process's configuration at start-up, so every worker
//! should run the same `META_WEBHOOK_LEASE_SECS`, `_MAX_ATTEMPTS` and
//! `_MAX_PENDING`. A publish a receiver gave up on (no acknowledgement within the
//! bound, answered 503) may still be stored once NATS answers again; Meta's retry of
//! it is then a duplicate that the dedup bucket or JetStream's duplicate window
//! usually catches, and otherwise is handled twice (at least once).

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::consumer::pull::Config as PullConfig;
use async_nats::jetstream::consumer::{AckPolicy, PullConsumer};
use async_nats::jetstream::kv::{self, CreateErrorKind};
use async_nats::jetstream::message::Message;
use async_nats::jetstream::stream::{self, DiscardPolicy, RetentionPolicy, StorageType};
use async_nats::jetstream::{self, AckKind, Context};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{
    Claimed, DeliveryId, DeliveryRecord, DeliveryState, DeliveryStore, Enqueued, HistoryEntry,
    HistoryEvent, Incoming, KeyClaim, ListFilter, MAX_HISTORY, Next, Pruned, Retention, StoreError,
    StoreFuture, now_ms,
};

/// Where and how the JetStream store keeps deliveries. Its `Debug` output and the
/// store's errors show the URL without credentials ([`redacted_url`](Self::redacted_url)).
#[derive(Clone, PartialEq, Eq)]
pub struct NatsSettings {
    /// The NATS server(s), e.g. `nats://127.0.0.1:4222` (comma-separated for a
    /// cluster).
    pub url: String,
    /// Names: the stream is `<PREFIX>` (upper-cased), subjects `<prefix>.deliveries`
    /// and `<prefix>.dead`, KV buckets `<prefix>_seen`, `_progress`, `_keys`.
    pub prefix: String,
    /// Stream and bucket replicas (3 in a three-node cluster).
    pub replicas: usize,
    /// JetStream's own duplicate window (`Nats-Msg-Id`), across receivers.
    pub duplicate_window: Duration,
    /// How long dead letters are kept.
    pub dead_retention: Duration,
    /// How long a publish may wait for its acknowledgement before the receiver
    /// answers 503.
    pub publish_timeout: Duration,
}

impl NatsSettings {
    /// The server URLs with any user, password or token replaced by `***`, for logs
    /// and errors (`nats://user:secret@host:4222` becomes `nats://***@host:4222`).
    #[must_use]
    pub fn redacted_url(&self) -> String {
        self.url
            .split(',')
            .map(|url| {
                let url = url.trim();
                let scheme = url.find("://").map_or(0, |i| i + 3);
                match url[scheme..].rfind('@') {
                    Some(at) => format!("{}***@{}", &url[..scheme], &url[scheme + at + 1..]),
                    None => url.to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Debug for NatsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsSettings")
            .field("url", &self.redacted_url())
            .field("prefix", &self.prefix)
            .field("replicas", &self.replicas)
            .field("duplicate_window", &self.duplicate_window)
            .field("dead_retention", &self.dead_retention)
            .field("publish_timeout", &self.publish_timeout)
            .finish()
    }
}

impl Default for NatsSettings {
    fn default() -> Self {
        Self {
            url: "nats://127.0.0.1:4222".to_owned(),
            prefix: "webhooks".to_owned(),
            replicas: 1,
            duplicate_window: Duration::from_mins(2),
            dead_retention: Duration::from_hours(24 * 30),
            publish_timeout: Duration::from_secs(3),
        }
    }
}

/// The store. Cheap to share: wrap it in an `Arc`.
pub struct JetStreamStore {
    js: Context,
    settings: NatsSettings,
    deliveries: stream::Stream,
    dead: stream::Stream,
    consumer: PullConsumer,
    seen: kv::Store,
    progress: kv::Store,
    keys: kv::Store,
    /// Messages claimed by this process, by stream sequence and claim, to ack later.
    claimed: Mutex<HashMap<(u64, i64), Held>>,
    /// How long a fetch waits for a message.
    poll: Duration,
}

impl fmt::Debug for JetStreamStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JetStreamStore")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// How soon a message whose claim failed on the store is offered again.
const UNAVAILABLE_RETRY: Duration = Duration::from_secs(1);

/// What is kept per delivery between attempts.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    attempts: u32,
    /// The latest claim: JetStream's delivery count when a worker took it.
    #[serde(default)]
    claim: i64,
    done: BTreeSet<String>,
    error: Option<String>,
    /// The claim (delivery count) at the last finished attempt: claims above it
    /// never finished. Replaying a dead letter publishes a new message and resets
    /// it; replaying a pending one sets it to the latest claim.
    #[serde(default)]
    finished_claim: i64,
    /// Failed attempts, replays and the end, as in the other stores.
    #[serde(default)]
    history: Vec<Event>,
}

/// A [`HistoryEntry`] as kept in the progress bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Event {
    at: u64,
    what: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Progress {
    fn push(&mut self, entry: HistoryEntry) {
        if self.history.len() >= MAX_HISTORY {
            self.history.remove(0);
        }
        self.history.push(Event {
            at: entry.at,
            what: entry.event.as_str().to_owned(),
            error: entry.error,
        });
    }

    fn history(&self) -> Vec<HistoryEntry> {
        self.history
            .iter()
            .map(|e| HistoryEntry {
                at: e.at,
                event: HistoryEvent::parse(&e.what).unwrap_or(HistoryEvent::Retry),
                error: e.error.clone(),
            })
            .collect()
    }
}

/// A claimed message and what its finish needs.
struct Held {
    message: Message,
    /// The progress key (the body's hash).
    key: String,
    claim: i64,
}

/// Progress is kept per body (stable across redeliveries and replays).
fn progress_key(body: &[u8]) -> String {
    hex_sha256(body)
}

/// An idempotency key's state.
#[derive(Debug, Serialize, Deserialize)]
enum KeyState {
    Busy { until: u64 },
    Done,
}

fn unavailable(what: &str, e: impl fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("NATS JetStream: {what}: {e}"))
}

/// KV keys are subject tokens: our keys are hashed into them.
fn token(key: &str) -> String {
    hex_sha256(key.as_bytes())
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

impl JetStreamStore {
    /// Connects and creates (or finds) the streams, consumer and buckets.
    ///
    /// `max_pending` bounds the deliveries waiting (a full queue makes receivers
    /// answer 503); `lease` comes from the engine's configuration;
    /// `dedup_window` is how long a body hash is remembered.
    pub async fn connect(
        settings: NatsSettings,
        max_pending: Option<u64>,
        lease: Duration,
        dedup_window: Duration,
    ) -> Result<Self, StoreError> {
        let servers = settings
            .url
            .split(',')
            .map(|url| url.trim().parse::<async_nats::ServerAddr>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                unavailable(
                    &format!(
                        "`{}` is not a NATS URL (META_NATS_URL)",
                        settings.redacted_url()
                    ),
                    e,
                )
            })?;
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(servers)
            .await
            .map_err(|e| {
                unavailable(
                    &format!(
                        "cannot connect to {} (set META_NATS_URL)",
                        settings.redacted_url()
                    ),
                    e,
                )
            })?;
        let js = jetstream::new(client);
        let prefix = settings.prefix.to_lowercase();
        let deliveries = deliveries_stream(&js, &settings, &prefix, max_pending).await?;
        let dead = js
            .get_or_create_stream(stream::Config {
                name: format!("{}_DEAD", prefix.to_uppercase()),
                subjects: vec![format!("{prefix}.dead")],
                retention: RetentionPolicy::Limits,
                storage: StorageType::File,
                num_replicas: settings.replicas,
                max_age: settings.dead_retention,
                allow_direct: true,
                ..Default::default()
            })
            .await
            .map_err(|e| unavailable("cannot create the dead-letter stream", e))?;
        let consumer = workers_consumer(&deliveries, &prefix, lease).await?;
        let bucket = |name: &str, max_age: Duration| kv::Config {
            bucket: format!("{prefix}_{name}"),
            history: 1,
            max_age,
            storage: StorageType::File,
            num_replicas: settings.replicas,
            ..Default::default()
        };
        let seen = open_bucket(&js, bucket("seen", dedup_window)).await?;
        let progress = open_bucket(&js, bucket("progress", settings.dead_retention)).await?;
        let keys = open_bucket(&js, bucket("keys", dedup_window)).await?;
        Ok(Self {
            js,
            settings,
            deliveries,
            dead,
            consumer,
            seen,
            progress,
            keys,
            claimed: Mutex::new(HashMap::new()),
            poll: Duration::from_millis(500),
        })
    }

    fn subject(&self, kind: &str) -> String {
        format!("{}.{kind}", self.settings.prefix.to_lowercase())
    }

    /// A delivery's progress and the revision it was read at (0: none yet).
    async fn progress_of(&self, key: &str) -> Result<(Progress, u64), StoreError> {
        let entry = self
            .progress
            .entry(key)
            .await
            .map_err(|e| unavailable("cannot read progress", e))?;
        Ok(match entry.filter(|e| !e.value.is_empty()) {
            Some(entry) => (
                serde_json::from_slice(&entry.value).unwrap_or_default(),
                entry.revision,
            ),
            None => (Progress::default(), 0),
        })
    }

    /// Writes progress only if nobody wrote it since `revision` (0: it must not
    /// exist yet); false when someone did.
    async fn write_progress(
        &self,
        key: &str,
        progress: &Progress,
        revision: u64,
    ) -> Result<bool, StoreError> {
        let value: Vec<u8> = serde_json::to_vec(progress).expect("progress serialises");
        if revision == 0 {
            return match self.progress.create(key, value.into()).await {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == CreateErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(unavailable("cannot record progress", e)),
            };
        }
        match self.progress.update(key, value.into(), revision).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(false),
            Err(e) => Err(unavailable("cannot record progress", e)),
        }
    }

    async fn publish(
        &self,
        subject: String,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<jetstream::publish::PublishAck, StoreError> {
        let send = async {
            self.js
                .publish_with_headers(subject, headers, body.into())
                .await
                .map_err(|e| unavailable("cannot publish", e))?
                .await
                .map_err(|e| {
                    if e.to_string().contains("maximum messages exceeded") {
                        StoreError::Full { pending: 0 }
                    } else {
                        unavailable("no publish acknowledgement", e)
                    }
                })
        };
        tokio::time::timeout(self.settings.publish_timeout, send)
            .await
            .map_err(|_| {
                unavailable(
                    "no publish acknowledgement",
                    format!("none within {:?}", self.settings.publish_timeout),
                )
            })?
    }

    async fn enqueue_inner(&self, incoming: Incoming) -> Result<Enqueued, StoreError> {
        let hash = hex::encode(incoming.hash);
        if let Some(seq) = self
            .seen
            .get(&hash)
            .await
            .map_err(|e| unavailable("cannot read the dedup bucket", e))?
        {
            let seq = std::str::from_utf8(&seq)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            return Ok(Enqueued::Duplicate(DeliveryId(seq)));
        }
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", hash.as_str());
        headers.insert(
            "Webhook-Received-At",
            incoming.received_at.to_string().as_str(),
        );
        let ack = self
            .publish(self.subject("deliveries"), headers, incoming.body)
            .await?;
        let id = DeliveryId(i64::try_from(ack.sequence).unwrap_or(i64::MAX));
        // Remembered for the dedup window, even if the answer's time bound cancels
        // this call now; a failure only weakens dedup.
        let seen = self.seen.clone();
        let sequence = ack.sequence;
        tokio::spawn(async move {
            if let Err(e) = seen.put(&hash, sequence.to_string().into()).await {
                tracing::warn!("cannot record a body hash for deduplication: {e}");
            }
        });
        Ok(if ack.duplicate {
            Enqueued::Duplicate(id)
        } else {
            Enqueued::Stored(id)
        })
    }

    async fn claim_inner(&self) -> Result<Option<Claimed>, StoreError> {
        let mut batch = self
            .consumer
            .batch()
            .max_messages(1)
            .expires(self.poll)
            .messages()
            .await
            .map_err(|e| unavailable("cannot fetch", e))?;
        let Some(message) = batch.next().await else {
            return Ok(None);
        };
        let message = message.map_err(|e| unavailable("cannot fetch", e))?;
        let (seq, delivered) = {
            let info = message.info().map_err(|e| unavailable("bad message", e))?;
            (info.stream_sequence, info.delivered)
        };
        let key = progress_key(&message.payload);
        // Recorded as the latest claim: an earlier holder can no longer finish it.
        let (mut progress, revision) = match self.progress_of(&key).await {
            Ok(found) => found,
            Err(e) => {
                // Back to the queue soon rather than after the lease, but not at
                // once: while the progress bucket elects a leader, an immediate
                // redelivery would only fail again.
                let _ = message
                    .ack_with(AckKind::Nak(Some(UNAVAILABLE_RETRY)))
                    .await;
                return Err(e);
            }
        };
        progress.claim = delivered;
        if !self.write_progress(&key, &progress, revision).await? {
            let _ = message.ack_with(AckKind::Nak(None)).await;
            return Ok(None);
        }
        let claimed = Claimed {
            id: DeliveryId(i64::try_from(seq).unwrap_or(i64::MAX)),
            body: message.payload.to_vec(),
            attempts: progress.attempts,
            claims: u64::try_from(delivered).unwrap_or(1),
            unfinished: u64::try_from(delivered - progress.finished_claim).unwrap_or(1),
            done: progress.done,
        };
        self.claimed.lock().expect("not poisoned").insert(
            (seq, delivered),
            Held {
                message,
                key,
                claim: delivered,
            },
        );
        Ok(Some(claimed))
    }

    async fn finish_inner(
        &self,
        id: DeliveryId,
        claims: u64,
        done: Vec<String>,
        next: Next,
    ) -> Result<bool, StoreError> {
        let seq = u64::try_from(id.0).unwrap_or_default();
        let claim = i64::try_from(claims).unwrap_or(i64::MAX);
        let Some(held) = self
            .claimed
            .lock()
            .expect("not poisoned")
            .remove(&(seq, claim))
        else {
            return Ok(false);
        };
        // Written by compare-and-set; a replay may write in between, and then this
        // attempt's outcome is applied to what the replay left (its pairs kept).
        let mut progress = None;
        for _ in 0..5 {
            let (mut read, revision) = self.progress_of(&held.key).await?;
            if read.claim != held.claim {
                // Another worker took it over after this claim's lease.
                return Ok(false);
            }
            if read.attempts > 0 || held.claim > 1 || next != Next::Done {
                read.push(HistoryEntry::of(&next, now_ms()));
            }
            read.finished_claim = held.claim;
            read.done.extend(done.iter().cloned());
            match &next {
                Next::Done => {}
                Next::Retry { error, .. } | Next::Dead { error } => {
                    read.attempts += 1;
                    read.error = Some(error.clone());
                }
            }
            if self.write_progress(&held.key, &read, revision).await? {
                progress = Some(read);
                break;
            }
        }
        let Some(progress) = progress else {
            return Ok(false);
        };
        match next {
            Next::Done => {
                // The pairs were written first: if the ack is lost, a redelivery
                // skips them.
                held.message
                    .double_ack()
                    .await
                    .map_err(|e| unavailable("cannot ack", e))?;
                let _ = self.progress.delete(&held.key).await;
            }
            Next::Retry { at, .. } => {
                let delay = Duration::from_millis(at.saturating_sub(now_ms()));
                held.message
                    .ack_with(AckKind::Nak(Some(delay)))
                    .await
                    .map_err(|e| unavailable("cannot nak", e))?;
            }
            Next::Dead { error } => {
                let mut headers = HeaderMap::new();
                // One dead letter per delivery, however often this is retried.
                headers.insert("Nats-Msg-Id", format!("dead-{seq}-{}", held.key).as_str());
                headers.insert("Webhook-Delivery", seq.to_string().as_str());
                headers.insert("Webhook-Attempts", progress.attempts.to_string().as_str());
                headers.insert("Webhook-Error", error.replace(['\r', '\n'], " ").as_str());
                self.publish(self.subject("dead"), headers, held.message.payload.to_vec())
                    .await?;
                // Its progress stays: a replay skips the pairs that succeeded.
                held.message
                    .double_ack_with(AckKind::Term)
                    .await
                    .map_err(|e| unavailable("cannot terminate", e))?;
            }
        }
        Ok(true)
    }

    async fn claim_key_inner(
        &self,
        key: String,
        now: u64,
        lease: u64,
    ) -> Result<KeyClaim, StoreError> {
        let key = token(&key);
        let busy = serde_json::to_vec(&KeyState::Busy { until: now + lease }).expect("serialises");
        for _ in 0..3 {
            let entry = self
                .keys
                .entry(&key)
                .await
                .map_err(|e| unavailable("cannot read a key", e))?;
            let Some(entry) = entry.filter(|e| !e.value.is_empty()) else {
                match self.keys.create(&key, busy.clone().into()).await {
                    Ok(_) => return Ok(KeyClaim::Run),
                    Err(e) if e.kind() == CreateErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(unavailable("cannot claim a key", e)),
                }
            };
            match serde_json::from_slice::<KeyState>(&entry.value) {
                Ok(KeyState::Done) => return Ok(KeyClaim::Done),
                Ok(KeyState::Busy { until }) if until > now => return Ok(KeyClaim::Busy),
                _ => {
                    return Ok(
                        match self
                            .keys
                            .update(&key, busy.clone().into(), entry.revision)
                            .await
                        {
                            Ok(_) => KeyClaim::Run,
                            Err(_) => KeyClaim::Busy,
                        },
                    );
                }
            }
        }
        Ok(KeyClaim::Busy)
    }

    async fn record(
        &self,
        message: &jetstream::message::StreamMessage,
        dead: bool,
    ) -> Result<DeliveryRecord, StoreError> {
        let header = |name: &str| {
            message
                .headers
                .get(name)
                .and_then(|v| v.as_str().parse::<u64>().ok())
        };
        let seq = if dead {
            header("Webhook-Delivery").unwrap_or(message.sequence)
        } else {
            message.sequence
        };
        // A dead letter's progress stays until it is replayed or expires.
        let progress = self.progress_of(&progress_key(&message.payload)).await?.0;
        let attempts = if dead {
            u32::try_from(header("Webhook-Attempts").unwrap_or(0)).unwrap_or(u32::MAX)
        } else {
            progress.attempts
        };
        let done = progress.done.clone();
        let history = progress.history();
        Ok(DeliveryRecord {
            id: DeliveryId(i64::try_from(seq).unwrap_or(i64::MAX)),
            state: if dead {
                DeliveryState::Dead
            } else {
                DeliveryState::Pending
            },
            attempts,
            received_at: header("Webhook-Received-At").unwrap_or_default(),
            verified: true,
            next_attempt_at: 0,
            last_error: if dead {
                message
                    .headers
                    .get("Webhook-Error")
                    .map(|v| v.as_str().to_owned())
            } else {
                progress.error
            },
            done,
            hash: <sha2::Sha256 as sha2::Digest>::digest(&message.payload).into(),
            body: message.payload.to_vec(),
            history,
        })
    }

    /// Resets a delivery's attempts and unfinished claims and records the replay.
    /// A dead letter is published again as a new message, whose claims count from
    /// one; a pending one keeps its message, so its claims so far count as
    /// finished.
    async fn reset_progress(
        &self,
        body: &[u8],
        now: u64,
        republished: bool,
    ) -> Result<(), StoreError> {
        let key = progress_key(body);
        for _ in 0..5 {
            let (mut progress, revision) = self.progress_of(&key).await?;
            progress.attempts = 0;
            if republished {
                progress.claim = 0;
                progress.finished_claim = 0;
            } else {
                progress.finished_claim = progress.claim;
            }
            progress.push(HistoryEntry {
                at: now,
                event: HistoryEvent::Replayed,
                error: None,
            });
            if self.write_progress(&key, &progress, revision).await? {
                return Ok(());
            }
        }
        Err(unavailable(
            "cannot reset progress",
            "it kept changing under the replay",
        ))
    }

    /// Reads messages of `stream` from its first sequence, at most `limit`.
    async fn scan(
        &self,
        stream: &stream::Stream,
        dead: bool,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let info = stream
            .get_info()
            .await
            .map_err(|e| unavailable("cannot read stream info", e))?;
        let mut records = Vec::new();
        let mut seq = info.state.first_sequence;
        while seq <= info.state.last_sequence && records.len() < limit {
            if let Ok(message) = stream.get_raw_message(seq).await {
                records.push(self.record(&message, dead).await?);
            }
            seq += 1;
        }
        Ok(records)
    }

    /// The dead letter of delivery `id`, with its sequence in the dead stream.
    async fn find_dead(
        &self,
        id: DeliveryId,
    ) -> Result<Option<(u64, jetstream::message::StreamMessage)>, StoreError> {
        let info = self
            .dead
            .get_info()
            .await
            .map_err(|e| unavailable("cannot read stream info", e))?;
        for seq in info.state.first_sequence..=info.state.last_sequence {
            if let Ok(message) = self.dead.get_raw_message(seq).await
                && message
                    .headers
                    .get("Webhook-Delivery")
                    .map(|v| v.as_str().to_owned())
                    == Some(id.0.to_string())
            {
                return Ok(Some((seq, message)));
            }
        }
        Ok(None)
    }
}

/// The deliveries stream, created or brought to these settings.
async fn deliveries_stream(
    js: &Context,
    settings: &NatsSettings,
    prefix: &str,
    max_pending: Option<u64>,
) -> Result<stream::Stream, StoreError> {
    let deliveries_config = stream::Config {
        name: prefix.to_uppercase(),
        subjects: vec![format!("{prefix}.deliveries")],
        retention: RetentionPolicy::WorkQueue,
        storage: StorageType::File,
        num_replicas: settings.replicas,
        duplicate_window: settings.duplicate_window,
        max_messages: max_pending.map_or(-1, |m| i64::try_from(m).unwrap_or(i64::MAX)),
        discard: DiscardPolicy::New,
        allow_direct: true,
        ..Default::default()
    };
    let mut deliveries = js
        .get_or_create_stream(deliveries_config.clone())
        .await
        .map_err(|e| unavailable("cannot create the deliveries stream", e))?;
    // Found with other settings (another version, other limits): bring them to ours.
    let live = deliveries
        .info()
        .await
        .map_err(|e| unavailable("cannot read the deliveries stream", e))?
        .config
        .clone();
    if live.max_messages != deliveries_config.max_messages
        || live.duplicate_window != deliveries_config.duplicate_window
    {
        js.update_stream(deliveries_config)
            .await
            .map_err(|e| unavailable("cannot update the deliveries stream", e))?;
    }
    Ok(deliveries)
}

/// The workers' durable pull consumer, created or brought to these settings.
async fn workers_consumer(
    deliveries: &stream::Stream,
    prefix: &str,
    lease: Duration,
) -> Result<PullConsumer, StoreError> {
    let consumer_config = PullConfig {
        durable_name: Some(format!("{prefix}_workers")),
        ack_policy: AckPolicy::Explicit,
        ack_wait: lease,
        // Unlimited: the engine decides a delivery's end (its attempts and the
        // crash-loop guard). A JetStream limit would stop redelivering a message
        // silently, and claims that fail while a node is down count as deliveries
        // too (the cluster test lost two that way).
        max_deliver: -1,
        ..Default::default()
    };
    let mut consumer: PullConsumer = deliveries
        .get_or_create_consumer(&format!("{prefix}_workers"), consumer_config.clone())
        .await
        .map_err(|e| unavailable("cannot create the workers' consumer", e))?;
    let live = &consumer.cached_info().config;
    if live.ack_wait != lease || live.max_deliver != consumer_config.max_deliver {
        consumer = deliveries
            .update_consumer(consumer_config)
            .await
            .map_err(|e| unavailable("cannot update the workers' consumer", e))?;
    }
    Ok(consumer)
}

/// The bucket as it exists (another process made it, perhaps with other settings:
/// it is used as it is), or a new one.
async fn open_bucket(js: &Context, config: kv::Config) -> Result<kv::Store, StoreError> {
    if let Ok(store) = js.get_key_value(config.bucket.as_str()).await {
        return Ok(store);
    }
    let name = config.bucket.clone();
    js.create_key_value(config)
        .await
        .map_err(|e| unavailable(&format!("cannot create the bucket {name}"), e))
}

impl DeliveryStore for JetStreamStore {
    fn enqueue(&self, incoming: Incoming, _dedup_window: u64) -> StoreFuture<'_, Enqueued> {
        Box::pin(async move {
            // The receiver's answer waits for this: bounded, so Meta gets a 503 in
            // time when JetStream cannot acknowledge.
            let limit = self.settings.publish_timeout;
            tokio::time::timeout(limit, self.enqueue_inner(incoming))
                .await
                .map_err(|_| unavailable("no acknowledgement", format!("none within {limit:?}")))?
        })
    }

    fn claim(&self, _now: u64, _lease: u64) -> StoreFuture<'_, Option<Claimed>> {
        Box::pin(self.claim_inner())
    }

    fn finish(
        &self,
        id: DeliveryId,
        claims: u64,
        done: Vec<String>,
        next: Next,
    ) -> StoreFuture<'_, bool> {
        Box::pin(self.finish_inner(id, claims, done, next))
    }

    fn renew(&self, id: DeliveryId, claims: u64, _until: u64) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let key = (
                u64::try_from(id.0).unwrap_or_default(),
                i64::try_from(claims).unwrap_or(i64::MAX),
            );
            // Out of the map while the acknowledgement is sent (the lock is not held
            // across an await); only this worker renews or finishes it meanwhile.
            let Some(held) = self.claimed.lock().expect("not poisoned").remove(&key) else {
                return Ok(false);
            };
            let renewed = held.message.ack_with(AckKind::Progress).await;
            self.claimed.lock().expect("not poisoned").insert(key, held);
            renewed.map_err(|e| unavailable("cannot extend the lease", e))?;
            Ok(true)
        })
    }

    fn claim_key(&self, key: String, now: u64, lease: u64) -> StoreFuture<'_, KeyClaim> {
        Box::pin(self.claim_key_inner(key, now, lease))
    }

    fn finish_key(&self, key: String, holder: u64, succeeded: bool) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let key = token(&key);
            if succeeded {
                let done = serde_json::to_vec(&KeyState::Done).expect("serialises");
                return self
                    .keys
                    .put(&key, done.into())
                    .await
                    .map(|_| ())
                    .map_err(|e| unavailable("cannot record a key", e));
            }
            let entry = self
                .keys
                .entry(&key)
                .await
                .map_err(|e| unavailable("cannot read a key", e))?;
            // Freed only while this claim holds it, and only at the revision read.
            match entry {
                Some(entry)
                    if matches!(
                        serde_json::from_slice::<KeyState>(&entry.value),
                        Ok(KeyState::Busy { until }) if until == holder
                    ) =>
                {
                    // Lost to another claim in between: theirs now, nothing to free.
                    let _ = self
                        .keys
                        .delete_expect_revision(&key, Some(entry.revision))
                        .await;
                    Ok(())
                }
                _ => Ok(()),
            }
        })
    }

    fn list(&self, filter: ListFilter, limit: usize) -> StoreFuture<'_, Vec<DeliveryRecord>> {
        Box::pin(async move {
            let mut records = Vec::new();
            if matches!(
                filter,
                ListFilter::All | ListFilter::Pending | ListFilter::Failed
            ) {
                records.extend(self.scan(&self.deliveries, false, limit).await?);
            }
            if matches!(filter, ListFilter::All | ListFilter::Dead) {
                records.extend(self.scan(&self.dead, true, limit).await?);
            }
            records.retain(|r| filter.matches(r));
            records.sort_by_key(|r| std::cmp::Reverse(r.id));
            records.truncate(limit);
            Ok(records)
        })
    }

    fn get(&self, id: DeliveryId) -> StoreFuture<'_, Option<DeliveryRecord>> {
        Box::pin(async move {
            let seq = u64::try_from(id.0).unwrap_or_default();
            if let Ok(message) = self.deliveries.get_raw_message(seq).await {
                return Ok(Some(self.record(&message, false).await?));
            }
            match self.find_dead(id).await? {
                Some((_, message)) => Ok(Some(self.record(&message, true).await?)),
                None => Ok(None),
            }
        })
    }

    fn replay(&self, id: DeliveryId, now: u64) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let Some((dead_seq, message)) = self.find_dead(id).await? else {
                // Still pending: its attempts start again (it stays due when its
                // retry delay ends).
                let Ok(message) = self
                    .deliveries
                    .get_raw_message(u64::try_from(id.0).unwrap_or_default())
                    .await
                else {
                    return Ok(false);
                };
                self.reset_progress(&message.payload, now, false).await?;
                return Ok(true);
            };
            self.reset_progress(&message.payload, now, true).await?;
            let mut headers = HeaderMap::new();
            headers.insert(
                "Nats-Msg-Id",
                format!("replay-{}-{}", id.0, now_ms()).as_str(),
            );
            headers.insert("Webhook-Received-At", now_ms().to_string().as_str());
            self.publish(
                self.subject("deliveries"),
                headers,
                message.payload.to_vec(),
            )
            .await?;
            self.dead
                .delete_message(dead_seq)
                .await
                .map_err(|e| unavailable("cannot remove the dead letter", e))?;
            Ok(true)
        })
    }

    fn discard(&self, id: DeliveryId) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let seq = u64::try_from(id.0).unwrap_or_default();
            if let Ok(message) = self.deliveries.get_raw_message(seq).await {
                let _ = self.progress.delete(progress_key(&message.payload)).await;
            }
            if self.deliveries.delete_message(seq).await.unwrap_or(false) {
                return Ok(true);
            }
            match self.find_dead(id).await? {
                Some((dead_seq, _)) => {
                    Ok(self.dead.delete_message(dead_seq).await.unwrap_or(false))
                }
                None => Ok(false),
            }
        })
    }

    fn prune(&self, _retention: Retention) -> StoreFuture<'_, Pruned> {
        // JetStream removes handled deliveries, dead letters and buckets expire by
        // age (`dead_retention`, the dedup window).
        Box::pin(async { Ok(Pruned::default()) })
    }

    fn pending(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let info = self
                .consumer
                .get_info()
                .await
                .map_err(|e| unavailable("cannot read the consumer", e))?;
            Ok(info.num_pending + info.num_ack_pending as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_never_reach_logs_errors_or_debug() {
        let settings = NatsSettings {
            url: "nats://worker:hunter2@10.0.0.1:4222, tls://s3cr3t-token@nats.example:4443,nats://plain:4222"
                .to_owned(),
            ..NatsSettings::default()
        };
        assert_eq!(
            settings.redacted_url(),
            "nats://***@10.0.0.1:4222,tls://***@nats.example:4443,nats://plain:4222"
        );
        let debug = format!("{settings:?}");
        assert!(
            !debug.contains("hunter2") && !debug.contains("s3cr3t") && !debug.contains("worker"),
            "{debug}"
        );
    }

    #[tokio::test]
    async fn a_url_error_names_the_url_without_its_password() {
        let settings = NatsSettings {
            url: "nats://worker:hunter2@127.0.0.1:port".to_owned(),
            ..NatsSettings::default()
        };
        let Err(error) = JetStreamStore::connect(
            settings,
            None,
            Duration::from_mins(1),
            Duration::from_mins(1),
        )
        .await
        else {
            panic!("`port` is not a port");
        };
        let text = error.to_string();
        assert!(
            text.contains("nats://***@127.0.0.1:port") && !text.contains("hunter2"),
            "{text}"
        );
    }
}
