//! `send`, `sign`, `verify` and `handshake`: signature trouble and callback checks
//! from the terminal.

use std::fmt::Write as _;
use std::hash::BuildHasher;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use webhook_core::signature::{self, Algorithm, AppSecret, Malformed, SignatureError};

use super::{FAILED, UNREACHABLE, USAGE, read_input, runtime};

/// Where a body comes from.
#[derive(Args, Debug)]
pub(super) struct BodyArgs {
    /// The body: a file, or `-` for standard input.
    #[arg(required_unless_present = "fixture", conflicts_with = "fixture")]
    file: Option<PathBuf>,
    /// A fixture shipped with meta-webhooks instead of a file, by name
    /// (`page/feed_comment_add`, `whatsapp_business_account/messages_text`, ...).
    #[arg(long)]
    fixture: Option<String>,
}

impl BodyArgs {
    fn read(&self) -> Result<Vec<u8>, String> {
        if let Some(name) = &self.fixture {
            return crate::fixtures::fixture_named(name)
                .map(|f| f.body().to_vec())
                .ok_or_else(|| {
                    let names: Vec<_> = crate::fixtures::fixtures()
                        .map(|f| f.name())
                        .filter(|n| {
                            n.contains(name.as_str())
                                || name.contains(n.split('/').next().unwrap_or_default())
                        })
                        .take(8)
                        .collect();
                    format!(
                        "no fixture named `{name}`; names look like `page/feed_comment_add` ({})",
                        if names.is_empty() {
                            "see webhook-server/fixtures/typed".to_owned()
                        } else {
                            format!("close: {}", names.join(", "))
                        }
                    )
                });
        }
        read_input(self.file.as_deref().unwrap_or_else(|| "-".as_ref()))
    }
}

/// The app secret(s).
#[derive(Args, Debug)]
pub(super) struct SecretArgs {
    /// The app secret (App Dashboard > Settings > Basic); several comma-separated.
    #[arg(long, env = "META_APP_SECRET", hide_env_values = true)]
    secret: Option<String>,
}

impl SecretArgs {
    fn secrets(&self) -> Result<Vec<AppSecret>, String> {
        let missing = || {
            "no app secret: pass --secret or set META_APP_SECRET (App Dashboard > Settings > Basic)"
                .to_owned()
        };
        let list = self.secret.as_deref().ok_or_else(missing)?;
        AppSecret::parse_list(list).map_err(|_| missing())
    }
}

#[derive(Args, Debug)]
pub(super) struct SignArgs {
    #[command(flatten)]
    body: BodyArgs,
    #[command(flatten)]
    secret: SecretArgs,
    /// The legacy `X-Hub-Signature` (SHA-1) instead of `X-Hub-Signature-256`.
    #[arg(long)]
    sha1: bool,
}

#[derive(Args, Debug)]
pub(super) struct VerifyArgs {
    #[command(flatten)]
    body: BodyArgs,
    #[command(flatten)]
    secret: SecretArgs,
    /// The signature header as captured: `sha256=<hex>`, or the whole line
    /// `X-Hub-Signature-256: sha256=<hex>`.
    #[arg(long)]
    header: String,
}

#[derive(Args, Debug)]
pub(super) struct SendArgs {
    /// The webhook URL, e.g. `http://127.0.0.1:8080/webhook`.
    url: String,
    #[command(flatten)]
    body: BodyArgs,
    #[command(flatten)]
    secret: SecretArgs,
    /// Sign with the legacy `X-Hub-Signature` (SHA-1) only.
    #[arg(long)]
    sha1: bool,
    /// Send it this many times (a local burst).
    #[arg(long, default_value_t = 1)]
    times: usize,
    /// With `--times`: this many requests at once.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
}

#[derive(Args, Debug)]
pub(super) struct HandshakeArgs {
    /// The callback URL, e.g. `https://example.com/webhook`.
    url: String,
    /// The verify token typed into the App Dashboard.
    #[arg(long, env = "META_VERIFY_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The challenge to send (default: a random number, as Meta sends).
    #[arg(long)]
    challenge: Option<String>,
}

fn usage(command: &str, why: &str) -> ExitCode {
    eprintln!("meta-webhooks {command}: {why}");
    ExitCode::from(USAGE)
}

pub(super) fn sign(args: &SignArgs) -> ExitCode {
    let (body, secrets) = match (args.body.read(), args.secret.secrets()) {
        (Ok(body), Ok(secrets)) => (body, secrets),
        (Err(e), _) | (_, Err(e)) => return usage("sign", &e),
    };
    let algorithm = if args.sha1 {
        Algorithm::Sha1
    } else {
        Algorithm::Sha256
    };
    let value = signature::sign(algorithm, &secrets[0], &body);
    println!("{}: {value}", header_title(algorithm));
    ExitCode::SUCCESS
}

