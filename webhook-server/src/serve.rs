//! Accepting connections with deadlines: `axum::serve` runs hyper without a timer,
//! which turns hyper's header-read timeout off, so a client that sends its headers
//! one byte a minute (slowloris) holds a connection forever. Connections are served
//! here with hyper's HTTP/1 builder and a Tokio timer instead:
//!
//! - the request line and headers must arrive within the header-read timeout;
//! - headers are capped in size (hyper answers 431 past it);
//! - the body must arrive within the body-read timeout (enforced where the body is
//!   read, by the webhook route: 408);
//! - open connections are capped, in all and per client IP address: past either
//!   cap, a new connection gets `503` with `Retry-After` and is closed at once, so
//!   idle or slow clients cannot exhaust file descriptors, and one address cannot
//!   take every connection from Meta's;
//! - the soft open-files limit is raised to the hard one at start, and the
//!   connection cap lowered (with a warning naming the fix) when the limit cannot
//!   hold it;
//! - on shutdown, new connections are refused, idle ones closed, and requests in
//!   flight get up to the drain time to finish.
//!
//! Meta calls webhooks over HTTP/1.1, so HTTP/2 is not served.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::response::IntoResponse;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Limits;
use crate::head_scan::{HeadScan, Smuggling};

/// The router as one connection serves it: each request marked with the
/// connection's [`Smuggling`] state.
type Service = TowerToHyperService<Guarded>;

/// The router behind the per-request checks of [`refuse_early`], with its
/// connection's state.
#[derive(Clone)]
struct Guarded {
    router: Router,
    smuggling: Smuggling,
    max_header_bytes: usize,
    /// The client's address, handed to the routes as axum's `ConnectInfo` (the
    /// body budget's per-address share reads it).
    peer: std::net::SocketAddr,
}

type Incoming = hyper::Request<hyper::body::Incoming>;

impl tower::Service<Incoming> for Guarded {
    type Response = <Router as tower::Service<Incoming>>::Response;
    type Error = <Router as tower::Service<Incoming>>::Error;
    type Future = futures_util::future::Either<
        std::future::Ready<Result<Self::Response, Self::Error>>,
        <Router as tower::Service<Incoming>>::Future,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        tower::Service::<Incoming>::poll_ready(&mut self.router, cx)
    }

    fn call(&mut self, mut request: Incoming) -> Self::Future {
        use futures_util::future::Either;
        if let Some(refused) = refuse_early(&request, &self.smuggling, self.max_header_bytes) {
            Either::Left(std::future::ready(Ok(refused)))
        } else {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(self.peer));
            Either::Right(self.router.call(request))
        }
    }
}
use crate::per_address::PerAddress;
use crate::quiet::LogWindow;
use crate::stats::{Event, Stats};
use crate::tls::Tls;

/// The whole answer to a connection past the cap.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 5\r\n\
content-type: text/plain; charset=utf-8\r\ncontent-length: 21\r\nconnection: close\r\n\r\n\
too many connections\n";

/// Serves `router` on `listener` with every transport limit of `limits` (the
/// header and body deadlines, the header size, the connection caps in all and per
/// address, the open-files limit) until `shutdown` completes, then drains. For
/// routes taken with [`Server::into_router`](crate::Server::into_router) and merged
/// into an application of your own: `axum::serve` applies none of these limits.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let webhooks = webhook_server::Server::from_env()?;
/// let limits = webhooks.config().limits();
/// let addr = webhooks.config().bind_addr();
/// let (routes, workers) = webhooks.into_router()?;
/// let app = axum::Router::new().merge(routes);
/// let workers = workers.spawn();
/// let listener = tokio::net::TcpListener::bind(addr).await?;
/// webhook_server::serve_router(listener, app, limits, webhook_server::shutdown_signal()).await?;
/// workers.shutdown().await;
/// # Ok(()) }
/// ```
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    serve(
        listener,
        router,
        limits,
        Arc::new(Stats::default()),
        None,
        shutdown,
    )
    .await
}

