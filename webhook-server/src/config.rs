//! Server configuration, by builder or from the environment.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `META_APP_SECRET` | app secret(s), comma-separated (rotation, or a Facebook plus an Instagram app) | required |
//! | `META_VERIFY_TOKEN` | the verify token typed into the App Dashboard | required |
//! | `META_WEBHOOK_BIND` | address to listen on | `127.0.0.1:8080` |
//! | `META_WEBHOOK_PATH` | the webhook path | `/webhook` |
//! | `META_WEBHOOK_BODY_LIMIT` | largest body accepted, in bytes (Meta's reach 3 MB) | `4194304` (4 MiB) |
//! | `META_WEBHOOK_ALLOW_SHA1` | accept the legacy `X-Hub-Signature` (SHA-1) when it is the only signature | `false` |
//! | `META_WEBHOOK_MODE` | `durable` (store, answer 200, then handle), `inline` (handle, then answer) or `nats` (durable on NATS JetStream, feature `nats`) | `durable` with the `sqlite` feature (a default), else `inline` |
//! | `META_WEBHOOK_ROLE` | `both`, `receiver` (store and answer only) or `worker` (handle only, no webhook listener) | `both` |
//! | `META_NATS_URL`, `META_NATS_PREFIX`, `META_NATS_REPLICAS`, `META_NATS_DUPLICATE_WINDOW_SECS`, `META_NATS_DEAD_RETENTION_SECS` | NATS mode: the server(s), comma-separated; the stream and bucket names' prefix; replicas; JetStream's duplicate window; how long dead letters are kept | `nats://127.0.0.1:4222`, `webhooks`, `1`, `120`, 30 days |
//! | `META_WEBHOOK_DB` | the SQLite file of durable mode | `./meta-webhooks.db` |
//! | `META_WEBHOOK_WORKERS` | worker tasks handling stored deliveries | `4` |
//! | `META_WEBHOOK_MAX_ATTEMPTS` | attempts before a delivery is dead-lettered | `10` |
//! | `META_WEBHOOK_RETRY_BASE_MS` | delay after the first failure, doubling after each (capped at 30 min) | `5000` |
//! | `META_WEBHOOK_MAX_PENDING` | pending deliveries before new ones get 503 | `100000` |
//! | `META_WEBHOOK_DEDUP_WINDOW_SECS` | how long a body is remembered to drop duplicates | `604800` (7 days) |
//! | `META_WEBHOOK_MAX_DB_BYTES` | a disk quota for the SQLite file: past it, new deliveries get 503 | none |
//! | `META_WEBHOOK_HEADER_TIMEOUT_MS` | time for a request's line and headers (slow clients are cut off) | `10000` |
//! | `META_WEBHOOK_BODY_TIMEOUT_MS` | time for a request's body | `30000` |
//! | `META_WEBHOOK_MAX_HEADER_BYTES` | largest request line plus headers | `65536` |
//! | `META_WEBHOOK_DRAIN_TIMEOUT_MS` | time requests in flight get at shutdown | `30000` |
//! | `META_WEBHOOK_MAX_IN_FLIGHT` | deliveries handled at once; past it, `503` at once | `256` |
//! | `META_WEBHOOK_MAX_CONNECTIONS` | open connections; past it, a new one gets `503` and is closed | `1024` |
//! | `META_WEBHOOK_LEASE_SECS` | how long a worker's claim lasts before another worker may take it | `60` |
//! | `META_WEBHOOK_TLS_CERT`, `META_WEBHOOK_TLS_KEY` | serve HTTPS with this certificate chain and key (PEM), reloaded on `SIGHUP` or change | plain HTTP |
//! | `META_WEBHOOK_TLS_CLIENT_CA`, `META_WEBHOOK_TLS_CLIENT_NAME` | mutual TLS: require client certificates from this CA bundle, valid for this name (Meta's: `client.webhooks.fbclientcerts.com`) | off |
//! | `META_WEBHOOK_METRICS_BIND` | serve `/metrics` (Prometheus), `/healthz`, `/readyz` on this address, apart from the webhook port | off |
//! | `META_LOG_FORMAT` | `text` or `json` log lines | `text` |
//! | `META_WEBHOOK_HANDLER_TIMEOUT_MS` | longest handler call before it is cancelled (and retried in durable mode); `#[on(.., timeout = "..")]` overrides it per handler | `30000` |
//!
//! A missing or empty secret or token stops start-up with a message naming the
//! variable: the server never runs unauthenticated.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use webhook_core::delivery::{EngineConfig, RetryPolicy};

