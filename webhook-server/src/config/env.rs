//! The environment variables, declared once: name, builder method, meaning,
//! default, and how the value is read. The [`variables`] page, `Config::from_env`
//! and the `--help` of `meta-webhooks serve` all come from this table.
//!
//! (Not clap's `env`: the library reads its configuration without the
//! command-line tool's dependencies, and without a command line.)

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use super::{Config, ConfigBuilder, ConfigError, DEFAULT_DB, Mode, Role};

/// One environment variable of the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Variable {
    /// Its name, such as `META_WEBHOOK_BIND`.
    pub name: &'static str,
    /// The builder method setting the same thing.
    pub builder: &'static str,
    /// What it sets.
    pub meaning: &'static str,
    /// Its default, as documented.
    pub default: &'static str,
    apply: fn(&mut Reading, &str) -> Result<(), String>,
}

/// The builder being filled, and the values that only make sense together
/// (the mode and its store, the TLS pairs), resolved once all are read.
#[derive(Default)]
struct Reading {
    builder: ConfigBuilder,
    mode: Option<String>,
    db: Option<PathBuf>,
    #[cfg_attr(
        not(feature = "nats"),
        allow(dead_code, reason = "read in NATS mode only")
    )]
    nats: Vec<(&'static str, String)>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    client_ca: Option<PathBuf>,
    client_name: Option<String>,
}

macro_rules! variables {
    ($( $name:literal, $builder:literal, $meaning:literal, $default:literal => $apply:expr; )*) => {
        const VARIABLES: &[Variable] = &[
            $( Variable { name: $name, builder: $builder, meaning: $meaning, default: $default, apply: $apply }, )*
        ];

        #[doc = concat!(
            "The environment variables of [`Config::from_env`](super::Config::from_env), with the ",
            "builder method setting the same thing. Values are trimmed; a value that cannot be ",
            "read stops start-up with a message naming the variable.\n\n",
            "| variable | builder | meaning | default |\n|---|---|---|---|\n",
            $( "| `", $name, "` | ", $builder, " | ", $meaning, " | ", $default, " |\n", )*
        )]
        pub mod variables {}
    };
}

