//! The two requests Meta sends to the webhook path, and the status policy.
//!
//! | request | answer |
//! |---|---|
//! | `GET`, `hub.mode=subscribe`, token matches | `200 text/plain`, the challenge exactly |
//! | `GET`, wrong token or mode | `403` |
//! | `GET`, a parameter missing or repeated | `400` |
//! | `POST`, a `Content-Encoding` other than `identity` (a compressed body is never inflated: zip bombs) | `415`, before reading the body |
//! | `POST`, signature header missing or malformed (or duplicated) | `401`, before reading the body |
//! | `POST`, declared body over the limit | `413`, before reading the body |
//! | `POST`, the bodies being read fill the buffered-bytes budget | `503` with `Retry-After` |
//! | `POST`, body over the limit, or not read within the body deadline or at the minimum rate | `413`, `408` |
//! | `POST`, signature does not match | `403` |
//! | `POST`, too many verified deliveries in flight | `503` with `Retry-After`, before reading the body, or after verifying it |
//! | durable mode: `POST`, signed, stored (or a duplicate of a stored body) | `200` |
//! | durable mode: `POST`, signed, the store is full or cannot be written | `503` with `Retry-After` (Meta retries) |
//! | inline mode: `POST`, signed, but not a notification envelope | `400` (durable mode stores it and dead-letters it) |
//! | inline mode: `POST`, signed, a handler failed or panicked | `500` (Meta redelivers: handlers must be idempotent) |
//! | inline mode: `POST`, signed, every handler that ran succeeded, or none matched | `200` |
//!
//! Every refusal says why, in its `text/plain` body and in the log, where refusals of
//! one kind and status share one line per ten seconds with a count (a scanner is not
//! a flood of logs). Deliveries
//! acknowledged, duplicates, signature refusals, shed requests and connections, 503s
//! of the store, 408, 413, 415 and inline 400/500 are counted in
//! [`Stats`]. Nothing of an unsigned body is parsed.
//!
//! Signature failures: a request without a usable signature (missing, malformed,
//! repeated, SHA-1 only) is *unauthenticated*, `401`; one whose well-formed
//! signature does not match is *forbidden*, `403`. Both are refused before the body
//! is parsed, and Meta treats both alike (anything but 200 is retried).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use futures_util::FutureExt;
use http_body_util::BodyExt;
use tokio::sync::Semaphore;
use webhook_core::delivery::{Engine, Enqueued};
use webhook_core::signature::{self, Algorithm, SignatureError};
use webhook_core::{Dispatcher, Notification, Outcome, handshake};

use crate::config::Config;
use crate::observe;
use crate::per_address::PerAddress;
use crate::quiet::LogWindow;
use crate::stats::{Event, Stats};
use tracing::Instrument;

pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) dispatcher: Arc<Dispatcher>,
    /// Durable mode's engine; `None` in inline mode.
    pub(crate) engine: Option<Arc<Engine>>,
    /// Permits for verified deliveries in flight (load shedding).
    pub(crate) in_flight: Semaphore,
    /// Permits for body bytes buffered, one per byte.
    pub(crate) body_budget: Semaphore,
    /// The bytes of that budget each client address holds.
    pub(crate) body_shares: PerAddress,
    pub(crate) stats: Arc<Stats>,
    /// Refusals logged at most once per status and interval.
    pub(crate) refusals: QuietLog,
}

/// The webhook routes (`GET` and `POST` on the configured path), to serve or to
/// merge into your own axum `Router`.
pub(crate) fn router(
    config: Config,
    dispatcher: Arc<Dispatcher>,
    engine: Option<Arc<Engine>>,
    stats: Arc<Stats>,
) -> Router {
    let path = config.path().to_owned();
    let in_flight = Semaphore::new(config.limits().max_in_flight.max(1));
    let body_budget = Semaphore::new(
        config
            .limits()
            .body_budget
            .clamp(config.body_limit(), Semaphore::MAX_PERMITS),
    );
    let body_shares = PerAddress::new(address_share(
        &config.limits(),
        body_budget.available_permits(),
        config.body_limit(),
    ));
    let app = Arc::new(App {
        config,
        dispatcher,
        engine,
        in_flight,
        body_budget,
        body_shares,
        stats,
        refusals: QuietLog::default(),
    });
    Router::new()
        // `receive` reads and limits the body itself.
        .route(&path, get(verify).post(receive))
        .with_state(app)
}