pub use crate::serve::Limits;
pub use crate::tls::{ClientAuth, TlsSettings};

use webhook_core::handshake::VerifyToken;
use webhook_core::signature::AppSecret;

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
    pub(crate) role: Role,
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

/// Builds a [`Config`].
///
/// ```
/// use webhook_server::Config;
///
/// let config = Config::builder()
///     .app_secret("app-secret")
///     .verify_token("verify-token")
///     .bind("127.0.0.1:3000".parse().unwrap())
///     .build()
///     .unwrap();
/// assert_eq!(config.path(), "/webhook");
/// ```
#[derive(Clone)]
pub struct ConfigBuilder {
    secrets: Vec<String>,
    verify_token: Option<String>,
    bind: Option<SocketAddr>,
    path: Option<String>,
    body_limit: Option<usize>,
    allow_sha1: bool,
    mode: Option<Mode>,
    engine: EngineConfig,
    max_pending: Option<u64>,
    max_db_bytes: Option<u64>,
    limits: Limits,
    handler_timeout: Option<Duration>,
    tls_files: Option<(PathBuf, PathBuf)>,
    tls_client: Option<(PathBuf, Option<String>)>,
    tls_reload_check: Duration,
    metrics_bind: Option<SocketAddr>,
    role: Role,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            verify_token: None,
            bind: None,
            path: None,
            body_limit: None,
            allow_sha1: false,
            mode: None,
            engine: EngineConfig::default(),
            max_pending: Some(DEFAULT_MAX_PENDING),
            max_db_bytes: None,
            limits: Limits::default(),
            handler_timeout: None,
            tls_files: None,
            tls_client: None,
            tls_reload_check: crate::tls::DEFAULT_RELOAD_CHECK,
            metrics_bind: None,
            role: Role::Both,
        }
    }
}

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

const SECRET_HINT: &str = "set it to your app secret (App Dashboard > Settings > Basic); \
                           separate several with commas";
const TOKEN_HINT: &str =
    "set it to the verify token you type into the App Dashboard's webhook settings";

