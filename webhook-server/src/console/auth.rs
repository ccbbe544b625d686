//! Who may use the console: loopback without a token, else a session cookie from
//! the login form or a bearer token; and the CSRF token every form carries.

use std::fmt::Write as _;
use std::time::Duration;

use askama::Template;
use axum::extract::{Form, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::Console;
use crate::config::AdminToken;

/// The session cookie's name.
const COOKIE: &str = "meta_webhooks_console";
/// How long a login lasts.
const SESSION: Duration = Duration::from_hours(12);

/// The admin token and the key of this process's sessions and CSRF tokens.
pub(crate) struct Auth {
    token: Option<AdminToken>,
    key: [u8; 32],
}

/// Who is asking, as [`guard`] established it.
#[derive(Debug, Clone)]
pub(crate) enum Who {
    /// No admin token: a loopback listener, asked for by a loopback name.
    Loopback,
    /// A logged-in browser, with its session cookie's value.
    Session(String),
    /// A script with the admin token in `Authorization`.
    Bearer,
}

impl Auth {
    pub(crate) fn new(token: Option<AdminToken>) -> Result<Self, String> {
        let mut key = [0; 32];
        getrandom::fill(&mut key)
            .map_err(|e| format!("no randomness for the console's session key: {e}"))?;
        Ok(Self { token, key })
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        for part in parts {
            mac.update(part);
            mac.update(b"\0");
        }
        mac.finalize()
            .into_bytes()
            .iter()
            .fold(String::with_capacity(64), |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            })
    }

    /// A session cookie's value, valid until `now + SESSION`.
    fn new_session(&self, now_ms: u64) -> String {
        let until = now_ms + u64::try_from(SESSION.as_millis()).unwrap_or(u64::MAX);
        let until = until.to_string();
        let mac = self.mac(&[b"session", until.as_bytes()]);
        format!("{until}.{mac}")
    }

    fn session_valid(&self, value: &str, now_ms: u64) -> bool {
        let Some((until, mac)) = value.split_once('.') else {
            return false;
        };
        let expected = self.mac(&[b"session", until.as_bytes()]);
        bool::from(expected.as_bytes().ct_eq(mac.as_bytes()))
            && until.parse::<u64>().is_ok_and(|until| until > now_ms)
    }

    fn token_matches(&self, given: &str) -> bool {
        self.token.as_ref().is_some_and(|token| {
            // Compared as MACs: equal lengths, constant time.
            let (given, token) = (
                self.mac(&[b"token", given.trim().as_bytes()]),
                self.mac(&[b"token", token.secret().as_bytes()]),
            );
            bool::from(given.as_bytes().ct_eq(token.as_bytes()))
        })
    }

    /// The CSRF token of `who`'s forms.
    pub(crate) fn csrf(&self, who: &Who) -> String {
        let subject = match who {
            Who::Session(session) => session.as_str(),
            Who::Loopback | Who::Bearer => "loopback",
        };
        self.mac(&[b"csrf", subject.as_bytes()])
    }

    /// Whether a `POST` of `who` carries the right CSRF token (bearer requests,
    /// which a browser never sends by itself, need none).
    pub(crate) fn csrf_ok(&self, who: &Who, given: Option<&str>) -> bool {
        matches!(who, Who::Bearer)
            || given
                .is_some_and(|given| bool::from(self.csrf(who).as_bytes().ct_eq(given.as_bytes())))
    }
}

/// Whether the `Host` names this machine.
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// A `POST` sent by a page of another site: its `Origin` (or, without one,
/// `Sec-Fetch-Site`) says so.
fn cross_site(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        let origin_host = origin.split_once("://").map(|(_, rest)| rest);
        return origin_host != host;
    }
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
}

fn refused(status: StatusCode, api: bool, why: &str) -> Response {
    if api {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "error": why }).to_string(),
        )
            .into_response()
    } else {
        (status, why.to_owned()).into_response()
    }
}

