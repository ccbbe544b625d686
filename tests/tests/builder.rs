//! The macro-free path: routes, object-wide routes, catch-alls and concurrency on
//! a dispatcher built without `#[on]`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use webhook_core::{
    Dispatcher, Notification, Object, Outcome, Payload, RawItem, Rejection, Route, State,
};

type Log = Mutex<Vec<String>>;

const BODY: &[u8] = br#"{"object":"page","entry":[{"id":"1","changes":[
    {"field":"feed","value":{"n":1}},{"field":"ratings","value":{"n":2}},{"field":"feed","value":{"n":3}}]}]}"#;

#[tokio::test]
async fn routes_object_routes_and_catch_all() {
    let dispatcher = Dispatcher::builder()
        .state(Log::default())
        .route(
            Route::field("page", "feed"),
            |Payload(v): Payload<serde_json::Value>, State(log): State<Log>| async move {
                log.lock().unwrap().push(format!("feed {}", v["n"]));
            },
        )
        .route(
            Route::object("instagram"),
            |State(log): State<Log>| async move {
                log.lock().unwrap().push("ig".into());
            },
        )
        .route(
            Route::catch_all(),
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
    let dispatcher = Dispatcher::builder()
        .route(Route::field("page", "feed"), || async {})
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
async fn option_means_absent_and_a_present_but_invalid_part_stays_a_rejection() {
    #[derive(serde::Deserialize, Debug)]
    struct Strict {
        #[allow(dead_code, reason = "only its presence is checked")]
        missing: String,
    }
    let dispatcher = Dispatcher::builder()
        .state(Log::default())
        // Present but invalid: `Option` does not hide the rejection.
        .route(
            Route::field("page", "feed").name("optional"),
            |_: Option<Payload<Strict>>| async {},
        )
        // `Result` hands the rejection to the handler.
        .route(
            Route::field("page", "feed").name("result"),
            |r: Result<Payload<Strict>, Rejection>, State(log): State<Log>| async move {
                log.lock().unwrap().push(r.unwrap_err().to_string());
            },
        )
        // Absent: a `changed_fields` name has no value, so `None`.
        .route(
            Route::field("user", "email").name("absent"),
            |v: Option<Payload<Strict>>, State(log): State<Log>| async move {
                log.lock().unwrap().push(format!("absent: {}", v.is_none()));
            },
        )
        .build()
        .unwrap();
    let report = dispatcher
        .dispatch(&Notification::parse(BODY).unwrap())
        .await;
    let optional = report
        .runs()
        .find(|(_, run)| run.handler.name == "optional")
        .unwrap()
        .1;
    match &optional.outcome {
        Outcome::Rejected(why) => assert!(why.contains("missing field `missing`"), "{why}"),
        other => panic!("expected a rejection, got {other:?}"),
    }
    let changed =
        br#"{"object":"user","entry":[{"uid":"1","id":"1","time":1,"changed_fields":["email"]}]}"#;
    dispatcher
        .dispatch(&Notification::parse(changed).unwrap())
        .await;
    let log = dispatcher.state::<Log>().unwrap();
    let log = log.lock().unwrap();
    assert!(
        log[0].starts_with("the value of (page, feed) is not a `builder::"),
        "{}",
        log[0]
    );
    assert!(log[0].contains("missing field `missing`"), "{}", log[0]);
    assert_eq!(log.last().unwrap(), "absent: true");
}

#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

async fn slow(
    Payload(v): Payload<serde_json::Value>,
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
    let mut builder = Dispatcher::builder()
        .state(InFlight::default())
        .route(Route::field("page", "feed"), slow)
        .route(Route::field("page", "ratings"), slow);
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

/// Meta's Page reference: `page_upcoming_change` and `page_change_proposal` carry
/// `action` beside `field` and `value`. A filter reads it, and `RawItem` holds it.
#[tokio::test]
async fn a_filter_and_the_raw_item_reach_the_keys_beside_a_change() {
    let body = br#"{"object":"page","entry":[{"id":"1","time":1,"changes":[
        {"field":"page_upcoming_change","value":{"change_type":"name"},"action":"pending"},
        {"field":"page_upcoming_change","value":{"change_type":"name"},"action":"accepted"}]}]}"#;
    let dispatcher = Dispatcher::builder()
        .state(Log::default())
        .route(
            Route::field("page", "page_upcoming_change").when("action", "pending"),
            |item: RawItem, State(log): State<Log>| async move {
                let keys: Vec<String> = item
                    .change_keys
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.get()))
                    .collect();
                log.lock().unwrap().push(keys.join(","));
            },
        )
        .build()
        .unwrap();
    let notification = Notification::parse(body).unwrap();
    dispatcher.dispatch(&notification).await;
    let log = dispatcher.state::<Log>().unwrap();
    assert_eq!(*log.lock().unwrap(), [r#"action="pending""#]);
}