impl Config {
    /// A builder with the defaults.
    #[must_use]
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Reads the `META_*` environment variables (see the [module docs](self)).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut builder = Self::builder();
        if let Some(secrets) = lookup("META_APP_SECRET") {
            builder.secrets = secrets.split(',').map(|s| s.trim().to_owned()).collect();
        }
        builder.verify_token = lookup("META_VERIFY_TOKEN");
        if let Some(bind) = lookup("META_WEBHOOK_BIND") {
            builder.bind = Some(bind.trim().parse().map_err(|e| ConfigError::Invalid {
                variable: "META_WEBHOOK_BIND",
                reason: format!("`{bind}` is not an address such as 127.0.0.1:8080 ({e})"),
            })?);
        }
        builder.path = lookup("META_WEBHOOK_PATH");
        if let Some(limit) = lookup("META_WEBHOOK_BODY_LIMIT") {
            builder.body_limit = Some(limit.trim().parse().map_err(|_| ConfigError::Invalid {
                variable: "META_WEBHOOK_BODY_LIMIT",
                reason: format!("`{limit}` is not a number of bytes"),
            })?);
        }
        if let Some(flag) = lookup("META_WEBHOOK_ALLOW_SHA1") {
            builder.allow_sha1 = match flag.trim() {
                "1" | "true" | "yes" | "on" => true,
                "" | "0" | "false" | "no" | "off" => false,
                other => {
                    return Err(ConfigError::Invalid {
                        variable: "META_WEBHOOK_ALLOW_SHA1",
                        reason: format!("`{other}` is not true or false"),
                    });
                }
            };
        }
        match lookup("META_WEBHOOK_MODE").as_deref().map(str::trim) {
            Some("durable") => {
                let path = lookup("META_WEBHOOK_DB").unwrap_or_else(|| DEFAULT_DB.to_owned());
                builder.mode = Some(Mode::Durable { path: path.into() });
            }
            None | Some("") => {
                if let Some(path) = lookup("META_WEBHOOK_DB") {
                    builder.mode = Some(Mode::Durable { path: path.into() });
                }
            }
            Some("inline") => builder.mode = Some(Mode::Inline),
            #[cfg(feature = "nats")]
            Some("nats") => {
                let mut nats = webhook_core::delivery::nats::NatsSettings::default();
                if let Some(url) = lookup("META_NATS_URL") {
                    nats.url = url;
                }
                if let Some(prefix) = lookup("META_NATS_PREFIX") {
                    nats.prefix = prefix;
                }
                if let Some(n) = parse(&lookup, "META_NATS_REPLICAS", "a number of replicas")? {
                    nats.replicas = n;
                }
                if let Some(secs) = parse(
                    &lookup,
                    "META_NATS_DUPLICATE_WINDOW_SECS",
                    "a number of seconds",
                )? {
                    nats.duplicate_window = Duration::from_secs(secs);
                }
                if let Some(secs) = parse(
                    &lookup,
                    "META_NATS_DEAD_RETENTION_SECS",
                    "a number of seconds",
                )? {
                    nats.dead_retention = Duration::from_secs(secs);
                }
                builder.mode = Some(Mode::Nats(nats));
            }
            Some(other) => {
                return Err(ConfigError::Invalid {
                    variable: "META_WEBHOOK_MODE",
                    reason: format!("`{other}` is not `durable`, `inline` or `nats`"),
                });
            }
        }
        builder.role = match lookup("META_WEBHOOK_ROLE").as_deref().map(str::trim) {
            None | Some("" | "both") => Role::Both,
            Some("receiver") => Role::Receiver,
            Some("worker") => Role::Worker,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    variable: "META_WEBHOOK_ROLE",
                    reason: format!("`{other}` is not `both`, `receiver` or `worker`"),
                });
            }
        };
        builder.durable_from(&lookup)?;
        builder.tls_from(&lookup)?;
        builder.build()
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

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = format_args!("<redacted>");
        f.debug_struct("ConfigBuilder")
            .field("secrets", &vec![redacted; self.secrets.len()])
            .field(
                "verify_token",
                &self.verify_token.as_ref().map(|_| redacted),
            )
            .field("bind", &self.bind)
            .field("path", &self.path)
            .field("body_limit", &self.body_limit)
            .field("allow_sha1", &self.allow_sha1)
            .field("mode", &self.mode)
            .field("engine", &self.engine)
            .field("max_pending", &self.max_pending)
            .field("max_db_bytes", &self.max_db_bytes)
            .field("limits", &self.limits)
            .field("handler_timeout", &self.handler_timeout)
            .field("tls_files", &self.tls_files)
            .field("tls_client", &self.tls_client)
            .field("tls_reload_check", &self.tls_reload_check)
            .field("metrics_bind", &self.metrics_bind)
            .field("role", &self.role)
            .finish()
    }
}

impl ConfigBuilder {
    /// Adds an app secret; several may be added (secret rotation, or a Facebook and
    /// an Instagram app sharing one endpoint).
    #[must_use]
    pub fn app_secret(mut self, secret: impl Into<String>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Sets the verify token of the `GET` handshake.
    #[must_use]
    pub fn verify_token(mut self, token: impl Into<String>) -> Self {
        self.verify_token = Some(token.into());
        self
    }

    /// Sets the listening address (default `127.0.0.1:8080`).
    #[must_use]
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = Some(addr);
        self
    }