fn text(status: StatusCode, body: impl Into<Body>) -> Response {
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    (status, headers, body.into()).into_response()
}

/// Refusals, logged at most once per request kind, status and ten seconds: a
/// scanner or a flood of unsigned requests is one line every ten seconds with a
/// count, not a line per request (every refusal is still counted in the stats and
/// metrics).
#[derive(Default)]
pub(crate) struct QuietLog {
    windows: Mutex<HashMap<(Method, u16), LogWindow>>,
}

impl QuietLog {
    /// `Some(refusals not logged since the last line)` when this one is to be logged.
    fn admit(&self, method: Method, status: u16) -> Option<u64> {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((method, status))
            .or_default()
            .admit()
    }
}

fn refuse(log: &QuietLog, method: Method, status: StatusCode, why: impl Into<String>) -> Response {
    let why = why.into();
    match log.admit(method, status.as_u16()) {
        Some(0) => tracing::warn!(status = status.as_u16(), "refused webhook request: {why}"),
        Some(unlogged) => tracing::warn!(
            status = status.as_u16(),
            unlogged,
            "refused webhook request: {why} ({unlogged} more refused with {} since the last \
             such line were not logged)",
            status.as_u16()
        ),
        None => {}
    }
    text(status, why)
}

async fn verify(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    match handshake::verify(
        query.as_deref().unwrap_or_default(),
        &app.config.verify_token,
    ) {
        Ok(challenge) => {
            tracing::info!("verification handshake answered");
            text(StatusCode::OK, challenge)
        }
        Err(e) if e.is_bad_request() => refuse(
            &app.refusals,
            Method::GET,
            StatusCode::BAD_REQUEST,
            format!("verification refused: {e}"),
        ),
        Err(e) => refuse(
            &app.refusals,
            Method::GET,
            StatusCode::FORBIDDEN,
            format!("verification refused: {e}"),
        ),
    }
}

/// A request extension asking the inline route to attach its
/// [`DispatchReport`](webhook_core::DispatchReport) to the response's extensions, as
/// an `Arc<DispatchReport>` (never sent to Meta). `testing::TestClient`
/// asks for it; middleware of your own can too:
///
/// ```
/// use std::sync::Arc;
/// use axum::{extract::Request, middleware::Next, response::Response};
/// use webhook_server::{DispatchReport, routes::WantReport};
///
/// async fn audit(mut request: Request, next: Next) -> Response {
///     request.extensions_mut().insert(WantReport);
///     let response = next.run(request).await;
///     if let Some(report) = response.extensions().get::<Arc<DispatchReport>>() {
///         println!("{} items", report.items().len());
///     }
///     response
/// }
/// ```
///
/// Without it the report is dropped after the answer is chosen, which saves the
/// allocations of attaching it.
#[derive(Debug, Clone, Copy, Default)]
pub struct WantReport;

/// A delivery, inside its span, counted by the status it was answered.
async fn receive(
    state: State<Arc<App>>,
    want_report: Option<Extension<WantReport>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let span = tracing::info_span!(
        "delivery",
        bytes = tracing::field::Empty,
        items = tracing::field::Empty,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty
    );
    let start = Instant::now();
    let signed = [Algorithm::Sha256, Algorithm::Sha1]
        .iter()
        .any(|algorithm| headers.contains_key(algorithm.header_name()));
    let peer = peer.map(|Extension(ConnectInfo(peer))| peer.ip());
    let response = handle(&state, peer, &headers, body, start, want_report.is_some())
        .instrument(span.clone())
        .await
        .unwrap_or_else(|refusal| refusal.counted(&state.stats).respond(&state.refusals));
    if !span.is_disabled() {
        span.record("status", response.status().as_u16());
        span.record("duration_ms", start.elapsed().as_secs_f64() * 1000.0);
    }
    observe::delivery(response.status(), signed);
    response
}

