use std::collections::BTreeSet;
use std::sync::Mutex;

use serde_json::Value as Json;
use webhook_core::signature::Algorithm;

use super::*;
use crate::{RawItem, State, on};

#[derive(Default)]
struct Seen(Mutex<Vec<String>>);

#[on(object = "page", field = "feed")]
async fn t_feed(item: RawItem, State(seen): State<Seen>) {
    seen.0
        .lock()
        .unwrap()
        .push(format!("feed {}", item.entry_id.unwrap_or_default()));
}

#[on(object = "page", field = "messages")]
async fn t_messages(item: RawItem, State(seen): State<Seen>) -> Result<(), String> {
    let text = item.value.get().to_owned();
    seen.0
        .lock()
        .unwrap()
        .push(format!("message {}", item.entry_id.unwrap_or_default()));
    if text.contains("please fail") {
        return Err("asked to fail".to_owned());
    }
    Ok(())
}

fn client() -> TestClient {
    TestClient::new(server().state(Seen::default())).unwrap()
}

#[test]
fn every_fixture_file_is_embedded() {
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                let name = path.strip_prefix(root).unwrap().with_extension("");
                out.insert(name.to_string_lossy().into_owned());
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/typed");
    let mut on_disk = BTreeSet::new();
    walk(&root, &root, &mut on_disk);
    let embedded: BTreeSet<String> = fixtures().map(|f| f.name().to_owned()).collect();
    assert_eq!(
        on_disk, embedded,
        "regenerate webhook-server/src/fixtures/files.rs"
    );
}

#[test]
fn every_typed_field_has_a_fixture() {
    let missing: Vec<_> = webhook_core::fields::typed_fields()
        .filter(|(_, field, _)| *field != "*")
        .filter(|(object, field, _)| fixture(object, field).is_none())
        .map(|(object, field, ty)| format!("({object}, {field}) {ty}"))
        .collect();
    assert!(missing.is_empty(), "no fixture starts with: {missing:#?}");
    assert!(fixtures().any(|f| f.object() == "permissions"));
}

#[test]
fn fixtures_are_found_by_object_field_and_sub_kind() {
    let comment = fixture_where("page", "feed", &[("item", "comment"), ("verb", "add")]).unwrap();
    assert_eq!(comment.name(), "page/feed_comment_add");
    assert_eq!((comment.object(), comment.field()), ("page", Some("feed")));
    let text = fixture_where(
        "whatsapp_business_account",
        "messages",
        &[("types", "text")],
    )
    .unwrap();
    assert_eq!(text.sub("types").as_deref(), Some("text"));
    assert!(fixture_where("page", "feed", &[("item", "no_such_item")]).is_none());
    assert_eq!(
        fixture_named("page/feed_comment_add").unwrap().body(),
        comment.body()
    );
}

#[test]
fn builders_change_ids_sender_and_text_where_meta_puts_them() {
    let message = fixture_named("messaging/page_messages_text").unwrap();
    let json: Json = serde_json::from_slice(
        &message
            .edit()
            .entry_id("9")
            .sender_id("77")
            .text("hi")
            .time(5)
            .build(),
    )
    .unwrap();
    let entry = &json["entry"][0];
    assert_eq!(
        (&entry["id"], &entry["time"]),
        (&Json::from("9"), &Json::from(5))
    );
    assert_eq!(entry["messaging"][0]["sender"]["id"], "77");
    assert_eq!(entry["messaging"][0]["message"]["text"], "hi");

    let wa = fixture_where(
        "whatsapp_business_account",
        "messages",
        &[("types", "text")],
    )
    .unwrap();
    let json: Json =
        serde_json::from_slice(&wa.edit().sender_id("4915").text("hallo").build()).unwrap();
    let value = &json["entry"][0]["changes"][0]["value"];
    assert_eq!(value["messages"][0]["from"], "4915");
    assert_eq!(value["messages"][0]["text"]["body"], "hallo");
    assert_eq!(value["contacts"][0]["wa_id"], "4915");

    let books = fixture("user", "books").unwrap();
    assert_eq!(books.name(), "user/user_profile_fields");
    let only: Json = serde_json::from_slice(&books.edit().only_field("books").build()).unwrap();
    let changes = only["entry"][0]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["field"], "books");
    let standby = fixture("page", "standby").unwrap();
    assert!(standby.fields().count() > 1);
    let one: Json = serde_json::from_slice(&standby.edit().only_field("standby").build()).unwrap();
    assert_eq!(
        one["entry"][0]["standby"].as_array().unwrap().len(),
        standby.fields().count()
    );

    let set = fixture("page", "feed")
        .unwrap()
        .edit()
        .set("/entry/0/changes/0/value/verb", "remove");
    assert_eq!(
        set.json()["entry"][0]["changes"][0]["value"]["verb"],
        "remove"
    );
}

