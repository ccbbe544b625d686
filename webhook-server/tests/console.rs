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
        Self::start_on(store, admin_token, [127, 0, 0, 1].into()).await
    }

    /// With the metrics listener on `ip` (the console is reached there).
    async fn start_on(store: Store, admin_token: Option<&str>, ip: std::net::IpAddr) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let side = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
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

/// Logs in with the form, as a browser would: the session cookie (`name=value`)
/// and the CSRF token of the pages it then gets.
async fn log_in(setup: &Setup) -> (String, String) {
    let (console, client) = (&setup.console, &setup.client);
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
    (session, csrf_of(&html))
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

    let (session, csrf) = log_in(&setup).await;

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
            .wait_for("/deliveries?state=done&handler=sync_to_crm", None, 1)
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

/// Where the screenshot goes: the test's scratch directory always, and the
/// README's `docs/console.png` with `UPDATE_SCREENSHOTS=1`.
fn save_screenshot(png: &[u8]) {
    let scratch = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("console.png");
    std::fs::write(&scratch, png).unwrap();
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/console.png");
        std::fs::create_dir_all(docs.parent().unwrap()).unwrap();
        std::fs::write(docs, png).unwrap();
    }
}

/// The browser, logged in or not, on the console of `setup`.
struct Browser {
    client: fantoccini::Client,
    console: String,
    _driver: ChromeDriver,
}

impl Browser {
    async fn open(console: &str) -> Self {
        let driver = ChromeDriver::start();
        let client = fantoccini::ClientBuilder::new(
            hyper_util::client::legacy::connect::HttpConnector::new(),
        )
        .capabilities(ChromeDriver::capabilities())
        .connect(&driver.url())
        .await
        .expect("chromedriver starts a Chromium session");
        Self {
            client,
            console: console.to_owned(),
            _driver: driver,
        }
    }

    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.console))
            .await
            .unwrap();
    }

    /// The element `css` selects, waiting for it as long as a page may take to
    /// load (a click on a form's button returns before the next page is there).
    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// Waits until the browser is at `path` (with its query).
    async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.path().await != path {
            assert!(
                Instant::now() < deadline,
                "at {} instead of {path}: {}",
                self.path().await,
                self.client.source().await.unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The login is required: the console sends to the form, which takes the
    /// token and goes back to the page asked for.
    async fn log_in(&self) {
        self.goto("").await;
        self.wait_for_path("/console/login?next=%2Fconsole").await;
        self.find("input[name=token]")
            .await
            .send_keys(ADMIN)
            .await
            .unwrap();
        self.click("button[type=submit]").await;
        self.wait_for_path("/console").await;
    }

    /// The fix is deployed: replays every dead letter from the overview and
    /// waits for delivery `id` to be handled.
    async fn replay_dead_letters(&self, id: i64) {
        // The fix is deployed: replay every dead letter from the overview.
        self.goto("").await;
        let button = self
            .text("a.button[href='/console/replay?state=dead']")
            .await;
        assert_eq!(button, "Replay the dead letter…");
        self.click("a.button[href='/console/replay?state=dead']")
            .await;
        let question = self.text(".question").await;
        assert!(
            question.starts_with("Replay 1 delivery (every delivery with state dead)"),
            "{question}"
        );
        self.click("form.confirm button[type=submit]").await;
        assert_eq!(
            self.text(".message").await,
            "1 delivery replayed: the workers handle it now."
        );
        // Handled deliveries keep no body (only their hash, for dedup): the
        // delivery's own page tells its state.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.goto(&format!("/deliveries/{id}")).await;
            if self.text("h1 .state").await == "done" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the replayed delivery was not handled"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let outcomes = self.text("ul.outcomes").await;
        assert!(outcomes.contains("sync_to_crm ✓"), "{outcomes}");
        let history = self.text("table.history").await;
        assert!(
            history.contains("replayed") && history.contains("the CRM refused the post"),
            "{history}"
        );
    }

    /// The status of a `POST` the page itself sends with `fetch`, without the
    /// CSRF token.
    async fn post_from_page(&self, path: &str) -> u64 {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(arguments[0], {method: 'POST'}).then(r => done(r.status));",
                vec![Value::String(format!("{}{path}", self.console))],
            )
            .await
            .unwrap()
            .as_u64()
            .unwrap()
    }
}

/// This machine's address on its network (not loopback), when it has one.
fn network_address() -> Option<std::net::IpAddr> {
    // Connecting a UDP socket sends nothing: it only picks the route's source.
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// What the person on call does, on a console served off loopback: log in, see the failed delivery with its
/// error (the payload's `<script>` shown, not run), fix, replay every dead
/// letter, see it handled. A `POST` without the CSRF token is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_in_a_browser() {
    if !chromedriver::available() {
        return;
    }
    let ip = network_address().unwrap_or_else(|| {
        eprintln!("no network address: the browser test uses 127.0.0.1");
        [127, 0, 0, 1].into()
    });
    let setup = Setup::start_on(Store::Sqlite, Some(ADMIN), ip).await;
    for n in 0..6 {
        setup
            .deliver(&feed(&format!("healthy-{n}"), "all good"))
            .await;
    }
    break_entry("browser-1", true);
    let payload = r#"<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">"#;
    setup.deliver(&feed("browser-1", payload)).await;
    let dead = setup
        .wait_for("/deliveries?state=dead&entry=browser-1", Some(ADMIN), 1)
        .await;
    let id = dead[0]["id"].as_i64().unwrap();
    let browser = Browser::open(&setup.console).await;

    browser.log_in().await;
    let dead_count = browser.text(".count.dead .n").await;
    assert_eq!(dead_count, "1");
    save_screenshot(&browser.client.screenshot().await.unwrap());

    // The failure, with its error, in the table; its page shows the payload as text.
    browser.goto("/deliveries?state=dead").await;
    let row = browser.text("table.deliveries tbody tr").await;
    assert!(
        row.contains("sync_to_crm ✗") && row.contains("the CRM refused the post"),
        "{row}"
    );
    browser.click("table.deliveries tbody tr td.error").await;
    browser
        .wait_for_path(&format!("/console/deliveries/{id}"))
        .await;
    let body = browser.text("pre.json").await;
    assert!(
        body.contains(payload.replace('"', "\\\"").as_str()),
        "{body}"
    );
    let xss = browser
        .client
        .execute("return window.__xss === undefined;", vec![])
        .await
        .unwrap();
    assert_eq!(xss, Value::Bool(true), "the payload's script ran");
    assert_eq!(
        browser
            .post_from_page(&format!("/deliveries/{id}/replay"))
            .await,
        403
    );

    break_entry("browser-1", false);
    browser.replay_dead_letters(id).await;
    browser.client.close().await.unwrap();
    setup.server.stop().await.unwrap();
}
