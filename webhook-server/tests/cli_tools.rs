//! `meta-webhooks serve|send|sign|verify|handshake|subscriptions`, each run as a
//! process against the real server, or against a Graph API stand-in that checks
//! the requests it receives, over loopback.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::Method;
use axum::routing::any;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::testing::{self, RunningServer};
use webhook_server::{Config, Server, State, on};

const SECRET: &str = "cli-secret";
const TOKEN: &str = "cli-token";
const FEED: &str = r#"{"object":"page","entry":[{"id":"5","time":1,"changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;

#[on(object = "page", field = "feed")]
async fn feed(State(count): State<AtomicUsize>) {
    count.fetch_add(1, Ordering::SeqCst);
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `meta-webhooks args...` with only `env` set, feeding `stdin`.
async fn run(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_meta-webhooks"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin).await.unwrap();
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    Output {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

struct Running {
    url: String,
    count: Arc<AtomicUsize>,
    server: RunningServer,
}

async fn start() -> Running {
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token(TOKEN)
        .inline()
        .build()
        .unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let server = Server::new(config).dispatcher(|b| b.state_arc(Arc::clone(&count)));
    let server = testing::spawn(server).await;
    Running {
        url: server.url().to_owned(),
        count,
        server,
    }
}

/// A port nothing listens on.
async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/webhook")
}

#[tokio::test]
async fn sign_prints_the_header_meta_would_send() {
    let expected = signature::sign(
        Algorithm::Sha256,
        &AppSecret::new(SECRET).unwrap(),
        FEED.as_bytes(),
    );
    let out = run(
        &["sign", "-"],
        &[("META_APP_SECRET", SECRET)],
        FEED.as_bytes(),
    )
    .await;
    assert_eq!(
        (out.code, out.stdout.trim()),
        (0, format!("X-Hub-Signature-256: {expected}").as_str())
    );

    let sha1 = signature::sign(
        Algorithm::Sha1,
        &AppSecret::new("s").unwrap(),
        FEED.as_bytes(),
    );
    let out = run(
        &["sign", "-", "--sha1", "--secret", "s"],
        &[],
        FEED.as_bytes(),
    )
    .await;
    assert_eq!(out.stdout.trim(), format!("X-Hub-Signature: {sha1}"));

    let out = run(&["sign", "-"], &[], FEED.as_bytes()).await;
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("META_APP_SECRET"), "{}", out.stderr);
}

#[tokio::test]
async fn verify_says_exactly_why_a_signature_fails() {
    // reliability.md 1.3: Meta's escaped bytes and their signature.
    let raw = r#"{"object":"page","entry":[{"id":"123","time":1700000000,"messaging":[{"sender":{"id":"1"},"recipient":{"id":"123"},"timestamp":1700000000000,"message":{"mid":"m_1","text":"caf\u00e9 \/ \u00e4\u00f6\u00e5"}}]}]}"#;
    let header = "sha256=9d01f3906cc23943c4b0475112e37c7159a595927b59d01180366869f22d9057";
    let env = [("META_APP_SECRET", "test_app_secret")];
    let ok = run(&["verify", "-", "--header", header], &env, raw.as_bytes()).await;
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.starts_with("ok:"), "{}", ok.stdout);

    let decoded = raw
        .replace(r"\u00e9", "é")
        .replace(r"\u00e4\u00f6\u00e5", "äöå")
        .replace(r"\/", "/");
    let cases = [
        (decoded.as_str(), header.to_owned(), "body re-serialised"),
        (raw, header["sha256=".len()..].to_owned(), "missing prefix"),
        (
            raw,
            header[..header.len() - 2].to_owned(),
            "wrong length: 62",
        ),
        (raw, format!("{}zz", &header[..header.len() - 2]), "not hex"),
    ];
    for (body, header, expected) in cases {
        let out = run(&["verify", "-", "--header", &header], &env, body.as_bytes()).await;
        assert_eq!(out.code, 1, "{expected}");
        assert!(out.stderr.contains(expected), "{expected}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "one line: {}", out.stderr);
    }
    let wrong = run(
        &["verify", "-", "--header", header, "--secret", "other"],
        &[],
        raw.as_bytes(),
    )
    .await;
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("app secret is wrong"),
        "{}",
        wrong.stderr
    );
}