/// Lets through who may use the console, with a [`Who`] in the request's
/// extensions; sends a browser to the login form, a script a 401.
pub(crate) async fn guard(
    State(console): State<Console>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let api = request.uri().path().starts_with("/console/api/");
    let auth = &console.auth;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let who = if auth.token.is_none() {
        if !loopback_host(headers) {
            return refused(
                StatusCode::MISDIRECTED_REQUEST,
                api,
                "the console answers loopback names only (127.0.0.1, localhost) while no \
                 META_WEBHOOK_ADMIN_TOKEN is set",
            );
        }
        Some(Who::Loopback)
    } else if let Some(bearer) = bearer {
        if !auth.token_matches(bearer) {
            return refused(StatusCode::UNAUTHORIZED, api, "wrong admin token");
        }
        Some(Who::Bearer)
    } else {
        cookie(headers)
            .filter(|session| auth.session_valid(session, webhook_core::delivery::now_ms()))
            .map(Who::Session)
    };
    let Some(who) = who else {
        if api || request.method() != Method::GET {
            return refused(
                StatusCode::UNAUTHORIZED,
                api,
                "log in at /console/login, or send Authorization: Bearer <admin token>",
            );
        }
        let next = request
            .uri()
            .path_and_query()
            .map_or("/console", |p| p.as_str());
        let target = format!("/console/login?next={}", urlencode(next));
        return Redirect::to(&target).into_response();
    };
    if request.method() == Method::POST && !matches!(who, Who::Bearer) && cross_site(headers) {
        return refused(StatusCode::FORBIDDEN, api, "cross-site request refused");
    }
    request.extensions_mut().insert(who);
    next.run(request).await
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage<'a> {
    next: &'a str,
    error: Option<&'a str>,
    open: bool,
}

#[derive(Deserialize)]
pub(crate) struct NextPage {
    next: Option<String>,
}

/// Only a console path: a login must not redirect elsewhere.
fn safe_next(next: Option<&str>) -> &str {
    next.filter(|n| n.starts_with("/console") && !n.contains("//") && !n.contains('\\'))
        .unwrap_or("/console")
}

pub(crate) async fn login_form(
    State(console): State<Console>,
    Query(next): Query<NextPage>,
) -> Response {
    let page = LoginPage {
        next: safe_next(next.next.as_deref()),
        error: None,
        open: console.auth.token.is_none(),
    };
    super::pages::render(&page)
}

#[derive(Deserialize)]
pub(crate) struct Login {
    token: String,
    next: Option<String>,
}

pub(crate) async fn login(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(login): Form<Login>,
) -> Response {
    let next = safe_next(login.next.as_deref());
    if cross_site(&headers) {
        return refused(StatusCode::FORBIDDEN, false, "cross-site request refused");
    }
    if !console.auth.token_matches(&login.token) {
        // Slows guessing; the token's length makes guessing hopeless anyway.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let page = LoginPage {
            next,
            error: Some("That is not the admin token."),
            open: console.auth.token.is_none(),
        };
        let mut response = super::pages::render(&page);
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return response;
    }
    let session = console.auth.new_session(webhook_core::delivery::now_ms());
    let cookie = format!(
        "{COOKIE}={session}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}",
        SESSION.as_secs()
    );
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, next.to_owned()),
        ],
    )
        .into_response()
}

pub(crate) async fn logout() -> Response {
    let cookie = format!("{COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0");
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, "/console/login".to_owned()),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> Auth {
        Auth::new(Some(AdminToken("a-long-admin-token-0123".to_owned()))).unwrap()
    }

    #[test]
    fn a_session_is_valid_until_it_expires_and_cannot_be_forged() {
        let auth = auth();
        let session = auth.new_session(1_000);
        assert!(auth.session_valid(&session, 2_000));
        assert!(!auth.session_valid(&session, 1_000 + 13 * 3_600_000));
        let (until, mac) = session.split_once('.').unwrap();
        let later = until.parse::<u64>().unwrap() + 1_000_000;
        assert!(!auth.session_valid(&format!("{later}.{mac}"), 2_000));
        assert!(!auth.session_valid("garbage", 2_000));
        // Another process (another key) does not take it.
        assert!(!Auth::new(None).unwrap().session_valid(&session, 2_000));
    }

    #[test]
    fn the_csrf_token_is_the_sessions_own() {
        let auth = auth();
        let a = Who::Session(auth.new_session(1));
        let b = Who::Session(auth.new_session(2));
        assert!(auth.csrf_ok(&a, Some(&auth.csrf(&a))));
        assert!(!auth.csrf_ok(&a, Some(&auth.csrf(&b))));
        assert!(!auth.csrf_ok(&a, None));
        assert!(auth.csrf_ok(&Who::Bearer, None));
    }

    #[test]
    fn only_loopback_names_are_loopback() {
        let host = |h: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, h.parse().unwrap());
            loopback_host(&headers)
        };
        assert!(host("127.0.0.1:9090"));
        assert!(host("localhost:9090"));
        assert!(host("[::1]:9090"));
        assert!(!host("attacker.example:9090"));
        assert!(!host("10.0.0.5:9090"));
    }

    #[test]
    fn a_login_redirects_only_inside_the_console() {
        assert_eq!(
            safe_next(Some("/console/deliveries?state=dead")),
            "/console/deliveries?state=dead"
        );
        assert_eq!(safe_next(Some("https://evil.example/")), "/console");
        assert_eq!(safe_next(Some("/console//evil.example")), "/console");
        assert_eq!(safe_next(None), "/console");
    }
}
