//! A small Graph API client (feature `graph`): what webhook handlers and the
//! command-line tool need (reply to a message, mark it read, subscribe an app to a
//! Page or a WhatsApp Business Account), not a whole SDK.
//!
//! - The access token travels in the `Authorization` header, never in a URL, so it
//!   stays out of proxies' and servers' logs; [`Token`]'s `Debug` is redacted.
//! - Every request has a timeout; a request Meta answers with a 5xx, a 429 or one
//!   of its throttling codes is retried with exponential backoff, as is one that
//!   could not be sent at all. A request that may have reached Meta (a timeout
//!   after sending) is not retried: a reply must not be sent twice.
//! - Errors carry Meta's fields: code, subcode, type, message and `fbtrace_id`
//!   (what Meta's support asks for), in one line.
//!
//! Give it to handlers as state:
//!
//! ```no_run
//! use std::sync::Arc;
//! use webhook_server::graph::{Graph, Token};
//! use webhook_server::{Server, State, on};
//!
//! #[on(object = "page", field = "messages")]
//! async fn reply(State(graph): State<Graph>, State(token): State<Token>) -> anyhow::Result<()> {
//!     let body = serde_json::json!({"recipient": {"id": "123"}, "message": {"text": "hi"}});
//!     graph.post_json("me/messages", &token, &body).await?;
//!     Ok(())
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Server::from_env()?.dispatcher(|b| {
//!     b.state(Graph::new()).state(Token::new(std::env::var("META_PAGE_ACCESS_TOKEN").unwrap_or_default()))
//! });
//! # let _ = server; Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// The Graph API version used unless configured otherwise.
pub const DEFAULT_VERSION: &str = "v23.0";

/// The Graph API's address.
pub const DEFAULT_URL: &str = "https://graph.facebook.com";

/// The Instagram Graph API's address (Instagram Login tokens).
pub const INSTAGRAM_URL: &str = "https://graph.instagram.com";

/// An access token (app, Page, system user ...). Its `Debug` and `Display` never
/// show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token.
    #[must_use]
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into().trim().to_owned())
    }

    /// Whether it is empty (not configured).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The token itself, for a request of your own.
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The client. Cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct Graph {
    http: reqwest::Client,
    url: String,
    version: String,
    retries: u32,
    backoff: Duration,
}

impl Default for Graph {
    fn default() -> Self {
        Self::new()
    }
}

impl Graph {
    /// `https://graph.facebook.com`, [`DEFAULT_VERSION`], 10 s per request, 3
    /// retries starting at 500 ms.
    #[must_use]
    pub fn new() -> Self {
        Self::with(DEFAULT_URL, DEFAULT_VERSION, Duration::from_secs(10))
    }

    /// Another address (`https://graph.instagram.com`, a stand-in in tests), version
    /// and timeout per request.
    #[must_use]
    pub fn with(url: &str, version: &str, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .build()
            .unwrap_or_default();
        Self {
            http,
            url: url.trim_end_matches('/').to_owned(),
            version: version.trim_matches('/').to_owned(),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }

    /// Retries of a transient failure, and the first pause (it doubles).
    #[must_use]
    pub fn retries(mut self, retries: u32, first_pause: Duration) -> Self {
        self.retries = retries;
        self.backoff = first_pause;
        self
    }

    /// The URL of `path` (`me/messages`, `123/subscribed_apps`).
    #[must_use]
    pub fn url_of(&self, path: &str) -> String {
        format!(
            "{}/{}/{}",
            self.url,
            self.version,
            path.trim_start_matches('/')
        )
    }

    /// `GET path?query`.
    pub async fn get(
        &self,
        path: &str,
        token: &Token,
        query: &[(&str, &str)],
    ) -> Result<Value, GraphError> {
        self.with_query(reqwest::Method::GET, path, token, query)
            .await
    }

    /// `POST path` with a form body.
    pub async fn post(
        &self,
        path: &str,
        token: &Token,
        form: &[(&str, &str)],
    ) -> Result<Value, GraphError> {
        let url = self.url_of(path);
        self.send(&url, token, || self.http.post(&url).form(form))
            .await
    }

    /// `POST path` with a JSON body (the Send API, the WhatsApp Cloud API).
    pub async fn post_json(
        &self,
        path: &str,
        token: &Token,
        body: &Value,
    ) -> Result<Value, GraphError> {
        let url = self.url_of(path);
        let body = body.to_string();
        self.send(&url, token, || {
            self.http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
        })
        .await
    }

    /// `DELETE path?query`.
    pub async fn delete(
        &self,
        path: &str,
        token: &Token,
        query: &[(&str, &str)],
    ) -> Result<Value, GraphError> {
        self.with_query(reqwest::Method::DELETE, path, token, query)
            .await
    }

    async fn with_query(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &Token,
        query: &[(&str, &str)],
    ) -> Result<Value, GraphError> {
        let url = self.url_of(path);
        self.send(&url, token, || {
            self.http.request(method.clone(), &url).query(query)
        })
        .await
    }

    async fn send(
        &self,
        url: &str,
        token: &Token,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Value, GraphError> {
        let mut pause = self.backoff;
        let mut attempt = 0;
        loop {
            let result = self.once(url, token, request()).await;
            let retry = match &result {
                Err(GraphError::Api(e)) => e.is_transient(),
                Err(GraphError::Unreachable { sent: false, .. }) => true,
                _ => false,
            };
            if !retry || attempt >= self.retries {
                return result;
            }
            attempt += 1;
            tracing::debug!(attempt, "Graph API request failed, retrying in {pause:?}");
            tokio::time::sleep(pause).await;
            pause = pause.saturating_mul(2);
        }
    }

    async fn once(
        &self,
        url: &str,
        token: &Token,
        request: reqwest::RequestBuilder,
    ) -> Result<Value, GraphError> {
        let response = request
            .bearer_auth(token.secret())
            .send()
            .await
            .map_err(|e| GraphError::Unreachable {
                url: url.to_owned(),
                sent: !e.is_connect(),
                why: chain(&e.without_url()),
            })?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| GraphError::Unreachable {
                url: url.to_owned(),
                sent: true,
                why: chain(&e.without_url()),
            })?;
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return Err(GraphError::NotJson {
                url: url.to_owned(),
                status,
            });
        };
        if let Some(error) = body.get("error") {
            return Err(GraphError::Api(ApiError::from_json(status, error)));
        }
        if !(200..300).contains(&status) {
            return Err(GraphError::Api(ApiError {
                status,
                code: 0,
                subcode: None,
                kind: "HTTP".to_owned(),
                message: body.to_string(),
                fbtrace_id: None,
            }));
        }
        Ok(body)
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut why = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        why = format!("{why}: {inner}");
        source = inner.source();
    }
    why
}

