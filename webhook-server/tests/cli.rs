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

/// The ids `deliveries list --json <args>` lists.
fn listed_ids(db: &std::path::Path, args: &[&str]) -> Vec<i64> {
    let mut all = vec!["list", "--json"];
    all.extend_from_slice(args);
    let (code, out, err) = deliveries(db, &all);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect()
}

/// A store of five deliveries, oldest first: page 1, wa 2, page 3 (dead), wa 4
/// (done), page 5 (pending); their ids.
async fn five_deliveries(db: &std::path::Path) -> Vec<i64> {
    use webhook_server::delivery::sqlite::SqliteStore;
    use webhook_server::delivery::{DeliveryStore, Enqueued, Incoming, Next};

    let store = SqliteStore::open(db, None).unwrap();
    let page = |n: u32| {
        format!(
            r#"{{"object":"page","entry":[{{"id":"{n}","changes":[{{"field":"feed","value":{{"n":{n}}}}}]}}]}}"#
        )
    };
    let wa = |n: u32| {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{n}","changes":[{{"field":"messages","value":{{"n":{n}}}}}]}}]}}"#
        )
    };
    // Oldest first: page 1, wa 2, page 3, wa 4, page 5; all but the last two dead.
    let bodies = [page(1), wa(2), page(3), wa(4), page(5)];
    let mut ids = Vec::new();
    for (n, body) in bodies.iter().enumerate() {
        let at = 1_700_000_000_000 + n as u64 * 1_000;
        let Enqueued::Stored(id) = store
            .enqueue(Incoming::new(body.clone().into_bytes(), at), 1)
            .await
            .unwrap()
        else {
            panic!()
        };
        ids.push(id.0);
    }
    for n in 0..4 {
        let claimed = store.claim(u64::MAX / 2, 1).await.unwrap().unwrap();
        let next = if n == 3 {
            Next::Done
        } else {
            Next::Dead {
                error: format!("failure {n}"),
            }
        };
        store
            .finish(claimed.id, claimed.claims, vec![], next)
            .await
            .unwrap();
    }
    drop(store);
    ids
}

#[tokio::test]
async fn deliveries_reads_without_writing_pages_filters_and_replays_in_bulk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let ids = five_deliveries(&db).await;

    // A running server's writer holds the write lock: reading neither waits for it
    // nor takes it (0.1 ran its schema transaction here and waited 5 s, then failed).
    let writer = rusqlite::Connection::open(&db).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let (code, out, err) = deliveries(&db, &["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "waited for the writer"
    );
    let page_json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let listed: Vec<(i64, &str)> = page_json["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_i64().unwrap(), d["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            (ids[4], "pending"),
            (ids[3], "done"),
            (ids[2], "dead"),
            (ids[1], "dead"),
            (ids[0], "dead")
        ]
    );
    assert_eq!(page_json["next_before"], serde_json::Value::Null);
    assert_eq!(
        page_json["deliveries"][2]["history"][0]["error"],
        "failure 2"
    );
    let (code, out, _) = deliveries(&db, &["show", &ids[1].to_string(), "--json"]);
    assert_eq!(code, 0);
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["body"]["object"], "whatsapp_business_account");
    assert_eq!(shown["items"][0]["field"], "messages");
    writer.execute_batch("ROLLBACK").unwrap();
    drop(writer);

    // Pages: the last line names the next one.
    let (_, out, _) = deliveries(&db, &["list", "--limit", "2"]);
    let more = format!("more: --before {}", ids[3]);
    assert!(out.lines().last() == Some(more.as_str()), "{out}");
    let (_, out, _) = deliveries(
        &db,
        &[
            "list",
            "--limit",
            "2",
            "--before",
            &ids[3].to_string(),
            "--json",
        ],
    );
    let next: serde_json::Value = serde_json::from_str(&out).unwrap();
    let second: Vec<i64> = next["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(second, [ids[2], ids[1]]);
    assert_eq!(next["next_before"], ids[1]);

    // Filters: state, object, field, time, entry, handler.
    let ids_of = |args: &[&str]| listed_ids(&db, args);
    assert_eq!(ids_of(&["--object", "whatsapp_business_account"]), [ids[1]]);
    assert_eq!(
        ids_of(&["--state", "dead", "--field", "feed"]),
        [ids[2], ids[0]]
    );
    assert_eq!(
        ids_of(&["--since", "2023-11-14T22:13:22Z"]),
        [ids[4], ids[3], ids[2]]
    );
    assert_eq!(ids_of(&["--until", "2023-11-14T22:13:21Z"]), [ids[0]]);
    assert_eq!(ids_of(&["--entry", "3"]), [ids[2]]);
    assert_eq!(ids_of(&["--handler", "nobody"]), Vec::<i64>::new());
    assert_eq!(ids_of(&["--since", "1h"]), Vec::<i64>::new());
    let (code, _, err) = deliveries(&db, &["list", "--since", "yesterday-ish"]);
    assert_ne!(code, 0);
    assert!(err.contains("neither a time"), "{err}");

    bulk_replay_by_filter(&db, &ids);
    let (code, _, err) = deliveries(&db, &["replay"]);
    assert_ne!(code, 0, "an id or --state is required");
    assert!(err.contains("--state") || err.contains("<ID>"), "{err}");
}

/// `replay --state dead` with filters: the dead page deliveries since a time, then
/// every dead page delivery, nothing else.
fn bulk_replay_by_filter(db: &std::path::Path, ids: &[i64]) {
    let ids_of = |args: &[&str]| listed_ids(db, args);
    let (code, out, err) = deliveries(
        db,
        &[
            "replay",
            "--state",
            "dead",
            "--object",
            "page",
            "--since",
            "2023-11-14T22:13:22Z",
        ],
    );
    assert_eq!(
        (code, out.trim()),
        (0, "1 delivery is pending again"),
        "{err}"
    );
    assert_eq!(ids_of(&["--state", "dead"]), [ids[1], ids[0]]);
    let (code, out, err) = deliveries(db, &["replay", "--state", "dead", "--object", "page"]);
    assert_eq!(
        (code, out.trim()),
        (0, "1 delivery is pending again"),
        "{err}"
    );
    assert_eq!(ids_of(&["--state", "dead"]), [ids[1]]);
    assert_eq!(ids_of(&["--state", "pending"]), [ids[4], ids[2], ids[0]]);
}

#[test]
fn deliveries_never_changes_a_file_it_only_reads() {
    let dir = tempfile::tempdir().unwrap();
    // Not a store of ours: a foreign file in rollback-journal mode.
    let foreign = dir.path().join("foreign.db");
    let conn = rusqlite::Connection::open(&foreign).unwrap();
    conn.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    drop(conn);
    let before = std::fs::read(&foreign).unwrap();
    for args in [&["list"][..], &["show", "1"]] {
        let (code, _, err) = deliveries(&foreign, args);
        assert_ne!(code, 0);
        assert!(err.contains("start the server once"), "{err}");
    }
    assert_eq!(
        std::fs::read(&foreign).unwrap(),
        before,
        "not a byte changed"
    );
    let mode: String = rusqlite::Connection::open(&foreign)
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete", "not switched to WAL");
    assert!(!dir.path().join("foreign.db-wal").exists());
}
