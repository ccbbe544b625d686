//! The operator's console against a real server (webhook port and metrics
//! listener on loopback sockets) and a real store: over HTTP for its security
//! rules and both stores (SQLite, and NATS JetStream on a `nats-server` the test
//! starts), and in Chromium through chromedriver for what an operator does at
//! 3 a.m.: see the failure and its error, fix, replay the dead letters.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use meta_webhooks_tests::chromedriver::{self, ChromeDriver};
#[cfg(feature = "nats")]
use meta_webhooks_tests::nats_server::{self, NatsServer};
use serde_json::Value;
use webhook_server::delivery::RetryPolicy;
use webhook_server::signature::{self, Algorithm, AppSecret};
use webhook_server::testing;
use webhook_server::{Config, ConfigBuilder, EntryMeta, Server, on};

const SECRET: &str = "console-secret";
const ADMIN: &str = "console-admin-token-0123456789";

/// Entry ids whose feed handler fails: each test uses its own.
static BROKEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn break_entry(entry: &str, broken: bool) {
    let mut set = BROKEN.lock().unwrap();
    let set = set.get_or_insert_with(HashSet::new);
    if broken {
        set.insert(entry.to_owned());
    } else {
        set.remove(entry);
    }
}

#[on(object = "page", field = "feed")]
async fn sync_to_crm(meta: EntryMeta) -> anyhow::Result<()> {
    if BROKEN
        .lock()
        .unwrap()
        .as_ref()
        .is_some_and(|s| s.contains(&meta.id))
    {
        anyhow::bail!("the CRM refused the post: 503 Service Unavailable");
    }
    Ok(())
}

#[on(object = "page", field = "feed")]
async fn audit_log() {}

fn feed(entry: &str, message: &str) -> Vec<u8> {
    serde_json::json!({"object": "page", "entry": [{"id": entry, "time": 1_732_700_000, "changes": [
        {"field": "feed", "value": {"item": "status", "verb": "add", "post_id": format!("{entry}_1"), "message": message}}
    ]}]})
    .to_string()
    .into_bytes()
}

/// A server with the console, its store, and where to reach both.
struct Setup {
    server: testing::RunningServer,
    console: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
    #[cfg(feature = "nats")]
    _nats: Option<NatsServer>,
}

#[derive(Clone, Copy)]
enum Store {
    Sqlite,
    #[cfg(feature = "nats")]
    Nats,
}