variables! {
    "META_APP_SECRET", "`.app_secret(s)`, once per secret",
        "app secret(s), comma-separated (rotation, or a Facebook plus an Instagram app)", "required"
        => |r, v| { r.builder.secrets = v.split(',').map(|s| s.trim().to_owned()).collect(); Ok(()) };
    "META_VERIFY_TOKEN", "`.verify_token(t)`",
        "the verify token typed into the App Dashboard", "required"
        => |r, v| { r.builder.verify_token = Some(v.to_owned()); Ok(()) };
    "META_WEBHOOK_BIND", "`.bind(addr)`", "address to listen on", "`127.0.0.1:8080`"
        => |r, v| { r.builder.bind = Some(address(v, "127.0.0.1:8080")?); Ok(()) };
    "META_WEBHOOK_PATH", "`.path(p)`", "the webhook path", "`/webhook`"
        => |r, v| { r.builder.path = Some(v.trim().to_owned()); Ok(()) };
    "META_WEBHOOK_BODY_LIMIT", "`.body_limit(n)`",
        "largest body accepted, in bytes (Meta's reach 3 MB)", "`4194304` (4 MiB)"
        => |r, v| { r.builder.body_limit = Some(number(v, "a number of bytes")?); Ok(()) };
    "META_WEBHOOK_ALLOW_SHA1", "`.allow_sha1_fallback(b)`",
        "accept the legacy `X-Hub-Signature` (SHA-1) when it is the only signature", "`false`"
        => |r, v| { r.builder.allow_sha1 = flag(v)?; Ok(()) };
    "META_WEBHOOK_MODE", "`.durable(path)`, `.inline()`, `.nats(settings)`",
        "`durable` (store, answer 200, then handle), `inline` (handle, then answer) or `nats` (durable on NATS JetStream, feature `nats`)",
        "`durable` with the `sqlite` feature (a default), else `inline`"
        => |r, v| { r.mode = Some(v.trim().to_owned()); Ok(()) };
    "META_WEBHOOK_ROLE", "`.role(role)`",
        "`both`, `receiver` (store and answer only) or `worker` (handle only, no webhook listener); other than `both` needs NATS mode",
        "`both`"
        => |r, v| { r.builder.role = role(v)?; Ok(()) };
    "META_WEBHOOK_DB", "`.durable(path)`", "the SQLite file of durable mode", "`./meta-webhooks.db`"
        => |r, v| { r.db = Some(v.trim().into()); Ok(()) };
    "META_WEBHOOK_WORKERS", "`.workers(n)`", "worker tasks handling stored deliveries", "`4`"
        => |r, v| { r.builder.engine.workers = number(v, "a number of workers")?; Ok(()) };
    "META_WEBHOOK_MAX_ATTEMPTS", "`.retry(policy)`", "attempts before a delivery is dead-lettered", "`10`"
        => |r, v| { r.builder.engine.retry.max_attempts = number(v, "a number of attempts")?; Ok(()) };
    "META_WEBHOOK_RETRY_BASE_MS", "`.retry(policy)`",
        "delay after the first failure, doubling after each (capped at 30 min)", "`5000`"
        => |r, v| { r.builder.engine.retry.base_delay = millis(v)?; Ok(()) };
    "META_WEBHOOK_MAX_PENDING", "`.max_pending(n)`", "pending deliveries before new ones get 503", "`100000`"
        => |r, v| { r.builder.max_pending = Some(number(v, "a number of deliveries")?); Ok(()) };
    "META_WEBHOOK_DEDUP_WINDOW_SECS", "`.dedup_window(d)`",
        "how long a body is remembered to drop duplicates", "`604800` (7 days)"
        => |r, v| { r.builder.engine.dedup_window = secs(v)?; Ok(()) };
    "META_WEBHOOK_DEAD_RETENTION_SECS", "`.retention(dead, keys)`",
        "how long dead letters are kept for inspection and replay", "`2592000` (30 days)"
        => |r, v| { r.builder.engine.dead_letter_retention = secs(v)?; Ok(()) };
    "META_WEBHOOK_KEY_RETENTION_SECS", "`.retention(dead, keys)`",
        "how long an idempotency key is remembered after its handler ran", "`604800` (7 days)"
        => |r, v| { r.builder.engine.key_retention = secs(v)?; Ok(()) };
    "META_WEBHOOK_LEASE_SECS", "`.lease(d)`",
        "how long a worker's claim lasts before another worker may take it", "`60`"
        => |r, v| { r.builder.engine.lease = secs(v)?; Ok(()) };
    "META_WEBHOOK_MAX_DB_BYTES", "`.max_db_bytes(n)`",
        "a disk quota for the SQLite file: past it, new deliveries get 503", "none"
        => |r, v| { r.builder.max_db_bytes = Some(number(v, "a number of bytes")?); Ok(()) };
    "META_WEBHOOK_HEADER_TIMEOUT_MS", "`.limits(..)`",
        "time for a request's line and headers (slow clients are cut off)", "`10000`"
        => |r, v| { r.builder.limits.header_timeout = millis(v)?; Ok(()) };
    "META_WEBHOOK_BODY_TIMEOUT_MS", "`.limits(..)`", "time for a request's body (then `408`)", "`30000`"
        => |r, v| { r.builder.limits.body_timeout = millis(v)?; Ok(()) };
    "META_WEBHOOK_MAX_HEADER_BYTES", "`.limits(..)`", "largest request line plus headers (then `431`)", "`65536`"
        => |r, v| { r.builder.limits.max_header_bytes = number(v, "a number of bytes")?; Ok(()) };
    "META_WEBHOOK_DRAIN_TIMEOUT_MS", "`.limits(..)`", "time requests in flight get at shutdown", "`30000`"
        => |r, v| { r.builder.limits.drain_timeout = millis(v)?; Ok(()) };
    "META_WEBHOOK_MAX_IN_FLIGHT", "`.limits(..)`",
        "verified deliveries handled at once; past it, `503` with `Retry-After` at once", "`256`"
        => |r, v| { r.builder.limits.max_in_flight = number(v, "a number of requests")?; Ok(()) };
    "META_WEBHOOK_MAX_CONNECTIONS", "`.limits(..)`",
        "open connections; past it, a new one gets `503` and is closed", "`1024`"
        => |r, v| { r.builder.limits.max_connections = number(v, "a number of connections")?; Ok(()) };
    "META_WEBHOOK_MAX_CONNECTIONS_PER_IP", "`.limits(..)`",
        "open connections from one IP address (one client cannot hold the whole cap)", "a quarter of `META_WEBHOOK_MAX_CONNECTIONS`"
        => |r, v| { r.builder.limits.max_connections_per_ip = number(v, "a number of connections")?; Ok(()) };
    "META_WEBHOOK_BODY_BUDGET", "`.limits(..)`",
        "body bytes buffered at once across all requests, charged as they arrive (until verified, one address holds at most its share of connections of it, never less than one body); past it, `503` with `Retry-After`", "2 × `META_WEBHOOK_BODY_LIMIT`"
        => |r, v| { r.builder.limits.body_budget = number(v, "a number of bytes")?; Ok(()) };
    "META_WEBHOOK_MIN_BODY_RATE", "`.limits(..)`",
        "slowest a body may arrive after its first 2 s, in bytes per second (then `408`)", "`65536`"
        => |r, v| { r.builder.limits.min_body_rate = number(v, "a number of bytes per second")?; Ok(()) };
    "META_WEBHOOK_HANDLER_TIMEOUT_MS", "`.handler_timeout(d)`",
        "longest handler call before it is cancelled (and retried in durable mode); `#[on(.., timeout = \"..\")]` overrides it per handler",
        "`30000`"
        => |r, v| { r.builder.handler_timeout = Some(millis(v)?); Ok(()) };
    "META_WEBHOOK_TLS_CERT", "`.tls(cert, key)`",
        "serve HTTPS with this certificate chain (PEM), reloaded on `SIGHUP` or change (feature `tls`)", "plain HTTP"
        => |r, v| { r.tls_cert = nonempty(v).map(Into::into); Ok(()) };
    "META_WEBHOOK_TLS_KEY", "`.tls(cert, key)`", "the certificate's private key (PEM)", "plain HTTP"
        => |r, v| { r.tls_key = nonempty(v).map(Into::into); Ok(()) };
    "META_WEBHOOK_TLS_CLIENT_CA", "`.tls_client_auth(ca, name)`",
        "mutual TLS: require client certificates chaining to this CA bundle", "off"
        => |r, v| { r.client_ca = nonempty(v).map(Into::into); Ok(()) };
    "META_WEBHOOK_TLS_CLIENT_NAME", "`.tls_client_auth(ca, name)`",
        "mutual TLS: the name client certificates must be valid for (Meta's: `client.webhooks.fbclientcerts.com`)", "off"
        => |r, v| { r.client_name = nonempty(v).map(str::to_owned); Ok(()) };
    "META_WEBHOOK_METRICS_BIND", "`.metrics_bind(addr)`",
        "serve `/metrics` (Prometheus), `/healthz`, `/readyz` on this address, apart from the webhook port (feature `metrics`)", "off"
        => |r, v| {
            if let Some(v) = nonempty(v) {
                r.builder.metrics_bind = Some(address(v, "127.0.0.1:9090")?);
            }
            Ok(())
        };
    "META_WEBHOOK_CONSOLE", "`.console()`",
        "serve the operator's console on the metrics listener, at `/console` (feature `console`)", "`false`"
        => |r, v| { r.builder.console = flag(v)?; Ok(()) };
    "META_WEBHOOK_ADMIN_TOKEN", "`.admin_token(t)`",
        "the console's login token (16 characters or more); required unless the metrics listener is on loopback", "none"
        => |r, v| { r.builder.admin_token = nonempty(v).map(str::to_owned); Ok(()) };
    "META_NATS_URL", "`.nats(settings)`", "NATS mode: the server(s), comma-separated", "`nats://127.0.0.1:4222`"
        => |r, v| { r.nats.push(("META_NATS_URL", v.to_owned())); Ok(()) };
    "META_NATS_PREFIX", "`.nats(settings)`", "NATS mode: the stream and bucket names' prefix", "`webhooks`"
        => |r, v| { r.nats.push(("META_NATS_PREFIX", v.to_owned())); Ok(()) };
    "META_NATS_REPLICAS", "`.nats(settings)`", "NATS mode: replicas of streams and buckets", "`1`"
        => |r, v| { r.nats.push(("META_NATS_REPLICAS", v.to_owned())); Ok(()) };
    "META_NATS_DUPLICATE_WINDOW_SECS", "`.nats(settings)`", "NATS mode: JetStream's own duplicate window", "`120`"
        => |r, v| { r.nats.push(("META_NATS_DUPLICATE_WINDOW_SECS", v.to_owned())); Ok(()) };
    "META_NATS_DEAD_RETENTION_SECS", "`.nats(settings)`", "NATS mode: how long dead letters are kept", "30 days"
        => |r, v| { r.nats.push(("META_NATS_DEAD_RETENTION_SECS", v.to_owned())); Ok(()) };
    "META_LOG_FORMAT", "`logging::init()`", "`text` or `json` log lines (read by `logging::init`)", "`text`"
        => |_, _| Ok(());
}