fn header_title(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Sha256 => "X-Hub-Signature-256",
        Algorithm::Sha1 => "X-Hub-Signature",
    }
}

pub(super) fn verify(args: &VerifyArgs) -> ExitCode {
    let (body, secrets) = match (args.body.read(), args.secret.secrets()) {
        (Ok(body), Ok(secrets)) => (body, secrets),
        (Err(e), _) | (_, Err(e)) => return usage("verify", &e),
    };
    match diagnose(&body, &secrets, &args.header) {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("meta-webhooks verify: {why}");
            ExitCode::from(FAILED)
        }
    }
}

/// Checks `header` for `body`, and on failure names the most likely cause.
fn diagnose(body: &[u8], secrets: &[AppSecret], header: &str) -> Result<String, String> {
    let value = header
        .split_once(':')
        .filter(|(name, _)| {
            name.trim()
                .to_ascii_lowercase()
                .starts_with("x-hub-signature")
        })
        .map_or(header, |(_, value)| value)
        .trim();
    if value.is_empty() {
        return Err(
            "the signature header is empty: Meta always sends X-Hub-Signature-256 \
                    (a proxy may have dropped it)"
                .to_owned(),
        );
    }
    let algorithm = if value.starts_with("sha1=") {
        Algorithm::Sha1
    } else {
        Algorithm::Sha256
    };
    match signature::verify(algorithm, secrets, body, value.as_bytes()) {
        Ok(()) => Ok(format!(
            "ok: {} matches the body ({} bytes) for the app secret",
            header_title(algorithm),
            body.len()
        )),
        Err(SignatureError::Malformed { reason, .. }) => Err(malformed(value, reason)),
        Err(_) => Err(mismatch(body, secrets, algorithm, value)),
    }
}

fn malformed(value: &str, reason: Malformed) -> String {
    match reason {
        Malformed::Prefix if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) => {
            "missing prefix: the value is 64 hex digits without `sha256=` in front; \
             Meta sends `sha256=<hex>`"
                .to_owned()
        }
        Malformed::Prefix => format!(
            "missing prefix: `{}` does not start with `sha256=` (or the legacy `sha1=`)",
            shorten(value)
        ),
        Malformed::Length { found, expected } => format!(
            "wrong length: {found} hex digits after the prefix, expected {expected} \
             (was the value cut or wrapped when it was copied?)"
        ),
        Malformed::NotHex => "not hex: the digits after the prefix hold a character that \
                              is not 0-9 or a-f"
            .to_owned(),
        _ => "malformed signature header".to_owned(),
    }
}

fn mismatch(body: &[u8], secrets: &[AppSecret], algorithm: Algorithm, value: &str) -> String {
    let matches = |candidate: &[u8]| {
        signature::verify(algorithm, secrets, candidate, value.as_bytes()).is_ok()
    };
    if let Some(trimmed) = body.strip_suffix(b"\n")
        && matches(trimmed.strip_suffix(b"\r").unwrap_or(trimmed))
    {
        return "body changed: it ends with a newline Meta did not send (added by the editor \
                or tool that saved it); sign and verify the bytes exactly as received"
            .to_owned();
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let compact = minify(text);
        if matches(escape_like_meta(text).as_bytes())
            || matches(escape_like_meta(&compact).as_bytes())
        {
            return "body re-serialised: the signature matches this JSON written as Meta sends \
                    it (non-ASCII as \\uXXXX, `/` as `\\/`); something decoded the body and \
                    wrote it again. Verify the raw request bytes, before any JSON parsing"
                .to_owned();
        }
        if matches(compact.as_bytes()) {
            return "body re-serialised: the signature matches this JSON without its added \
                    whitespace; something pretty-printed it. Verify the raw request bytes"
                .to_owned();
        }
    }
    if std::str::from_utf8(body).is_ok_and(|t| !t.is_ascii() || t.replace("\\/", "").contains('/'))
    {
        return "body changed: it holds a raw `/` or non-ASCII text, which Meta always sends \
                escaped (`\\/`, `\\uXXXX`), so these are not the bytes Meta sent (decoded and \
                re-written, keys reordered?); verify the raw request bytes"
            .to_owned();
    }
    format!(
        "no match: neither a wrong-length nor a re-serialised body; the app secret is \
         wrong (use the App Secret of the app that sends, App Dashboard > Settings > Basic; \
         {} tried) or the body is not the bytes Meta sent",
        secrets.len()
    )
}

/// JSON text with non-ASCII characters as `\uXXXX` and `/` as `\/`, the way Meta
/// writes its bodies (both occur only inside strings, so the text is not parsed
/// and its key order is kept).
fn escape_like_meta(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out
}

