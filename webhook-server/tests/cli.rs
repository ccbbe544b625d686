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
            .all(|l| l["object"] == "page" && l.as_object().unwrap().len() == 4)
    );
}

#[test]
fn numeric_ids_print_as_strings_and_unknown_objects_are_fine() {
    let body = br#"{"object":"brand_new","entry":[{"id":153125381133,"changes":[{"field":"leadgen","value":{}}]},{"uid":1335845740,"changed_fields":["name"]}]}"#;
    let (code, stdout, _) = explain(&["-"], body);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "{\"entry_id\":\"153125381133\",\"field\":\"leadgen\",\"kind\":\"change\",\"object\":\"brand_new\"}\n\
         {\"entry_id\":\"1335845740\",\"field\":\"name\",\"kind\":\"changed_fields\",\"object\":\"brand_new\"}\n"
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
            "{\"entry_id\":\"789\",\"field\":\"mentions\",\"kind\":\"threads\",\"object\":\"interaction\"}\n"
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
