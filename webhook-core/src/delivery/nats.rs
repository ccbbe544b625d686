//! The NATS JetStream store (feature `nats`): several receivers and workers on one
//! stream, for more than one machine.
//!
//! | piece | JetStream | what it gives |
//! |---|---|---|
//! | deliveries | stream `<prefix>` on `<prefix>.deliveries`, work-queue retention, file storage, `max_messages` = the pending bound with `DiscardNew` | a 200 only after the `PubAck` (durable, replicated as configured); a full queue refuses, so the receiver answers 503 |
//! | dedup | `Nats-Msg-Id` = the body's SHA-256 (the stream's duplicate window, across receivers), then the KV bucket `<prefix>_seen` (the dedup window, 7 days by default) | Meta's duplicates and retries are stored once |
//! | claims | a durable pull consumer `<prefix>_workers`, explicit ack, `ack_wait` = the lease, in-progress acks while a worker works, `max_deliver` above the retry limit | a crashed worker's deliveries come back after the lease |
//! | retries | NAK with the engine's backoff delay | the same policy as the embedded store |
//! | progress | KV bucket `<prefix>_progress`: per delivery, the attempts and the `(item, handler)` pairs that succeeded | a redelivered message does not re-run handlers that succeeded |
//! | idempotency keys | KV bucket `<prefix>_keys` with compare-and-set | `#[on(.., idempotent)]` across workers |
//! | dead letters | stream `<prefix>_DEAD` on `<prefix>.dead` (limits retention), the original then terminated | inspectable and replayable |
//!
//! A delivery's id is its sequence in the deliveries stream. Handled deliveries are
//! removed by JetStream (work queue), so `list(Done)` is empty here.

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
    Claimed, DeliveryId, DeliveryRecord, DeliveryState, DeliveryStore, Enqueued, Incoming,
    KeyClaim, ListFilter, Next, StoreError, StoreFuture, now_ms,
};

/// Where and how the JetStream store keeps deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Messages claimed by this process, by stream sequence, to ack later.
    claimed: Mutex<HashMap<u64, Message>>,
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

/// What is kept per delivery between attempts.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    attempts: u32,
    done: BTreeSet<String>,
    error: Option<String>,
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
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(key.as_bytes()))
}

