//! A user crate that names only `webhook-server` (no `webhook-core`): `#[on]` must
//! find the runtime through it, and `crate = path` must override the lookup.

use std::sync::Mutex;

use webhook_server::{Dispatcher, Notification, RawItem, State, on};

/// A re-export, as an application's own facade crate might have.
mod facade {
    pub(crate) use webhook_server as runtime;
}

type Seen = Mutex<Vec<String>>;

#[on(object = "page", field = "feed")]
async fn found_by_lookup(item: RawItem, State(seen): State<Seen>) {
    seen.lock()
        .unwrap()
        .push(format!("lookup {}", item.field.unwrap()));
}

#[on(object = "page", field = "mention", crate = crate::facade::runtime)]
async fn found_by_override(item: RawItem, State(seen): State<Seen>) {
    seen.lock()
        .unwrap()
        .push(format!("override {}", item.field.unwrap()));
}

#[tokio::test]
async fn both_registrations_dispatch() {
    let dispatcher = Dispatcher::builder()
        .registered_handlers()
        .state(Seen::default())
        .build()
        .unwrap();
    let body = br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{}},{"field":"mention","value":{}}]}]}"#;
    let report = dispatcher
        .dispatch(&Notification::parse(body).unwrap())
        .await;
    assert!(report.is_success());
    assert_eq!(
        *dispatcher.state::<Seen>().unwrap().lock().unwrap(),
        ["lookup feed", "override mention"]
    );
}
