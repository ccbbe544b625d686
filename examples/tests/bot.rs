//! Runs the example bot as the README does (a process configured by environment
//! variables) and drives it over HTTP, so that the run command cannot silently break.

use std::process::Command;

mod support;
use support::Bot;

use webhook_server::signature::{self, Algorithm, AppSecret};

/// POSTs `body` signed with the bot's secret, as Meta does; returns the status.
async fn post_signed(client: &reqwest::Client, url: &str, body: &[u8]) -> u16 {
    let header = signature::sign(
        Algorithm::Sha256,
        &AppSecret::new("bot-test-secret").unwrap(),
        body,
    );
    client
        .post(url)
        .header("x-hub-signature-256", header)
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_bot_answers_the_handshake_and_a_signed_delivery_then_shuts_down_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("meta-webhooks-bot-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("bot.db");
    let mut bot = Bot::start(&[
        ("META_APP_SECRET", "bot-test-secret"),
        ("META_VERIFY_TOKEN", "bot-test-token"),
        ("META_WEBHOOK_BIND", "127.0.0.1:0"),
        ("META_WEBHOOK_DB", db.to_str().unwrap()),
        // Everything hyper, axum and we log, to check no secret is among it.
        ("RUST_LOG", "trace"),
    ]);
    let listening = bot.wait_for("listening on http://");
    let url = listening[listening.find("http://").unwrap()..]
        .trim()
        .to_owned();
    assert!(url.ends_with("/webhook"), "{url}");
    for handler in [
        "handler feed (page, feed)",
        "handler message (page, messages)",
        "handler messages (whatsapp_business_account, messages)",
    ] {
        assert!(
            bot.log.iter().any(|l| l.contains(handler)),
            "start-up log lists {handler:?}:\n{}",
            bot.log.join("\n")
        );
    }

    let client = reqwest::Client::new();
    let handshake = client
        .get(format!(
            "{url}?hub.mode=subscribe&hub.challenge=4242&hub.verify_token=bot-test-token"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(handshake.status(), 200);
    assert_eq!(handshake.text().await.unwrap(), "4242");

    assert!(
        bot.log.iter().any(|l| l.contains(
            "replies: Messenger off (set META_PAGE_ACCESS_TOKEN), Instagram off (set \
             META_INSTAGRAM_ACCESS_TOKEN), WhatsApp off (set META_WHATSAPP_TOKEN and \
             META_WHATSAPP_PHONE_NUMBER_ID)"
        )),
        "start-up says replies are off:\n{}",
        bot.log.join("\n")
    );

    let body = br#"{"object":"page","entry":[{"id":"1001","time":1732700000123,"messaging":[{"sender":{"id":"2002"},"recipient":{"id":"1001"},"timestamp":1732700000100,"message":{"mid":"m_1","text":"Hello bot"}}]}]}"#;
    assert_eq!(post_signed(&client, &url, body).await, 200);
    bot.wait_for("delivery stored");
    bot.wait_for(r#"message from 2002: "Hello bot""#);
    bot.wait_for("delivery handled");
    assert!(
        db.exists(),
        "durable mode by default: the delivery went through {}",
        db.display()
    );

    let unsigned = client.post(&url).body(body.to_vec()).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    // Refusals are logged: where a careless receiver would print what it expected.
    let wrong = signature::sign(Algorithm::Sha256, &AppSecret::new("guess").unwrap(), body);
    let forged = client
        .post(&url)
        .header("x-hub-signature-256", wrong)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let guessed = client
        .get(format!(
            "{url}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), 403);

    let status = Command::new("kill")
        .args(["-TERM", &bot.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    bot.wait_for("shut down");
    assert!(bot.child.wait().unwrap().success());
    bot.log.extend(bot.lines.iter());
    for refusal in ["signature does not match", "verify_token` does not match"] {
        assert!(
            bot.log.iter().any(|l| l.contains(refusal)),
            "{refusal:?} logged: {:#?}",
            bot.log
        );
    }
    for secret in ["bot-test-secret", "bot-test-token"] {
        let leaks: Vec<_> = bot.log.iter().filter(|l| l.contains(secret)).collect();
        assert!(leaks.is_empty(), "{secret} logged: {leaks:#?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Configuration fails closed: each of these stops start-up with a message naming
/// the cause, and nothing listens.
#[test]
fn the_bot_refuses_to_start_on_bad_configuration() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = taken.local_addr().unwrap().to_string();
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[("META_VERIFY_TOKEN", "t")],
            "META_APP_SECRET is missing or empty",
        ),
        (
            &[("META_APP_SECRET", ""), ("META_VERIFY_TOKEN", "t")],
            "META_APP_SECRET is missing or empty",
        ),
        (
            &[("META_APP_SECRET", " , "), ("META_VERIFY_TOKEN", "t")],
            "META_APP_SECRET is missing or empty",
        ),
        (
            &[("META_APP_SECRET", "s"), ("META_VERIFY_TOKEN", "  ")],
            "META_VERIFY_TOKEN is missing or empty",
        ),
        (
            &[
                ("META_APP_SECRET", "s"),
                ("META_VERIFY_TOKEN", "t"),
                ("META_WEBHOOK_DB", "/nonexistent-dir/bot.db"),
            ],
            "/nonexistent-dir/bot.db",
        ),
        (
            &[
                ("META_APP_SECRET", "s"),
                ("META_VERIFY_TOKEN", "t"),
                ("META_WEBHOOK_MODE", "inline"),
                ("META_WEBHOOK_BIND", &taken),
            ],
            "cannot listen on",
        ),
    ];
    for (env, expected) in cases {
        let mut bot = Bot::start(env);
        let status = bot.child.wait().unwrap();
        let output: Vec<String> = bot.lines.iter().collect();
        assert!(!status.success(), "{env:?} started: {output:?}");
        assert!(
            output.iter().any(|l| l.contains(expected)),
            "{env:?}: expected {expected:?} in {output:#?}"
        );
    }
}

/// A flood of refused requests (a scanner, or someone without the secret) is one log
/// line per status and interval, with the count, not a line per request; a signed
/// delivery in the middle of it is still handled.
#[tokio::test]
async fn a_flood_of_refused_requests_is_a_few_log_lines() {
    let mut bot = Bot::start(&[
        ("META_APP_SECRET", "bot-test-secret"),
        ("META_VERIFY_TOKEN", "bot-test-token"),
        ("META_WEBHOOK_BIND", "127.0.0.1:0"),
        ("META_WEBHOOK_MODE", "inline"),
    ]);
    let listening = bot.wait_for("listening on http://");
    let url = listening[listening.find("http://").unwrap()..]
        .trim()
        .to_owned();
    let client = reqwest::Client::new();
    for n in 0..300 {
        let unsigned = client
            .post(&url)
            .body(format!(r#"{{"object":"page","entry":[],"n":{n}}}"#))
            .send()
            .await
            .unwrap();
        assert_eq!(unsigned.status(), 401);
        let forged = client
            .post(&url)
            .header("x-hub-signature-256", format!("sha256={}", "0".repeat(64)))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
    }
    let body = br#"{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;
    assert_eq!(post_signed(&client, &url, body).await, 200);
    bot.wait_for("delivery handled");
    let terminated = Command::new("kill")
        .args(["-TERM", &bot.child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    bot.wait_for("shut down");
    let refused: Vec<_> = bot
        .log
        .iter()
        .filter(|l| l.contains("refused webhook request"))
        .collect();
    assert!(
        (2..=4).contains(&refused.len()),
        "600 refusals of two kinds logged as {} lines:\n{}",
        refused.len(),
        bot.log.join("\n")
    );
}

/// What the Graph stand-in received: path, bearer token, JSON body.
type Sent = std::sync::Arc<std::sync::Mutex<Vec<(String, String, serde_json::Value)>>>;

/// A Graph API stand-in answering the Send and Cloud APIs as Meta does.
async fn graph_stand_in() -> (String, Sent) {
    let sent: Sent = Sent::default();
    let log = std::sync::Arc::clone(&sent);
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let log = std::sync::Arc::clone(&log);
            async move {
                assert!(!uri.to_string().contains("access_token"), "a token in the URL: {uri}");
                let bearer = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .unwrap_or_default()
                    .to_owned();
                let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                log.lock().unwrap().push((uri.path().to_owned(), bearer, json));
                (
                    [("content-type", "application/json")],
                    r#"{"recipient_id":"x","message_id":"m_reply","messages":[{"id":"wamid.reply"}],"success":true}"#,
                )
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, sent)
}

/// With tokens configured, the bot answers a Messenger, an Instagram and a WhatsApp
/// text through the Graph API (the token in the header, never in its log), marks
/// the WhatsApp message read, and answers each message once even when Meta sends
/// it again in another batch.
#[tokio::test]
async fn the_bot_answers_on_messenger_instagram_and_whatsapp_once_per_message() {
    let (graph, sent) = graph_stand_in().await;
    let instagram_graph = format!("{graph}/ig");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("replies.db");
    let mut bot = Bot::start(&[
        ("META_APP_SECRET", "bot-test-secret"),
        ("META_VERIFY_TOKEN", "bot-test-token"),
        ("META_WEBHOOK_BIND", "127.0.0.1:0"),
        ("META_WEBHOOK_DB", db.to_str().unwrap()),
        ("META_GRAPH_URL", graph.as_str()),
        ("META_INSTAGRAM_GRAPH_URL", instagram_graph.as_str()),
        ("META_PAGE_ACCESS_TOKEN", "page-token-secret"),
        ("META_INSTAGRAM_ACCESS_TOKEN", "ig-token-secret"),
        ("META_WHATSAPP_TOKEN", "wa-token-secret"),
        ("META_WHATSAPP_PHONE_NUMBER_ID", "555"),
        ("RUST_LOG", "trace"),
    ]);
    let listening = bot.wait_for("listening on http://");
    let url = listening[listening.find("http://").unwrap()..]
        .trim()
        .to_owned();
    assert!(
        bot.log
            .iter()
            .any(|l| l.contains("replies: Messenger on, Instagram on, WhatsApp on")),
        "{}",
        bot.log.join("\n")
    );
    let client = reqwest::Client::new();
    let messenger = br#"{"object":"page","entry":[{"id":"1001","time":1732700000123,"messaging":[{"sender":{"id":"2002"},"recipient":{"id":"1001"},"timestamp":1732700000100,"message":{"mid":"m_1","text":"Hello bot"}}]}]}"#;
    let instagram = br#"{"object":"instagram","entry":[{"id":"1789","time":1732700000123,"messaging":[{"sender":{"id":"6006"},"recipient":{"id":"1789"},"timestamp":1732700000100,"message":{"mid":"ig_1","text":"Hi from IG"}}]}]}"#;
    let whatsapp = br#"{"object":"whatsapp_business_account","entry":[{"id":"9","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"555"},"messages":[{"from":"4915112345678","id":"wamid.ABC","timestamp":"1732700000","type":"text","text":{"body":"Is my order ready?"}}]}}]}]}"#;
    for body in [&messenger[..], instagram, whatsapp] {
        assert_eq!(post_signed(&client, &url, body).await, 200);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sent.lock().unwrap().len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "replies: {:?}\n{}",
            sent.lock().unwrap(),
            bot.log.join("\n")
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Meta sends the WhatsApp message again, re-batched with a status: another body.
    let again = br#"{"object":"whatsapp_business_account","entry":[{"id":"9","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"555"},"messages":[{"from":"4915112345678","id":"wamid.ABC","timestamp":"1732700000","type":"text","text":{"body":"Is my order ready?"}}],"statuses":[{"id":"wamid.reply","status":"sent","timestamp":"1732700001","recipient_id":"4915112345678"}]}}]}]}"#;
    assert_eq!(post_signed(&client, &url, again).await, 200);
    // Every handler of it has run (the deliveries are numbered in arrival order).
    bot.wait_for("delivery handled delivery=4");

    let mut sent = sent.lock().unwrap().clone();
    sent.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.to_string().cmp(&b.2.to_string())));
    let calls: Vec<(&str, &str)> = sent
        .iter()
        .map(|(p, t, _)| (p.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("/ig/v23.0/me/messages", "ig-token-secret"),
            ("/v23.0/555/messages", "wa-token-secret"),
            ("/v23.0/555/messages", "wa-token-secret"),
            ("/v23.0/me/messages", "page-token-secret"),
        ],
        "one reply per message, the read receipt once"
    );
    assert_eq!(sent[0].2["recipient"]["id"], "6006");
    assert_eq!(sent[0].2["message"]["text"], "You said: Hi from IG");
    let (reply, read) = if sent[1].2["status"] == "read" {
        (&sent[2].2, &sent[1].2)
    } else {
        (&sent[1].2, &sent[2].2)
    };
    assert_eq!(reply["to"], "4915112345678");
    assert_eq!(reply["text"]["body"], "You said: Is my order ready?");
    assert_eq!(read["message_id"], "wamid.ABC");
    assert_eq!(sent[3].2["recipient"]["id"], "2002");
    assert_eq!(sent[3].2["messaging_type"], "RESPONSE");
    bot.log.extend(bot.lines.try_iter());
    for token in ["page-token-secret", "ig-token-secret", "wa-token-secret"] {
        assert!(
            !bot.log.iter().any(|l| l.contains(token)),
            "{token} in the log"
        );
    }
}

/// A Graph stand-in that records each Send API call as it arrives and answers
/// it, except while `hold` is set: then a reply to `held_sender` never returns
/// (a worker stuck on Meta when the process dies).
async fn holding_graph_stand_in(
    held_sender: &'static str,
) -> (String, Sent, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let sent: Sent = Sent::default();
    let hold = std::sync::Arc::new(AtomicBool::new(true));
    let (log, holding) = (std::sync::Arc::clone(&sent), std::sync::Arc::clone(&hold));
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: axum::body::Bytes| {
        let (log, holding) = (std::sync::Arc::clone(&log), std::sync::Arc::clone(&holding));
        async move {
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let stuck = json["recipient"]["id"] == held_sender && holding.load(Ordering::SeqCst);
            log.lock()
                .unwrap()
                .push((uri.path().to_owned(), String::new(), json));
            if stuck {
                std::future::pending::<()>().await;
            }
            (
                [("content-type", "application/json")],
                r#"{"recipient_id":"x","message_id":"m_reply"}"#,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, sent, hold)
}

/// Who the stand-in was asked to answer, in order.
fn recipients(sent: &Sent) -> Vec<String> {
    sent.lock()
        .unwrap()
        .iter()
        .map(|(_, _, json)| json["recipient"]["id"].as_str().unwrap_or("?").to_owned())
        .collect()
}

/// Killed (`SIGKILL`) while a batch of two messages is half answered, the bot
/// restarted on the same database answers the other message and not again the
/// one it had answered: one reply per message id across a crash.
// Two threads: the stand-in answers while the test blocks reading the bot's log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_answered_before_a_crash_is_not_answered_again() {
    let (graph, sent, hold) = holding_graph_stand_in("u2").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash-replies.db");
    let env = [
        ("META_APP_SECRET", "bot-test-secret"),
        ("META_VERIFY_TOKEN", "bot-test-token"),
        ("META_WEBHOOK_BIND", "127.0.0.1:0"),
        ("META_WEBHOOK_DB", db.to_str().unwrap()),
        // A short lease, so the restarted bot takes the delivery back soon.
        ("META_WEBHOOK_LEASE_SECS", "3"),
        ("META_WEBHOOK_HANDLER_TIMEOUT_MS", "2500"),
        ("META_GRAPH_URL", graph.as_str()),
        ("META_PAGE_ACCESS_TOKEN", "page-token-secret"),
    ];
    let start = |bot: &mut Bot| {
        let listening = bot.wait_for("listening on http://");
        listening[listening.find("http://").unwrap()..]
            .trim()
            .to_owned()
    };
    let mut bot = Bot::start(&env);
    let url = start(&mut bot);
    let two = br#"{"object":"page","entry":[{"id":"1001","time":1732700000123,"messaging":[{"sender":{"id":"u1"},"recipient":{"id":"1001"},"timestamp":1732700000100,"message":{"mid":"m_one","text":"first"}},{"sender":{"id":"u2"},"recipient":{"id":"1001"},"timestamp":1732700000200,"message":{"mid":"m_two","text":"second"}}]}]}"#;
    let client = reqwest::Client::new();
    assert_eq!(post_signed(&client, &url, two).await, 200);
    bot.wait_for("answered u1 on Messenger");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !recipients(&sent).contains(&"u2".to_owned()) {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            recipients(&sent)
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The answer to u1 is recorded when its handler returns; give it a moment.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    bot.child.kill().unwrap();
    bot.child.wait().unwrap();

    hold.store(false, std::sync::atomic::Ordering::SeqCst);
    let mut bot = Bot::start(&env);
    start(&mut bot);
    bot.wait_for("answered u2 on Messenger");
    bot.wait_for("delivery handled");
    let mut asked = recipients(&sent);
    asked.sort();
    // u2 was asked twice (the call cut by the kill, then the one that answered).
    assert_eq!(asked, ["u1", "u2", "u2"], "{}", bot.log.join("\n"));
    let answered = bot.log.iter().filter(|l| l.contains("answered u1")).count();
    assert_eq!(answered, 0, "u1 answered again after the restart");
}