    /// Sets the webhook path (default `/webhook`).
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets the largest body accepted (default 4 MiB).
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Accepts the legacy `X-Hub-Signature` (SHA-1) when it is the only signature
    /// header (default off: `X-Hub-Signature-256` is required).
    #[must_use]
    pub fn allow_sha1_fallback(mut self, allow: bool) -> Self {
        self.allow_sha1 = allow;
        self
    }

    /// Stores deliveries in the SQLite file at `path` before answering (the default,
    /// at `./meta-webhooks.db`).
    #[must_use]
    pub fn durable(mut self, path: impl Into<PathBuf>) -> Self {
        self.mode = Some(Mode::Durable { path: path.into() });
        self
    }

    /// Handles deliveries before answering, with no store.
    #[must_use]
    pub fn inline(mut self) -> Self {
        self.mode = Some(Mode::Inline);
        self
    }

    /// Worker tasks of durable mode (default 4).
    #[must_use]
    pub fn workers(mut self, workers: usize) -> Self {
        self.engine.workers = workers;
        self
    }

    /// Retries of failed handlers in durable mode (default: 10 attempts, from 5 s).
    #[must_use]
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.engine.retry = retry;
        self
    }

    /// How long a worker's claim lasts (default 60 s).
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.engine.lease = lease;
        self
    }

    /// How long a body is remembered to drop duplicates (default 7 days).
    #[must_use]
    pub fn dedup_window(mut self, window: Duration) -> Self {
        self.engine.dedup_window = window;
        self
    }

    /// Pending deliveries before new ones get 503 (default 100 000; `None`: no bound).
    #[must_use]
    pub fn max_pending(mut self, max: Option<u64>) -> Self {
        self.max_pending = max;
        self
    }

    /// Deadlines and caps for client connections (see [`Limits`]).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Serves HTTPS with this certificate chain and key (PEM files), reloaded on
    /// `SIGHUP` or when they change.
    #[must_use]
    pub fn tls(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.tls_files = Some((cert.into(), key.into()));
        self
    }

    /// Requires client certificates chaining to the CA bundle `ca` (PEM) and valid
    /// for `name` (Meta's mutual TLS: `client.webhooks.fbclientcerts.com`).
    #[must_use]
    pub fn tls_client_auth(mut self, ca: impl Into<PathBuf>, name: impl Into<String>) -> Self {
        self.tls_client = Some((ca.into(), Some(name.into())));
        self
    }

    /// Stores and handles deliveries on NATS JetStream (feature `nats`).
    #[cfg(feature = "nats")]
    #[must_use]
    pub fn nats(mut self, settings: webhook_core::delivery::nats::NatsSettings) -> Self {
        self.mode = Some(Mode::Nats(settings));
        self
    }

    /// Only receive, only handle, or both (the default).
    #[must_use]
    pub fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }

    /// Serves metrics and health checks on this address (a side listener, never
    /// the webhook port; off by default).
    #[must_use]
    pub fn metrics_bind(mut self, addr: SocketAddr) -> Self {
        self.metrics_bind = Some(addr);
        self
    }

    /// How often the TLS files are checked for changes (default 5 s).
    #[must_use]
    pub fn tls_reload_check(mut self, every: Duration) -> Self {
        self.tls_reload_check = every;
        self
    }

    /// Bounds every handler call in time (see
    /// [`DispatcherBuilder::handler_timeout`](webhook_core::DispatcherBuilder::handler_timeout)).
    #[must_use]
    pub fn handler_timeout(mut self, limit: Duration) -> Self {
        self.handler_timeout = Some(limit);
        self
    }

    /// Bounds the SQLite file's size (durable mode): past it, new deliveries get 503.
    #[must_use]
    pub fn max_db_bytes(mut self, bytes: Option<u64>) -> Self {
        self.max_db_bytes = bytes;
        self
    }

    /// Validates the settings.
    pub fn build(self) -> Result<Config, ConfigError> {
        let tls = self.tls_settings()?;
        #[cfg(feature = "nats")]
        let shared_store = matches!(self.mode, Some(Mode::Nats(_)));
        #[cfg(not(feature = "nats"))]
        let shared_store = false;
        if self.role != Role::Both && !shared_store {
            return Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_ROLE",
                reason: "receiver and worker processes share deliveries through NATS: \
                         set META_WEBHOOK_MODE=nats, or leave the role `both`"
                    .to_owned(),
            });
        }
        let missing_secret = ConfigError::Missing {
            variable: "META_APP_SECRET",
            hint: SECRET_HINT,
        };
        if self.secrets.is_empty() {
            return Err(missing_secret);
        }
        let secrets = self
            .secrets
            .iter()
            .map(AppSecret::new)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| missing_secret)?;
        let verify_token = self
            .verify_token
            .as_deref()
            .and_then(VerifyToken::new)
            .ok_or(ConfigError::Missing {
                variable: "META_VERIFY_TOKEN",
                hint: TOKEN_HINT,
            })?;
        let path = self.path.unwrap_or_else(|| "/webhook".to_owned());
        if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
            return Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_PATH",
                reason: format!("`{path}` must be a path starting with `/`, such as /webhook"),
            });
        }
        if self.engine.lease.is_zero()
            || self.engine.workers == 0
            || self.engine.retry.max_attempts == 0
        {
            return Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_LEASE_SECS, META_WEBHOOK_WORKERS and META_WEBHOOK_MAX_ATTEMPTS",
                reason: "must be above zero".to_owned(),
            });
        }
        if self.limits.max_in_flight == 0 || self.limits.max_connections == 0 {
            return Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_MAX_IN_FLIGHT and META_WEBHOOK_MAX_CONNECTIONS",
                reason: "must be above zero".to_owned(),
            });
        }
        if self.handler_timeout.is_some_and(|t| t.is_zero()) {
            return Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_HANDLER_TIMEOUT_MS",
                reason: "must be above zero".to_owned(),
            });
        }
        let body_limit = self.body_limit.unwrap_or(DEFAULT_BODY_LIMIT);
        if body_limit == 0 {
            return Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_BODY_LIMIT",
                reason: "must be above zero (Meta's bodies reach 3 MB)".to_owned(),
            });
        }
        Ok(Config {
            secrets,
            verify_token,
            bind: self
                .bind
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            path,
            body_limit,
            allow_sha1: self.allow_sha1,
            mode: self.mode.unwrap_or_else(default_mode),
            engine: self.engine,
            max_pending: self.max_pending,
            max_db_bytes: self.max_db_bytes,
            limits: self.limits,
            handler_timeout: self.handler_timeout,
            tls,
            metrics_bind: self.metrics_bind,
            role: self.role,
        })
    }
}

