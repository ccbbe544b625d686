//! The server end to end over real loopback HTTP: handshake, signatures, dispatch
//! and the inline status policy (durable mode has its own tests).

use std::sync::Mutex;

use reqwest::StatusCode;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::testing::{self, RunningServer};
use webhook_server::{Config, ConfigBuilder, Payload, RawItem, Server, State, on};

const SECRET: &str = "test_app_secret";
const TOKEN: &str = "verify-me";

#[derive(Default)]
struct Seen(Mutex<Vec<String>>);

#[derive(serde::Deserialize)]
struct Flags {
    #[serde(default)]
    fail: bool,
    #[serde(default)]
    panic: bool,
}

#[on(object = "page", field = "feed")]
async fn feed(
    item: RawItem,
    Payload(flags): Payload<Flags>,
    State(seen): State<Seen>,
) -> anyhow::Result<()> {
    seen.0
        .lock()
        .unwrap()
        .push(format!("feed {}", item.entry_id.unwrap()));
    assert!(!flags.panic, "feed handler panicked on purpose");
    anyhow::ensure!(!flags.fail, "feed handler failed on purpose");
    Ok(())
}

#[on(object = "page", field = "messages")]
async fn messages(item: RawItem, State(seen): State<Seen>) {
    seen.0
        .lock()
        .unwrap()
        .push(format!("messages {}", item.entry_id.unwrap()));
}

/// Signals that it started, then takes a while: for the graceful-shutdown test.
#[on(object = "page", field = "slow", unchecked)]
async fn slow(item: RawItem, State(seen): State<Seen>, State(started): State<tokio::sync::Notify>) {
    started.notify_one();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    seen.0
        .lock()
        .unwrap()
        .push(format!("slow {}", item.entry_id.unwrap()));
}

#[on(object = "whatsapp_business_account", field = "messages")]
async fn whatsapp(item: RawItem, State(seen): State<Seen>) {
    seen.0
        .lock()
        .unwrap()
        .push(format!("whatsapp {}", item.value.get().len()));
}

/// Never finishes: its own time limit cuts it off.
#[on(object = "page", field = "t_hang", unchecked, timeout = "100ms")]
async fn hangs() {
    std::future::pending::<()>().await;
}

/// Outlives any drain time.
#[on(object = "page", field = "t_stuck", unchecked, timeout = "1h")]
async fn stuck(State(started): State<tokio::sync::Notify>) {
    started.notify_one();
    std::future::pending::<()>().await;
}

struct Running {
    url: String,
    client: reqwest::Client,
    server: RunningServer,
    seen: std::sync::Arc<Seen>,
    slow_started: std::sync::Arc<tokio::sync::Notify>,
}

