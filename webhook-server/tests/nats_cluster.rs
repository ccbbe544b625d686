//! NATS mode on a three-node JetStream cluster (R3) on loopback, started by the
//! test: under a steady load of signed deliveries, one node is killed and brought
//! back, then the stream's leader is killed. Nothing acknowledged is lost (every
//! delivery answered 200 reaches its handler), and acknowledgements resume after
//! each kill. The figures it prints are in BENCHMARKS.md.

#![cfg(feature = "nats")]

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use meta_webhooks_tests::nats_server::{self, NatsCluster};
use webhook_core::delivery::RetryPolicy;
use webhook_core::delivery::nats::NatsSettings;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::testing;
use webhook_server::{Config, EntryMeta, Server, State, on};

const SECRET: &str = "cluster-secret";

#[derive(Default)]
struct Handled(Mutex<HashSet<String>>);

#[on(object = "page", field = "feed")]
async fn feed(meta: EntryMeta, State(handled): State<Handled>) {
    handled.0.lock().unwrap().insert(meta.id);
}

/// A client connected to any node of `urls`.
async fn client(urls: &str) -> Option<async_nats::Client> {
    let servers: Vec<async_nats::ServerAddr> =
        urls.split(',').map(|u| u.parse().unwrap()).collect();
    async_nats::connect(servers).await.ok()
}

/// Waits until JetStream accepts an R3 stream (the cluster elected its leaders).
async fn until_clustered(urls: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = async {
            let js = async_nats::jetstream::new(client(urls).await?);
            js.get_or_create_stream(async_nats::jetstream::stream::Config {
                name: "READY".to_owned(),
                subjects: vec!["ready".to_owned()],
                num_replicas: 3,
                ..Default::default()
            })
            .await
            .ok()
        };
        if tokio::time::timeout(Duration::from_secs(5), ready)
            .await
            .ok()
            .flatten()
            .is_some()
        {
            return;
        }
        assert!(Instant::now() < deadline, "the cluster did not form");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The node leading the deliveries stream.
async fn leader(urls: &str) -> usize {
    let js = async_nats::jetstream::new(client(urls).await.unwrap());
    let mut stream = js.get_stream("CLUSTER").await.unwrap();
    let info = stream.info().await.unwrap();
    let name = info
        .cluster
        .as_ref()
        .and_then(|c| c.leader.clone())
        .unwrap();
    NatsCluster::index_of(&name).unwrap()
}

/// Eight clients, each sending its own numbered deliveries one after another;
/// what was answered 200 is acknowledged, with the second it was.
struct Load {
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<(String, u64)>>>,
    refused: Arc<Mutex<BTreeMap<String, usize>>>,
    clients: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(url: &str, started: Instant) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(BTreeMap::new()));
        let clients = (0..8)
            .map(|client| {
                let (url, stop, acked, refused) = (
                    url.to_owned(),
                    Arc::clone(&stop),
                    Arc::clone(&acked),
                    Arc::clone(&refused),
                );
                tokio::spawn(async move {
                    let http = reqwest::Client::builder()
                        .timeout(Duration::from_secs(10))
                        .build()
                        .unwrap();
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        let id = format!("{client}-{n}");
                        match send(&http, &url, &id).await {
                            Ok(200) => acked
                                .lock()
                                .unwrap()
                                .push((id, started.elapsed().as_secs())),
                            other => {
                                let key = other.map_or_else(|e| e, |s| s.to_string());
                                *refused.lock().unwrap().entry(key).or_default() += 1;
                                tokio::time::sleep(Duration::from_millis(100)).await;
                            }
                        }
                    }
                })
            })
            .collect();
        Self {
            stop,
            acked,
            refused,
            clients,
        }
    }

    /// Stops the clients: what was acknowledged, and what was refused how often.
    async fn stop(self) -> (Vec<(String, u64)>, BTreeMap<String, usize>) {
        self.stop.store(true, Ordering::SeqCst);
        for client in self.clients {
            client.await.unwrap();
        }
        let acked = self.acked.lock().unwrap().clone();
        let refused = self.refused.lock().unwrap().clone();
        (acked, refused)
    }
}