/// The `POST` rows of the status table, in the order they are decided.
async fn handle(
    app: &App,
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    body: Body,
    start: Instant,
    want_report: bool,
) -> Result<Response, Refusal> {
    // While verified deliveries fill every permit, a new one is shed before its
    // body is read (only verified deliveries take permits, so strangers cannot
    // cause this).
    if app.in_flight.available_permits() == 0 {
        return Err(overloaded(app));
    }
    // 415, 401, 413, 503 (budget) before a byte of the body; then 413, 408, 400
    // (unreadable body), 403.
    let SignedBody(body, _budget) = SignedBody::read(app, peer, headers, body).await?;
    tracing::Span::current().record("bytes", body.len());
    // Handler work is for verified deliveries only.
    let _permit = shed(app)?;
    match &app.engine {
        // 200 once stored (or a duplicate of a stored body); 503 when the store cannot.
        Some(engine) => Ok(store(engine, &app.stats, &app.refusals, body, start).await),
        // 400 when not a notification; 500 when a handler failed; else 200.
        None => inline(app, &body, start, want_report).await,
    }
}

/// A permit for one delivery in flight, or `503` with `Retry-After`.
fn shed(app: &App) -> Result<tokio::sync::SemaphorePermit<'_>, Refusal> {
    app.in_flight.try_acquire().map_err(|_| overloaded(app))
}

/// The `503` of a full in-flight bound, counted.
fn overloaded(app: &App) -> Refusal {
    app.stats.count(Event::Shed);
    observe::shed("in_flight");
    let limit = app.config.limits().max_in_flight;
    Refusal::unavailable(
        "5",
        format!(
            "overloaded: {limit} deliveries in flight (META_WEBHOOK_MAX_IN_FLIGHT); Meta will retry"
        ),
    )
}

/// A body read within the limits whose signature verified: nothing else is parsed.
/// Its bytes count against the budget until it is dropped.
struct SignedBody<'a>(Bytes, Budget<'a>);

impl<'a> SignedBody<'a> {
    async fn read(
        app: &'a App,
        peer: Option<IpAddr>,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<Self, Refusal> {
        if headers
            .get_all(header::CONTENT_ENCODING)
            .iter()
            .any(|encoding| !encoding.as_bytes().eq_ignore_ascii_case(b"identity"))
        {
            return Err(Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "a Content-Encoding was sent; compressed bodies are refused (Meta sends none, and \
                 the signature covers the bytes as sent)",
            ));
        }
        // A request that cannot be authenticated costs no body.
        let (sha256, sha1) = signature_headers(headers);
        let (algorithm, signature) =
            signature::select_header(&sha256, &sha1, app.config.allow_sha1)
                .map_err(|e| signature_refusal(&e, !sha1.is_empty()))?;
        let mut budget = Budget {
            semaphore: &app.body_budget,
            held: None,
            share: peer.map(|ip| (ip, &app.body_shares)),
            charged: 0,
        };
        let body = read_body(app, headers, body, &mut budget).await?;
        signature::verify(algorithm, &app.config.secrets, &body, signature)
            .map_err(|e| signature_refusal(&e, !sha1.is_empty()))?;
        budget.verified();
        Ok(Self(body, budget))
    }
}

/// Body bytes held against the budget (and the client address's share of it),
/// given back when dropped.
struct Budget<'a> {
    semaphore: &'a Semaphore,
    held: Option<tokio::sync::SemaphorePermit<'a>>,
    /// The client's address and the shares, when the request came over a socket.
    share: Option<(IpAddr, &'a PerAddress)>,
    /// Bytes charged to that address.
    charged: usize,
}

impl Budget<'_> {
    /// Takes `bytes` more of the budget, or refuses with 503.
    fn take(&mut self, bytes: usize, stats: &Stats) -> Result<(), Refusal> {
        if bytes == 0 {
            return Ok(());
        }
        if let Some((ip, shares)) = self.share {
            if !shares.take(ip, bytes) {
                stats.count(Event::Shed);
                observe::shed("body_budget_per_ip");
                return Err(Refusal::unavailable(
                    "5",
                    format!(
                        "overloaded: this address's bodies being read hold its share of the \
                         buffered-bytes budget ({} bytes; META_WEBHOOK_BODY_BUDGET, \
                         META_WEBHOOK_MAX_CONNECTIONS_PER_IP); Meta will retry",
                        shares.cap
                    ),
                ));
            }
            self.charged += bytes;
        }
        let permits = u32::try_from(bytes).unwrap_or(u32::MAX);
        if let Ok(permit) = self.semaphore.try_acquire_many(permits) {
            match &mut self.held {
                Some(held) => held.merge(permit),
                None => self.held = Some(permit),
            }
            Ok(())
        } else {
            stats.count(Event::Shed);
            observe::shed("body_budget");
            Err(Refusal::unavailable(
                "5",
                "overloaded: the bodies being read fill the buffered-bytes budget \
                 (META_WEBHOOK_BODY_BUDGET); Meta will retry",
            ))
        }
    }
}

