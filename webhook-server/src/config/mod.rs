//! Server configuration, by builder or from the environment.
//!
//! Every environment variable, its builder method, meaning and default are declared
//! once (in `config/env.rs`): the table in [`variables`], the parsing, and the
//! `--help` of `meta-webhooks serve` all come from that declaration.
//!
//! A missing or empty secret or token stops start-up with a message naming the
//! variable: the server never runs unauthenticated.

mod builder;
mod env;
#[cfg(test)]
mod tests;

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use webhook_core::delivery::EngineConfig;
use webhook_core::handshake::VerifyToken;
use webhook_core::signature::AppSecret;

pub use crate::tls::{ClientAuth, TlsSettings};
pub use builder::ConfigBuilder;
pub use env::{Variable, variables};

/// The default body limit: 4 MiB, above Meta's 3 MB largest payloads.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// A complete, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) secrets: Vec<AppSecret>,
    pub(crate) verify_token: VerifyToken,
    pub(crate) bind: SocketAddr,
    pub(crate) path: String,
    pub(crate) body_limit: usize,
    pub(crate) allow_sha1: bool,
    pub(crate) mode: Mode,
    pub(crate) engine: EngineConfig,
    pub(crate) max_pending: Option<u64>,
    pub(crate) max_db_bytes: Option<u64>,
    pub(crate) limits: Limits,
    pub(crate) handler_timeout: Option<Duration>,
    pub(crate) tls: Option<TlsSettings>,
    pub(crate) metrics_bind: Option<SocketAddr>,
    pub(crate) console: Option<ConsoleSettings>,
    pub(crate) role: Role,
}

/// The operator's console, when configured (see [`crate::console`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSettings {
    /// Required to log in; `None` only on a loopback listener.
    pub admin_token: Option<AdminToken>,
}

/// The console's admin token. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(pub(crate) String);

impl AdminToken {
    /// The token, to compare with what a client sent.
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

/// When handlers run relative to the answer to Meta.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// Verify, store durably, answer 200, then handle with workers (retries, dead
    /// letters, deduplication). The default.
    Durable {
        /// The SQLite file.
        path: PathBuf,
    },
    /// Verify, handle every item, then answer: 200, or 500 when a handler failed.
    Inline,
    /// Like `Durable`, on NATS JetStream shared by several receivers and workers
    /// (feature `nats`; see [`webhook_core::delivery::nats`]).
    #[cfg(feature = "nats")]
    Nats(webhook_core::delivery::nats::NatsSettings),
}

/// What this process does with deliveries (durable and NATS modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Receive and handle: the default, as one machine does.
    #[default]
    Both,
    /// Only receive: verify, store, answer; no workers.
    Receiver,
    /// Only handle stored deliveries: no webhook listener.
    Worker,
}

/// The default SQLite file of durable mode.
pub const DEFAULT_DB: &str = "./meta-webhooks.db";

/// Pending deliveries before new ones get 503, by default.
pub const DEFAULT_MAX_PENDING: u64 = 100_000;

