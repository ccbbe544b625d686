//! The verification handshake: `GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C`.
//!
//! Meta sends it when a callback URL is saved or a subscription is created. The
//! answer is `200 text/plain` with the challenge exactly as received when the mode is
//! `subscribe` and the token matches; anything else leaves the endpoint unverified.
//!
//! The query is parsed here from the raw string (parameter names contain dots), and
//! the token is compared in constant time on SHA-256 digests, so neither its content
//! nor its length leaks through timing.
//!
//! ```
//! use webhook_core::handshake::{self, HandshakeError, VerifyToken};
//!
//! let token = VerifyToken::new("meatyhamhock").unwrap();
//! let ok = handshake::verify("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock", &token);
//! assert_eq!(ok.unwrap(), "1158201444");
//! let bad = handshake::verify("hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope", &token);
//! assert_eq!(bad.unwrap_err(), HandshakeError::TokenMismatch);
//! ```

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The longest challenge echoed back. Meta's are short numbers or random strings.
pub const MAX_CHALLENGE_LEN: usize = 1024;

/// The verify token set in the App Dashboard. Never empty; `Debug` is redacted.
#[derive(Clone)]
pub struct VerifyToken {
    digest: [u8; 32],
}

impl VerifyToken {
    /// Wraps a token, refusing an empty (or all-whitespace) one, which would make
    /// every handshake trivially pass.
    #[must_use]
    pub fn new(token: &str) -> Option<Self> {
        if token.trim().is_empty() {
            return None;
        }
        Some(Self {
            digest: Sha256::digest(token.as_bytes()).into(),
        })
    }

    fn matches(&self, candidate: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(candidate.as_bytes()).into();
        self.digest.ct_eq(&digest).into()
    }
}

impl fmt::Debug for VerifyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyToken(<redacted>)")
    }
}

/// Why a handshake was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeError {
    /// A required parameter is absent.
    Missing(&'static str),
    /// A parameter was given more than once (ambiguous, so refused).
    Repeated(&'static str),
    /// `hub.mode` is not `subscribe`.
    WrongMode,
    /// `hub.verify_token` does not match the configured token.
    TokenMismatch,
    /// `hub.challenge` is longer than [`MAX_CHALLENGE_LEN`] bytes.
    ChallengeTooLong,
}

impl HandshakeError {
    /// Whether the request was incomplete or malformed (HTTP 400) rather than
    /// refused (HTTP 403).
    #[must_use]
    pub fn is_bad_request(&self) -> bool {
        !matches!(self, Self::WrongMode | Self::TokenMismatch)
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(name) => write!(f, "missing query parameter `{name}`"),
            Self::Repeated(name) => write!(f, "query parameter `{name}` given more than once"),
            Self::WrongMode => f.write_str("`hub.mode` is not `subscribe`"),
            Self::TokenMismatch => {
                f.write_str("`hub.verify_token` does not match the configured verify token")
            }
            Self::ChallengeTooLong => write!(
                f,
                "`hub.challenge` is longer than {MAX_CHALLENGE_LEN} bytes"
            ),
        }
    }
}

impl std::error::Error for HandshakeError {}

/// Checks a handshake query string (without the `?`) and returns the challenge to
/// answer with, exactly as Meta sent it.
pub fn verify(query: &str, token: &VerifyToken) -> Result<String, HandshakeError> {
    let (mut mode, mut sent_token, mut challenge) = (None, None, None);
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match &*name {
            "hub.mode" => (&mut mode, "hub.mode"),
            "hub.verify_token" => (&mut sent_token, "hub.verify_token"),
            "hub.challenge" => (&mut challenge, "hub.challenge"),
            _ => continue,
        };
        if slot.0.replace(value).is_some() {
            return Err(HandshakeError::Repeated(slot.1));
        }
    }
    let mode: Cow<'_, str> = mode.ok_or(HandshakeError::Missing("hub.mode"))?;
    let sent_token = sent_token.ok_or(HandshakeError::Missing("hub.verify_token"))?;
    let challenge = challenge.ok_or(HandshakeError::Missing("hub.challenge"))?;
    if challenge.len() > MAX_CHALLENGE_LEN {
        return Err(HandshakeError::ChallengeTooLong);
    }
    if mode != "subscribe" {
        return Err(HandshakeError::WrongMode);
    }
    if !token.matches(&sent_token) {
        return Err(HandshakeError::TokenMismatch);
    }
    Ok(challenge.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> VerifyToken {
        VerifyToken::new("s3cret token").unwrap()
    }

    #[test]
    fn answers_the_challenge_exactly() {
        let q = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=s3cret+token";
        assert_eq!(verify(q, &token()).unwrap(), "1158201444");
        let q =
            "hub.verify_token=s3cret%20token&hub.challenge=%3Cscript%3E&hub.mode=subscribe&other=1";
        assert_eq!(verify(q, &token()).unwrap(), "<script>");
    }

    #[test]
    fn refusals() {
        let cases = [
            (
                "hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong",
                HandshakeError::TokenMismatch,
            ),
            (
                "hub.mode=subscribe&hub.challenge=1&hub.verify_token=",
                HandshakeError::TokenMismatch,
            ),
            (
                "hub.mode=subscribe&hub.challenge=1&hub.verify_token=s3cret",
                HandshakeError::TokenMismatch,
            ),
            (
                "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=s3cret+token",
                HandshakeError::WrongMode,
            ),
            (
                "hub.challenge=1&hub.verify_token=s3cret+token",
                HandshakeError::Missing("hub.mode"),
            ),
            (
                "hub.mode=subscribe&hub.challenge=1",
                HandshakeError::Missing("hub.verify_token"),
            ),
            (
                "hub.mode=subscribe&hub.verify_token=s3cret+token",
                HandshakeError::Missing("hub.challenge"),
            ),
            (
                "hub_mode=subscribe&hub_challenge=1&hub_verify_token=s3cret+token",
                HandshakeError::Missing("hub.mode"),
            ),
            (
                "hub.mode=subscribe&hub.challenge=1&hub.verify_token=a&hub.verify_token=s3cret+token",
                HandshakeError::Repeated("hub.verify_token"),
            ),
            ("", HandshakeError::Missing("hub.mode")),
        ];
        for (q, expected) in cases {
            assert_eq!(verify(q, &token()), Err(expected), "{q}");
        }
        let long = format!(
            "hub.mode=subscribe&hub.verify_token=s3cret+token&hub.challenge={}",
            "9".repeat(MAX_CHALLENGE_LEN + 1)
        );
        assert_eq!(
            verify(&long, &token()),
            Err(HandshakeError::ChallengeTooLong)
        );
    }

    #[test]
    fn status_classes() {
        assert!(!HandshakeError::TokenMismatch.is_bad_request());
        assert!(!HandshakeError::WrongMode.is_bad_request());
        assert!(HandshakeError::Missing("hub.mode").is_bad_request());
    }

    #[test]
    fn empty_tokens_are_refused_and_tokens_are_not_printed() {
        assert!(VerifyToken::new("").is_none());
        assert!(VerifyToken::new(" \t").is_none());
        assert_eq!(format!("{:?}", token()), "VerifyToken(<redacted>)");
    }
}