/// Refuses, before any route: with `400`, every request of a connection that sent
/// both `Content-Length` and `Transfer-Encoding` in one request (see
/// [`head_scan`](crate::head_scan)); with `431`, a request whose line and headers
/// are over `max` bytes, however its bytes arrived (hyper's buffer limit holds only
/// while a header section is incomplete, so one written whole could pass it).
fn refuse_early<B>(
    request: &hyper::Request<B>,
    smuggling: &Smuggling,
    max: usize,
) -> Option<axum::response::Response> {
    if smuggling.seen() {
        return Some(
            (
                axum::http::StatusCode::BAD_REQUEST,
                [(axum::http::header::CONNECTION, "close")],
                "a request carried both Content-Length and Transfer-Encoding; refused, as a \
                 proxy may have read it the other way (RFC 9112 section 6.3)\n",
            )
                .into_response(),
        );
    }
    let line = request.method().as_str().len()
        + request
            .uri()
            .path_and_query()
            .map_or(1, |p| p.as_str().len())
        + "  HTTP/1.1\r\n".len();
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + ": \r\n".len())
        .sum();
    let size = line + headers + 2;
    (size > max).then(|| {
        let why = format!(
            "the request line and headers are {size} bytes, over the {max} byte limit \
             (META_WEBHOOK_MAX_HEADER_BYTES)\n"
        );
        (
            axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            [(axum::http::header::CONNECTION, "close")],
            why,
        )
            .into_response()
    })
}

/// Serves `router` on `listener` until `shutdown` completes, then drains.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stats: Arc<Stats>,
    tls: Option<Arc<Tls>>,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // hyper's floor is 8 KiB.
        .max_buf_size(limits.max_header_bytes.max(8192));
    let cap = connection_cap(limits.max_connections.max(1));
    let connections = Arc::new(Semaphore::new(cap));
    // Open connections per client address.
    let per_ip = Arc::new(PerAddress::new(limits.per_ip().min(cap).max(1)));
    // Held to cut off connections still busy when the drain time is up.
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    let mut accept_errors = LogWindow::default();
    let mut refusals = Refusals::default();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait instead of spinning,
                        // and say so once per interval, not every 50 ms.
                        if let Some(unlogged) = accept_errors.admit() {
                            tracing::warn!(
                                "cannot accept a connection: {e} ({unlogged} more since the last such line)"
                            );
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let admitted = per_ip
                    .take(peer.ip(), 1)
                    .then(|| Share { ip: peer.ip(), open: Arc::clone(&per_ip) })
                    .ok_or("per_ip")
                    .and_then(|share| {
                        let permit = Arc::clone(&connections).try_acquire_owned();
                        permit.map(|permit| (share, permit)).map_err(|_| "connections")
                    });
                let permit = match admitted {
                    Ok(permit) => permit,
                    Err(which) => {
                        stats.count(Event::ConnectionRefused);
                        crate::observe::shed(which);
                        let why = if which == "per_ip" {
                            Refused::PerIp(per_ip.cap)
                        } else {
                            Refused::All(cap)
                        };
                        refusals.refuse(stream, why, tls.is_some());
                        continue;
                    }
                };
                let smuggling = Smuggling::default();
                let service = TowerToHyperService::new(Guarded {
                    router: router.clone(),
                    smuggling: smuggling.clone(),
                    max_header_bytes: limits.max_header_bytes,
                    peer,
                });
                let (watcher, builder) = (graceful.watcher(), builder.clone());
                let tls = tls.clone();
                tasks.spawn(async move {
                    match tls {
                        None => connection(HeadScan::new(stream, smuggling), &builder, service, watcher).await,
                        Some(tls) => {
                            tls_connection(&tls, stream, smuggling, limits.header_timeout, &builder, service, watcher).await;
                        }
                    }
                    drop(permit);
                });
            }
            Some(ended) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(e) = ended && e.is_panic() {
                    tracing::error!("a connection task panicked: {e}");
                }
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "{} connections still busy after {:?}; closing them (their requests get no answer, so Meta retries them)",
            tasks.len(),
            limits.drain_timeout
        );
    }
    tasks.shutdown().await;
    Ok(())
}

/// Serves one connection (plain or TLS) until it ends or the drain cuts it off.
async fn connection<I>(
    io: I,
    builder: &http1::Builder,
    service: Service,
    watcher: hyper_util::server::graceful::Watcher,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let served = watcher.watch(builder.serve_connection(TokioIo::new(io), service));
    if let Err(e) = served.await {
        tracing::debug!("connection ended: {e}");
    }
}

/// Serves one TLS connection. The handshake gets the header deadline too (then
/// hyper's own header deadline starts).
#[cfg(feature = "tls")]
async fn tls_connection(
    tls: &Tls,
    stream: TcpStream,
    smuggling: Smuggling,
    deadline: Duration,
    builder: &http1::Builder,
    service: Service,
    watcher: hyper_util::server::graceful::Watcher,
) {
    match tokio::time::timeout(deadline, tls.acceptor().accept(stream)).await {
        Ok(Ok(stream)) => {
            connection(HeadScan::new(stream, smuggling), builder, service, watcher).await;
        }
        Ok(Err(e)) => tracing::debug!("TLS handshake failed: {e}"),
        Err(_) => tracing::debug!("TLS handshake timed out"),
    }
}

