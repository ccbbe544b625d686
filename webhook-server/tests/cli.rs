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
        "{}/../tests/fixtures/typed/whatsapp_business_account/messages_text.json",
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