/// JSON text without the whitespace between tokens (strings kept as they are).
fn minify(text: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::with_capacity(text.len()), false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 24 {
        format!("{}...", text.chars().take(24).collect::<String>())
    } else {
        text.to_owned()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

/// A one-line reason a request failed to reach the server.
/// The URL shown is the one given (never the request's, whose query may carry the
/// verify token or the access token).
pub(super) fn unreachable(url: &str, e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut why = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(inner) = source {
        why = format!("{why}: {inner}");
        source = inner.source();
    }
    format!("cannot reach {url}: {why} (is the server running, and the URL right?)")
}

pub(super) fn send(args: &SendArgs) -> ExitCode {
    let (body, secrets) = match (args.body.read(), args.secret.secrets()) {
        (Ok(body), Ok(secrets)) => (body, secrets),
        (Err(e), _) | (_, Err(e)) => return usage("send", &e),
    };
    if args.times == 0 || args.concurrency == 0 {
        return usage("send", "--times and --concurrency must be at least 1");
    }
    let algorithm = if args.sha1 {
        Algorithm::Sha1
    } else {
        Algorithm::Sha256
    };
    let header = signature::sign(algorithm, &secrets[0], &body);
    let client = client();
    runtime().block_on(async {
        let send_one = || {
            client
                .post(&args.url)
                .header("content-type", "application/json")
                .header(algorithm.header_name(), &header)
                .body(body.clone())
                .send()
        };
        if args.times == 1 {
            return match send_one().await {
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    println!("{status}");
                    if !text.is_empty() {
                        println!("{text}");
                    }
                    if status.is_success() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(FAILED)
                    }
                }
                Err(e) => {
                    eprintln!("meta-webhooks send: {}", unreachable(&args.url, e));
                    ExitCode::from(UNREACHABLE)
                }
            };
        }
        burst(args, send_one).await
    })
}

async fn burst<F, Fut>(args: &SendArgs, send_one: F) -> ExitCode
where
    F: Fn() -> Fut,
    Fut: Future<Output = reqwest::Result<reqwest::Response>>,
{
    use futures_util::StreamExt;
    let start = Instant::now();
    let mut by_status = std::collections::BTreeMap::<String, usize>::new();
    let mut unreachable_error = None;
    let mut answers = futures_util::stream::iter((0..args.times).map(|_| send_one()))
        .buffer_unordered(args.concurrency);
    while let Some(answer) = answers.next().await {
        let key = match answer {
            Ok(response) => response.status().to_string(),
            Err(e) => {
                if unreachable_error.is_none() {
                    unreachable_error = Some(unreachable(&args.url, e));
                }
                "unreachable".to_owned()
            }
        };
        *by_status.entry(key).or_default() += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let counts: Vec<_> = by_status
        .iter()
        .map(|(k, n)| format!("{n} × {k}"))
        .collect();
    println!(
        "sent {} in {elapsed:.2} s ({:.0}/s): {}",
        args.times,
        f64::from(u32::try_from(args.times).unwrap_or(u32::MAX)) / elapsed.max(1e-9),
        counts.join(", ")
    );
    if let Some(why) = unreachable_error {
        eprintln!("meta-webhooks send: {why}");
        return ExitCode::from(UNREACHABLE);
    }
    if by_status.keys().all(|k| k.starts_with('2')) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILED)
    }
}