impl Budget<'_> {
    /// The body is Meta's: its bytes leave the address's share (which bounds what
    /// unauthenticated clients hold) and count against the whole budget only, so
    /// Meta's concurrent deliveries from one address are not refused.
    fn verified(&mut self) {
        if let Some((ip, shares)) = self.share.take() {
            shares.give_back(ip, self.charged);
            self.charged = 0;
        }
    }
}

impl Drop for Budget<'_> {
    fn drop(&mut self) {
        if let Some((ip, shares)) = self.share {
            shares.give_back(ip, self.charged);
        }
    }
}

/// The cap on body bytes one client address holds while they are read and not
/// yet verified, so that it cannot fill the whole budget with bodies it cannot
/// sign: its share of the connections (`max_connections_per_ip /
/// max_connections` of the budget), but never less than one body.
fn address_share(limits: &crate::config::Limits, budget: usize, body_limit: usize) -> usize {
    let share = budget as u128 * limits.per_ip() as u128 / limits.max_connections.max(1) as u128;
    usize::try_from(share)
        .unwrap_or(usize::MAX)
        .max(body_limit)
        .min(budget)
}

/// Inline mode: every handler runs before the answer.
async fn inline(
    app: &App,
    body: &[u8],
    start: Instant,
    want_report: bool,
) -> Result<Response, Refusal> {
    let notification = Notification::parse(body).map_err(|e| {
        app.stats.count(Event::NotNotification);
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("signed body is not a webhook notification: {e}"),
        )
    })?;
    let report = app.dispatcher.dispatch(&notification).await;
    tracing::Span::current().record("items", report.items().len());

    let runs = report.runs().count();
    let failures: Vec<_> = report.failures().collect();
    // A closure: log fields are only computed when the level is enabled.
    let elapsed_ms = || start.elapsed().as_secs_f64() * 1000.0;
    let items = report.items().len();
    if failures.is_empty() {
        tracing::info!(
            object = notification.object(),
            bytes = body.len(),
            items,
            handlers = runs,
            outcome = "ok",
            elapsed_ms = elapsed_ms(),
            "delivery handled"
        );
        app.stats.count(Event::Acknowledged);
        return Ok(with_report(
            text(StatusCode::OK, "EVENT_RECEIVED"),
            report,
            want_report,
        ));
    }
    if failures
        .iter()
        .all(|(_, run)| matches!(run.outcome, Outcome::Rejected(_)))
    {
        // The handlers' types cannot read these values: Meta's redeliveries would
        // fail the same way for days and re-run every other handler of the batch.
        app.stats.count(Event::Rejected);
        for (item, run) in &failures {
            tracing::error!(
                object = item.object(),
                field = item.field(),
                handler = run.handler.name,
                outcome = "rejected",
                "a handler rejected a value its type cannot read; answered 200, since a \
                 redelivery cannot succeed (fix the type; the raw JSON is in the log at DEBUG): {}",
                run.outcome
            );
            tracing::debug!(body = %String::from_utf8_lossy(body), "the rejected delivery");
        }
        app.stats.count(Event::Acknowledged);
        return Ok(with_report(
            text(StatusCode::OK, "EVENT_RECEIVED"),
            report,
            want_report,
        ));
    }
    app.stats.count(Event::HandlerFailure);
    tracing::warn!(
        object = notification.object(),
        bytes = body.len(),
        items,
        handlers = runs,
        failed = failures.len(),
        outcome = "handler_failed",
        elapsed_ms = elapsed_ms(),
        "delivery handled with failures; Meta will redeliver it"
    );
    let mut why = format!(
        "{} of {runs} handler calls failed; Meta will redeliver:",
        failures.len()
    );
    for (item, run) in failures {
        let field = item.field().unwrap_or("<unknown>");
        let _ = write!(
            why,
            "\n- {} on ({}, {field}) {}",
            run.handler.name,
            item.object(),
            run.outcome.name()
        );
    }
    Ok(with_report(
        text(StatusCode::INTERNAL_SERVER_ERROR, why),
        report,
        want_report,
    ))
}