/// Why the configuration is unusable. Each message names the setting and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required setting is missing or empty.
    Missing {
        /// The environment variable (and builder method) concerned.
        variable: &'static str,
        /// What to put there.
        hint: &'static str,
    },
    /// A setting has a value that cannot be used.
    Invalid {
        /// The environment variable concerned.
        variable: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { variable, hint } => write!(f, "{variable} is missing or empty: {hint}"),
            Self::Invalid { variable, reason } => write!(f, "{variable} is invalid: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {}

pub(super) const SECRET_HINT: &str = "set it to your app secret (App Dashboard > Settings > Basic); \
                           separate several with commas";
pub(super) const TOKEN_HINT: &str =
    "set it to the verify token you type into the App Dashboard's webhook settings";

impl Config {
    /// A builder with the defaults.
    #[must_use]
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Reads the `META_*` environment variables (see [`variables`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Deadlines and caps for client connections.
    #[must_use]
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// What this process does: receive, handle, or both.
    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }

    /// Where `/metrics`, `/healthz` and `/readyz` are served, if anywhere.
    #[must_use]
    pub fn metrics_bind(&self) -> Option<SocketAddr> {
        self.metrics_bind
    }

    /// The console's settings, when it is served.
    #[must_use]
    pub fn console(&self) -> Option<&ConsoleSettings> {
        self.console.as_ref()
    }

    /// HTTPS settings, when the server serves TLS itself.
    #[must_use]
    pub fn tls(&self) -> Option<&TlsSettings> {
        self.tls.as_ref()
    }

    /// The time limit of a handler call, when configured (else the dispatcher's,
    /// 30 s by default); a handler's `#[on(.., timeout = "..")]` overrides both.
    #[must_use]
    pub fn handler_timeout(&self) -> Option<Duration> {
        self.handler_timeout
    }

    /// The disk quota of the SQLite file (durable mode), if any.
    #[must_use]
    pub fn max_db_bytes(&self) -> Option<u64> {
        self.max_db_bytes
    }

    /// How deliveries are handled.
    #[must_use]
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Workers, leases, retries and deduplication of durable mode.
    #[must_use]
    pub fn engine(&self) -> EngineConfig {
        self.engine
    }

    /// Pending deliveries before new ones are refused with 503 (durable mode).
    #[must_use]
    pub fn max_pending(&self) -> Option<u64> {
        self.max_pending
    }

    /// The address to listen on.
    #[must_use]
    pub fn bind_addr(&self) -> SocketAddr {
        self.bind
    }

    /// The webhook path.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The largest body accepted, in bytes.
    #[must_use]
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// Whether a lone legacy `X-Hub-Signature` (SHA-1) is accepted.
    #[must_use]
    pub fn allows_sha1(&self) -> bool {
        self.allow_sha1
    }
}

/// Durable on the SQLite file when the `sqlite` feature is on, else inline.
pub(super) fn default_mode() -> Mode {
    if cfg!(feature = "sqlite") {
        Mode::Durable {
            path: DEFAULT_DB.into(),
        }
    } else {
        Mode::Inline
    }
}

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
    /// Open connections; past it, every new one (a handshake too) gets `503` with
    /// `Retry-After` and is closed. Checked at start against the file-descriptor
    /// limit (whose soft value is raised to the hard one).
    pub max_connections: usize,
    /// Open connections from one IP address: one client cannot hold the whole cap.
    /// `0` means a quarter of `max_connections`. Behind a reverse proxy or load
    /// balancer every connection comes from its address: raise this to the cap.
    pub max_connections_per_ip: usize,
    /// Body bytes buffered at once, across every request being read, charged as
    /// they arrive (announcing a large body reserves nothing); past it, `503` with
    /// `Retry-After`. Until its signature verifies, a body counts against its client
    /// address's share too: its share of connections
    /// (`max_connections_per_ip / max_connections`) of the budget, never less than
    /// one body (a request that comes without the client's address, as through
    /// `TestClient` or `axum::serve`, counts only against the whole budget). `0`
    /// means twice the body limit.
    pub body_budget: usize,
    /// The slowest a body may arrive, in bytes per second, after its first two
    /// seconds (then `408`): slow uploads are cut long before the body deadline.
    pub min_body_rate: usize,
}

impl Limits {
    /// The per-address cap, `0` resolved.
    #[must_use]
    pub fn per_ip(&self) -> usize {
        match self.max_connections_per_ip {
            0 => (self.max_connections / 4).max(1),
            n => n,
        }
    }
}

impl Default for Limits {
    /// 10 s for headers, 30 s for a body (Meta's reach 3 MB) arriving at 64 KiB/s
    /// at least, 64 KiB of headers, 30 s to drain, 256 deliveries in flight, 1024
    /// connections (256 from one address), bodies buffered up to twice the body
    /// limit.
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_header_bytes: 64 * 1024,
            drain_timeout: Duration::from_secs(30),
            max_in_flight: 256,
            max_connections: 1024,
            max_connections_per_ip: 0,
            body_budget: 0,
            min_body_rate: 64 * 1024,
        }
    }
}