/// Why a Graph API request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphError {
    /// No answer: the address is wrong, the network down, or it timed out.
    Unreachable {
        /// The URL (never with a token).
        url: String,
        /// Whether the request may have reached Meta (then it is not retried).
        sent: bool,
        /// The cause.
        why: String,
    },
    /// An answer that is not JSON (a proxy's error page ...).
    NotJson {
        /// The URL.
        url: String,
        /// Its HTTP status.
        status: u16,
    },
    /// Meta's error object.
    Api(ApiError),
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable { url, why, .. } => write!(f, "cannot reach {url}: {why}"),
            Self::NotJson { url, status } => {
                write!(
                    f,
                    "{url} answered {status} without JSON (not the Graph API?)"
                )
            }
            Self::Api(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for GraphError {}

/// Meta's error fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// `error.code` (190: the token; 100: a parameter; 4, 17, 32, 613: throttled).
    pub code: i64,
    /// `error.error_subcode` (463: the token expired; 460: the password changed ...).
    pub subcode: Option<i64>,
    /// `error.type` (`OAuthException` ...).
    pub kind: String,
    /// `error.message`.
    pub message: String,
    /// `error.fbtrace_id`, what Meta's support asks for.
    pub fbtrace_id: Option<String>,
}

impl ApiError {
    fn from_json(status: u16, error: &Value) -> Self {
        Self {
            status,
            code: error["code"].as_i64().unwrap_or_default(),
            subcode: error["error_subcode"].as_i64(),
            kind: error["type"].as_str().unwrap_or("error").to_owned(),
            message: error["message"].as_str().unwrap_or("no message").to_owned(),
            fbtrace_id: error["fbtrace_id"].as_str().map(str::to_owned),
        }
    }

    /// Whether trying again later can succeed: a 5xx or 429, Meta's transient
    /// codes (1, 2) and its rate limits (4, 17, 32, 341, 613, 80001–80014, the
    /// WhatsApp Cloud API's 130429 and 131056).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        self.status >= 500
            || self.status == 429
            || matches!(
                self.code,
                1 | 2 | 4 | 17 | 32 | 341 | 613 | 80_001..=80_014 | 130_429 | 131_056
            )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph API error {}", self.code)?;
        if let Some(subcode) = self.subcode {
            write!(f, "/{subcode}")?;
        }
        write!(f, " ({}): {}", self.kind, self.message)?;
        if let Some(trace) = &self.fbtrace_id {
            write!(f, " (fbtrace_id {trace})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_shows() {
        let token = Token::new("EAAB-secret-token");
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
    }

    #[test]
    fn errors_carry_metas_fields_in_one_line() {
        let error = ApiError::from_json(
            400,
            &serde_json::json!({"message": "Error validating access token: Session has expired",
                "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "AbC123"}),
        );
        assert_eq!(
            error.to_string(),
            "Graph API error 190/463 (OAuthException): Error validating access token: Session has expired (fbtrace_id AbC123)"
        );
        assert!(!error.is_transient());
        let throttled = ApiError {
            code: 613,
            ..error.clone()
        };
        assert!(throttled.is_transient());
        let down = ApiError {
            status: 503,
            code: 0,
            ..error
        };
        assert!(down.is_transient());
    }
}
