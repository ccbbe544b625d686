//! Building a [`Config`]: setters with defaults, and the checks that make it valid.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use webhook_core::delivery::{EngineConfig, RetryPolicy};
use webhook_core::handshake::VerifyToken;
use webhook_core::signature::AppSecret;

use super::{
    AdminToken, ClientAuth, Config, ConfigError, ConsoleSettings, DEFAULT_BODY_LIMIT,
    DEFAULT_MAX_PENDING, Limits, Mode, Role, SECRET_HINT, TOKEN_HINT, TlsSettings, default_mode,
};

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
    pub(super) secrets: Vec<String>,
    pub(super) verify_token: Option<String>,
    pub(super) bind: Option<SocketAddr>,
    pub(super) path: Option<String>,
    pub(super) body_limit: Option<usize>,
    pub(super) allow_sha1: bool,
    pub(super) mode: Option<Mode>,
    pub(super) engine: EngineConfig,
    pub(super) max_pending: Option<u64>,
    pub(super) max_db_bytes: Option<u64>,
    pub(super) limits: Limits,
    pub(super) handler_timeout: Option<Duration>,
    pub(super) tls_files: Option<(PathBuf, PathBuf)>,
    pub(super) tls_client: Option<(PathBuf, Option<String>)>,
    pub(super) tls_reload_check: Duration,
    pub(super) metrics_bind: Option<SocketAddr>,
    pub(super) console: bool,
    pub(super) admin_token: Option<String>,
    pub(super) role: Role,
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
            console: false,
            admin_token: None,
            role: Role::Both,
        }
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
            .field("console", &self.console)
            .field("admin_token", &self.admin_token.as_ref().map(|_| redacted))
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

    /// How long dead letters (default 30 days) and idempotency keys (default 7 days)
    /// are kept. Handled deliveries keep only their hash, for the dedup window.
    #[must_use]
    pub fn retention(mut self, dead_letters: Duration, keys: Duration) -> Self {
        self.engine.dead_letter_retention = dead_letters;
        self.engine.key_retention = keys;
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

    /// Serves the operator's console on the metrics listener (feature `console`;
    /// see [`console`](crate::console)). Without an admin token the listener
    /// must be bound to loopback.
    #[must_use]
    pub fn console(mut self) -> Self {
        self.console = true;
        self
    }

    /// The console's admin token: a login form (and `Authorization: Bearer` for
    /// scripts) asks for it. At least 16 characters.
    #[must_use]
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
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
        let console = self.console_settings()?;
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
        let limits = resolve_limits(self.limits, body_limit)?;
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
            limits,
            handler_timeout: self.handler_timeout,
            tls,
            metrics_bind: self.metrics_bind,
            console,
            role: self.role,
        })
    }
}

impl ConfigBuilder {
    /// The console's settings, refused when it would be reachable by anyone.
    fn console_settings(&self) -> Result<Option<ConsoleSettings>, ConfigError> {
        let admin_token = self
            .admin_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if !self.console {
            return Ok(None);
        }
        let Some(bind) = self.metrics_bind else {
            return Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_CONSOLE",
                reason: "the console is served on the side listener, never the webhook port: \
                         set META_WEBHOOK_METRICS_BIND (127.0.0.1:9090)"
                    .to_owned(),
            });
        };
        if matches!(self.mode.clone().unwrap_or_else(default_mode), Mode::Inline) {
            return Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_CONSOLE",
                reason: "inline mode stores no deliveries to show: use durable or NATS mode, or \
                         turn the console off"
                    .to_owned(),
            });
        }
        match admin_token {
            Some(token) if token.chars().count() < 16 => Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_ADMIN_TOKEN",
                reason: "shorter than 16 characters: use a long random one \
                         (openssl rand -hex 24)"
                    .to_owned(),
            }),
            None if !bind.ip().is_loopback() => Err(ConfigError::Invalid {
                variable: "META_WEBHOOK_ADMIN_TOKEN",
                reason: format!(
                    "the console would be open to anyone who reaches {bind}: set an admin \
                     token (openssl rand -hex 24), or bind META_WEBHOOK_METRICS_BIND to \
                     127.0.0.1"
                ),
            }),
            token => Ok(Some(ConsoleSettings {
                admin_token: token.map(|t| AdminToken(t.to_owned())),
            })),
        }
    }

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
}

/// `limits` with its defaults that depend on the body limit filled in, checked.
fn resolve_limits(mut limits: Limits, body_limit: usize) -> Result<Limits, ConfigError> {
    if limits.body_budget == 0 {
        limits.body_budget = body_limit.saturating_mul(2);
    }
    if limits.body_budget < body_limit {
        return Err(ConfigError::Invalid {
            variable: "META_WEBHOOK_BODY_BUDGET",
            reason: format!(
                "{} bytes cannot hold one body of the {body_limit} byte limit; raise it to a \
                 few bodies, or lower META_WEBHOOK_BODY_LIMIT",
                limits.body_budget
            ),
        });
    }
    if limits.per_ip() > limits.max_connections {
        return Err(ConfigError::Invalid {
            variable: "META_WEBHOOK_MAX_CONNECTIONS_PER_IP",
            reason: format!(
                "{} is above META_WEBHOOK_MAX_CONNECTIONS ({})",
                limits.per_ip(),
                limits.max_connections
            ),
        });
    }
    Ok(limits)
}
