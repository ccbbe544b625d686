//! The signature headers: arbitrary header values (one or several, SHA-256 and
//! SHA-1) against an arbitrary body. Nothing may panic, and a value is accepted
//! only when it is the body's signature.

#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_core::signature::{self, Algorithm, AppSecret};

fuzz_target!(|input: (Vec<Vec<u8>>, Vec<Vec<u8>>, bool, &[u8])| {
    let (sha256, sha1, allow_sha1, body) = input;
    let secret = AppSecret::new("fuzz-secret").expect("a secret");
    let sha256: Vec<&[u8]> = sha256.iter().map(Vec::as_slice).collect();
    let sha1: Vec<&[u8]> = sha1.iter().map(Vec::as_slice).collect();
    let verdict = signature::verify_headers(
        std::slice::from_ref(&secret),
        body,
        &sha256,
        &sha1,
        allow_sha1,
    );
    if let Ok(algorithm) = verdict {
        let expected = signature::sign(algorithm, &secret, body);
        let sent = match algorithm {
            Algorithm::Sha256 => sha256[0],
            Algorithm::Sha1 => sha1[0],
        };
        assert!(
            sent.eq_ignore_ascii_case(expected.as_bytes()),
            "accepted a header that is not the body's signature"
        );
    }
    for header in sha256.iter().chain(&sha1) {
        let _ = signature::verify(
            Algorithm::Sha256,
            std::slice::from_ref(&secret),
            body,
            header,
        );
        let _ = signature::verify(Algorithm::Sha1, std::slice::from_ref(&secret), body, header);
    }
});
