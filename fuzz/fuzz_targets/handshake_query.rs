//! The verification handshake's query string: nothing may panic, and a handshake
//! passes only with exactly one `hub.mode=subscribe`, one right token and one
//! challenge, echoed exactly as sent.

#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_core::handshake::{self, VerifyToken};

fuzz_target!(|query: &str| {
    let token = VerifyToken::new("fuzz-token").expect("a token");
    if let Ok(challenge) = handshake::verify(query, &token) {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let only = |name: &str| {
            let mut values = pairs
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str());
            let first = values.next();
            assert!(values.next().is_none(), "{name} repeated but accepted");
            first
        };
        assert_eq!(only("hub.mode"), Some("subscribe"));
        assert_eq!(only("hub.verify_token"), Some("fuzz-token"));
        assert_eq!(only("hub.challenge"), Some(challenge.as_str()));
    }
});
