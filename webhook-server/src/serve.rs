//! Accepting connections with deadlines: `axum::serve` runs hyper without a timer,
//! which turns hyper's header-read timeout off, so a client that sends its headers
//! one byte a minute (slowloris) holds a connection forever. Connections are served
//! here with hyper's HTTP/1 builder and a Tokio timer instead:
//!
//! - the request line and headers must arrive within the header-read timeout;
//! - headers are capped in size (hyper answers 431 past it);
//! - the body must arrive within the body-read timeout (enforced where the body is
//!   read, by the webhook route: 408);
//! - open connections are capped: past the cap, a new connection gets `503` with
//!   `Retry-After` and is closed at once, so idle or slow clients cannot exhaust
//!   file descriptors;
//! - on shutdown, new connections are refused, idle ones closed, and requests in
//!   flight get up to the drain time to finish.
//!
//! Meta calls webhooks over HTTP/1.1, so HTTP/2 is not served.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Limits;
use crate::quiet::LogWindow;
use crate::stats::{Event, Stats};
use crate::tls::Tls;

/// The whole answer to a connection past the cap.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 5\r\n\
content-type: text/plain; charset=utf-8\r\ncontent-length: 21\r\nconnection: close\r\n\r\n\
too many connections\n";

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
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // Held to cut off connections still busy when the drain time is up.
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    let mut accept_errors = LogWindow::default();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
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
                let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
                    stats.count(Event::ConnectionRefused);
                    crate::observe::shed("connections");
                    if tls.is_some() {
                        // A TLS client cannot read a plain-text 503: close at once.
                        drop(stream);
                    } else {
                        tokio::spawn(turn_away(stream, limits.max_connections));
                    }
                    continue;
                };
                let service = TowerToHyperService::new(router.clone());
                let (watcher, builder) = (graceful.watcher(), builder.clone());
                let tls = tls.clone();
                tasks.spawn(async move {
                    match tls {
                        None => connection(stream, &builder, service, watcher).await,
                        Some(tls) => {
                            tls_connection(&tls, stream, limits.header_timeout, &builder, service, watcher).await;
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
    service: TowerToHyperService<Router>,
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
    deadline: Duration,
    builder: &http1::Builder,
    service: TowerToHyperService<Router>,
    watcher: hyper_util::server::graceful::Watcher,
) {
    match tokio::time::timeout(deadline, tls.acceptor().accept(stream)).await {
        Ok(Ok(stream)) => connection(stream, builder, service, watcher).await,
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
    _: Duration,
    _: &http1::Builder,
    _: TowerToHyperService<Router>,
    _: hyper_util::server::graceful::Watcher,
) {
    match *tls {}
}

/// Answers a connection past the cap with `503` and closes it. What the client
/// sent is read and dropped for a moment after the answer, so that closing with
/// unread data does not reset the connection before the client reads the 503; all
/// of it is bounded in time, so a client that neither reads nor writes cannot hold
/// the connection.
async fn turn_away(mut stream: TcpStream, cap: usize) {
    static LAST_WARNING: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // One line a second at most: a flood of connections is not a flood of logs.
    if LAST_WARNING.swap(now, Ordering::Relaxed) != now {
        tracing::warn!(
            "refusing connections: {cap} already open (META_WEBHOOK_MAX_CONNECTIONS); Meta will retry"
        );
    }
    let answer = async {
        stream.write_all(TOO_MANY_CONNECTIONS).await?;
        stream.shutdown().await?;
        let mut sink = [0; 8192];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
}
