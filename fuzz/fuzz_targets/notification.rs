//! The signed-body path: any bytes, signed by the harness so that they pass the
//! signature check as a genuine delivery would, are parsed, routed and dispatched
//! to handlers that take every extractor, and read as our typed value of their
//! field. Nothing may panic; a handler's extraction failure is a rejection, never
//! a crash.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_core::{Dispatcher, Notification, Outcome};

include!("../shared/dispatcher.rs");

fn dispatcher() -> &'static Dispatcher {
    static DISPATCHER: OnceLock<Dispatcher> = OnceLock::new();
    DISPATCHER.get_or_init(fuzz_dispatcher)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    })
}

fuzz_target!(|body: &[u8]| {
    let secret = AppSecret::new("fuzz-secret").expect("a secret");
    let header = signature::sign(Algorithm::Sha256, &secret, body);
    let verified = signature::verify_headers(&[secret], body, &[header.as_bytes()], &[], false);
    assert!(verified.is_ok(), "a body signed with the secret verifies");
    let Ok(notification) = Notification::parse(body) else {
        return;
    };
    let report = runtime().block_on(dispatcher().dispatch(&notification));
    for (_, run) in report.runs() {
        assert!(
            !matches!(run.outcome, Outcome::Panicked(_)),
            "a handler panicked: {:?}",
            run.outcome
        );
    }
});
