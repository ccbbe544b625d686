//! Testing handlers without Meta (feature `testing`): signed requests, a client that
//! sends them through the real router in-process, the dispatch report of each
//! delivery, and realistic fixture payloads for every typed field.
//!
//! ```toml
//! [dev-dependencies]
//! webhook-server = { version = "0.1", features = ["testing"] }
//! ```
//!
//! A handler tested end to end, in a few lines:
//!
//! ```standalone_crate
//! use webhook_server::testing::{self, TestClient};
//! use webhook_server::{State, Payload, on};
//! use webhook_server::fields::page::Feed;
//! use std::sync::Mutex;
//!
//! #[derive(Default)]
//! struct Posts(Mutex<Vec<String>>);
//!
//! #[on(object = "page", field = "feed", when(item = "status"))]
//! async fn new_status(Payload(feed): Payload<Feed>, State(posts): State<Posts>) {
//!     posts.0.lock().unwrap().push(feed.message.unwrap_or_default());
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let client = TestClient::new(testing::server().state(Posts::default())).unwrap();
//! let body = testing::fixture_where("page", "feed", &[("item", "status"), ("verb", "add")])
//!     .unwrap()
//!     .edit()
//!     .entry_id("1234")
//!     .text("Hello from a test")
//!     .build();
//!
//! let response = client.deliver(&body).await;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.handlers(), [("new_status", "page", Some("feed"))]);
//! let posts = client.state::<Posts>().unwrap();
//! assert_eq!(*posts.0.lock().unwrap(), ["Hello from a test"]);
//! # });
//! ```
//!
//! [`server`] is the bundled server in inline mode (handlers run before the answer,
//! so the report is complete when the response arrives) with the secret
//! [`TEST_APP_SECRET`] and the verify token [`TEST_VERIFY_TOKEN`]. Any [`Server`]
//! works: in durable mode the response carries no report, since handlers run later.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use webhook_core::DispatchReport;
use webhook_core::signature::{self, Algorithm, AppSecret};

use crate::{Config, ConfigBuilder, RunningWorkers, Server, ServerError};

pub use crate::fixtures::{
    Fixture, FixtureBuilder, fixture, fixture_named, fixture_where, fixtures,
};

/// The app secret of [`config`] and [`server`].
pub const TEST_APP_SECRET: &str = "test-app-secret";
/// The verify token of [`config`] and [`server`].
pub const TEST_VERIFY_TOKEN: &str = "test-verify-token";

/// A configuration for tests: inline mode, [`TEST_APP_SECRET`],
/// [`TEST_VERIFY_TOKEN`]; adjust it before building.
#[must_use]
pub fn config() -> ConfigBuilder {
    Config::builder()
        .app_secret(TEST_APP_SECRET)
        .verify_token(TEST_VERIFY_TOKEN)
        .inline()
}

/// The bundled server with every `#[on]` handler of the program and [`config`].
#[must_use]
pub fn server() -> Server {
    Server::new(config().build().expect("the test configuration is valid"))
}

/// The signature header for `body` under `secret`: its name and value, as Meta
/// sends it.
#[must_use]
pub fn sign(body: &[u8], secret: &str, algorithm: Algorithm) -> (&'static str, String) {
    let secret = AppSecret::new(secret).expect("a non-empty secret");
    (
        algorithm.header_name(),
        signature::sign(algorithm, &secret, body),
    )
}

/// A `POST` of `body` to `path`, signed as Meta signs it.
#[must_use]
pub fn signed_request(
    path: &str,
    body: &[u8],
    secret: &str,
    algorithm: Algorithm,
) -> Request<Body> {
    let (name, value) = sign(body, secret, algorithm);
    Request::post(path)
        .header("content-type", "application/json")
        .header(name, value)
        .body(Body::from(body.to_vec()))
        .expect("a valid request")
}

/// Starts `server` over loopback HTTP on a free port, as it runs in production
/// (the bundled connection loop with its limits, workers in durable mode), for
/// tests that need real sockets; stop it with [`RunningServer::stop`].
///
/// ```standalone_crate
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use webhook_server::testing;
///
/// let running = testing::spawn(testing::server()).await;
/// let url = format!("{}?hub.mode=subscribe&hub.verify_token={}&hub.challenge=7",
///     running.url(), testing::TEST_VERIFY_TOKEN);
/// # let _ = url;
/// running.stop().await.unwrap();
/// # });
/// ```
pub async fn spawn(server: Server) -> RunningServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().expect("a bound listener");
    let path = server.config().path().to_owned();
    let stats = server.stats();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_on(listener, async move {
        let _ = stopped.await;
    }));
    RunningServer {
        addr,
        url: format!("http://{addr}{path}"),
        stats,
        stop: Some(stop),
        task,
    }
}

/// A server started by [`spawn`]. Dropping it stops it too, without waiting.
#[derive(Debug)]
pub struct RunningServer {
    addr: std::net::SocketAddr,
    url: String,
    stats: Arc<crate::Stats>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// The address it listens on.
    #[must_use]
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// The webhook URL: `http://127.0.0.1:{port}{path}`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its counters (see [`Server::stats`]).
    #[must_use]
    pub fn stats(&self) -> &crate::Stats {
        &self.stats
    }