#[test]
fn the_dashboard_test_form_sends_messaging_events_as_changes_with_entry_id_0() {
    // Builders reach the events in either form, before or after.
    let after: Json = serde_json::from_slice(
        &fixture_named("messaging/page_messages_text")
            .unwrap()
            .edit()
            .dashboard_test()
            .sender_id("5")
            .text("moved")
            .build(),
    )
    .unwrap();
    let value = &after["entry"][0]["changes"][0]["value"];
    assert_eq!(
        (&value["sender"]["id"], &value["message"]["text"]),
        (&Json::from("5"), &Json::from("moved"))
    );
    let body = fixture("page", "messages")
        .unwrap()
        .edit()
        .dashboard_test()
        .build();
    let notification = webhook_core::Notification::parse(&body).unwrap();
    let entry = &notification.entries()[0];
    assert!(entry.is_test());
    let items: Vec<_> = notification.items().collect();
    assert_eq!(items[0].field(), Some("messages"));
    assert_eq!(items[0].kind(), webhook_core::ItemKind::Change);
}

#[tokio::test]
async fn the_client_reports_which_handlers_ran_for_which_items() {
    let client = client();
    let body = fixture("page", "feed")
        .unwrap()
        .edit()
        .entry_id("31")
        .build();
    let response = client.deliver(&body).await;
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(response.handlers(), [("t_feed", "page", Some("feed"))]);
    assert_eq!(response.calls("t_feed"), 1);
    response.assert_items_handled_by(&[&["t_feed"]]);
    let seen = client.state::<Seen>().unwrap();
    assert_eq!(*seen.0.lock().unwrap(), ["feed 31"]);

    // The dashboard form reaches the same handler as the real one.
    let messages = fixture_named("messaging/page_messages_text").unwrap();
    let items = messages.fields().count();
    let dashboard = messages.edit().dashboard_test().build();
    let response = client.deliver(&dashboard).await;
    response.assert_items_handled_by(&vec![&["t_messages"][..]; items]);
}

#[tokio::test]
async fn failures_refusals_and_the_handshake_show_in_the_response() {
    let client = client();
    let failing = fixture_named("messaging/page_messages_text")
        .unwrap()
        .edit()
        .text("please fail")
        .build();
    let response = client.deliver(&failing).await;
    assert_eq!(response.status(), 500);
    assert!(
        response
            .text()
            .contains("t_messages on (page, messages) failed"),
        "{}",
        response.text()
    );
    let report = response.report().unwrap();
    assert!(report.failures().count() >= 1);
    assert_eq!(report.failures().count(), response.calls("t_messages"));

    let unsigned = client.post(&failing, &[]).await;
    assert_eq!(unsigned.status(), 401);
    assert!(unsigned.report().is_none());
    let sha1 = client.deliver_with(&failing, Algorithm::Sha1).await;
    assert_eq!(sha1.status(), 401, "SHA-1 is refused unless allowed");

    let handshake = client.handshake(TEST_VERIFY_TOKEN, "4711").await;
    assert_eq!((handshake.status(), handshake.text()), (200, "4711"));
    assert_eq!(client.handshake("wrong", "1").await.status(), 403);
}

#[tokio::test]
async fn signed_requests_go_through_any_router() {
    let (router, _workers) = server().state(Seen::default()).into_router().unwrap();
    let body = fixture("page", "feed").unwrap().body();
    let request = signed_request("/webhook", body, TEST_APP_SECRET, Algorithm::Sha256);
    let response = ServiceExt::oneshot(router, request).await.unwrap();
    assert_eq!(response.status(), 200);
    let (name, value) = sign(
        b"Hello, World!",
        "It's a Secret to Everybody",
        Algorithm::Sha256,
    );
    assert_eq!(name, "x-hub-signature-256");
    assert_eq!(
        value,
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    );
}

/// The inline route attaches its report only when the request asks (`WantReport`).
async fn deliver_raw(router: Router, want_report: bool) -> axum::response::Response {
    let body = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{}}]}]}"#;
    let (name, value) = sign(
        body,
        TEST_APP_SECRET,
        webhook_core::signature::Algorithm::Sha256,
    );
    let mut request = Request::post("/webhook")
        .header(name, value)
        .body(Body::from(&body[..]))
        .unwrap();
    if want_report {
        request.extensions_mut().insert(crate::routes::WantReport);
    }
    ServiceExt::oneshot(router, request).await.unwrap()
}

#[tokio::test]
async fn the_report_is_attached_only_when_the_request_asks() {
    let config = config().build().unwrap();
    let dispatcher = webhook_core::Dispatcher::builder()
        .route(webhook_core::Route::field("page", "feed"), async || {})
        .build()
        .unwrap();
    let router = crate::routes::router(config, Arc::new(dispatcher), None, Arc::default());
    let plain = deliver_raw(router.clone(), false).await;
    assert_eq!(plain.status(), 200);
    assert!(plain.extensions().get::<Arc<DispatchReport>>().is_none());
    let asked = deliver_raw(router, true).await;
    assert_eq!(asked.status(), 200);
    let report = asked.extensions().get::<Arc<DispatchReport>>().unwrap();
    assert_eq!(report.items()[0].runs().len(), 1);
}
