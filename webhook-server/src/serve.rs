//! Accepting connections with deadlines: `axum::serve` runs hyper without a timer,
//! which turns hyper's header-read timeout off, so a client that sends its headers
//! one byte a minute (slowloris) holds a connection forever. Connections are served
//! here with hyper's HTTP/1 builder and a Tokio timer instead:
//!
//! - the request line and headers must arrive within the header-read timeout;
//! - headers are capped in size (hyper answers 431 past it);
//! - the body must arrive within the body-read timeout (enforced where the body is
//!   read, in [`routes`](crate::routes): 408);
//! - on shutdown, new connections are refused, idle ones closed, and requests in
//!   flight get up to the drain time to finish.
//!
//! Meta calls webhooks over HTTP/1.1, so HTTP/2 is not served.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// Deadlines and caps for client connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time to receive a request's line and headers (also an idle keep-alive
    /// connection's wait for its next request).
    pub header_timeout: Duration,
    /// Time to receive a request's whole body.
    pub body_timeout: Duration,
    /// Largest request line plus headers, in bytes.
    pub max_header_bytes: usize,
    /// Time given to requests in flight when shutting down.
    pub drain_timeout: Duration,
    /// Deliveries (`POST`s) handled at once; past it, `503` with `Retry-After` at
    /// once instead of a queue. The `GET` handshake is never shed.
    pub max_in_flight: usize,
}

impl Default for Limits {
    /// 10 s for headers, 30 s for a body (Meta's reach 3 MB), 64 KiB of headers,
    /// 30 s to drain, 256 deliveries in flight.
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_header_bytes: 64 * 1024,
            drain_timeout: Duration::from_secs(30),
            max_in_flight: 256,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then drains.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // hyper's floor is 8 KiB.
        .max_buf_size(limits.max_header_bytes.max(8192));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!("cannot accept a connection: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let service = TowerToHyperService::new(router.clone());
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!("connection ended: {e}");
                    }
                });
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
            "requests still in flight after {:?}; closing them",
            limits.drain_timeout
        );
    }
    Ok(())
}