    /// Whether it stopped (by itself: an error, or a panic).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Shuts it down gracefully (requests in flight finish, workers finish the
    /// delivery they hold) and returns how serving ended.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .expect("the server task does not panic")
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Sends requests through the server's router in-process: the real routes,
/// signature check, limits and dispatch, without a socket.
pub struct TestClient {
    router: Router,
    path: String,
    secret: AppSecret,
    states: Arc<webhook_core::Dispatcher>,
    _workers: RunningWorkers,
}

impl TestClient {
    /// Builds the server's router (and, in durable mode, starts its workers).
    /// Fails as the server would at start-up, for example on a missing `State<T>`.
    pub fn new(server: Server) -> Result<Self, ServerError> {
        let path = server.config().path().to_owned();
        let secret = server.config().secrets[0].clone();
        let parts = server.into_parts()?;
        Ok(Self {
            router: parts.router,
            path,
            secret,
            states: parts.dispatcher,
            _workers: parts.workers.spawn(),
        })
    }

    /// The shared state of type `T` the server's handlers receive, to inspect what
    /// they did.
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.states.state::<T>()
    }

    /// Delivers `body` signed with the server's first secret
    /// (`X-Hub-Signature-256`), as Meta does.
    pub async fn deliver(&self, body: impl AsRef<[u8]>) -> TestResponse {
        self.deliver_with(body, Algorithm::Sha256).await
    }

    /// Delivers `body` signed with the given header kind (the legacy SHA-1
    /// `X-Hub-Signature` is refused unless the server allows it).
    pub async fn deliver_with(&self, body: impl AsRef<[u8]>, algorithm: Algorithm) -> TestResponse {
        let body = body.as_ref();
        let header = signature::sign(algorithm, &self.secret, body);
        let request = Request::post(&self.path)
            .header(algorithm.header_name(), header)
            .body(Body::from(body.to_vec()))
            .expect("a valid request");
        self.send(request).await
    }

    /// Posts `body` with exactly these headers (none added): to test refusals.
    pub async fn post(&self, body: impl AsRef<[u8]>, headers: &[(&str, &str)]) -> TestResponse {
        let mut request = Request::post(&self.path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Body::from(body.as_ref().to_vec()))
            .expect("valid headers");
        self.send(request).await
    }

    /// The verification handshake with this token and challenge.
    pub async fn handshake(&self, token: &str, challenge: &str) -> TestResponse {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("hub.mode", "subscribe")
            .append_pair("hub.verify_token", token)
            .append_pair("hub.challenge", challenge)
            .finish();
        let request = Request::get(format!("{}?{query}", self.path))
            .body(Body::empty())
            .expect("a valid request");
        self.send(request).await
    }

    /// Sends any request through the router.
    pub async fn send(&self, mut request: Request<Body>) -> TestResponse {
        request.extensions_mut().insert(crate::routes::WantReport);
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let (parts, body) = response.into_parts();
        let bytes = body
            .collect()
            .await
            .map(http_body_util::Collected::to_bytes)
            .unwrap_or_default();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            report: parts.extensions.get::<Arc<DispatchReport>>().cloned(),
        }
    }
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// What the server answered, and what its handlers did.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
    report: Option<Arc<DispatchReport>>,
}

impl TestResponse {
    /// The status code, as a number.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The response body (`EVENT_RECEIVED`, the challenge, or why it was refused).
    #[must_use]
    pub fn text(&self) -> &str {
        &self.body
    }

    /// The response headers.
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The dispatch report of an inline delivery: every item and every handler
    /// call with its outcome. `None` for refusals and in durable mode.
    #[must_use]
    pub fn report(&self) -> Option<&DispatchReport> {
        self.report.as_deref()
    }

    /// Every handler call, in order: `(handler, object, field)`.
    #[must_use]
    pub fn handlers(&self) -> Vec<(&str, &str, Option<&str>)> {
        self.report()
            .map(|report| {
                report
                    .runs()
                    .map(|(item, run)| (run.handler.name, item.object(), item.field()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many times `handler` (its function name) was called.
    #[must_use]
    pub fn calls(&self, handler: &str) -> usize {
        self.handlers()
            .iter()
            .filter(|(name, _, _)| *name == handler)
            .count()
    }

    /// Panics, naming what did run, unless every item was handled by exactly the
    /// named handlers, in order (`expected[i]` lists item `i`'s handlers).
    #[track_caller]
    pub fn assert_items_handled_by(&self, expected: &[&[&str]]) {
        let Some(report) = self.report() else {
            panic!(
                "no dispatch report: the request was answered {} ({}) or the server is in durable mode",
                self.status, self.body
            );
        };
        let actual: Vec<Vec<&str>> = report
            .items()
            .iter()
            .map(|item| item.runs().iter().map(|run| run.handler.name).collect())
            .collect();
        assert_eq!(
            actual, expected,
            "handlers per item (left: what ran, right: expected)"
        );
        let failed: Vec<_> = report
            .failures()
            .map(|(item, run)| {
                format!(
                    "{} on {:?}: {}",
                    run.handler.name,
                    item.field(),
                    run.outcome
                )
            })
            .collect();
        assert!(failed.is_empty(), "handlers failed: {failed:#?}");
    }
}

#[cfg(test)]
mod tests;