impl ConfigBuilder {
    fn tls_settings(&self) -> Result<Option<TlsSettings>, ConfigError> {
        let client_auth = match &self.tls_client {
            None => None,
            Some((_, None)) => {
                return Err(ConfigError::Invalid {
                    variable: "META_WEBHOOK_TLS_CLIENT_NAME",
                    reason: "a client CA is set but no client name; Meta's webhook client is \
                             client.webhooks.fbclientcerts.com"
                        .to_owned(),
                });
            }
            Some((ca, Some(name))) => Some(ClientAuth {
                ca: ca.clone(),
                name: name.clone(),
            }),
        };
        match (&self.tls_files, client_auth) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_TLS_CERT and META_WEBHOOK_TLS_KEY",
                reason: "client certificates need HTTPS: set the server's certificate and key"
                    .to_owned(),
            }),
            (Some((cert, key)), client_auth) => Ok(Some(TlsSettings {
                cert: cert.clone(),
                key: key.clone(),
                client_auth,
                reload_check: self.tls_reload_check,
            })),
        }
    }

    /// Reads the HTTPS settings from the environment.
    fn tls_from(&mut self, lookup: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let get = |name| lookup(name).filter(|v: &String| !v.trim().is_empty());
        match (get("META_WEBHOOK_TLS_CERT"), get("META_WEBHOOK_TLS_KEY")) {
            (None, None) => {}
            (Some(cert), Some(key)) => self.tls_files = Some((cert.into(), key.into())),
            (Some(_), None) | (None, Some(_)) => {
                return Err(ConfigError::Invalid {
                    variable: "META_WEBHOOK_TLS_CERT and META_WEBHOOK_TLS_KEY",
                    reason: "set both (the certificate chain and its key, PEM files) or neither"
                        .to_owned(),
                });
            }
        }
        if let Some(bind) = get("META_WEBHOOK_METRICS_BIND") {
            self.metrics_bind = Some(bind.trim().parse().map_err(|e| ConfigError::Invalid {
                variable: "META_WEBHOOK_METRICS_BIND",
                reason: format!("`{bind}` is not an address such as 127.0.0.1:9090 ({e})"),
            })?);
        }
        match (
            get("META_WEBHOOK_TLS_CLIENT_CA"),
            get("META_WEBHOOK_TLS_CLIENT_NAME"),
        ) {
            (Some(ca), name) => self.tls_client = Some((ca.into(), name)),
            (None, Some(_)) => {
                return Err(ConfigError::Invalid {
                    variable: "META_WEBHOOK_TLS_CLIENT_CA",
                    reason: "a client name is set but no client CA: mutual TLS needs the CA \
                             bundle Meta's client certificates chain to"
                        .to_owned(),
                });
            }
            (None, None) => {}
        }
        Ok(())
    }

    /// Reads durable mode's and the connections' settings from the environment.
    fn durable_from(
        &mut self,
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let builder = self;
        let engine = &mut builder.engine;
        if let Some(n) = parse(lookup, "META_WEBHOOK_WORKERS", "a number of workers")? {
            engine.workers = n;
        }
        if let Some(n) = parse(lookup, "META_WEBHOOK_MAX_ATTEMPTS", "a number of attempts")? {
            engine.retry.max_attempts = n;
        }
        if let Some(ms) = parse(
            &lookup,
            "META_WEBHOOK_RETRY_BASE_MS",
            "a number of milliseconds",
        )? {
            engine.retry.base_delay = Duration::from_millis(ms);
        }
        if let Some(secs) = parse(
            &lookup,
            "META_WEBHOOK_DEDUP_WINDOW_SECS",
            "a number of seconds",
        )? {
            engine.dedup_window = Duration::from_secs(secs);
        }
        if let Some(secs) = parse(lookup, "META_WEBHOOK_LEASE_SECS", "a number of seconds")? {
            engine.lease = Duration::from_secs(secs);
        }
        if let Some(max) = parse(
            &lookup,
            "META_WEBHOOK_MAX_PENDING",
            "a number of deliveries",
        )? {
            builder.max_pending = Some(max);
        }
        builder.max_db_bytes = parse(lookup, "META_WEBHOOK_MAX_DB_BYTES", "a number of bytes")?;
        let limits = &mut builder.limits;
        if let Some(ms) = parse(
            &lookup,
            "META_WEBHOOK_HEADER_TIMEOUT_MS",
            "a number of milliseconds",
        )? {
            limits.header_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = parse(
            &lookup,
            "META_WEBHOOK_BODY_TIMEOUT_MS",
            "a number of milliseconds",
        )? {
            limits.body_timeout = Duration::from_millis(ms);
        }
        if let Some(bytes) = parse(
            &lookup,
            "META_WEBHOOK_MAX_HEADER_BYTES",
            "a number of bytes",
        )? {
            limits.max_header_bytes = bytes;
        }
        if let Some(ms) = parse(
            &lookup,
            "META_WEBHOOK_DRAIN_TIMEOUT_MS",
            "a number of milliseconds",
        )? {
            limits.drain_timeout = Duration::from_millis(ms);
        }
        if let Some(n) = parse(lookup, "META_WEBHOOK_MAX_IN_FLIGHT", "a number of requests")? {
            limits.max_in_flight = n;
        }
        if let Some(n) = parse(
            &lookup,
            "META_WEBHOOK_MAX_CONNECTIONS",
            "a number of connections",
        )? {
            limits.max_connections = n;
        }
        if let Some(ms) = parse(
            &lookup,
            "META_WEBHOOK_HANDLER_TIMEOUT_MS",
            "a number of milliseconds",
        )? {
            builder.handler_timeout = Some(Duration::from_millis(ms));
        }
        Ok(())
    }
}

