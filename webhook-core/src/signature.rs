//! `X-Hub-Signature-256` (and legacy `X-Hub-Signature`) checks, as pure functions.
//!
//! Meta signs every notification with `sha256=<hex HMAC-SHA256 of the raw body,
//! keyed by the app secret>`. Always verify the bytes exactly as received: Meta's
//! bodies contain escapes such as `\u00e9` and `\/`, and any decode/re-encode step
//! changes the bytes and breaks the signature.
//!
//! Comparison is on the decoded MAC with [`hmac::Mac::verify_slice`], which checks
//! the length and runs in constant time. Hex digits are accepted in either case.
//!
//! ```
//! use webhook_core::signature::{self, Algorithm, AppSecret};
//!
//! let secret = AppSecret::new("It's a Secret to Everybody").unwrap();
//! let header = signature::sign(Algorithm::Sha256, &secret, b"Hello, World!");
//! assert_eq!(header, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
//! assert!(signature::verify(Algorithm::Sha256, &[secret], b"Hello, World!", header.as_bytes()).is_ok());
//! ```

use std::fmt;

use hmac::{Hmac, Mac};

/// The two signature headers Meta has used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `X-Hub-Signature-256: sha256=<64 hex digits>`, the current header.
    Sha256,
    /// `X-Hub-Signature: sha1=<40 hex digits>`, the legacy header.
    Sha1,
}

impl Algorithm {
    /// The HTTP header carrying this signature.
    #[must_use]
    pub const fn header_name(self) -> &'static str {
        match self {
            Self::Sha256 => "x-hub-signature-256",
            Self::Sha1 => "x-hub-signature",
        }
    }

    /// The prefix before the hex digits, `sha256=` or `sha1=`.
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256=",
            Self::Sha1 => "sha1=",
        }
    }

    const fn mac_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha1 => 20,
        }
    }
}

/// An app secret (App Dashboard > Settings > Basic). Never empty; its `Debug` output
/// is redacted so it cannot leak into logs.
///
/// Holds the HMAC states already keyed with the secret, so that a verification
/// hashes only the body (keying costs two hash blocks, a fifth of the work on a
/// 400-byte body).
#[derive(Clone)]
pub struct AppSecret {
    sha256: Hmac<sha2::Sha256>,
    sha1: Hmac<sha1::Sha1>,
}

impl AppSecret {
    /// Wraps a secret, refusing an empty (or all-whitespace) one.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, EmptySecret> {
        let bytes = secret.as_ref();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(EmptySecret);
        }
        Ok(Self {
            sha256: Hmac::new_from_slice(bytes).expect("HMAC takes keys of any length"),
            sha1: Hmac::new_from_slice(bytes).expect("HMAC takes keys of any length"),
        })
    }

    /// Parses a comma-separated list (`META_APP_SECRET=new,old`), trimming spaces.
    /// Every element must be non-empty.
    pub fn parse_list(list: &str) -> Result<Vec<Self>, EmptySecret> {
        list.split(',').map(|s| Self::new(s.trim())).collect()
    }
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppSecret(<redacted>)")
    }
}

/// An app secret was empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmptySecret;

impl fmt::Display for EmptySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an app secret is empty")
    }
}

impl std::error::Error for EmptySecret {}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// No signature header (of an accepted kind) was sent.
    Missing,
    /// The header appeared more than once; which one to trust is ambiguous.
    Duplicate {
        /// The header's name.
        header: &'static str,
    },
    /// The header is not `sha256=<64 hex digits>` (or `sha1=<40 hex digits>`).
    Malformed {
        /// The algorithm expected.
        algorithm: Algorithm,
        /// What is wrong with it.
        reason: Malformed,
    },
    /// Well-formed, but no configured secret produces it for these bytes: a wrong
    /// secret, or a body that was changed (for example re-serialised) on the way.
    Mismatch,
}