pub(super) fn handshake(args: &HandshakeArgs) -> ExitCode {
    let Some(token) = args.token.as_deref().filter(|t| !t.trim().is_empty()) else {
        return usage(
            "handshake",
            "no verify token: pass --token or set META_VERIFY_TOKEN (the token typed into the App Dashboard)",
        );
    };
    let challenge = args.challenge.clone().unwrap_or_else(|| {
        (std::collections::hash_map::RandomState::new().hash_one(Instant::now()) % 9_000_000_000
            + 1_000_000_000)
            .to_string()
    });
    let url = match reqwest::Url::parse_with_params(
        &args.url,
        [
            ("hub.mode", "subscribe"),
            ("hub.challenge", challenge.as_str()),
            ("hub.verify_token", token),
        ],
    ) {
        Ok(url) => url,
        Err(e) => return usage("handshake", &format!("`{}` is not a URL: {e}", args.url)),
    };
    runtime().block_on(async {
        let response = match client().get(url).send().await {
            Ok(response) => response,
            Err(e) => {
                eprintln!("meta-webhooks handshake: {}", unreachable(&args.url, e));
                return ExitCode::from(UNREACHABLE);
            }
        };
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            eprintln!(
                "meta-webhooks handshake: fail: the server answered {status} ({}); Meta needs 200 \
                 with the challenge: check the verify token and the path",
                shorten(text.trim())
            );
            return ExitCode::from(FAILED);
        }
        if text != challenge {
            eprintln!(
                "meta-webhooks handshake: fail: the body is `{}`, not the challenge `{challenge}` \
                 exactly (Meta compares the whole body: no JSON, quotes or newline)",
                shorten(&text)
            );
            return ExitCode::from(FAILED);
        }
        let note = if content_type.starts_with("text/plain") {
            String::new()
        } else {
            format!(" (content type `{content_type}`; text/plain is safer)")
        };
        let loopback = reqwest::Url::parse(&args.url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h == "localhost" || h == "127.0.0.1" || h == "[::1]")
            })
            .unwrap_or(false);
        if !args.url.starts_with("https://") && !loopback {
            eprintln!(
                "meta-webhooks handshake: fail: the answer is right, but Meta calls only HTTPS \
                 URLs with a certificate from a public CA; serve HTTPS (META_WEBHOOK_TLS_CERT) \
                 or put a TLS proxy in front"
            );
            return ExitCode::from(FAILED);
        }
        println!("pass: {status}, the challenge {challenge} echoed exactly{note}");
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Vec<AppSecret> {
        vec![AppSecret::new("test_app_secret").unwrap()]
    }

    // reliability.md 1.3: the raw bytes Meta sends, and their signature.
    const RAW: &str = r#"{"object":"page","entry":[{"id":"123","time":1700000000,"messaging":[{"sender":{"id":"1"},"recipient":{"id":"123"},"timestamp":1700000000000,"message":{"mid":"m_1","text":"caf\u00e9 \/ \u00e4\u00f6\u00e5"}}]}]}"#;
    const HEADER: &str = "sha256=9d01f3906cc23943c4b0475112e37c7159a595927b59d01180366869f22d9057";

    #[test]
    fn each_cause_is_named() {
        assert!(
            diagnose(RAW.as_bytes(), &secret(), HEADER)
                .unwrap()
                .starts_with("ok")
        );
        assert!(
            diagnose(
                RAW.as_bytes(),
                &secret(),
                &format!("X-Hub-Signature-256: {HEADER}")
            )
            .is_ok()
        );
        // Decoded and written again, compact or pretty, keys in Meta's order.
        let decoded = RAW
            .replace(r"\u00e9", "é")
            .replace(r"\u00e4\u00f6\u00e5", "äöå")
            .replace(r"\/", "/");
        for reserialised in [
            decoded.clone(),
            decoded.replace(',', ",\n  ").replace(':', ": "),
        ] {
            let why = diagnose(reserialised.as_bytes(), &secret(), HEADER).unwrap_err();
            assert!(why.starts_with("body re-serialised"), "{why}");
        }
        let pretty = RAW.replace(',', ", ");
        let why = diagnose(pretty.as_bytes(), &secret(), HEADER).unwrap_err();
        assert!(why.contains("pretty-printed"), "{why}");
        let why = diagnose(format!("{RAW}\n").as_bytes(), &secret(), HEADER).unwrap_err();
        assert!(why.contains("newline"), "{why}");
        let why = diagnose(RAW.as_bytes(), &secret(), &HEADER[7..]).unwrap_err();
        assert!(why.starts_with("missing prefix"), "{why}");
        let why = diagnose(RAW.as_bytes(), &secret(), &HEADER[..60]).unwrap_err();
        assert!(why.starts_with("wrong length: 53"), "{why}");
        let reordered = r#"{"entry":[],"object":"page","url":"https://example.com/x"}"#;
        let why = diagnose(reordered.as_bytes(), &secret(), HEADER).unwrap_err();
        assert!(why.contains("not the bytes Meta sent"), "{why}");
        let other = vec![AppSecret::new("another").unwrap()];
        let why = diagnose(RAW.as_bytes(), &other, HEADER).unwrap_err();
        assert!(why.contains("app secret is wrong"), "{why}");
    }

    #[test]
    fn meta_escaping_reproduces_the_raw_bytes() {
        let decoded: serde_json::Value = serde_json::from_str(RAW).unwrap();
        let text = decoded["entry"][0]["messaging"][0]["message"]["text"]
            .as_str()
            .unwrap();
        assert_eq!(escape_like_meta(text), r"caf\u00e9 \/ \u00e4\u00f6\u00e5");
        assert_eq!(escape_like_meta("😀"), r"\ud83d\ude00");
        assert_eq!(
            minify("{ \"a b\" : [1, \"\\\" x\"] }"),
            r#"{"a b":[1,"\" x"]}"#
        );
    }
}
