//! Extension point: a delivery store of your own.
//!
//! Durable mode works on any `DeliveryStore`: the receiver enqueues the verified body
//! and answers 200 only once the store says it is stored, and workers claim, handle
//! and finish deliveries through the same trait. Give the server yours with
//! `Server::store`. A store for another database implements every method the way
//! `MemoryStore` does (its source is the reference, about 250 lines); this one wraps
//! the in-memory store to keep an audit count of what was stored, the shape of a
//! decorator adding metrics, encryption at rest or a copy to an archive.
//!
//! ```sh
//! META_APP_SECRET=dev-secret META_VERIFY_TOKEN=dev-token cargo run --example own_store
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use webhook_server::delivery::{
    Claimed, DeliveryId, DeliveryRecord, DeliveryStore, Enqueued, Incoming, KeyClaim, ListFilter,
    MemoryStore, Next, Pruned, Retention, StoreFuture,
};
use webhook_server::{EntryMeta, Server, on};

/// `MemoryStore`, counting the bodies it stored (duplicates aside).
#[derive(Debug, Default)]
pub struct AuditedStore {
    inner: MemoryStore,
    stored: AtomicU64,
}

impl AuditedStore {
    /// Bodies stored so far.
    pub fn stored(&self) -> u64 {
        self.stored.load(Ordering::Relaxed)
    }
}

impl DeliveryStore for AuditedStore {
    fn enqueue(&self, incoming: Incoming, dedup_window: u64) -> StoreFuture<'_, Enqueued> {
        Box::pin(async move {
            let enqueued = self.inner.enqueue(incoming, dedup_window).await?;
            if let Enqueued::Stored(id) = enqueued {
                self.stored.fetch_add(1, Ordering::Relaxed);
                tracing::info!("audit: delivery {id} stored");
            }
            Ok(enqueued)
        })
    }

    fn claim(&self, now: u64, lease: u64) -> StoreFuture<'_, Option<Claimed>> {
        self.inner.claim(now, lease)
    }

    fn finish(
        &self,
        id: DeliveryId,
        claims: u64,
        done: Vec<String>,
        next: Next,
    ) -> StoreFuture<'_, bool> {
        self.inner.finish(id, claims, done, next)
    }

    fn renew(&self, id: DeliveryId, claims: u64, until: u64) -> StoreFuture<'_, bool> {
        self.inner.renew(id, claims, until)
    }

    fn claim_key(&self, key: String, now: u64, lease: u64) -> StoreFuture<'_, KeyClaim> {
        self.inner.claim_key(key, now, lease)
    }

    fn finish_key(&self, key: String, holder: u64, succeeded: bool) -> StoreFuture<'_, ()> {
        self.inner.finish_key(key, holder, succeeded)
    }

    fn list(&self, filter: ListFilter, limit: usize) -> StoreFuture<'_, Vec<DeliveryRecord>> {
        self.inner.list(filter, limit)
    }

    fn get(&self, id: DeliveryId) -> StoreFuture<'_, Option<DeliveryRecord>> {
        self.inner.get(id)
    }

    fn replay(&self, id: DeliveryId, now: u64) -> StoreFuture<'_, bool> {
        self.inner.replay(id, now)
    }

    fn discard(&self, id: DeliveryId) -> StoreFuture<'_, bool> {
        self.inner.discard(id)
    }

    fn prune(&self, retention: Retention) -> StoreFuture<'_, Pruned> {
        self.inner.prune(retention)
    }

    fn pending(&self) -> StoreFuture<'_, u64> {
        self.inner.pending()
    }
}

#[on(object = "page", field = "feed")]
async fn feed(meta: EntryMeta) {
    tracing::info!("page {}: feed change handled", meta.id);
}

/// The server in durable mode on `store`.
fn server(config: webhook_server::Config, store: Arc<AuditedStore>) -> Server {
    Server::new(config).store(store)
}

#[tokio::main]
async fn main() -> Result<(), webhook_server::ServerError> {
    webhook_server::logging::init();
    let config = webhook_server::Config::from_env()?;
    server(config, Arc::new(AuditedStore::default()))
        .serve()
        .await
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use webhook_server::delivery::{DeliveryStore, ListFilter};
    use webhook_server::signature::Algorithm;
    use webhook_server::testing;

    use super::*;

    #[tokio::test]
    async fn deliveries_go_through_the_store_and_are_handled() {
        let store = Arc::new(AuditedStore::default());
        // Durable mode; the path is unused, since the store is given.
        let config = testing::config().durable("unused.db").build().unwrap();
        let running = testing::spawn(server(config, Arc::clone(&store))).await;
        let body = br#"{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;
        let (name, value) = testing::sign(body, testing::TEST_APP_SECRET, Algorithm::Sha256);
        let client = reqwest::Client::new();
        for _ in 0..2 {
            let response = client
                .post(running.url())
                .header(name, &value)
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
        }
        assert_eq!(store.stored(), 1, "the second copy is a duplicate");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let done = store.list(ListFilter::Done, 10).await.unwrap();
            if done.len() == 1 {
                break;
            }
            assert!(Instant::now() < deadline, "the delivery was not handled");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        running.stop().await.unwrap();
    }
}