#[tokio::test]
async fn send_signs_and_posts_a_file_a_fixture_or_a_burst() {
    let app = start().await;
    let env = [("META_APP_SECRET", SECRET)];
    let out = run(&["send", &app.url, "-"], &env, FEED.as_bytes()).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "200 OK\nEVENT_RECEIVED\n");
    assert_eq!(app.count.load(Ordering::SeqCst), 1);

    let out = run(
        &["send", &app.url, "--fixture", "page/feed_status_add"],
        &env,
        b"",
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(app.count.load(Ordering::SeqCst), 2);

    let out = run(
        &["send", &app.url, "-", "--times", "20", "--concurrency", "4"],
        &env,
        FEED.as_bytes(),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("sent 20 in"), "{}", out.stdout);
    assert!(out.stdout.contains("20 × 200 OK"), "{}", out.stdout);
    assert_eq!(app.count.load(Ordering::SeqCst), 22);

    let refused = run(
        &["send", &app.url, "-", "--secret", "wrong"],
        &[],
        FEED.as_bytes(),
    )
    .await;
    assert_eq!(refused.code, 1);
    assert!(refused.stdout.starts_with("403"), "{}", refused.stdout);
    let sha1 = run(&["send", &app.url, "-", "--sha1"], &env, FEED.as_bytes()).await;
    assert_eq!(sha1.code, 1);
    assert!(sha1.stdout.starts_with("401"), "{}", sha1.stdout);
    let missing = run(&["send", &app.url, "--fixture", "page/nope"], &env, b"").await;
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no fixture named `page/nope`"),
        "{}",
        missing.stderr
    );

    let down = run(&["send", &closed_port().await, "-"], &env, FEED.as_bytes()).await;
    assert_eq!(down.code, 3);
    assert!(down.stderr.contains("cannot reach"), "{}", down.stderr);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn handshake_says_whether_meta_would_verify_the_callback() {
    let app = start().await;
    let pass = run(&["handshake", &app.url, "--token", TOKEN], &[], b"").await;
    assert_eq!(pass.code, 0, "{}", pass.stderr);
    assert!(pass.stdout.starts_with("pass: 200 OK"), "{}", pass.stdout);
    let pass = run(
        &["handshake", &app.url, "--challenge", "abc 1"],
        &[("META_VERIFY_TOKEN", TOKEN)],
        b"",
    )
    .await;
    assert_eq!(pass.code, 0, "{}", pass.stderr);

    let wrong = run(&["handshake", &app.url, "--token", "nope"], &[], b"").await;
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("fail: the server answered 403"),
        "{}",
        wrong.stderr
    );
    let missing = run(&["handshake", &app.url], &[], b"").await;
    assert_eq!(missing.code, 2);
    let down = run(
        &["handshake", &closed_port().await, "--token", TOKEN],
        &[],
        b"",
    )
    .await;
    assert_eq!(down.code, 3);
    app.server.stop().await.unwrap();
}

/// What the Graph stand-in received: method, path, parameters.
type Received = Arc<Mutex<Vec<(Method, String, HashMap<String, String>)>>>;

fn json(value: &serde_json::Value) -> ([(&'static str, &'static str); 1], String) {
    ([("content-type", "application/json")], value.to_string())
}

/// The tokens the stand-in accepts, in the `Authorization` header only.
const TOKENS: [&str; 2] = ["123|app-secret", "page-token"];

/// A Graph API stand-in: checks that the access token comes in the
/// `Authorization` header and never in the URL or the body, records each request,
/// and answers as the Graph API does (its error shape included).
async fn graph() -> (String, Received) {
    let received: Received = Arc::default();
    let log = Arc::clone(&received);
    let app = axum::Router::new().route(
        "/{version}/{id}/{edge}",
        any(
            move |method: Method,
                  Path((version, id, edge)): Path<(String, String, String)>,
                  Query(query): Query<HashMap<String, String>>,
                  headers: axum::http::HeaderMap,
                  form: Bytes| {
                let log = Arc::clone(&log);
                async move {
                    let mut params: HashMap<String, String> =
                        form_urlencoded::parse(&form).into_owned().collect();
                    params.extend(query);
                    assert!(
                        !params.contains_key("access_token"),
                        "a token in the URL or the body: {params:?}"
                    );
                    let bearer = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.strip_prefix("Bearer "))
                        .unwrap_or_default()
                        .to_owned();
                    log.lock()
                        .unwrap()
                        .push((method.clone(), format!("/{version}/{id}/{edge}"), params));
                    if !TOKENS.contains(&bearer.as_str()) {
                        return json(&serde_json::json!({"error": {"message": "Invalid OAuth access token - Cannot parse access token", "type": "OAuthException", "code": 190, "error_subcode": 460, "fbtrace_id": "AxYz123"}}));
                    }
                    json(&match (method, edge.as_str()) {
                        (Method::GET, "subscriptions") => serde_json::json!({"data": [
                            {"object": "page", "callback_url": "https://example.com/webhook", "active": true,
                             "fields": [{"name": "feed", "version": "v23.0"}, {"name": "messages", "version": "v23.0"}]}
                        ]}),
                        (Method::GET, "subscribed_apps") if id == "waba1" => serde_json::json!({"data": [
                            {"whatsapp_business_api_data": {"id": "123", "link": "https://www.facebook.com/games/?app_id=123", "name": "My bot"},
                             "override_callback_uri": "https://other.example.com/webhook"}
                        ]}),
                        (Method::GET, "subscribed_apps") => serde_json::json!({"data": [
                            {"category": "Business", "link": "https://example.com", "name": "My bot", "id": "123",
                             "subscribed_fields": ["feed", "messages"]}
                        ]}),
                        _ => serde_json::json!({"success": true}),
                    })
                }
            },
        ),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test]