impl Config {
    /// Every environment variable it reads, in the order of the
    /// [`variables`] table (for `--help` texts and checks).
    #[must_use]
    pub fn variables() -> &'static [Variable] {
        VARIABLES
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut reading = Reading::default();
        for variable in VARIABLES {
            if let Some(value) = lookup(variable.name) {
                (variable.apply)(&mut reading, &value).map_err(|reason| ConfigError::Invalid {
                    variable: variable.name,
                    reason,
                })?;
            }
        }
        reading.finish()
    }
}

impl Reading {
    /// Resolves the values read together, then builds.
    fn finish(mut self) -> Result<Config, ConfigError> {
        match self.mode.as_deref() {
            Some("durable") => {
                let path = self.db.take().unwrap_or_else(|| DEFAULT_DB.into());
                self.builder.mode = Some(Mode::Durable { path });
            }
            None | Some("") => {
                if let Some(path) = self.db.take() {
                    self.builder.mode = Some(Mode::Durable { path });
                }
            }
            Some("inline") => self.builder.mode = Some(Mode::Inline),
            #[cfg(feature = "nats")]
            Some("nats") => self.builder.mode = Some(Mode::Nats(nats_settings(&self.nats)?)),
            #[cfg(not(feature = "nats"))]
            Some("nats") => {
                return Err(ConfigError::Invalid {
                    variable: "META_WEBHOOK_MODE",
                    reason: "NATS mode needs the `nats` feature of webhook-server".to_owned(),
                });
            }
            Some(other) => {
                return Err(ConfigError::Invalid {
                    variable: "META_WEBHOOK_MODE",
                    reason: format!("`{other}` is not `durable`, `inline` or `nats`"),
                });
            }
        }
        match (self.tls_cert, self.tls_key) {
            (None, None) => {}
            (Some(cert), Some(key)) => self.builder.tls_files = Some((cert, key)),
            (Some(_), None) | (None, Some(_)) => {
                return Err(ConfigError::Invalid {
                    variable: "META_WEBHOOK_TLS_CERT and META_WEBHOOK_TLS_KEY",
                    reason: "set both (the certificate chain and its key, PEM files) or neither"
                        .to_owned(),
                });
            }
        }
        match (self.client_ca, self.client_name) {
            (Some(ca), name) => self.builder.tls_client = Some((ca, name)),
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
        self.builder.build()
    }
}

/// NATS mode's settings from the `META_NATS_*` values read.
#[cfg(feature = "nats")]
fn nats_settings(
    values: &[(&'static str, String)],
) -> Result<webhook_core::delivery::nats::NatsSettings, ConfigError> {
    let mut nats = webhook_core::delivery::nats::NatsSettings::default();
    for (variable, value) in values {
        let invalid = |reason| ConfigError::Invalid { variable, reason };
        match *variable {
            "META_NATS_URL" => nats.url.clone_from(value),
            "META_NATS_PREFIX" => nats.prefix.clone_from(value),
            "META_NATS_REPLICAS" => {
                nats.replicas = number(value, "a number of replicas").map_err(invalid)?;
            }
            "META_NATS_DUPLICATE_WINDOW_SECS" => {
                nats.duplicate_window = secs(value).map_err(invalid)?;
            }
            _ => nats.dead_retention = secs(value).map_err(invalid)?,
        }
    }
    Ok(nats)
}

fn nonempty(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

fn number<T: FromStr>(value: &str, what: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("`{value}` is not {what}"))
}

fn millis(value: &str) -> Result<Duration, String> {
    number(value, "a number of milliseconds").map(Duration::from_millis)
}

fn secs(value: &str) -> Result<Duration, String> {
    number(value, "a number of seconds").map(Duration::from_secs)
}

fn address(value: &str, example: &str) -> Result<SocketAddr, String> {
    value
        .trim()
        .parse()
        .map_err(|e| format!("`{value}` is not an address such as {example} ({e})"))
}

fn flag(value: &str) -> Result<bool, String> {
    match value.trim() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        other => Err(format!("`{other}` is not true or false")),
    }
}

fn role(value: &str) -> Result<Role, String> {
    match value.trim() {
        "" | "both" => Ok(Role::Both),
        "receiver" => Ok(Role::Receiver),
        "worker" => Ok(Role::Worker),
        other => Err(format!("`{other}` is not `both`, `receiver` or `worker`")),
    }
}