/// What is wrong with a malformed signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// It does not start with `sha256=` (or `sha1=`).
    Prefix,
    /// The hex part has the wrong number of digits.
    Length {
        /// Digits found.
        found: usize,
        /// Digits expected (64 for sha256, 40 for sha1).
        expected: usize,
    },
    /// The hex part holds a character that is not a hex digit.
    NotHex,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("missing X-Hub-Signature-256 header"),
            Self::Duplicate { header } => write!(f, "the {header} header was sent more than once"),
            Self::Malformed { algorithm, reason } => {
                let (prefix, digits) = (algorithm.prefix(), algorithm.mac_len() * 2);
                match reason {
                    Malformed::Prefix => {
                        write!(f, "signature header does not start with `{prefix}`")
                    }
                    Malformed::Length { found, expected } => {
                        write!(
                            f,
                            "signature must be `{prefix}` followed by {expected} hex digits, found {found} characters"
                        )
                    }
                    Malformed::NotHex => write!(
                        f,
                        "signature must be `{prefix}` followed by {digits} hex digits, found a non-hex character"
                    ),
                }
            }
            Self::Mismatch => f.write_str(
                "signature does not match the body for any configured app secret \
                 (wrong app secret, or the body was altered or re-serialised)",
            ),
        }
    }
}

impl std::error::Error for SignatureError {}

/// Computes the header value (`sha256=<hex>` or `sha1=<hex>`) for a body.
#[must_use]
pub fn sign(algorithm: Algorithm, secret: &AppSecret, body: &[u8]) -> String {
    let mac = match algorithm {
        Algorithm::Sha256 => keyed(&secret.sha256, body).finalize().into_bytes().to_vec(),
        Algorithm::Sha1 => keyed(&secret.sha1, body).finalize().into_bytes().to_vec(),
    };
    format!("{}{}", algorithm.prefix(), hex::encode(mac))
}