/// Reads an optional number from the environment, naming the variable when it is
/// not one.
/// Durable on the SQLite file when the `sqlite` feature is on, else inline.
fn default_mode() -> Mode {
    if cfg!(feature = "sqlite") {
        Mode::Durable {
            path: DEFAULT_DB.into(),
        }
    } else {
        Mode::Inline
    }
}

fn parse<T: FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    what: &str,
) -> Result<Option<T>, ConfigError> {
    lookup(variable)
        .map(|text| {
            text.trim().parse().map_err(|_| ConfigError::Invalid {
                variable,
                reason: format!("`{text}` is not {what}"),
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_and_overrides_from_the_environment() {
        let c = Config::from_lookup(env(&[
            ("META_APP_SECRET", "a, b"),
            ("META_VERIFY_TOKEN", "t"),
        ]))
        .unwrap();
        assert_eq!(
            (
                c.bind_addr().to_string(),
                c.path(),
                c.body_limit(),
                c.allows_sha1()
            ),
            ("127.0.0.1:8080".into(), "/webhook", 4_194_304, false)
        );
        assert_eq!(c.secrets.len(), 2);
        let c = Config::from_lookup(env(&[
            ("META_APP_SECRET", "a"),
            ("META_VERIFY_TOKEN", "t"),
            ("META_WEBHOOK_BIND", "0.0.0.0:9000"),
            ("META_WEBHOOK_PATH", "/meta"),
            ("META_WEBHOOK_BODY_LIMIT", "1000"),
            ("META_WEBHOOK_ALLOW_SHA1", "true"),
        ]))
        .unwrap();
        assert_eq!(
            (
                c.bind_addr().to_string(),
                c.path(),
                c.body_limit(),
                c.allows_sha1()
            ),
            ("0.0.0.0:9000".into(), "/meta", 1000, true)
        );
    }

    #[test]
    fn missing_or_empty_settings_name_the_variable() {
        let cases: [(&[(&str, &str)], &str); 8] = [
            (
                &[("META_VERIFY_TOKEN", "t")],
                "META_APP_SECRET is missing or empty",
            ),
            (
                &[("META_APP_SECRET", ""), ("META_VERIFY_TOKEN", "t")],
                "META_APP_SECRET is missing or empty",
            ),
            (
                &[("META_APP_SECRET", "a,"), ("META_VERIFY_TOKEN", "t")],
                "META_APP_SECRET is missing or empty",
            ),
            (
                &[("META_APP_SECRET", "a")],
                "META_VERIFY_TOKEN is missing or empty",
            ),
            (
                &[("META_APP_SECRET", "a"), ("META_VERIFY_TOKEN", " ")],
                "META_VERIFY_TOKEN is missing or empty",
            ),
            (
                &[
                    ("META_APP_SECRET", "a"),
                    ("META_VERIFY_TOKEN", "t"),
                    ("META_WEBHOOK_BIND", "localhost"),
                ],
                "META_WEBHOOK_BIND is invalid",
            ),
            (
                &[
                    ("META_APP_SECRET", "a"),
                    ("META_VERIFY_TOKEN", "t"),
                    ("META_WEBHOOK_PATH", "webhook"),
                ],
                "META_WEBHOOK_PATH is invalid",
            ),
            (
                &[
                    ("META_APP_SECRET", "a"),
                    ("META_VERIFY_TOKEN", "t"),
                    ("META_WEBHOOK_ALLOW_SHA1", "maybe"),
                ],
                "META_WEBHOOK_ALLOW_SHA1 is invalid",
            ),
        ];
        for (vars, expected) in cases {
            let err = Config::from_lookup(env(vars)).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{vars:?}: {err}");
        }
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let builder = Config::builder()
            .app_secret("hunter2")
            .verify_token("swordfish");
        let debug = format!("{builder:?} {:?}", builder.clone().build().unwrap());
        assert!(
            !debug.contains("hunter2") && !debug.contains("swordfish"),
            "{debug}"
        );
    }
}