#[cfg(not(feature = "tls"))]
#[allow(
    clippy::unused_async,
    reason = "the same signature as with the feature"
)]
async fn tls_connection(
    tls: &Tls,
    _: TcpStream,
    _: Smuggling,
    _: Duration,
    _: &http1::Builder,
    _: Service,
    _: hyper_util::server::graceful::Watcher,
) {
    match *tls {}
}

/// Which cap turned a connection away.
#[derive(Clone, Copy)]
enum Refused {
    All(usize),
    PerIp(usize),
}

impl Refused {
    /// The line for this refusal, with how many were left out since the last one.
    fn log(self, unlogged: u64) {
        match self {
            Self::All(cap) => tracing::warn!(
                "refusing connections: {cap} already open (META_WEBHOOK_MAX_CONNECTIONS); \
                 Meta will retry ({unlogged} more since the last such line)"
            ),
            Self::PerIp(cap) => tracing::warn!(
                "refusing connections from an address that holds {cap} already \
                 (META_WEBHOOK_MAX_CONNECTIONS_PER_IP) ({unlogged} more since the last such line)"
            ),
        }
    }
}

/// Connections answered `503` at once that may linger for their second; past it,
/// refused connections are closed without an answer (each lingering one holds a
/// file descriptor).
const MAX_TURNING_AWAY: usize = 64;

/// Connections refused at accept: their log lines, one per cap and interval, and
/// the answers still lingering.
struct Refusals {
    all: LogWindow,
    per_ip: LogWindow,
    lingering: Arc<Semaphore>,
}

impl Default for Refusals {
    fn default() -> Self {
        Self {
            all: LogWindow::default(),
            per_ip: LogWindow::default(),
            lingering: Arc::new(Semaphore::new(MAX_TURNING_AWAY)),
        }
    }
}

impl Refusals {
    /// Logs (at most once per interval) and answers `503`, or just closes: a TLS
    /// client cannot read a plain-text 503, and past a bound of lingering answers
    /// a flood is closed at once too.
    fn refuse(&mut self, stream: TcpStream, why: Refused, tls: bool) {
        let window = match why {
            Refused::All(_) => &mut self.all,
            Refused::PerIp(_) => &mut self.per_ip,
        };
        if let Some(unlogged) = window.admit() {
            why.log(unlogged);
        }
        if tls {
            return;
        }
        if let Ok(lingering) = Arc::clone(&self.lingering).try_acquire_owned() {
            tokio::spawn(async move {
                turn_away(stream).await;
                drop(lingering);
            });
        }
    }
}

/// One connection's place in its address's share, given back when dropped.
struct Share {
    ip: std::net::IpAddr,
    open: Arc<PerAddress>,
}

impl Drop for Share {
    fn drop(&mut self) {
        self.open.give_back(self.ip, 1);
    }
}

/// File descriptors kept for everything but connections (store, logs, NATS, the
/// side listener).
const RESERVED_FDS: u64 = 64;

/// Raises the soft open-files limit to the hard one and returns the connection
/// cap it can hold: `wanted`, or less (with a warning naming the fix).
fn connection_cap(wanted: usize) -> usize {
    #[cfg(unix)]
    {
        let limit = match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(limit) => limit,
            Err(e) => {
                tracing::warn!("cannot read or raise the open-files limit: {e}");
                return wanted;
            }
        };
        let room = usize::try_from(limit.saturating_sub(RESERVED_FDS)).unwrap_or(usize::MAX);
        if room < wanted {
            tracing::warn!(
                "the open-files limit is {limit}: connections are capped at {room} instead of \
                 {wanted} (META_WEBHOOK_MAX_CONNECTIONS); raise the hard limit (`ulimit -Hn`, \
                 systemd LimitNOFILE=) or lower the cap"
            );
            return room.max(1);
        }
        wanted
    }
    #[cfg(not(unix))]
    wanted
}

/// Answers a connection past the cap with `503` and closes it. What the client
/// sent is read and dropped for a moment after the answer, so that closing with
/// unread data does not reset the connection before the client reads the 503; all
/// of it is bounded in time, so a client that neither reads nor writes cannot hold
/// the connection.
async fn turn_away(mut stream: TcpStream) {
    let answer = async {
        stream.write_all(TOO_MANY_CONNECTIONS).await?;
        stream.shutdown().await?;
        let mut sink = [0; 8192];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
}