async fn subscriptions_list_add_and_remove_through_the_graph_api() {
    let (graph_url, received) = graph().await;
    let env = [
        ("META_APP_ID", "123"),
        ("META_APP_ACCESS_TOKEN", "123|app-secret"),
        ("META_GRAPH_URL", graph_url.as_str()),
    ];
    let list = run(&["subscriptions", "list"], &env, b"").await;
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert_eq!(
        list.stdout,
        "page\thttps://example.com/webhook\tactive\tfeed,messages\n"
    );

    let add = run(
        &[
            "subscriptions",
            "add",
            "--object",
            "page",
            "--callback-url",
            "https://example.com/webhook",
            "--fields",
            "feed,mention",
            "--verify-token",
            "vt",
            "--include-values",
        ],
        &env,
        b"",
    )
    .await;
    assert_eq!(add.code, 0, "{}", add.stderr);
    assert_eq!(add.stdout, "subscribed to page: feed, mention\n");
    let remove = run(
        &[
            "subscriptions",
            "remove",
            "--object",
            "page",
            "--fields",
            "mention",
        ],
        &env,
        b"",
    )
    .await;
    assert_eq!(remove.code, 0, "{}", remove.stderr);

    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    assert_eq!(
        (&received[0].0, received[0].1.as_str()),
        (&Method::GET, "/v23.0/123/subscriptions")
    );
    let (method, _, params) = &received[1];
    assert_eq!(method, Method::POST);
    for (key, value) in [
        ("object", "page"),
        ("callback_url", "https://example.com/webhook"),
        ("fields", "feed,mention"),
        ("verify_token", "vt"),
        ("include_values", "true"),
    ] {
        assert_eq!(
            params.get(key).map(String::as_str),
            Some(value),
            "{key}: {params:?}"
        );
    }
    let (method, _, params) = &received[2];
    assert_eq!(method, Method::DELETE);
    assert_eq!(params.get("fields").map(String::as_str), Some("mention"));

    let bad_token = [
        ("META_APP_ID", "123"),
        ("META_APP_ACCESS_TOKEN", "wrong"),
        ("META_GRAPH_URL", graph_url.as_str()),
    ];
    let refused = run(&["subscriptions", "list"], &bad_token, b"").await;
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("Graph API error 190/460 (OAuthException): Invalid OAuth access token")
            && refused.stderr.contains("(fbtrace_id AxYz123)"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("wrong"),
        "the token leaked: {}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("META_APP_ACCESS_TOKEN"),
        "{}",
        refused.stderr
    );
    let no_token = run(&["subscriptions", "list", "--app-id", "1"], &[], b"").await;
    assert_eq!(no_token.code, 2);
}

#[tokio::test]
async fn serve_runs_the_bundled_server_until_sigterm() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_meta-webhooks"))
        .arg("serve")
        .env_clear()
        .env("META_APP_SECRET", SECRET)
        .env("META_VERIFY_TOKEN", TOKEN)
        .env("META_WEBHOOK_BIND", &addr)
        .env("META_WEBHOOK_MODE", "inline")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = format!(
        "http://{addr}/webhook?hub.mode=subscribe&hub.challenge=77&hub.verify_token={TOKEN}"
    );
    let mut answer = None;
    for _ in 0..100 {
        if let Ok(response) = reqwest::get(&url).await {
            answer = Some(response.text().await.unwrap());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(answer.as_deref(), Some("77"));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("shut down"));

    let refused = run(&["serve"], &[("META_VERIFY_TOKEN", TOKEN)], b"").await;
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("META_APP_SECRET"),
        "{}",
        refused.stderr
    );
}

