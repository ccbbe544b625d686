//! The macro-free path: routes, object-wide routes, catch-alls and concurrency on
//! a dispatcher built without `#[on]`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use webhook_core::{Dispatcher, Notification, Object, Outcome, RawItem, Rejection, State, Value};

type Log = Mutex<Vec<String>>;

const BODY: &[u8] = br#"{"object":"page","entry":[{"id":"1","changes":[
    {"field":"feed","value":{"n":1}},{"field":"ratings","value":{"n":2}},{"field":"feed","value":{"n":3}}]}]}"#;

#[tokio::test]
async fn routes_object_routes_and_catch_all() {
    let dispatcher = Dispatcher::empty_builder()
        .state(Log::default())
        .route(
            "page",
            "feed",
            |Value(v): Value<serde_json::Value>, State(log): State<Log>| async move {
                log.lock().unwrap().push(format!("feed {}", v["n"]));
            },
        )
        .route_object("instagram", |State(log): State<Log>| async move {
            log.lock().unwrap().push("ig".into());
        })
        .catch_all(
            |item: RawItem, Object(o): Object, State(log): State<Log>| async move {
                log.lock()
                    .unwrap()
                    .push(format!("catch_all {o} {}", item.field.unwrap()));
            },
        )
        .build()
        .unwrap();
    let report = dispatcher
        .dispatch(&Notification::parse(BODY).unwrap())
        .await;
    let log = dispatcher.state::<Log>().unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        ["feed 1", "catch_all page ratings", "feed 3"]
    );
    assert!(report.items()[1].to_catch_all);
    assert_eq!(report.unhandled().count(), 0);
}

#[tokio::test]
async fn without_a_catch_all_unmatched_items_are_reported() {
    let dispatcher = Dispatcher::empty_builder()
        .route("page", "feed", || async {})
        .build()
        .unwrap();
    let report = dispatcher
        .dispatch(&Notification::parse(BODY).unwrap())
        .await;
    let unhandled: Vec<_> = report.unhandled().map(|i| i.field().unwrap()).collect();
    assert_eq!(unhandled, ["ratings"]);
    assert!(report.is_success());
}

#[tokio::test]
async fn optional_and_result_extractors_expose_rejections() {
    #[derive(serde::Deserialize, Debug)]
    struct Strict {
        #[allow(dead_code, reason = "only its presence is checked")]
        missing: String,
    }
    let dispatcher = Dispatcher::empty_builder()
        .state(Log::default())
        .route(
            "page",
            "feed",
            |v: Option<Value<Strict>>,
             r: Result<Value<Strict>, Rejection>,
             State(log): State<Log>| async move {
                log.lock()
                    .unwrap()
                    .push(format!("{} {}", v.is_none(), r.unwrap_err()));
            },
        )
        .build()
        .unwrap();
    dispatcher
        .dispatch(&Notification::parse(BODY).unwrap())
        .await;
    let log = dispatcher.state::<Log>().unwrap();
    let first = log.lock().unwrap()[0].clone();
    assert!(
        first.starts_with("true the value of (page, feed) is not a `builder::"),
        "{first}"
    );
    assert!(first.contains("missing field `missing`"), "{first}");
}

#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

async fn slow(
    Value(v): Value<serde_json::Value>,
    State(gauge): State<InFlight>,
) -> Result<(), &'static str> {
    let now = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
    gauge.max.fetch_max(now, Ordering::SeqCst);
    // The first item finishes last.
    tokio::time::sleep(Duration::from_millis(if v["n"] == 1 { 100 } else { 10 })).await;
    gauge.now.fetch_sub(1, Ordering::SeqCst);
    if v["n"] == 3 { Err("three") } else { Ok(()) }
}

async fn max_in_flight(concurrency: Option<usize>) -> (usize, Vec<(String, Outcome)>) {
    let mut builder = Dispatcher::empty_builder()
        .state(InFlight::default())
        .route("page", "feed", slow)
        .route("page", "ratings", slow);
    if let Some(n) = concurrency {
        builder = builder.concurrency(n);
    }
    let dispatcher = builder.build().unwrap();
    let report = dispatcher
        .dispatch(&Notification::parse(BODY).unwrap())
        .await;
    let outcomes = report
        .runs()
        .map(|(i, r)| (i.field().unwrap().to_owned(), r.outcome.clone()))
        .collect();
    (
        dispatcher
            .state::<InFlight>()
            .unwrap()
            .max
            .load(Ordering::SeqCst),
        outcomes,
    )
}

#[tokio::test]
async fn one_call_at_a_time_by_default_and_overlapping_when_allowed() {
    let expected = [
        ("feed".to_owned(), Outcome::Succeeded),
        ("ratings".to_owned(), Outcome::Succeeded),
        ("feed".to_owned(), Outcome::Failed("three".into())),
    ];
    let (max, outcomes) = max_in_flight(None).await;
    assert_eq!((max, &outcomes[..]), (1, &expected[..]));
    let (max, outcomes) = max_in_flight(Some(8)).await;
    assert_eq!(
        (max, &outcomes[..]),
        (3, &expected[..]),
        "all three overlap; the report keeps delivery order"
    );
}
