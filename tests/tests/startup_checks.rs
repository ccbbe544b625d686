//! Building the dispatcher fails at start-up, naming the handler and where it is,
//! when a handler needs state that was not given or is routed to a bad name.

use webhook_core::dispatch::Problem;
use webhook_core::{Dispatcher, Notification, Outcome, Route, State, on};

struct Db;
struct Cache;

#[on(object = "page", field = "feed")]
async fn needs_db(State(_db): State<Db>) {}

#[on(object = "page", field = "feed")]
async fn cache_is_optional(
    cache: Option<State<Cache>>,
    State(seen): State<std::sync::Mutex<Vec<bool>>>,
) {
    seen.lock().unwrap().push(cache.is_some());
}

#[test]
fn missing_state_names_the_handler_its_location_and_the_fix() {
    let err = Dispatcher::builder()
        .registered_handlers()
        .state(std::sync::Mutex::new(Vec::<bool>::new()))
        .build()
        .unwrap_err();
    let [Problem::MissingState { handler, missing }] = err.problems() else {
        panic!("{err}")
    };
    assert_eq!(handler.name, "needs_db");
    assert!(handler.file.ends_with("startup_checks.rs"));
    assert_eq!(handler.line, 11);
    assert!(missing.type_name().ends_with("::Db"));
    let text = err.to_string();
    assert!(
        text.contains(
            "`needs_db` (tests/tests/startup_checks.rs:11) takes `State<startup_checks::Db>`"
        ),
        "{text}"
    );
    assert!(text.contains("add it with `.state(value)`"), "{text}");
}

#[test]
fn every_problem_is_reported_at_once() {
    async fn noop() {}
    let err = Dispatcher::builder()
        .registered_handlers()
        .route(Route::field("Page", "feed"), noop)
        .route(Route::field("page", "news-feed"), noop)
        .build()
        .unwrap_err();
    let names: Vec<_> = err
        .problems()
        .iter()
        .map(|p| match p {
            Problem::BadName { name, .. } => name.clone(),
            Problem::MissingState { missing, .. } => missing.type_name().to_owned(),
            other => panic!("unexpected problem: {other}"),
        })
        .collect();
    assert_eq!(names.len(), 4, "{err}");
    assert!(
        names.contains(&"Page".to_owned()) && names.contains(&"news-feed".to_owned()),
        "{err}"
    );
    let bad = err
        .problems()
        .iter()
        .find(|p| matches!(p, Problem::BadName { .. }))
        .unwrap();
    let Problem::BadName { handler, .. } = bad else {
        unreachable!()
    };
    assert!(
        handler.file.ends_with("startup_checks.rs"),
        "route() records its caller: {}",
        handler.file
    );
}

#[tokio::test]
async fn with_the_state_given_everything_runs() {
    let dispatcher = Dispatcher::builder()
        .registered_handlers()
        .state(Db)
        .state(std::sync::Mutex::new(Vec::<bool>::new()))
        .build()
        .unwrap();
    let body = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{}}]}]}"#;
    let report = dispatcher
        .dispatch(&Notification::parse(body).unwrap())
        .await;
    let outcomes: Vec<_> = report
        .runs()
        .map(|(_, r)| (r.handler.name, r.outcome.clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("needs_db", Outcome::Succeeded),
            ("cache_is_optional", Outcome::Succeeded)
        ]
    );
    assert_eq!(
        *dispatcher
            .state::<std::sync::Mutex<Vec<bool>>>()
            .unwrap()
            .lock()
            .unwrap(),
        [false]
    );
}
