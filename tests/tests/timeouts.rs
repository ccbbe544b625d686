//! Handler time limits: the dispatcher's default, `#[on(.., timeout = "..")]`
//! overriding it, and a timed-out call cancelled without holding up the others.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use webhook_core::{Dispatcher, Notification, Outcome, on};

/// Counts calls that ran to their end.
#[derive(Default)]
struct Finished(AtomicUsize);

/// Would finish after 400 ms, past the dispatcher limit the tests set.
#[on(object = "page", field = "feed")]
async fn hangs(webhook_core::State(finished): webhook_core::State<Finished>) {
    tokio::time::sleep(Duration::from_millis(400)).await;
    finished.0.fetch_add(1, Ordering::SeqCst);
}

/// Takes 300 ms, above the dispatcher limit the test sets but within its own.
#[on(object = "page", field = "feed", timeout = "5s")]
async fn slow_but_allowed(webhook_core::State(finished): webhook_core::State<Finished>) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    finished.0.fetch_add(1, Ordering::SeqCst);
}

/// Its own limit is below the dispatcher's.
#[on(object = "page", field = "mention", timeout = "50ms")]
async fn own_short_limit(webhook_core::State(finished): webhook_core::State<Finished>) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    finished.0.fetch_add(1, Ordering::SeqCst);
}

#[on(object = "page", field = "mention")]
async fn quick(webhook_core::State(finished): webhook_core::State<Finished>) {
    finished.0.fetch_add(1, Ordering::SeqCst);
}

const BODY: &[u8] = br#"{"object":"page","entry":[{"id":"1","time":1,"changes":[
    {"field":"feed","value":{"item":"status","verb":"add"}},
    {"field":"mention","value":{"post_id":"1_2","verb":"add"}}
]}]}"#;

fn outcomes(report: &webhook_core::DispatchReport) -> Vec<(&'static str, Outcome)> {
    report
        .runs()
        .map(|(_, run)| (run.handler.name, run.outcome.clone()))
        .collect()
}

#[tokio::test]
async fn calls_past_their_limit_are_cancelled_and_reported_and_the_rest_run() {
    let dispatcher = Dispatcher::builder()
        .registered_handlers()
        .state(Finished::default())
        .handler_timeout(Duration::from_millis(100))
        .concurrency(4)
        .build()
        .unwrap();
    let report = dispatcher
        .dispatch(&Notification::parse(BODY).unwrap())
        .await;

    assert_eq!(
        outcomes(&report),
        [
            ("hangs", Outcome::TimedOut(Duration::from_millis(100))),
            ("slow_but_allowed", Outcome::Succeeded),
            (
                "own_short_limit",
                Outcome::TimedOut(Duration::from_millis(50))
            ),
            ("quick", Outcome::Succeeded),
        ]
    );
    assert!(!report.is_success());
    // The timed-out calls were dropped, not left running: they never finish, even
    // after the time they asked for.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let finished = dispatcher.state::<Finished>().unwrap();
    assert_eq!(
        finished.0.load(Ordering::SeqCst),
        2,
        "slow_but_allowed and quick"
    );
}

#[tokio::test]
async fn the_outcome_says_what_to_raise() {
    let dispatcher = Dispatcher::builder()
        .registered_handlers()
        .state(Finished::default())
        .handler_timeout(Duration::from_millis(20))
        .build()
        .unwrap();
    let report = dispatcher
        .dispatch(&Notification::parse(BODY).unwrap())
        .await;
    let (_, run) = report.failures().next().unwrap();
    assert_eq!(run.outcome.name(), "timed_out");
    let text = run.outcome.to_string();
    assert!(text.starts_with("timed out after 20ms"), "{text}");
    assert!(text.contains("timeout = "), "{text}");
}