/// One signed delivery for entry `id`: its status, or the client's error.
async fn send(http: &reqwest::Client, url: &str, id: &str) -> Result<u16, String> {
    let body = format!(
        r#"{{"object":"page","entry":[{{"id":"{id}","changes":[{{"field":"feed","value":{{"item":"status","verb":"add"}}}}]}}]}}"#
    );
    let header = signature::sign(
        Algorithm::Sha256,
        &AppSecret::new(SECRET).unwrap(),
        body.as_bytes(),
    );
    http.post(url)
        .header("x-hub-signature-256", header)
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| format!("error {e}"))
}

/// Waits (up to a minute) until every acknowledged delivery was handled.
async fn until_all_handled(acked: &[(String, u64)], handled: &Handled) {
    let deadline = Instant::now() + Duration::from_mins(1);
    loop {
        let missing: Vec<_> = {
            let handled = handled.0.lock().unwrap();
            acked
                .iter()
                .filter(|(id, _)| !handled.contains(id))
                .map(|(id, _)| id.clone())
                .collect()
        };
        if missing.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {} acknowledged deliveries never handled: {:?}",
            missing.len(),
            acked.len(),
            &missing[..missing.len().min(10)]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_a_node_then_the_leader_loses_nothing_acknowledged() {
    if !nats_server::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cluster = NatsCluster::start(dir.path());
    let urls = cluster.urls();
    until_clustered(&urls).await;
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .nats(NatsSettings {
            url: urls.clone(),
            prefix: "cluster".to_owned(),
            replicas: 3,
            publish_timeout: Duration::from_secs(5),
            ..NatsSettings::default()
        })
        .retry(RetryPolicy {
            max_attempts: 20,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        })
        .build()
        .unwrap();
    let handled = Arc::new(Handled::default());
    let server = Server::new(config).dispatcher(|b| b.state_arc(Arc::clone(&handled)));
    let server = testing::spawn(server).await;
    let url = server.url().to_owned();

    let started = Instant::now();
    let load = Load::start(&url, started);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let first_leader = leader(&urls).await;
    let follower = (first_leader + 1) % 3;
    eprintln!("{:>5.1?}: killing follower n{follower}", started.elapsed());
    cluster.kill(follower);
    tokio::time::sleep(Duration::from_secs(4)).await;
    eprintln!("{:>5.1?}: restarting n{follower}", started.elapsed());
    cluster.start_node(follower);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let leader_now = leader(&urls).await;
    eprintln!("{:>5.1?}: killing leader n{leader_now}", started.elapsed());
    let leader_killed_at = started.elapsed().as_secs();
    cluster.kill(leader_now);
    tokio::time::sleep(Duration::from_secs(8)).await;
    let (acked, refused) = load.stop().await;
    let mut per_second = BTreeMap::<u64, usize>::new();
    for (_, second) in &acked {
        *per_second.entry(*second).or_default() += 1;
    }
    eprintln!("acknowledged per second: {per_second:?}");
    eprintln!("refused: {refused:?}");
    until_all_handled(&acked, &handled).await;
    let handled_count = handled.0.lock().unwrap().len();
    eprintln!(
        "{} acknowledged, {handled_count} handled (a delivery handled but not acknowledged \
         was cut off by a kill after it was stored)",
        acked.len()
    );
    // Acknowledgements resumed after the leader was lost.
    let after: usize = per_second
        .range(leader_killed_at + 3..)
        .map(|(_, n)| n)
        .sum();
    assert!(
        after > 0,
        "no acknowledgement after the leader was killed: {per_second:?}"
    );
    server.stop().await.unwrap();
}
