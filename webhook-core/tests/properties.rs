//! Properties over generated inputs (reliability.md B12 and the parser):
//!
//! - a body is accepted only with the exact signature of its bytes under a
//!   configured secret: any other secret, any change to the body, any other header
//!   value is refused;
//! - every item of a generated Meta envelope reaches exactly one handler, once, in
//!   delivery order;
//! - parsing and dispatching arbitrary signed bytes never panics.

use std::sync::Mutex;

use proptest::prelude::*;
use serde_json::{Value as Json, json};
use webhook_core::signature::{self, Algorithm, AppSecret, SignatureError};
use webhook_core::{
    Dispatcher, EntryMeta, Notification, Outcome, Payload, RawEntry, RawItem, Route, State,
};

fn verify(secrets: &[AppSecret], body: &[u8], header: &[u8]) -> Result<Algorithm, SignatureError> {
    signature::verify_headers(secrets, body, &[header], &[], false)
}

/// How a signed request is altered on its way.
#[derive(Debug, Clone)]
enum Tamper {
    FlipBit { at: usize, bit: u8 },
    Append(u8),
    Truncate { keep: usize },
    OtherSecret(String),
    OtherHeader(Vec<u8>),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Tamper::FlipBit { at, bit }),
        any::<u8>().prop_map(Tamper::Append),
        any::<usize>().prop_map(|keep| Tamper::Truncate { keep }),
        "[!-~][ -~]{0,39}".prop_map(Tamper::OtherSecret),
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..80),
            "sha256=[0-9a-fA-F]{0,70}".prop_map(String::into_bytes),
        ]
        .prop_map(Tamper::OtherHeader),
    ]
}

proptest! {
    #[test]
    fn only_the_exact_signature_of_the_exact_bytes_is_accepted(
        secret in "[!-~][ -~]{0,39}",
        body in proptest::collection::vec(any::<u8>(), 0..600),
        tamper in tamper(),
    ) {
        let key = AppSecret::new(&secret).unwrap();
        let secrets = [key.clone()];
        let header = signature::sign(Algorithm::Sha256, &key, &body);
        prop_assert_eq!(verify(&secrets, &body, header.as_bytes()), Ok(Algorithm::Sha256));

        let (body2, header2) = match tamper {
            Tamper::FlipBit { at, bit } if !body.is_empty() => {
                let mut b = body.clone();
                b[at % body.len()] ^= 1 << bit;
                (b, header.clone())
            }
            Tamper::FlipBit { .. } => (b"x".to_vec(), header.clone()),
            Tamper::Append(byte) => {
                let mut b = body.clone();
                b.push(byte);
                (b, header.clone())
            }
            Tamper::Truncate { keep } if !body.is_empty() => {
                (body[..keep % body.len()].to_vec(), header.clone())
            }
            Tamper::Truncate { .. } => (b"{}".to_vec(), header.clone()),
            Tamper::OtherSecret(other) => {
                prop_assume!(other != secret);
                let other = AppSecret::new(&other).unwrap();
                (body.clone(), signature::sign(Algorithm::Sha256, &other, &body))
            }
            Tamper::OtherHeader(other) => {
                // Hex digits are read case-insensitively: the same MAC in capitals is
                // the same signature.
                prop_assume!(!other.eq_ignore_ascii_case(header.as_bytes()));
                (body.clone(), String::from_utf8_lossy(&other).into_owned())
            }
        };
        prop_assert!(verify(&secrets, &body2, header2.as_bytes()).is_err());
    }
}