/// Inline mode: attaches the dispatch report to the response's extensions when the
/// request asked for it ([`WantReport`]).
fn with_report(
    mut response: Response,
    report: webhook_core::DispatchReport,
    wanted: bool,
) -> Response {
    if wanted {
        response.extensions_mut().insert(Arc::new(report));
    }
    response
}

/// Reads the body up to the limit; a declared length over it is refused before a
/// byte is read.
async fn read_body(
    app: &App,
    headers: &HeaderMap,
    mut body: Body,
    budget: &mut Budget<'_>,
) -> Result<Bytes, Refusal> {
    /// How long a body may take before the minimum rate applies.
    const GRACE: Duration = Duration::from_secs(2);
    let config = &app.config;
    let limits = config.limits();
    let limit = config.body_limit();
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "body is larger than the {limit} byte limit; raise META_WEBHOOK_BODY_LIMIT if Meta really sends more"
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    // The budget is charged as bytes arrive, not as they are announced: a slow
    // upload announcing the limit holds only what it sent (and the minimum rate
    // cuts it), so strangers cannot reserve the budget away from Meta.
    let declared = declared.map(|d| usize::try_from(d).unwrap_or(usize::MAX));
    let started = tokio::time::Instant::now();
    let deadline = started + limits.body_timeout;
    let too_slow = |why: String| Refusal::new(StatusCode::REQUEST_TIMEOUT, why);
    let mut read = Collected::new(declared.unwrap_or(0));
    loop {
        // A frame already there is taken without arming a timer (a small body
        // arrives with its headers); otherwise wakes at least once a second to
        // check the rate.
        let next = if let Some(frame) = body.frame().now_or_never() {
            Ok(frame)
        } else {
            let check = (tokio::time::Instant::now() + Duration::from_secs(1)).min(deadline);
            tokio::time::timeout_at(check, body.frame()).await
        };
        match next {
            Err(_) if tokio::time::Instant::now() >= deadline => {
                return Err(too_slow(format!(
                    "the body did not arrive within {:?}",
                    limits.body_timeout
                )));
            }
            Err(_) => {}
            Ok(None) => return Ok(read.into_bytes()),
            Ok(Some(Err(e))) => {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    format!("could not read the body: {e}"),
                ));
            }
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    if read.len() + data.len() > limit {
                        return Err(too_large());
                    }
                    budget.take(data.len(), &app.stats)?;
                    read.push(data);
                }
            }
        }
        // A trickle is cut however often its bytes come.
        let elapsed = started.elapsed();
        let owed = elapsed.saturating_sub(GRACE).as_millis() * limits.min_body_rate as u128 / 1000;
        if (read.len() as u128) < owed {
            return Err(too_slow(format!(
                "the body arrives slower than {} bytes per second (META_WEBHOOK_MIN_BODY_RATE): \
                 {} bytes in {elapsed:.1?}",
                limits.min_body_rate,
                read.len()
            )));
        }
    }
}

/// A body as it arrives: a body in one frame (most of Meta's) is kept as hyper
/// read it, without a copy; more frames are gathered into one buffer, sized to
/// the declared length so it never doubles past what the budget counts (untouched
/// pages cost no memory, so announcing a large body reserves none).
enum Collected {
    Empty { declared: usize },
    One(Bytes, usize),
    Many(Vec<u8>),
}

impl Collected {
    fn new(declared: usize) -> Self {
        Self::Empty { declared }
    }

    fn len(&self) -> usize {
        match self {
            Self::Empty { .. } => 0,
            Self::One(bytes, _) => bytes.len(),
            Self::Many(all) => all.len(),
        }
    }