#[tokio::test]
async fn every_subcommand_has_help() {
    for command in [
        &["serve"][..],
        &["send"],
        &["sign"],
        &["verify"],
        &["handshake"],
        &["subscriptions"],
        &["subscriptions", "add"],
        &["subscriptions", "remove"],
        &["subscriptions", "list"],
        &["assets"],
        &["doctor"],
        &["assets", "add"],
        &["assets", "list"],
        &["deliveries"],
        &["explain"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let out = run(&args, &[], b"").await;
        assert_eq!(out.code, 0, "{command:?}");
        assert!(
            out.stdout.contains("Usage: meta-webhooks"),
            "{command:?}: {}",
            out.stdout
        );
    }
    let top = run(&["--help"], &[], b"").await;
    assert!(top.stdout.contains("Exit codes"), "{}", top.stdout);
}

#[tokio::test]
async fn json_logs_are_one_object_per_line() {
    // The store cannot be opened: start-up fails, after logging (no handlers are
    // linked into the bundled binary) as JSON.
    let out = run(
        &["serve"],
        &[
            ("META_APP_SECRET", SECRET),
            ("META_VERIFY_TOKEN", TOKEN),
            ("META_WEBHOOK_BIND", "127.0.0.1:0"),
            ("META_WEBHOOK_DB", "/nonexistent-dir/x.db"),
            ("META_LOG_FORMAT", "json"),
        ],
        b"",
    )
    .await;
    assert_eq!(out.code, 2);
    let logs: Vec<serde_json::Value> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!logs.is_empty(), "{}", out.stderr);
    assert!(
        logs.iter()
            .all(|l| l["level"].is_string() && l["fields"]["message"].is_string())
    );
    assert!(logs.iter().any(|l| {
        l["fields"]["message"]
            .as_str()
            .unwrap()
            .contains("no handlers registered")
    }));
}

#[tokio::test]
async fn unreachable_servers_are_named_without_the_token_in_the_url() {
    let down = run(
        &["handshake", &closed_port().await, "--token", TOKEN],
        &[],
        b"",
    )
    .await;
    assert_eq!(down.code, 3);
    assert!(down.stderr.contains("cannot reach"), "{}", down.stderr);
    assert!(
        !down.stderr.contains(TOKEN),
        "the token leaked: {}",
        down.stderr
    );

    let closed = closed_port().await.replace("/webhook", "");
    let env = [
        ("META_APP_ID", "123"),
        ("META_APP_ACCESS_TOKEN", "123|app-secret"),
        ("META_GRAPH_URL", closed.as_str()),
    ];
    let down = run(&["subscriptions", "list"], &env, b"").await;
    assert_eq!(down.code, 3);
    assert!(
        !down.stderr.contains("app-secret"),
        "the token leaked: {}",
        down.stderr
    );
}

