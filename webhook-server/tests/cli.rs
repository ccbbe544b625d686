//! The `meta-webhooks` binary, run as a process.

use std::io::Write;
use std::process::{Command, Stdio};

fn explain(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meta-webhooks"))
        .arg("explain")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn fixture(name: &str) -> String {
    format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn explains_a_messenger_batch_from_a_file() {
    let (code, stdout, stderr) = explain(&[&fixture("messenger_batch.json")], b"");
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let fields: Vec<_> = lines
        .iter()
        .map(|l| {
            (
                l["field"].as_str().unwrap(),
                l["kind"].as_str().unwrap(),
                l["entry_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("messages", "message", "100200300400500"),
            ("message_echoes", "message", "100200300400500"),
            ("messaging_postbacks", "postback", "100200300400500"),
            ("message_deliveries", "delivery", "100200300400600"),
            ("message_reads", "read", "100200300400600"),
            ("standby", "standby", "100200300400600"),
        ]
    );
    assert!(
        lines
            .iter()
            .all(|l| l["object"] == "page" && l.as_object().unwrap().len() == 5)
    );
}

#[test]
fn numeric_ids_print_as_strings_and_unknown_objects_are_fine() {
    let body = br#"{"object":"brand_new","entry":[{"id":153125381133,"changes":[{"field":"leadgen","value":{}}]},{"uid":1335845740,"changed_fields":["name"]}]}"#;
    let (code, stdout, _) = explain(&["-"], body);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "{\"entry_id\":\"153125381133\",\"field\":\"leadgen\",\"kind\":\"change\",\"object\":\"brand_new\",\"sub\":{}}\n\
         {\"entry_id\":\"1335845740\",\"field\":\"name\",\"kind\":\"changed_fields\",\"object\":\"brand_new\",\"sub\":{}}\n"
    );
}

#[test]
fn threads_notifications_explain_too() {
    let body = br#"{"app_id":"1","topic":"interaction","target_id":"789","time":1723226877,"values":{"field":"mentions","value":{"id":"1"}}}"#;
    let (code, stdout, _) = explain(&["-"], body);
    assert_eq!(
        (code, stdout.as_str()),
        (
            0,
            "{\"entry_id\":\"789\",\"field\":\"mentions\",\"kind\":\"threads\",\"object\":\"interaction\",\"sub\":{}}\n"
        )
    );
}

#[test]
fn refuses_what_is_not_a_notification_with_nothing_on_stdout() {
    for body in [&b"not json"[..], b"{\"hello\":1}"] {
        let (code, stdout, stderr) = explain(&["-"], body);
        assert_ne!(code, 0);
        assert!(stdout.is_empty());
        assert!(
            stderr.contains("not a Meta webhook notification"),
            "{stderr}"
        );
    }
    let (code, stdout, stderr) = explain(&["/nonexistent/body.json"], b"");
    assert_ne!(code, 0);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("cannot read /nonexistent/body.json"),
        "{stderr}"
    );
}

#[test]
fn sub_kinds_of_the_batch_fixtures() {
    let (code, stdout, stderr) = explain(&[&fixture("page_batch.json")], b"");
    assert_eq!(code, 0, "{stderr}");
    let subs: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["sub"].clone())
        .collect();
    assert_eq!(
        subs,
        [
            serde_json::json!({"item": "status", "verb": "add"}),
            serde_json::json!({"item": "post", "verb": "add"}),
            serde_json::json!({"item": "rating", "verb": "add"}),
            serde_json::json!({"item": "comment", "verb": "add"}),
        ]
    );
    let (_, stdout, _) = explain(&[&fixture("whatsapp_batch.json")], b"");
    let subs: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["sub"].clone())
        .collect();
    assert_eq!(
        subs,
        [
            serde_json::json!({"types": ["text", "reaction"]}),
            serde_json::json!({"statuses": ["delivered", "read"]})
        ]
    );
}

#[test]
fn typed_shows_what_a_typed_handler_would_receive() {
    let path = format!(
        "{}/fixtures/typed/whatsapp_business_account/messages_text.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let (code, stdout, stderr) = explain(&["--typed", &path], b"");
    assert_eq!(code, 0, "{stderr}");
    let line: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["type"], "whatsapp::Change");
    assert_eq!(line["typed"]["messages"][0]["type"], "text");
    assert_eq!(line["sub"]["types"], serde_json::json!(["text"]));

    let body = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":7}},{"field":"brand_new","value":{}}]}]}"#;
    let (code, stdout, _) = explain(&["--typed", "-"], body);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "page::Feed");
    assert!(
        lines[0]["typed_error"]
            .as_str()
            .unwrap()
            .contains("invalid type"),
        "{}",
        lines[0]
    );
    assert!(lines[1]["typed"].is_null() && lines[1].get("type").is_none());
}

/// `(field, kind, sub)` of every line `explain` prints for a fixture.
fn field_kind_sub(name: &str) -> Vec<(String, String, serde_json::Value)> {
    let (code, stdout, stderr) = explain(&[&fixture(name)], b"");
    assert_eq!(code, 0, "{stderr}");
    stdout
        .lines()
        .map(|l| {
            let line: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                line["field"].as_str().unwrap().to_owned(),
                line["kind"].as_str().unwrap().to_owned(),
                line["sub"].clone(),
            )
        })
        .collect()
}