    fn push(&mut self, data: Bytes) {
        *self = match std::mem::replace(self, Self::Empty { declared: 0 }) {
            Self::Empty { declared } => Self::One(data, declared),
            Self::One(first, declared) => {
                let mut all = Vec::with_capacity(declared.max(first.len() + data.len()));
                all.extend_from_slice(&first);
                all.extend_from_slice(&data);
                Self::Many(all)
            }
            Self::Many(mut all) => {
                all.extend_from_slice(&data);
                Self::Many(all)
            }
        };
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Self::Empty { .. } => Bytes::new(),
            Self::One(bytes, _) => bytes,
            Self::Many(all) => Bytes::from(all),
        }
    }
}

/// The values of the two signature headers.
fn signature_headers(headers: &HeaderMap) -> (Vec<&[u8]>, Vec<&[u8]>) {
    let values = |algorithm: Algorithm| -> Vec<&[u8]> {
        headers
            .get_all(algorithm.header_name())
            .iter()
            .map(HeaderValue::as_bytes)
            .collect()
    };
    (values(Algorithm::Sha256), values(Algorithm::Sha1))
}

/// 403 for a mismatch, 401 for every other signature problem; counted by reason.
fn signature_refusal(e: &SignatureError, sent_sha1: bool) -> Refusal {
    observe::signature_failure(match e {
        SignatureError::Missing if sent_sha1 => "sha1_refused",
        SignatureError::Missing => "missing",
        SignatureError::Duplicate { .. } => "duplicate",
        SignatureError::Mismatch => "mismatch",
        _ => "malformed",
    });
    match e {
        SignatureError::Mismatch => Refusal::new(StatusCode::FORBIDDEN, e.to_string()),
        SignatureError::Missing if sent_sha1 => Refusal::new(
            StatusCode::UNAUTHORIZED,
            "missing X-Hub-Signature-256 header: only the legacy X-Hub-Signature (SHA-1) was sent, \
             which is refused unless META_WEBHOOK_ALLOW_SHA1=true",
        ),
        e => Refusal::new(StatusCode::UNAUTHORIZED, e.to_string()),
    }
}

/// A refused request: its status, why, and for a 503 when to retry. Logged when it
/// becomes the response.
struct Refusal {
    status: StatusCode,
    why: String,
    retry_after: Option<&'static str>,
}

impl Refusal {
    fn new(status: StatusCode, why: impl Into<String>) -> Self {
        Self {
            status,
            why: why.into(),
            retry_after: None,
        }
    }

    /// A 503 that tells Meta when to retry.
    fn unavailable(retry_after_secs: &'static str, why: impl Into<String>) -> Self {
        Self {
            retry_after: Some(retry_after_secs),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, why)
        }
    }

    /// Counts it by its status (shed requests are counted where shed).
    fn counted(self, stats: &Stats) -> Self {
        match self.status {
            StatusCode::PAYLOAD_TOO_LARGE => stats.count(Event::TooLarge),
            StatusCode::REQUEST_TIMEOUT => stats.count(Event::TooSlow),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => stats.count(Event::UnsupportedEncoding),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                stats.count(Event::SignatureRefused);
            }
            _ => {}
        }
        self
    }

    /// The response, logged through `log`.
    fn respond(self, log: &QuietLog) -> Response {
        let mut response = refuse(log, Method::POST, self.status, self.why);
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static(secs));
        }
        response
    }
}

/// Durable mode: the 200 means the body is committed to the store.
async fn store(
    engine: &Engine,
    stats: &Stats,
    refusals: &QuietLog,
    body: Bytes,
    start: Instant,
) -> Response {
    let bytes = body.len();
    match engine.receive(body.to_vec()).await {
        Ok(enqueued) => {
            let (id, duplicate) = match enqueued {
                Enqueued::Stored(id) => (id, false),
                Enqueued::Duplicate(id) => (id, true),
            };
            stats.count(Event::Acknowledged);
            if duplicate {
                stats.count(Event::Duplicate);
                observe::duplicate();
            }
            let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
            tracing::info!(
                delivery = id.0,
                bytes,
                duplicate,
                elapsed_ms,
                "delivery stored"
            );
            text(StatusCode::OK, "EVENT_RECEIVED")
        }
        Err(e) => {
            stats.count(Event::StoreUnavailable);
            Refusal::unavailable("30", format!("{e}; Meta will retry")).respond(refusals)
        }
    }
}