/// One generated item of an entry.
#[derive(Debug, Clone)]
enum GenItem {
    Change { field: &'static str },
    Event { key: &'static str },
    ChangedField { field: &'static str },
}

#[derive(Debug, Clone)]
struct GenEntry {
    id: u32,
    standby: bool,
    items: Vec<GenItem>,
}

const OBJECTS: &[&str] = &[
    "page",
    "instagram",
    "whatsapp_business_account",
    "user",
    "brand_new_object",
];
const FIELDS: &[&str] = &[
    "feed",
    "comments",
    "messages",
    "mention",
    "a_field_from_the_future",
];
const EVENTS: &[&str] = &[
    "message",
    "postback",
    "reaction",
    "delivery",
    "read",
    "a_future_event",
];

fn gen_item() -> impl Strategy<Value = GenItem> {
    prop_oneof![
        4 => prop::sample::select(FIELDS).prop_map(|field| GenItem::Change { field }),
        3 => prop::sample::select(EVENTS).prop_map(|key| GenItem::Event { key }),
        1 => prop::sample::select(FIELDS).prop_map(|field| GenItem::ChangedField { field }),
    ]
}

fn gen_entry() -> impl Strategy<Value = GenEntry> {
    (
        any::<u32>(),
        any::<bool>(),
        proptest::collection::vec(gen_item(), 0..8),
    )
        .prop_map(|(id, standby, items)| GenEntry { id, standby, items })
}

/// What an item should be routed as: the field, and the marker in its JSON (none
/// for a `changed_fields` name, which has no value).
type Expected = (Option<String>, Option<String>);

/// The body, and each item's [`Expected`] in delivery order.
fn envelope(object: &str, entries: &[GenEntry]) -> (Vec<u8>, Vec<Expected>) {
    let mut expected = Vec::new();
    let mut json_entries = Vec::new();
    let mut mark = 0;
    let mut next_mark = || {
        mark += 1;
        format!("mk-{mark}-end")
    };
    for entry in entries {
        let mut changes = Vec::new();
        let mut events = Vec::new();
        let mut names = Vec::new();
        let mut event_items = Vec::new();
        let mut changed_items = Vec::new();
        for item in &entry.items {
            match item {
                GenItem::Change { field } => {
                    let m = next_mark();
                    changes.push(
                        json!({"field": field, "value": {"mark": m, "nested": [1, {"a": null}]}}),
                    );
                    expected.push((Some((*field).to_owned()), Some(m)));
                }
                GenItem::Event { key } => {
                    let m = next_mark();
                    events.push(json!({
                        "sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": 1,
                        *key: {"mark": m}
                    }));
                    let field = if entry.standby {
                        Some("standby".to_owned())
                    } else {
                        event_field(object, key)
                    };
                    event_items.push((field, Some(m)));
                }
                GenItem::ChangedField { field } => {
                    names.push(json!(field));
                    changed_items.push((Some((*field).to_owned()), None));
                }
            }
        }
        // The routing order within an entry: changes, changed_fields, events.
        expected.extend(changed_items);
        expected.extend(event_items);
        let mut e = json!({"id": entry.id.to_string(), "time": 1_700_000_000});
        if !changes.is_empty() {
            e["changes"] = Json::Array(changes);
        }
        if !names.is_empty() {
            e["changed_fields"] = Json::Array(names);
        }
        if !events.is_empty() {
            e[if entry.standby {
                "standby"
            } else {
                "messaging"
            }] = Json::Array(events);
        }
        json_entries.push(e);
    }
    let body = serde_json::to_vec(&json!({"object": object, "entry": json_entries})).unwrap();
    (body, expected)
}

fn event_field(object: &str, key: &str) -> Option<String> {
    let field = match (key, object) {
        ("message", _) => "messages",
        ("postback", _) => "messaging_postbacks",
        ("reaction", _) => "message_reactions",
        ("delivery", _) => "message_deliveries",
        ("read", "instagram") => "messaging_seen",
        ("read", _) => "message_reads",
        _ => return None,
    };
    Some(field.to_owned())
}

/// The markers each handler saw.
#[derive(Default)]
struct Seen(Mutex<Vec<(&'static str, String)>>);

impl Seen {
    fn push(&self, handler: &'static str, item: &RawItem) {
        let raw = item.value.get();
        let mark = raw.find("mk-").map_or_else(String::new, |at| {
            let end = raw[at..].find("-end").unwrap() + at + 4;
            raw[at..end].to_owned()
        });
        self.0.lock().unwrap().push((handler, mark));
    }
}

async fn feed(item: RawItem, State(seen): State<Seen>) {
    seen.push("feed", &item);
}
async fn comments(item: RawItem, State(seen): State<Seen>) {
    seen.push("comments", &item);
}
async fn wa_messages(item: RawItem, State(seen): State<Seen>) {
    seen.push("wa_messages", &item);
}
async fn any_user(item: RawItem, State(seen): State<Seen>) {
    seen.push("any_user", &item);
}
async fn rest(item: RawItem, State(seen): State<Seen>) {
    seen.push("rest", &item);
}

fn dispatcher() -> Dispatcher {
    Dispatcher::builder()
        .state(Seen::default())
        .route(Route::field("page", "feed"), feed)
        .route(Route::field("instagram", "comments"), comments)
        .route(
            Route::field("whatsapp_business_account", "messages"),
            wa_messages,
        )
        .route(Route::object("user"), any_user)
        .route(Route::catch_all(), rest)
        .build()
        .unwrap()
}

fn expected_handler(object: &str, field: Option<&str>) -> &'static str {
    match (object, field) {
        ("page", Some("feed")) => "feed",
        ("instagram", Some("comments")) => "comments",
        ("whatsapp_business_account", Some("messages")) => "wa_messages",
        ("user", _) => "any_user",
        _ => "rest",
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

proptest! {
    #[test]
    fn every_item_of_a_generated_envelope_reaches_one_handler_once(
        object in prop::sample::select(OBJECTS),
        entries in proptest::collection::vec(gen_entry(), 0..5),
    ) {
        let (body, expected) = envelope(object, &entries);
        let dispatcher = dispatcher();
        let notification = Notification::parse(&body).unwrap();
        let report = runtime().block_on(dispatcher.dispatch(&notification));

        let items = report.items();
        prop_assert_eq!(items.len(), expected.len());
        let mut marks = Vec::new();
        for (item, (field, mark)) in items.iter().zip(&expected) {
            prop_assert_eq!(item.field(), field.as_deref());
            prop_assert_eq!(item.runs().len(), 1);
            let handler = expected_handler(object, field.as_deref());
            prop_assert!(item.runs()[0].handler.name.ends_with(handler), "{} for {:?}", item.runs()[0].handler.name, field);
            prop_assert_eq!(&item.runs()[0].outcome, &Outcome::Succeeded);
            marks.push((handler, mark.clone().unwrap_or_default()));
        }
        let seen = dispatcher.state::<Seen>().unwrap();
        prop_assert_eq!(&*seen.0.lock().unwrap(), &marks);
    }
}

/// Takes everything an item offers, the way a careless handler would.
async fn greedy(
    item: RawItem,
    _value: Option<Payload<Json>>,
    _typed: Option<Payload<webhook_core::fields::page::Feed>>,
    _meta: EntryMeta,
    _entry: RawEntry,
) {
    let _ = item.value.get().len();
}

/// Arbitrary bytes, or a valid envelope with a few bytes overwritten.
fn hostile_body() -> impl Strategy<Value = Vec<u8>> {
    let valid = || {
        (
            prop::sample::select(OBJECTS),
            proptest::collection::vec(gen_entry(), 1..3),
        )
            .prop_map(|(object, entries)| envelope(object, &entries).0)
    };
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        valid(),
        (
            valid(),
            proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)
        )
            .prop_map(|(mut body, edits)| {
                for (at, byte) in edits {
                    let at = at % body.len();
                    body[at] = byte;
                }
                body
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsing_and_dispatching_any_signed_bytes_never_panics(body in hostile_body()) {
        let dispatcher = Dispatcher::builder()
            .route(Route::object("page"), greedy)
            .route(
                Route::field("whatsapp_business_account", "messages").each("messages"),
                greedy,
            )
            .route(Route::catch_all(), greedy)
            .build()
            .unwrap();
        if let Ok(notification) = Notification::parse(&body) {
            let report = runtime().block_on(dispatcher.dispatch(&notification));
            for (_, run) in report.runs() {
                prop_assert!(!matches!(run.outcome, Outcome::Panicked(_)), "{:?}", run.outcome);
            }
        }
    }
}

#[test]
fn nesting_past_serde_jsons_limit_is_refused_not_a_stack_overflow() {
    let depth = 100_000;
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let body = format!(
        r#"{{"object":"page","entry":[{{"id":"1","changes":[{{"field":"feed","value":{deep}}}]}}]}}"#
    );
    // The envelope skips the value without recursing; a handler asking for it gets
    // serde_json's depth limit as a rejection.
    let notification = Notification::parse(body.as_bytes()).unwrap();
    let dispatcher = Dispatcher::builder()
        .route(
            Route::field("page", "feed"),
            async |Payload(_v): Payload<Json>| {},
        )
        .build()
        .unwrap();
    let report = runtime().block_on(dispatcher.dispatch(&notification));
    let outcome = &report.items()[0].runs()[0].outcome;
    assert!(
        matches!(outcome, Outcome::Rejected(why) if why.contains("recursion limit")),
        "{outcome:?}"
    );
    // As the whole body, it is no envelope at all.
    assert!(Notification::parse(deep.as_bytes()).is_err());
}

/// The fuzz targets' seed inputs, and every input a fuzzer ever crashed on (kept in
/// `fuzz/regressions/notification/`), go through the fuzz target's own dispatcher
/// on every test run.
mod fuzz_target {
    include!("../../fuzz/shared/dispatcher.rs");
}

#[test]
fn fuzz_seeds_and_regressions_parse_and_dispatch_without_panicking() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let dispatcher = fuzz_target::fuzz_dispatcher();
    let mut inputs = 0;
    for dir in ["seeds/notification", "regressions/notification"] {
        let mut in_dir = 0;
        for file in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let body = std::fs::read(&path).unwrap();
            if let Ok(notification) = Notification::parse(&body) {
                let report = runtime().block_on(dispatcher.dispatch(&notification));
                assert!(
                    report
                        .runs()
                        .all(|(_, r)| !matches!(r.outcome, Outcome::Panicked(_))),
                    "{}",
                    path.display()
                );
            }
            in_dir += 1;
        }
        assert!(in_dir > 0, "no inputs in fuzz/{dir}");
        inputs += in_dir;
    }
    assert!(inputs >= 10, "{inputs} inputs");
}