/// `assets`: a Page's, a WhatsApp Business Account's and an Instagram account's
/// `/{id}/subscribed_apps`, the token in the header only, errors in one line.
#[tokio::test]
async fn assets_list_add_and_remove_for_pages_wabas_and_instagram() {
    let (graph_url, received) = graph().await;
    let env = [
        ("META_ASSET_ACCESS_TOKEN", "page-token"),
        ("META_GRAPH_URL", graph_url.as_str()),
    ];
    let list = run(&["assets", "--page", "p1", "list"], &env, b"").await;
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert_eq!(list.stdout, "123\tMy bot\tfeed,messages\t-\n");
    let add = run(
        &["assets", "--page", "p1", "add", "--fields", "feed,messages"],
        &env,
        b"",
    )
    .await;
    assert_eq!(
        (add.code, add.stdout.as_str()),
        (0, "page p1: subscribed to feed, messages\n"),
        "{}",
        add.stderr
    );
    let remove = run(&["assets", "--page", "p1", "remove"], &env, b"").await;
    assert_eq!(
        (remove.code, remove.stdout.as_str()),
        (0, "page p1: unsubscribed\n")
    );

    let waba = run(&["assets", "--waba", "waba1", "list"], &env, b"").await;
    assert_eq!(
        waba.stdout,
        "123\tMy bot\t-\thttps://other.example.com/webhook\n"
    );
    let over = run(
        &[
            "assets",
            "--waba",
            "waba1",
            "add",
            "--override-callback-uri",
            "https://other.example.com/webhook",
            "--verify-token",
            "vt",
        ],
        &env,
        b"",
    )
    .await;
    assert_eq!(
        (over.code, over.stdout.as_str()),
        (0, "waba waba1: subscribed\n"),
        "{}",
        over.stderr
    );
    let ig = run(
        &[
            "assets",
            "--instagram",
            "ig1",
            "add",
            "--fields",
            "comments,messages",
        ],
        &env,
        b"",
    )
    .await;
    assert_eq!(ig.code, 0, "{}", ig.stderr);

    let received = received.lock().unwrap().clone();
    let calls: Vec<(String, &str)> = received
        .iter()
        .map(|(m, path, _)| (m.to_string(), path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("GET".to_owned(), "/v23.0/p1/subscribed_apps"),
            ("POST".to_owned(), "/v23.0/p1/subscribed_apps"),
            ("DELETE".to_owned(), "/v23.0/p1/subscribed_apps"),
            ("GET".to_owned(), "/v23.0/waba1/subscribed_apps"),
            ("POST".to_owned(), "/v23.0/waba1/subscribed_apps"),
            ("POST".to_owned(), "/v23.0/ig1/subscribed_apps"),
        ]
    );
    assert_eq!(
        received[1].2.get("subscribed_fields").map(String::as_str),
        Some("feed,messages")
    );
    let waba_form = &received[4].2;
    assert_eq!(
        waba_form.get("override_callback_uri").map(String::as_str),
        Some("https://other.example.com/webhook")
    );
    assert_eq!(
        waba_form.get("verify_token").map(String::as_str),
        Some("vt")
    );
    assert_eq!(
        received[5].2.get("subscribed_fields").map(String::as_str),
        Some("comments,messages")
    );
}

/// `assets` mistakes are usage errors (2) naming the fix; a refused token is 1, in
/// one line with Meta's fields, never showing the token.
#[tokio::test]
async fn assets_mistakes_and_refusals_say_what_to_fix() {
    let (graph_url, _) = graph().await;
    let env = [
        ("META_ASSET_ACCESS_TOKEN", "page-token"),
        ("META_GRAPH_URL", graph_url.as_str()),
    ];
    for (args, why) in [
        (
            &["assets", "--page", "p1", "add"][..],
            "--fields is required",
        ),
        (
            &["assets", "--waba", "w", "add", "--fields", "messages"][..],
            "takes the app's fields",
        ),
        (
            &["assets", "--page", "p1", "--waba", "w", "list"][..],
            "cannot be used with",
        ),
        (&["assets", "list"][..], "required"),
    ] {
        let out = run(args, &env, b"").await;
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(why), "{args:?}: {}", out.stderr);
    }
    let no_token = run(
        &["assets", "--page", "p1", "list"],
        &[("META_GRAPH_URL", graph_url.as_str())],
        b"",
    )
    .await;
    assert_eq!(no_token.code, 2);
    assert!(
        no_token.stderr.contains("a Page access token"),
        "{}",
        no_token.stderr
    );
    let bad = [
        ("META_ASSET_ACCESS_TOKEN", "expired-secret"),
        ("META_GRAPH_URL", graph_url.as_str()),
    ];
    let refused = run(&["assets", "--page", "p1", "list"], &bad, b"").await;
    assert_eq!(refused.code, 1);
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("(fbtrace_id AxYz123)")
            && refused.stderr.contains("META_ASSET_ACCESS_TOKEN"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("expired-secret"),
        "the token leaked: {}",
        refused.stderr
    );
}

#[tokio::test]
async fn a_plain_http_callback_would_not_pass_metas_check() {
    // A server answering the handshake correctly, on a non-loopback name over HTTP.
    let app = start().await;
    let url = app.url.replace("127.0.0.1", "localhost.localdomain");
    let out = run(&["handshake", &url, "--token", TOKEN], &[], b"").await;
    // Either the name does not resolve here (3) or the check fails on HTTP (1).
    assert!(out.code == 1 || out.code == 3, "{}", out.stderr);
    if out.code == 1 {
        assert!(out.stderr.contains("only HTTPS"), "{}", out.stderr);
    }
    app.server.stop().await.unwrap();
}