#[test]
fn sub_kinds_of_the_messaging_batch_fixtures() {
    // A messaging event's `sub` is read from the object under its event key
    // (`message`, `postback`, ...), and a comment's from the change value: none of
    // these has a top-level string `item`, `verb`, `type`, `status`, `event`,
    // `action` or `topic`, nor a `messages` or `statuses` array, so every `sub` is
    // an empty object (never missing, never `null`). `is_echo: true` and a quick
    // reply's `payload` are not sub-kinds.
    let empty = || serde_json::json!({});
    let expected = |rows: &[(&str, &str)]| -> Vec<(String, String, serde_json::Value)> {
        rows.iter()
            .map(|(field, kind)| ((*field).to_owned(), (*kind).to_owned(), empty()))
            .collect()
    };
    assert_eq!(
        field_kind_sub("messenger_batch.json"),
        expected(&[
            ("messages", "message"),
            ("message_echoes", "message"),
            ("messaging_postbacks", "postback"),
            ("message_deliveries", "delivery"),
            ("message_reads", "read"),
            ("standby", "standby"),
        ])
    );
    assert_eq!(
        field_kind_sub("instagram_batch.json"),
        expected(&[
            ("comments", "change"),
            ("messages", "message"),
            ("messages", "message"),
            ("messaging_seen", "read"),
        ])
    );

    // Whereas a string `action` or `type` under the event key is one.
    let body = br#"{"object":"instagram","entry":[{"id":"1","time":1,"messaging":[
        {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1,"reaction":{"mid":"m","action":"react","reaction":"love"}},
        {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":2,"optin":{"type":"notification_messages","payload":"P"}}]}]}"#;
    let (code, stdout, _) = explain(&["-"], body);
    assert_eq!(code, 0);
    let subs: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["sub"].clone())
        .collect();
    assert_eq!(
        subs,
        [
            serde_json::json!({"action": "react"}),
            serde_json::json!({"type": "notification_messages"}),
        ]
    );
}

fn deliveries(db: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_meta-webhooks"))
        .arg("deliveries")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test]
async fn deliveries_lists_shows_replays_and_discards() {
    use webhook_server::delivery::sqlite::SqliteStore;
    use webhook_server::delivery::{DeliveryStore, Enqueued, Incoming, Next};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let store = SqliteStore::open(&db, None).unwrap();
    let body = br#"{"object":"page","entry":[{"id":"77","changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;
    let Enqueued::Stored(dead) = store
        .enqueue(Incoming::new(body.to_vec(), 1_700_000_000_000), 1)
        .await
        .unwrap()
    else {
        panic!()
    };
    let Enqueued::Stored(pending) = store
        .enqueue(Incoming::new(b"{}".to_vec(), 1_700_000_001_000), 1)
        .await
        .unwrap()
    else {
        panic!()
    };
    let claimed = store.claim(u64::MAX / 2, 1).await.unwrap().unwrap();
    assert_eq!(claimed.id, dead);
    store
        .finish(
            dead,
            claimed.claims,
            vec![],
            Next::Dead {
                error: "feed on (page, feed) failed: db down".into(),
            },
        )
        .await
        .unwrap();
    drop(store);

    let (code, out, err) = deliveries(&db, &["list"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<_> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[1].contains(&pending.0.to_string()) && lines[1].contains("pending"),
        "{out}"
    );
    assert!(
        lines[2].contains("dead")
            && lines[2].contains("2023-11-14T22:13:20Z")
            && lines[2].ends_with("db down"),
        "{out}"
    );

    let (_, out, _) = deliveries(&db, &["list", "--state", "dead"]);
    assert_eq!(out.lines().count(), 2, "{out}");

    let (code, out, _) = deliveries(&db, &["show", &dead.0.to_string()]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!("delivery {dead}: dead, 1 attempt(s)")),
        "{out}"
    );
    assert!(
        out.contains("  feed on (page, feed) failed: db down"),
        "{out}"
    );
    assert!(out.contains(r#"{"entry_id":"77","field":"feed","kind":"change","object":"page","sub":{"item":"status","verb":"add"}}"#), "{out}");
    assert!(out.contains(std::str::from_utf8(body).unwrap()), "{out}");

    let (code, out, _) = deliveries(&db, &["replay", &dead.0.to_string()]);
    assert_eq!(
        (code, out.trim()),
        (0, format!("delivery {dead} is pending again").as_str())
    );
    let (_, out, _) = deliveries(&db, &["list", "--state", "pending"]);
    assert_eq!(out.lines().count(), 3, "both pending now: {out}");

    let (code, _, _) = deliveries(&db, &["discard", &pending.0.to_string()]);
    assert_eq!(code, 0);
    let (code, _, err) = deliveries(&db, &["show", &pending.0.to_string()]);
    assert_ne!(code, 0);
    assert!(err.contains("no delivery"), "{err}");

    let (code, _, err) = deliveries(&dir.path().join("absent.db"), &["list"]);
    assert_ne!(code, 0);
    assert!(err.contains("no delivery store at"), "{err}");
}
