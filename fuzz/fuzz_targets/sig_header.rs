//! The signature headers. The harness signs the body itself, then lets the fuzzer
//! rewrite that valid header (bytes changed, inserted, cut; its case) and add any
//! number of other `X-Hub-Signature-256` and `X-Hub-Signature` values, with the
//! SHA-1 fallback on or off. Nothing may panic, and a request is accepted only on
//! one header that is the body's signature (hex digits in either case).

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use webhook_core::signature::{self, Algorithm, AppSecret};

#[derive(Debug, Arbitrary)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Cut(usize),
    Upper,
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    body: &'a [u8],
    sha1: bool,
    edits: Vec<Edit>,
    extra_sha256: Vec<Vec<u8>>,
    extra_sha1: Vec<Vec<u8>>,
    allow_sha1: bool,
}

fuzz_target!(|input: Input<'_>| {
    let secret = AppSecret::new("fuzz-secret").expect("a secret");
    let algorithm = if input.sha1 {
        Algorithm::Sha1
    } else {
        Algorithm::Sha256
    };
    let mut header = signature::sign(algorithm, &secret, input.body).into_bytes();
    for edit in &input.edits {
        match *edit {
            Edit::Set(at, byte) if !header.is_empty() => {
                let at = at % header.len();
                header[at] = byte;
            }
            Edit::Insert(at, byte) => header.insert(at % (header.len() + 1), byte),
            Edit::Cut(at) if !header.is_empty() => {
                header.truncate(at % header.len());
            }
            Edit::Upper => header.make_ascii_uppercase(),
            _ => {}
        }
    }
    let (mut sha256, mut sha1): (Vec<&[u8]>, Vec<&[u8]>) = (Vec::new(), Vec::new());
    match algorithm {
        Algorithm::Sha256 => sha256.push(&header),
        Algorithm::Sha1 => sha1.push(&header),
    }
    sha256.extend(input.extra_sha256.iter().map(Vec::as_slice));
    sha1.extend(input.extra_sha1.iter().map(Vec::as_slice));
    let secrets = std::slice::from_ref(&secret);
    let verdict = signature::verify_headers(secrets, input.body, &sha256, &sha1, input.allow_sha1);
    if let Ok(accepted) = verdict {
        let (values, expected) = match accepted {
            Algorithm::Sha256 => (
                &sha256,
                signature::sign(Algorithm::Sha256, &secret, input.body),
            ),
            Algorithm::Sha1 => (&sha1, signature::sign(Algorithm::Sha1, &secret, input.body)),
        };
        assert_eq!(
            values.len(),
            1,
            "accepted among several values of one header"
        );
        // The prefix is case-sensitive, the hex digits are not.
        let (prefix, digits) = expected.split_at(accepted.prefix().len());
        let sent = values[0];
        assert!(
            sent.len() == expected.len()
                && sent.starts_with(prefix.as_bytes())
                && sent[prefix.len()..].eq_ignore_ascii_case(digits.as_bytes()),
            "accepted a header that is not the body's signature"
        );
        if accepted == Algorithm::Sha1 {
            assert!(
                input.allow_sha1 && sha256.is_empty(),
                "SHA-1 accepted against policy"
            );
        }
    }
    // Unedited and alone, the valid header always verifies (unless it is SHA-1
    // without the fallback).
    if input.edits.is_empty() && input.extra_sha256.is_empty() && input.extra_sha1.is_empty() {
        assert_eq!(
            verdict.is_ok(),
            !input.sha1 || input.allow_sha1,
            "{verdict:?}"
        );
    }
});