impl JetStreamStore {
    /// Connects and creates (or finds) the streams, consumer and buckets.
    ///
    /// `max_pending` bounds the deliveries waiting (a full queue makes receivers
    /// answer 503); `lease` and `max_attempts` come from the engine's
    /// configuration; `dedup_window` is how long a body hash is remembered.
    pub async fn connect(
        settings: NatsSettings,
        max_pending: Option<u64>,
        lease: Duration,
        max_attempts: u32,
        dedup_window: Duration,
    ) -> Result<Self, StoreError> {
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(settings.url.as_str())
            .await
            .map_err(|e| {
                unavailable(
                    &format!("cannot connect to {} (set META_NATS_URL)", settings.url),
                    e,
                )
            })?;
        let js = jetstream::new(client);
        let prefix = settings.prefix.to_lowercase();
        let deliveries = js
            .get_or_create_stream(stream::Config {
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
            })
            .await
            .map_err(|e| unavailable("cannot create the deliveries stream", e))?;
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
        let consumer = deliveries
            .get_or_create_consumer(
                &format!("{prefix}_workers"),
                PullConfig {
                    durable_name: Some(format!("{prefix}_workers")),
                    ack_policy: AckPolicy::Explicit,
                    ack_wait: lease,
                    // Above the retry limit and the crash-loop guard, so the engine
                    // always decides a delivery's end.
                    max_deliver: i64::from(max_attempts) + 8,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| unavailable("cannot create the workers' consumer", e))?;
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

    async fn progress_of(&self, seq: u64) -> Result<Progress, StoreError> {
        let value = self
            .progress
            .get(seq.to_string())
            .await
            .map_err(|e| unavailable("cannot read progress", e))?;
        Ok(value
            .and_then(|v| serde_json::from_slice(&v).ok())
            .unwrap_or_default())
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
        // Remembered for the dedup window; a failure here only weakens dedup.
        if let Err(e) = self.seen.put(&hash, ack.sequence.to_string().into()).await {
            tracing::warn!("cannot record a body hash for deduplication: {e}");
        }
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
        let progress = self.progress_of(seq).await?;
        let claimed = Claimed {
            id: DeliveryId(i64::try_from(seq).unwrap_or(i64::MAX)),
            body: message.payload.to_vec(),
            attempts: progress.attempts,
            claims: u64::try_from(delivered).unwrap_or(1),
            done: progress.done,
        };
        self.claimed
            .lock()
            .expect("not poisoned")
            .insert(seq, message);
        Ok(Some(claimed))
    }

    async fn finish_inner(
        &self,
        id: DeliveryId,
        done: Vec<String>,
        next: Next,
    ) -> Result<bool, StoreError> {
        let seq = u64::try_from(id.0).unwrap_or_default();
        let Some(message) = self.claimed.lock().expect("not poisoned").remove(&seq) else {
            return Ok(false);
        };
        let mut progress = self.progress_of(seq).await?;
        progress.done.extend(done);
        match next {
            Next::Done => {
                message
                    .double_ack()
                    .await
                    .map_err(|e| unavailable("cannot ack", e))?;
                let _ = self.progress.delete(seq.to_string()).await;
            }
            Next::Retry { at, error } => {
                progress.attempts += 1;
                progress.error = Some(error);
                self.save(seq, &progress).await?;
                let delay = Duration::from_millis(at.saturating_sub(now_ms()));
                message
                    .ack_with(AckKind::Nak(Some(delay)))
                    .await
                    .map_err(|e| unavailable("cannot nak", e))?;
            }
            Next::Dead { error } => {
                progress.attempts += 1;
                let mut headers = HeaderMap::new();
                headers.insert("Webhook-Delivery", seq.to_string().as_str());
                headers.insert("Webhook-Attempts", progress.attempts.to_string().as_str());
                headers.insert("Webhook-Error", error.replace(['\r', '\n'], " ").as_str());
                self.publish(self.subject("dead"), headers, message.payload.to_vec())
                    .await?;
                message
                    .ack_with(AckKind::Term)
                    .await
                    .map_err(|e| unavailable("cannot terminate", e))?;
                let _ = self.progress.delete(seq.to_string()).await;
            }
        }
        Ok(true)
    }

    async fn save(&self, seq: u64, progress: &Progress) -> Result<(), StoreError> {
        let value = serde_json::to_vec(progress).expect("progress serialises");
        self.progress
            .put(seq.to_string(), value.into())
            .await
            .map(|_| ())
            .map_err(|e| unavailable("cannot record progress", e))
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
        let progress = if dead {
            Progress::default()
        } else {
            self.progress_of(seq).await?
        };
        let attempts = if dead {
            u32::try_from(header("Webhook-Attempts").unwrap_or(0)).unwrap_or(u32::MAX)
        } else {
            progress.attempts
        };
        let done = progress.done.clone();
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
            body: message.payload.to_vec(),
        })
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
        _claims: u64,
        done: Vec<String>,
        next: Next,
    ) -> StoreFuture<'_, bool> {
        Box::pin(self.finish_inner(id, done, next))
    }

    fn renew(&self, id: DeliveryId, _claims: u64, _until: u64) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let seq = u64::try_from(id.0).unwrap_or_default();
            // Out of the map while the acknowledgement is sent (the lock is not held
            // across an await); only this worker renews or finishes it meanwhile.
            let Some(message) = self.claimed.lock().expect("not poisoned").remove(&seq) else {
                return Ok(false);
            };
            let renewed = message.ack_with(AckKind::Progress).await;
            self.claimed
                .lock()
                .expect("not poisoned")
                .insert(seq, message);
            renewed.map_err(|e| unavailable("cannot extend the lease", e))?;
            Ok(true)
        })
    }

    fn claim_key(&self, key: String, now: u64, lease: u64) -> StoreFuture<'_, KeyClaim> {
        Box::pin(self.claim_key_inner(key, now, lease))
    }

    fn finish_key(&self, key: String, succeeded: bool) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let key = token(&key);
            if succeeded {
                let done = serde_json::to_vec(&KeyState::Done).expect("serialises");
                self.keys
                    .put(&key, done.into())
                    .await
                    .map(|_| ())
                    .map_err(|e| unavailable("cannot record a key", e))
            } else {
                self.keys
                    .delete(&key)
                    .await
                    .map_err(|e| unavailable("cannot release a key", e))
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

    fn replay(&self, id: DeliveryId, _now: u64) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let Some((dead_seq, message)) = self.find_dead(id).await? else {
                return Ok(self
                    .deliveries
                    .get_raw_message(u64::try_from(id.0).unwrap_or_default())
                    .await
                    .is_ok());
            };
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

    fn prune(&self, _before: u64) -> StoreFuture<'_, u64> {
        // JetStream removes handled deliveries, and the buckets expire by age.
        Box::pin(async { Ok(0) })
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