impl Setup {
    async fn start(store: Store, admin_token: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let side = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let side_addr = side.local_addr().unwrap();
        let mut builder = Config::builder()
            .app_secret(SECRET)
            .verify_token("t")
            .workers(1)
            .retry(RetryPolicy {
                max_attempts: 1,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(10),
            })
            .metrics_bind(side_addr)
            .console();
        if let Some(token) = admin_token {
            builder = builder.admin_token(token);
        }
        #[cfg(feature = "nats")]
        let (builder, nats) = match store {
            Store::Sqlite => (builder.durable(dir.path().join("console.db")), None),
            Store::Nats => {
                let nats = NatsServer::start(dir.path());
                let settings = webhook_core::delivery::nats::NatsSettings {
                    url: nats.url(),
                    prefix: "console".to_owned(),
                    ..Default::default()
                };
                (builder.nats(settings), Some(nats))
            }
        };
        #[cfg(not(feature = "nats"))]
        let builder = match store {
            Store::Sqlite => builder.durable(dir.path().join("console.db")),
        };
        let server = Server::new(builder.build().unwrap()).metrics_listener(side);
        let server = testing::spawn(server).await;
        Self {
            server,
            console: format!("http://{side_addr}/console"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            _dir: dir,
            #[cfg(feature = "nats")]
            _nats: nats,
        }
    }

    async fn deliver(&self, body: &[u8]) {
        let header = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), body);
        let status = self
            .client
            .post(self.server.url())
            .header("x-hub-signature-256", header)
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }

    /// The API's answer to `GET path` (relative to `/console/api`) with the
    /// admin token as a bearer when there is one.
    async fn api(&self, path: &str, token: Option<&str>) -> Value {
        let mut request = self.client.get(format!("{}/api{path}", self.console));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        serde_json::from_str(&response.text().await.unwrap()).unwrap()
    }

    /// Waits until the deliveries `path` lists are `n`.
    async fn wait_for(&self, path: &str, token: Option<&str>, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.api(path, token).await["deliveries"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if found.len() == n {
                return found;
            }
            assert!(Instant::now() < deadline, "{path}: {found:#?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[test]
fn a_console_anyone_could_reach_does_not_start() {
    let base = || -> ConfigBuilder {
        Config::builder()
            .app_secret(SECRET)
            .verify_token("t")
            .console()
    };
    let open = base()
        .metrics_bind("0.0.0.0:9090".parse().unwrap())
        .build()
        .unwrap_err()
        .to_string();
    assert!(open.contains("META_WEBHOOK_ADMIN_TOKEN"), "{open}");
    assert!(open.contains("open to anyone"), "{open}");
    let short = base()
        .metrics_bind("0.0.0.0:9090".parse().unwrap())
        .admin_token("short")
        .build()
        .unwrap_err()
        .to_string();
    assert!(short.contains("16 characters"), "{short}");
    let no_listener = base().build().unwrap_err().to_string();
    assert!(
        no_listener.contains("META_WEBHOOK_METRICS_BIND"),
        "{no_listener}"
    );
    let inline = base()
        .metrics_bind("127.0.0.1:9090".parse().unwrap())
        .inline()
        .build()
        .unwrap_err()
        .to_string();
    assert!(inline.contains("inline mode"), "{inline}");
    assert!(
        base()
            .metrics_bind("0.0.0.0:9090".parse().unwrap())
            .admin_token(ADMIN)
            .build()
            .is_ok()
    );
}

/// Without a token the console answers loopback names only (a page whose DNS
/// name was rebound to 127.0.0.1 is refused), and never on the webhook port.
#[tokio::test]
async fn without_a_token_only_loopback_names_are_answered() {
    let setup = Setup::start(Store::Sqlite, None).await;
    let page = setup.client.get(&setup.console).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    let rebound = setup
        .client
        .get(&setup.console)
        .header("host", "attacker.example:9090")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 421);
    let webhook_port = setup
        .client
        .get(format!(
            "{}/console",
            setup.server.url().trim_end_matches("/webhook")
        ))
        .send()
        .await
        .unwrap();
    assert_ne!(
        webhook_port.status(),
        200,
        "the console is not on the webhook port"
    );
    setup.server.stop().await.unwrap();
}

/// Reads the CSRF token a page carries.
fn csrf_of(html: &str) -> String {
    let start = html.find(r#"name="csrf-token" content=""#).unwrap() + 27;
    html[start..start + 64].to_owned()
}

/// With a token: pages send to the login form, scripts get 401 without the
/// bearer; a login sets an `HttpOnly`, `SameSite=Strict` cookie; a `POST`
/// without the CSRF token, or from another site, is refused.
#[tokio::test]
async fn with_a_token_login_and_csrf_are_required() {
    let setup = Setup::start(Store::Sqlite, Some(ADMIN)).await;
    let console = &setup.console;
    let client = &setup.client;
    let page = client.get(console).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/console/login?next=%2Fconsole");
    let api = client
        .get(format!("{console}/api/overview"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
    let wrong = client
        .get(format!("{console}/api/overview"))
        .bearer_auth("not-the-admin-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    setup.api("/overview", Some(ADMIN)).await;

    let login = |token: &str| {
        client
            .post(format!("{console}/login"))
            .form(&[("token", token), ("next", "/console/deliveries")])
            .send()
    };
    assert_eq!(login("guess").await.unwrap().status(), 401);
    let logged_in = login(ADMIN).await.unwrap();
    assert_eq!(logged_in.status(), 303);
    assert_eq!(logged_in.headers()["location"], "/console/deliveries");
    let cookie = logged_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();
    let html = client
        .get(console)
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);

    setup.deliver(&feed("csrf-1", "hello")).await;
    let id = setup
        .wait_for("/deliveries?entry=csrf-1", Some(ADMIN), 1)
        .await[0]["id"]
        .clone();
    let replay = format!("{console}/deliveries/{id}/replay");
    let post = |form: Vec<(&'static str, String)>, origin: Option<&'static str>| {
        let mut request = client.post(&replay).header("cookie", &session).form(&form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    assert_eq!(
        post(vec![], None).await.unwrap().status(),
        403,
        "no CSRF token"
    );
    assert_eq!(
        post(vec![("csrf", "0".repeat(64))], None)
            .await
            .unwrap()
            .status(),
        403,
        "a wrong CSRF token"
    );
    assert_eq!(
        post(
            vec![("csrf", csrf.clone())],
            Some("https://attacker.example")
        )
        .await
        .unwrap()
        .status(),
        403,
        "another site's POST"
    );
    assert_eq!(
        post(vec![("csrf", csrf.clone())], None)
            .await
            .unwrap()
            .status(),
        303
    );
    let api_replay = format!("{console}/api/deliveries/{id}/replay");
    let no_header = client
        .post(&api_replay)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(no_header.status(), 403);
    let with_header = client
        .post(&api_replay)
        .header("cookie", &session)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(with_header.status(), 200);
    let bearer = client
        .post(&api_replay)
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 200);
    setup.server.stop().await.unwrap();
}

/// Both stores: a failing handler's delivery is dead with its error, the filters
/// find it, and replaying every dead letter after the fix handles it.
async fn shows_and_replays(store: Store, entry: &str) {
    let setup = Setup::start(store, None).await;
    break_entry(entry, true);
    setup
        .deliver(&feed(entry, "<script>alert('xss')</script>"))
        .await;
    let selection = format!("/deliveries?state=dead&entry={entry}");
    let dead = setup.wait_for(&selection, None, 1).await;
    let id = dead[0]["id"].as_i64().unwrap();
    assert!(
        dead[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("sync_to_crm on (page, feed) failed: the CRM refused the post"),
        "{dead:#?}"
    );
    setup
        .wait_for(
            &format!("/deliveries?handler=sync_to_crm&entry={entry}"),
            None,
            1,
        )
        .await;
    setup
        .wait_for(
            &format!("/deliveries?handler=nobody&entry={entry}"),
            None,
            0,
        )
        .await;
    let overview = setup.api("/overview", None).await;
    assert!(
        overview["counts"]["dead"].as_u64().unwrap() >= 1,
        "{overview}"
    );

    // The delivery's page escapes the payload.
    let html = setup
        .client
        .get(format!("{}/deliveries/{id}", setup.console))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("&#60;script&#62;alert(") || html.contains("&lt;script&gt;alert("),
        "the payload is shown as text: {html}"
    );
    assert!(
        !html.contains("<script>alert("),
        "the payload is never HTML"
    );
    assert!(html.contains("the CRM refused the post"));

    break_entry(entry, false);
    let html = setup
        .client
        .get(format!("{}/deliveries/{id}", setup.console))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let replayed = setup
        .client
        .post(format!(
            "{}/api/replay?state=dead&entry={entry}",
            setup.console
        ))
        .header("x-csrf-token", csrf_of(&html))
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 200);
    let replayed: Value = serde_json::from_str(&replayed.text().await.unwrap()).unwrap();
    assert_eq!(replayed["replayed"], serde_json::json!([id]));
    setup.wait_for(&selection, None, 0).await;
    if let Store::Sqlite = store {
        // SQLite keeps handled deliveries (for dedup); NATS forgets them at once.
        setup
            .wait_for(
                &format!("/deliveries?state=done&handler=sync_to_crm"),
                None,
                1,
            )
            .await;
    }
    setup.server.stop().await.unwrap();
}

#[tokio::test]
async fn the_sqlite_store_shows_and_replays() {
    shows_and_replays(Store::Sqlite, "sqlite-1").await;
}

#[cfg(feature = "nats")]
#[tokio::test]
async fn the_nats_store_shows_and_replays() {
    if !nats_server::available() {
        return;
    }
    shows_and_replays(Store::Nats, "nats-1").await;
}
