//! The tracing spans of a delivery, captured with a subscriber of the test's own:
//! one `delivery` (bytes, items, status, duration), one `item` per routed item
//! (object, field, entry), one `handler` per call (name, outcome, duration), and
//! neither the secret, the verify token nor the message text in any of it.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::testing;
use webhook_server::{Config, Payload, RawItem, Server, on};

const SECRET: &str = "span-secret-value";
const TOKEN: &str = "span-token-value";
const TEXT: &str = "a private message text";

#[on(object = "page", field = "feed")]
async fn feed(_item: RawItem) {}

#[on(object = "page", field = "mention")]
async fn mention() -> Result<(), String> {
    Err("mention store is down".to_owned())
}

#[derive(serde::Deserialize)]
struct Strict {
    #[allow(dead_code)]
    count: u32,
}

#[on(object = "page", field = "ratings")]
async fn strict(Payload(_): Payload<Strict>) {}

/// A span's name and its fields, as text.
type SpanFields = (String, HashMap<String, String>);

/// Every span's name and fields, and every event's fields, as text.
#[derive(Default, Clone)]
struct Captured {
    spans: Arc<Mutex<HashMap<u64, SpanFields>>>,
    events: Arc<Mutex<Vec<String>>>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(
            field.name().to_owned(),
            format!("{value:?}").trim_matches('"').to_owned(),
        );
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Captured {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = HashMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.spans
            .lock()
            .unwrap()
            .insert(id.into_u64(), (attrs.metadata().name().to_owned(), fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some((_, fields)) = self.spans.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = HashMap::new();
        event.record(&mut Fields(&mut fields));
        self.events
            .lock()
            .unwrap()
            .push(format!("{} {fields:?}", event.metadata().level()));
    }
}

/// Serves one signed delivery of two items (one handler fails) and one refused
/// handshake; returns the body sent.
async fn one_delivery() -> String {
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token(TOKEN)
        .inline()
        .build()
        .unwrap();
    let server = testing::spawn(Server::new(config)).await;
    let url = server.url().to_owned();
    let body = format!(
        r#"{{"object":"page","entry":[{{"id":"42","time":1,"changes":[{{"field":"feed","value":{{"item":"status","verb":"add","message":"{TEXT}"}}}},{{"field":"mention","value":{{"post_id":"1_2"}}}}]}}]}}"#
    );
    let header = signature::sign(
        Algorithm::Sha256,
        &AppSecret::new(SECRET).unwrap(),
        body.as_bytes(),
    );
    let client = reqwest::Client::new();
    let response = client
        .post(&url)
        .header("x-hub-signature-256", header)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500, "the mention handler fails");
    let handshake = client
        .get(format!(
            "{url}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong-{TOKEN}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(handshake.status(), 403);
    // A value no retry can read: 200, since Meta's retries cannot help.
    let unreadable = br#"{"object":"page","entry":[{"id":"43","changes":[{"field":"ratings","value":{"count":"many"}}]}]}"#;
    let header = signature::sign(
        Algorithm::Sha256,
        &AppSecret::new(SECRET).unwrap(),
        unreadable,
    );
    let response = client
        .post(&url)
        .header("x-hub-signature-256", header)
        .body(unreadable.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.stop().await.unwrap();
    body
}

#[tokio::test]
async fn a_delivery_its_items_and_its_handler_calls_each_have_a_span() {
    let captured = Captured::default();
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry()
            .with(tracing_subscriber::filter::LevelFilter::INFO)
            .with(captured.clone()),
    )
    .unwrap();
    let body = one_delivery().await;

    let spans: Vec<SpanFields> = captured.spans.lock().unwrap().values().cloned().collect();
    let named = |name: &str| -> Vec<&HashMap<String, String>> {
        spans
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, f)| f)
            .collect()
    };
    let deliveries = named("delivery");
    assert_eq!(deliveries.len(), 2, "{spans:#?}");
    let delivery = deliveries
        .iter()
        .find(|d| d["status"] == "500")
        .expect("the first delivery");
    assert_eq!(delivery["bytes"], body.len().to_string());
    assert_eq!(delivery["items"], "2");
    assert_eq!(delivery["status"], "500");
    assert!(delivery["duration_ms"].parse::<f64>().unwrap() >= 0.0);

    let mut items: Vec<_> = named("item")
        .iter()
        .map(|f| (f["object"].clone(), f["field"].clone(), f["entry"].clone()))
        .collect();
    items.sort();
    assert_eq!(
        items,
        [
            ("page".to_owned(), "feed".to_owned(), "42".to_owned()),
            ("page".to_owned(), "mention".to_owned(), "42".to_owned()),
            ("page".to_owned(), "ratings".to_owned(), "43".to_owned())
        ]
    );
    let mut handlers: Vec<_> = named("handler")
        .iter()
        .map(|f| {
            (
                f["handler"].clone(),
                f["outcome"].clone(),
                f.contains_key("duration_ms"),
            )
        })
        .collect();
    handlers.sort();
    assert_eq!(
        handlers,
        [
            ("feed".to_owned(), "succeeded".to_owned(), true),
            ("mention".to_owned(), "failed".to_owned(), true),
            ("strict".to_owned(), "rejected".to_owned(), true)
        ]
    );
    // The rejection is reported at ERROR level, though answered 200.
    let events = captured.events.lock().unwrap().clone();
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("ERROR") && e.contains("rejected a value its type cannot read")),
        "{events:#?}"
    );

    let everything = format!("{spans:?}{:?}", captured.events.lock().unwrap());
    for secret in [SECRET, TOKEN, TEXT] {
        assert!(
            !everything.contains(secret),
            "{secret} was logged: {everything}"
        );
    }
    assert!(
        everything.contains("mention store is down"),
        "the failure is logged"
    );
}