/// Checks a signature header value against the raw body, for any of `secrets`.
///
/// `header` is the header's value as received (bytes, since HTTP header values
/// need not be UTF-8). Succeeds when one secret matches.
pub fn verify(
    algorithm: Algorithm,
    secrets: &[AppSecret],
    body: &[u8],
    header: &[u8],
) -> Result<(), SignatureError> {
    let expected = decode(algorithm, header)?;
    let expected = &expected.bytes[..expected.len];
    let matches = |secret: &AppSecret| match algorithm {
        Algorithm::Sha256 => keyed(&secret.sha256, body).verify_slice(expected).is_ok(),
        Algorithm::Sha1 => keyed(&secret.sha1, body).verify_slice(expected).is_ok(),
    };
    if secrets.iter().any(matches) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn keyed<M: Mac + Clone>(keyed: &M, body: &[u8]) -> M {
    let mut mac = keyed.clone();
    mac.update(body);
    mac
}

/// A MAC sent in a header: up to 32 bytes, without an allocation.
struct SentMac {
    bytes: [u8; 32],
    len: usize,
}

/// Parses `sha256=<hex>` into the MAC bytes, saying precisely what is wrong.
fn decode(algorithm: Algorithm, header: &[u8]) -> Result<SentMac, SignatureError> {
    let malformed = |reason| SignatureError::Malformed { algorithm, reason };
    let digits = header
        .strip_prefix(algorithm.prefix().as_bytes())
        .ok_or(malformed(Malformed::Prefix))?;
    let expected = algorithm.mac_len() * 2;
    if digits.len() != expected {
        return Err(malformed(Malformed::Length {
            found: digits.len(),
            expected,
        }));
    }
    let mut mac = SentMac {
        bytes: [0; 32],
        len: algorithm.mac_len(),
    };
    hex::decode_to_slice(digits, &mut mac.bytes[..mac.len])
        .map_err(|_| malformed(Malformed::NotHex))?;
    Ok(mac)
}

/// Verifies a request's signature headers with Meta's policy: `X-Hub-Signature-256`
/// when present; the legacy `X-Hub-Signature` only when it is the sole header and
/// `allow_sha1` is set.
///
/// Each argument lists every value received for that header, so that a duplicated
/// header is refused rather than silently resolved.
pub fn verify_headers(
    secrets: &[AppSecret],
    body: &[u8],
    sha256: &[&[u8]],
    sha1: &[&[u8]],
    allow_sha1: bool,
) -> Result<Algorithm, SignatureError> {
    let (algorithm, value) = select_header(sha256, sha1, allow_sha1)?;
    verify(algorithm, secrets, body, value).map(|()| algorithm)
}

/// The signature header [`verify_headers`] would check, with its shape checked
/// (prefix, length, hex digits): everything that can be refused before a byte of
/// the body is read, so that a request without a usable signature costs no body.
pub fn select_header<'v>(
    sha256: &[&'v [u8]],
    sha1: &[&'v [u8]],
    allow_sha1: bool,
) -> Result<(Algorithm, &'v [u8]), SignatureError> {
    fn one<'v>(
        values: &[&'v [u8]],
        algorithm: Algorithm,
    ) -> Result<Option<&'v [u8]>, SignatureError> {
        match values {
            [] => Ok(None),
            [value] => Ok(Some(*value)),
            _ => Err(SignatureError::Duplicate {
                header: algorithm.header_name(),
            }),
        }
    }
    let (algorithm, value) = match one(sha256, Algorithm::Sha256)? {
        Some(value) => (Algorithm::Sha256, value),
        None => match one(sha1, Algorithm::Sha1)? {
            Some(value) if allow_sha1 => (Algorithm::Sha1, value),
            _ => return Err(SignatureError::Missing),
        },
    };
    decode(algorithm, value)?;
    Ok((algorithm, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> AppSecret {
        AppSecret::new(s).unwrap()
    }

    /// reliability.md §1.3: a Meta-style body with escapes, 210 bytes exactly.
    const ESCAPED: &[u8] = br#"{"object":"page","entry":[{"id":"123","time":1700000000,"messaging":[{"sender":{"id":"1"},"recipient":{"id":"123"},"timestamp":1700000000000,"message":{"mid":"m_1","text":"caf\u00e9 \/ \u00e4\u00f6\u00e5"}}]}]}"#;
    const ESCAPED_SIG: &str =
        "sha256=9d01f3906cc23943c4b0475112e37c7159a595927b59d01180366869f22d9057";

    #[test]
    fn github_vector() {
        let s = secret("It's a Secret to Everybody");
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(sign(Algorithm::Sha256, &s, b"Hello, World!"), header);
        assert_eq!(
            verify(Algorithm::Sha256, &[s], b"Hello, World!", header.as_bytes()),
            Ok(())
        );
    }

    #[test]
    fn key_value_vectors_for_both_algorithms() {
        let s = secret("key");
        assert_eq!(
            sign(Algorithm::Sha1, &s, b"value"),
            "sha1=57443a4c052350a44638835d64fd66822f813319"
        );
        assert_eq!(
            sign(Algorithm::Sha256, &s, b"value"),
            "sha256=90fbfcf15e74a36b89dbdb2a721d9aecffdfdddc5c83e27f7592594f71932481"
        );
        assert_eq!(
            verify(
                Algorithm::Sha1,
                &[s],
                b"value",
                b"sha1=57443a4c052350a44638835d64fd66822f813319"
            ),
            Ok(())
        );
    }

    #[test]
    fn escaped_body_verifies_as_sent_and_not_once_reserialised() {
        assert_eq!(ESCAPED.len(), 210);
        let s = [secret("test_app_secret")];
        assert_eq!(
            verify(Algorithm::Sha256, &s, ESCAPED, ESCAPED_SIG.as_bytes()),
            Ok(())
        );

        // Decoded and re-serialised as compact UTF-8, keys in their original order.
        let text = String::from_utf8(ESCAPED.to_vec()).unwrap();
        let utf8 = [
            (r"\u00e9", "é"),
            (r"\u00e4", "ä"),
            (r"\u00f6", "ö"),
            (r"\u00e5", "å"),
            (r"\/", "/"),
        ]
        .iter()
        .fold(text, |t, (from, to)| t.replace(from, to));
        let value: serde_json::Value = serde_json::from_slice(ESCAPED).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&utf8).unwrap(),
            value,
            "same JSON, other bytes"
        );
        assert_eq!(
            sign(Algorithm::Sha256, &s[0], utf8.as_bytes()),
            "sha256=c991f66a9c538a32580c6f7d41f2921bece095891e0ae057eed300f78e23db96"
        );
        assert_eq!(
            verify(
                Algorithm::Sha256,
                &s,
                utf8.as_bytes(),
                ESCAPED_SIG.as_bytes()
            ),
            Err(SignatureError::Mismatch)
        );
        let reserialised = serde_json::to_vec(&value).unwrap();
        assert_eq!(
            verify(Algorithm::Sha256, &s, &reserialised, ESCAPED_SIG.as_bytes()),
            Err(SignatureError::Mismatch)
        );

        // Re-serialised with ASCII escapes but `/` left unescaped still differs.
        let ascii = String::from_utf8(ESCAPED.to_vec())
            .unwrap()
            .replace(r"\/", "/");
        assert_eq!(
            sign(Algorithm::Sha256, &s[0], ascii.as_bytes()),
            "sha256=0468ce801a18b0200d77d6ee49d0413317f5277eafb2e133ddf94a5ca1d0119a"
        );
        assert_eq!(
            verify(
                Algorithm::Sha256,
                &s,
                ascii.as_bytes(),
                ESCAPED_SIG.as_bytes()
            ),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn malformed_headers_say_why() {
        let s = [secret("k")];
        let good = sign(Algorithm::Sha256, &s[0], b"b");
        let hex = &good["sha256=".len()..];
        let m = |reason| {
            Err(SignatureError::Malformed {
                algorithm: Algorithm::Sha256,
                reason,
            })
        };
        let len = |found| {
            m(Malformed::Length {
                found,
                expected: 64,
            })
        };
        let cases: Vec<(String, Result<(), SignatureError>)> = vec![
            ("sha256=".into(), len(0)),
            (format!("sha256={}", &hex[..63]), len(63)),
            (format!("sha256={hex}0"), len(65)),
            (format!("sha256={}zz", &hex[..62]), m(Malformed::NotHex)),
            (format!("sha256 ={hex}"), m(Malformed::Prefix)),
            (format!(" sha256={hex}"), m(Malformed::Prefix)),
            (format!("sha256={hex} "), len(65)),
            (format!("sha1={hex}"), m(Malformed::Prefix)),
            (format!("SHA256={hex}"), m(Malformed::Prefix)),
            (hex.to_owned(), m(Malformed::Prefix)),
            (format!("sha256={}", hex.to_uppercase()), Ok(())),
        ];
        for (header, expected) in cases {
            assert_eq!(
                verify(Algorithm::Sha256, &s, b"b", header.as_bytes()),
                expected,
                "{header:?}"
            );
        }
    }

    #[test]
    fn any_mutation_fails() {
        let s = [secret("k")];
        let body = br#"{"object":"page","entry":[]}"#;
        let header = sign(Algorithm::Sha256, &s[0], body);
        let mut flipped = body.to_vec();
        flipped[3] ^= 1;
        let mut extended = body.to_vec();
        extended.push(b'\n');
        for mutated in [&flipped[..], &extended[..], &body[..body.len() - 1], b""] {
            assert_eq!(
                verify(Algorithm::Sha256, &s, mutated, header.as_bytes()),
                Err(SignatureError::Mismatch)
            );
        }
        assert_eq!(
            verify(
                Algorithm::Sha256,
                &[secret("other")],
                body,
                header.as_bytes()
            ),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn any_configured_secret_may_match() {
        let (new, old) = (secret("new"), secret("old"));
        let header = sign(Algorithm::Sha256, &old, b"x");
        assert_eq!(
            verify(
                Algorithm::Sha256,
                &[new.clone(), old],
                b"x",
                header.as_bytes()
            ),
            Ok(())
        );
        assert_eq!(
            verify(Algorithm::Sha256, &[new], b"x", header.as_bytes()),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn header_policy() {
        let s = [secret("k")];
        let v256 = sign(Algorithm::Sha256, &s[0], b"x");
        let v1 = sign(Algorithm::Sha1, &s[0], b"x");
        let (a, b) = (v256.as_bytes(), v1.as_bytes());
        assert_eq!(
            verify_headers(&s, b"x", &[a], &[], false),
            Ok(Algorithm::Sha256)
        );
        assert_eq!(
            verify_headers(&s, b"x", &[a], &[b"sha1=junk"], false),
            Ok(Algorithm::Sha256)
        );
        assert_eq!(
            verify_headers(&s, b"x", &[], &[b], false),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_headers(&s, b"x", &[], &[b], true),
            Ok(Algorithm::Sha1)
        );
        assert_eq!(
            verify_headers(&s, b"x", &[], &[], true),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_headers(&s, b"x", &[a, a], &[], false),
            Err(SignatureError::Duplicate {
                header: "x-hub-signature-256"
            })
        );
        assert_eq!(
            verify_headers(&s, b"y", &[a], &[b], true),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn secrets_are_never_empty_or_printed() {
        assert!(matches!(AppSecret::new(""), Err(EmptySecret)));
        assert!(matches!(AppSecret::new("  "), Err(EmptySecret)));
        assert!(matches!(AppSecret::parse_list("a,,b"), Err(EmptySecret)));
        assert_eq!(AppSecret::parse_list("a, b").unwrap().len(), 2);
        assert_eq!(format!("{:?}", secret("hunter2")), "AppSecret(<redacted>)");
    }
}