async fn start(configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Running {
    let config = configure(
        Config::builder()
            .app_secret(SECRET)
            .verify_token(TOKEN)
            .inline(),
    )
    .build()
    .unwrap();
    let seen = std::sync::Arc::new(Seen::default());
    let shared = std::sync::Arc::clone(&seen);
    let started = std::sync::Arc::new(tokio::sync::Notify::new());
    let slow_started = std::sync::Arc::clone(&started);
    let server = Server::new(config).dispatcher(|b| b.state_arc(shared).state_arc(started));
    let server = testing::spawn(server).await;
    Running {
        url: server.url().to_owned(),
        client: reqwest::Client::new(),
        server,
        seen,
        slow_started,
    }
}

impl Running {
    fn seen(&self) -> Vec<String> {
        self.seen.0.lock().unwrap().clone()
    }

    async fn get(&self, query: &str) -> (StatusCode, String, String) {
        let response = self
            .client
            .get(format!("{}?{query}", self.url))
            .send()
            .await
            .unwrap();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (
            response.status(),
            content_type,
            response.text().await.unwrap(),
        )
    }

    async fn post(
        &self,
        body: impl Into<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let mut request = self.client.post(&self.url).body(body.into());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn post_signed(&self, body: &[u8]) -> (StatusCode, String) {
        let header = sign(SECRET, body);
        self.post(body.to_vec(), &[("x-hub-signature-256", &header)])
            .await
    }

    async fn stop(self) {
        self.server.stop().await.unwrap();
    }
}

fn sign(secret: &str, body: &[u8]) -> String {
    signature::sign(Algorithm::Sha256, &AppSecret::new(secret).unwrap(), body)
}

const FEED: &[u8] = br#"{"object":"page","entry":[{"id":"111","time":1700000000,"changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;

#[tokio::test]
async fn handshake() {
    let app = start(|c| c).await;
    let ok = app
        .get(&format!(
            "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={TOKEN}"
        ))
        .await;
    assert_eq!(
        ok,
        (
            StatusCode::OK,
            "text/plain; charset=utf-8".into(),
            "1158201444".into()
        )
    );

    let html = app.get(&format!("hub.mode=subscribe&hub.challenge=%3Cscript%3Ealert(1)%3C%2Fscript%3E&hub.verify_token={TOKEN}")).await;
    assert_eq!(html.1, "text/plain; charset=utf-8", "never echoed as HTML");
    assert_eq!(html.2, "<script>alert(1)</script>");

    let wrong_token = app
        .get("hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope")
        .await;
    assert_eq!(wrong_token.0, StatusCode::FORBIDDEN);
    assert!(
        wrong_token.2.contains("does not match"),
        "{}",
        wrong_token.2
    );
    let wrong_mode = app
        .get(&format!(
            "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token={TOKEN}"
        ))
        .await;
    assert_eq!(wrong_mode.0, StatusCode::FORBIDDEN);
    // A4: a challenge far longer than Meta's is not echoed.
    let long = app
        .get(&format!(
            "hub.mode=subscribe&hub.challenge={}&hub.verify_token={TOKEN}",
            "9".repeat(10_000)
        ))
        .await;
    assert_eq!(long.0, StatusCode::BAD_REQUEST);
    assert!(long.2.contains("longer than 1024 bytes"), "{}", long.2);
    // A5: a repeated parameter is ambiguous, so refused, whichever copy is right.
    for query in [
        format!(
            "hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope&hub.verify_token={TOKEN}"
        ),
        format!(
            "hub.mode=subscribe&hub.challenge=1&hub.verify_token={TOKEN}&hub.verify_token=nope"
        ),
        format!("hub.mode=subscribe&hub.challenge=1&hub.challenge=2&hub.verify_token={TOKEN}"),
    ] {
        let repeated = app.get(&query).await;
        assert_eq!(repeated.0, StatusCode::BAD_REQUEST, "{query}");
        assert!(repeated.2.contains("more than once"), "{}", repeated.2);
    }
    for query in [
        "",
        "hub.mode=subscribe&hub.challenge=1",
        &format!("hub.mode=subscribe&hub.verify_token={TOKEN}"),
    ] {
        let missing = app.get(query).await;
        assert_eq!(missing.0, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            missing.2.contains("missing query parameter"),
            "{}",
            missing.2
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn signatures() {
    let app = start(|c| c).await;
    let good = sign(SECRET, FEED);
    assert_eq!(app.post_signed(FEED).await.0, StatusCode::OK);

    let (status, why) = app.post(FEED, &[]).await;
    assert_eq!(
        (status, why.as_str()),
        (
            StatusCode::UNAUTHORIZED,
            "missing X-Hub-Signature-256 header"
        )
    );

    let (status, why) = app
        .post(
            FEED,
            &[("x-hub-signature-256", &sign("wrong secret", FEED))],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(why.contains("does not match"), "{why}");

    let mut tampered = FEED.to_vec();
    tampered.push(b'\n');
    assert_eq!(
        app.post(tampered, &[("x-hub-signature-256", &good)])
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    let hex = &good["sha256=".len()..];
    for (header, expected) in [
        ("sha256=".to_owned(), "found 0 characters"),
        (format!("sha256={}", &hex[..63]), "found 63 characters"),
        (format!("sha256={}zz", &hex[..62]), "non-hex"),
        (format!("sha256={hex}0"), "found 65 characters"),
        (format!("sha1={hex}"), "does not start with `sha256=`"),
        (format!("sha256 ={hex}"), "does not start with `sha256=`"),
        (hex.to_owned(), "does not start with `sha256=`"),
    ] {
        let (status, why) = app.post(FEED, &[("x-hub-signature-256", &header)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header}");
        assert!(why.contains(expected), "{header}: {why}");
    }
    // Whitespace around a header value is not part of it (RFC 9110 5.5): HTTP
    // strips it before we see the value, so these are the valid signature.
    for padded in [format!(" {good}"), format!("{good}  "), format!("\t{good}")] {
        assert_eq!(
            app.post(FEED, &[("x-hub-signature-256", &padded)]).await.0,
            StatusCode::OK,
            "{padded:?}"
        );
    }
    let upper = format!("sha256={}", hex.to_uppercase());
    assert_eq!(
        app.post(FEED, &[("x-hub-signature-256", &upper)]).await.0,
        StatusCode::OK
    );

    let (status, why) = app
        .post(
            FEED,
            &[
                ("x-hub-signature-256", &good),
                ("x-hub-signature-256", &good),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(why.contains("more than once"), "{why}");
    assert_eq!(
        app.seen().len(),
        5,
        "only the five valid deliveries reached the handler"
    );
    let counted = app.server.stats().snapshot();
    assert_eq!(
        (counted.acknowledged, counted.signature_refused),
        (5, 11),
        "{counted:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn legacy_sha1_only_with_the_fallback_on() {
    let sha1 = signature::sign(Algorithm::Sha1, &AppSecret::new(SECRET).unwrap(), FEED);
    let strict = start(|c| c).await;
    let (status, why) = strict.post(FEED, &[("x-hub-signature", &sha1)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(why.contains("META_WEBHOOK_ALLOW_SHA1=true"), "{why}");
    strict.stop().await;

    let lenient = start(|c| c.allow_sha1_fallback(true)).await;
    assert_eq!(
        lenient.post(FEED, &[("x-hub-signature", &sha1)]).await.0,
        StatusCode::OK
    );
    let wrong = signature::sign(Algorithm::Sha1, &AppSecret::new("other").unwrap(), FEED);
    assert_eq!(
        lenient.post(FEED, &[("x-hub-signature", &wrong)]).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(lenient.seen(), ["feed 111"]);
    lenient.stop().await;
}

#[tokio::test]
async fn any_of_several_secrets() {
    let app = start(|c| c.app_secret("second-app-secret")).await;
    let header = sign("second-app-secret", FEED);
    assert_eq!(
        app.post(FEED, &[("x-hub-signature-256", &header)]).await.0,
        StatusCode::OK
    );
    app.stop().await;
}

/// B1: GitHub's published vector (the same header format as Meta's) verifies
/// through the whole stack; the body is no notification, so inline mode says 400,
/// not 401 or 403.
#[tokio::test]
async fn the_github_test_vector_verifies() {
    let app = start(|c| c.app_secret("It's a Secret to Everybody")).await;
    let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    let (status, why) = app
        .post(&b"Hello, World!"[..], &[("x-hub-signature-256", header)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
    assert!(
        why.starts_with("signed body is not a webhook notification"),
        "{why}"
    );
    app.stop().await;
}

/// C12: a batch of 1000 entries of two changes each: every change is dispatched,
/// and the one failing call hides none of the others.
#[tokio::test]
async fn a_thousand_entry_batch_dispatches_every_change_despite_a_failure() {
    let app = start(|c| c).await;
    let entries: Vec<String> = (0..1000)
        .map(|n| {
            let fail = n == 500;
            format!(
                r#"{{"id":"{n}","time":1,"changes":[{{"field":"feed","value":{{"fail":{fail}}}}},{{"field":"feed","value":{{}}}}]}}"#
            )
        })
        .collect();
    let body = format!(r#"{{"object":"page","entry":[{}]}}"#, entries.join(","));
    let (status, why) = app.post_signed(body.as_bytes()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(why.starts_with("1 of 2000 handler calls failed"), "{why}");
    let seen = app.seen();
    assert_eq!(seen.len(), 2000);
    for n in 0..1000 {
        assert_eq!(seen[2 * n], format!("feed {n}"));
        assert_eq!(seen[2 * n + 1], format!("feed {n}"));
    }
    app.stop().await;
}

#[tokio::test]
async fn escaped_unicode_body_verifies_as_sent_and_not_reserialised() {
    // reliability.md §1.3: raw bytes with \u00e9 and \/, signed with `test_app_secret`.
    let body = br#"{"object":"page","entry":[{"id":"123","time":1700000000,"messaging":[{"sender":{"id":"1"},"recipient":{"id":"123"},"timestamp":1700000000000,"message":{"mid":"m_1","text":"caf\u00e9 \/ \u00e4\u00f6\u00e5"}}]}]}"#;
    let header = "sha256=9d01f3906cc23943c4b0475112e37c7159a595927b59d01180366869f22d9057";
    let app = start(|c| c).await;
    assert_eq!(
        app.post(body.to_vec(), &[("x-hub-signature-256", header)])
            .await
            .0,
        StatusCode::OK
    );
    let reserialised =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(body).unwrap()).unwrap();
    assert_eq!(
        app.post(reserialised, &[("x-hub-signature-256", header)])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.seen(), ["messages 123"]);
    app.stop().await;
}

#[tokio::test]
async fn a_batch_reaches_the_right_handlers_and_unknown_objects_are_fine() {
    let app = start(|c| c).await;
    let batch = br#"{"object":"page","entry":[
        {"id":"1","time":1,"changes":[{"field":"feed","value":{}},{"field":"ratings","value":{}}]},
        {"id":"2","time":2,"messaging":[{"sender":{"id":"9"},"recipient":{"id":"2"},"timestamp":3,"message":{"mid":"m"}}]},
        {"id":"3","time":4,"changes":[{"field":"feed","value":{"item":"post"}}]}]}"#;
    let (status, body) = app.post_signed(batch).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "EVENT_RECEIVED"));
    assert_eq!(app.seen(), ["feed 1", "messages 2", "feed 3"]);

    let unknown = br#"{"object":"something_new","entry":[{"id":"5","changes":[{"field":"x","value":{"y":1}}]}]}"#;
    assert_eq!(app.post_signed(unknown).await.0, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn failing_and_panicking_handlers_give_500_and_the_server_keeps_serving() {
    let app = start(|c| c).await;
    let failing = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"fail":true}},{"field":"feed","value":{}}]}]}"#;
    let (status, why) = app.post_signed(failing).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(why.starts_with("1 of 2 handler calls failed"), "{why}");
    assert!(why.contains("feed on (page, feed) failed"), "{why}");

    let panicking = br#"{"object":"page","entry":[{"id":"2","changes":[{"field":"feed","value":{"panic":true}}]}]}"#;
    let (status, why) = app.post_signed(panicking).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(why.contains("panicked"), "{why}");

    assert_eq!(
        app.post_signed(FEED).await.0,
        StatusCode::OK,
        "still serving after a panic"
    );
    assert_eq!(app.seen(), ["feed 1", "feed 1", "feed 2", "feed 111"]);
    app.stop().await;
}

#[tokio::test]
async fn a_value_no_retry_can_read_is_answered_200_and_counted() {
    let app = start(|c| c).await;
    // `fail` is no bool: the feed handler's type rejects it, every time; the other
    // item's handler runs. A 500 would have Meta redeliver it for days.
    let unreadable = br#"{"object":"page","entry":[{"id":"9","changes":[{"field":"feed","value":{"fail":"yes"}},{"field":"messages","value":{}}]}]}"#;
    let (status, body) = app.post_signed(unreadable).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "EVENT_RECEIVED"));
    assert_eq!(app.seen(), ["messages 9"]);
    let counted = app.server.stats().snapshot();
    assert_eq!(
        (
            counted.rejected,
            counted.handler_failures,
            counted.acknowledged
        ),
        (1, 0, 1),
        "{counted:?}"
    );
    // A real failure next to a rejection is still retried.
    let mixed = br#"{"object":"page","entry":[{"id":"10","changes":[{"field":"feed","value":{"fail":"yes"}},{"field":"feed","value":{"fail":true}}]}]}"#;
    assert_eq!(
        app.post_signed(mixed).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    app.stop().await;
}

#[tokio::test]
async fn a_handler_past_its_time_limit_gives_500_and_the_server_keeps_serving() {
    let app = start(|c| c).await;
    let hung =
        br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"t_hang","value":{}}]}]}"#;
    let (status, why) = app.post_signed(hung).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(why.contains("hangs on (page, t_hang) timed_out"), "{why}");
    assert_eq!(app.post_signed(FEED).await.0, StatusCode::OK);
    let counted = app.server.stats().snapshot();
    assert_eq!(
        (counted.handler_failures, counted.acknowledged),
        (1, 1),
        "{counted:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn bodies_that_are_not_notifications_get_400() {
    let app = start(|c| c).await;
    for body in [
        &b"this is not json"[..],
        b"",
        b"[]",
        b"null",
        br#"{"object":"page"}"#,
    ] {
        let (status, why) = app.post_signed(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
        assert!(
            why.starts_with("signed body is not a webhook notification"),
            "{why}"
        );
    }
    assert!(app.seen().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn body_limit() {
    let app = start(|c| c.body_limit(1024)).await;
    let big = format!(
        r#"{{"object":"page","entry":[{{"id":"1","changes":[{{"field":"feed","value":"{}"}}]}}]}}"#,
        "x".repeat(2000)
    );
    let (status, why) = app.post_signed(big.as_bytes()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(why.contains("1024 byte limit"), "{why}");
    app.stop().await;

    // The default limit takes Meta's 3 MB bodies.
    let app = start(|c| c).await;
    let messages = vec![r#"{"from":"1","id":"wamid.x","timestamp":"1","type":"text","text":{"body":"hello there"}}"#; 40_000].join(",");
    let three_mb = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messages":[{messages}]}}}}]}}]}}"#
    );
    assert!(three_mb.len() > 3_000_000);
    assert_eq!(app.post_signed(three_mb.as_bytes()).await.0, StatusCode::OK);
    let value_len = r#"{"messages":[]}"#.len() + messages.len();
    assert_eq!(
        app.seen(),
        [format!("whatsapp {value_len}")],
        "the whole 3 MB value reached the handler"
    );
    // Over the limit: refused from Content-Length alone, before the body is sent.
    let mut stream = tokio::net::TcpStream::connect(
        app.url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap(),
    )
    .await
    .unwrap();
    let head = format!(
        "POST /webhook HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\nx-hub-signature-256: sha256={}\r\n\r\n",
        5 * 1024 * 1024,
        "0".repeat(64)
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes())
        .await
        .unwrap();
    let mut response = vec![0; 1024];
    let read = tokio::io::AsyncReadExt::read(&mut stream, &mut response);
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let response = String::from_utf8_lossy(&response[..n]);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("4194304 byte limit"), "{response}");
    app.stop().await;
}

#[tokio::test]
async fn the_dashboard_test_form_of_messaging_fields_routes_too() {
    // protocol.md §7.1: `changes[]` with a messaging field, string timestamp in seconds.
    let app = start(|c| c).await;
    let body = br#"{"object":"page","entry":[{"id":"0","time":1527459824,"changes":[{"field":"messages","value":{"sender":{"id":"12334"},"recipient":{"id":"23245"},"timestamp":"1527459824","message":{"mid":"test_message_id","text":"test_message"}}}]}]}"#;
    assert_eq!(app.post_signed(body).await.0, StatusCode::OK);
    assert_eq!(app.seen(), ["messages 0"]);
    app.stop().await;
}

#[tokio::test]
async fn other_methods_and_paths() {
    let app = start(|c| c).await;
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
        reqwest::Method::DELETE,
        reqwest::Method::OPTIONS,
    ] {
        let answer = app
            .client
            .request(method.clone(), &app.url)
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
    let other = app
        .client
        .post(app.url.replace("/webhook", "/other"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn shutdown_finishes_deliveries_in_flight() {
    let app = start(|c| c).await;
    let body = br#"{"object":"page","entry":[{"id":"7","changes":[{"field":"slow","value":{}}]}]}"#;
    let header = sign(SECRET, body);
    let request = app
        .client
        .post(&app.url)
        .header("x-hub-signature-256", header)
        .body(body.to_vec())
        .send();
    let in_flight = tokio::spawn(request);
    app.slow_started.notified().await;
    let seen = std::sync::Arc::clone(&app.seen);
    app.stop().await; // returns once the server has drained
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(*seen.0.lock().unwrap(), ["slow 7"]);
}

/// G1: the drain is bounded. A request still running when the drain time is up is
/// cut off (no 200 is sent, so Meta retries it) and the server stops anyway.
#[tokio::test]
async fn shutdown_gives_up_on_a_stuck_request_after_the_drain_time() {
    let limits = webhook_server::Limits {
        drain_timeout: std::time::Duration::from_millis(200),
        ..webhook_server::Limits::default()
    };
    let app = start(|c| c.limits(limits)).await;
    let body =
        br#"{"object":"page","entry":[{"id":"8","changes":[{"field":"t_stuck","value":{}}]}]}"#;
    let request = app
        .client
        .post(&app.url)
        .header("x-hub-signature-256", sign(SECRET, body))
        .body(body.to_vec())
        .send();
    let in_flight = tokio::spawn(request);
    if tokio::time::timeout(
        std::time::Duration::from_secs(5),
        app.slow_started.notified(),
    )
    .await
    .is_err()
    {
        panic!("the stuck handler never started");
    }
    // Without the bound this would wait for the handler's hour.
    tokio::time::timeout(std::time::Duration::from_secs(30), app.stop())
        .await
        .expect("the server stopped after its drain time");
    let answer = tokio::time::timeout(std::time::Duration::from_secs(30), in_flight)
        .await
        .expect("the stuck connection was closed")
        .unwrap();
    assert!(answer.is_err(), "no answer, so no 200: {answer:?}");
}

#[tokio::test]
async fn a_chunked_body_past_the_limit_is_refused_while_reading() {
    let app = start(|c| c.body_limit(1024)).await;
    let addr = app
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let chunk = "x".repeat(600);
    let request = format!(
        "POST /webhook HTTP/1.1\r\nhost: localhost\r\ntransfer-encoding: chunked\r\nx-hub-signature-256: sha256={}\r\n\r\n\
         258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n",
        "0".repeat(64)
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
        .await
        .unwrap();
    let mut response = vec![0; 1024];
    let read = tokio::io::AsyncReadExt::read(&mut stream, &mut response);
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .unwrap()
        .unwrap();
    let response = String::from_utf8_lossy(&response[..n]);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(app.seen().is_empty());
    app.stop().await;
}
