//! Starting the bundled server: configuration, handlers, logs, graceful shutdown.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
#[cfg(feature = "sqlite")]
use webhook_core::delivery::sqlite::SqliteStore;
use webhook_core::delivery::{DeliveryStore, Engine, StoreError};
use webhook_core::{BuildError, Dispatcher, DispatcherBuilder};

use crate::config::{Config, ConfigError, Mode, Role};
use crate::routes;
use crate::stats::Stats;
use crate::tls::{Tls, TlsError};

/// The bundled server: every `#[on]` handler of the program behind Meta's two
/// requests.
///
/// ```no_run
/// # async fn run() -> Result<(), webhook_server::ServerError> {
/// webhook_server::Server::from_env()?.serve().await
/// # }
/// ```
pub struct Server {
    config: Config,
    dispatcher: DispatcherBuilder,
    store: Option<Arc<dyn DeliveryStore>>,
    stats: Arc<Stats>,
    metrics_listener: Option<TcpListener>,
}

/// What a built server is made of.
pub(crate) struct Parts {
    pub(crate) router: Router,
    pub(crate) workers: Workers,
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) store: Option<Arc<dyn DeliveryStore>>,
}

/// Durable mode's workers, not yet started: [`spawn`](Self::spawn) them next to the
/// server that receives the deliveries. In inline mode there are none and `spawn`
/// starts nothing.
#[must_use = "stored deliveries are only handled once the workers are spawned"]
pub struct Workers {
    engine: Option<Arc<Engine>>,
}

impl fmt::Debug for Workers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workers")
            .field("durable", &self.engine.is_some())
            .finish()
    }
}

impl Workers {
    /// Starts the worker tasks on the current Tokio runtime.
    pub fn spawn(self) -> RunningWorkers {
        let (stop, stopped) = watch::channel(false);
        let handles = match &self.engine {
            Some(engine) => engine.spawn_workers(&stopped),
            None => Vec::new(),
        };
        RunningWorkers { stop, handles }
    }
}

/// Running workers. [`shutdown`](Self::shutdown) stops them gracefully; dropping the
/// handle stops them too, each after the delivery it holds.
#[derive(Debug)]
#[must_use = "dropping the handle stops the workers"]
pub struct RunningWorkers {
    stop: watch::Sender<bool>,
    handles: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningWorkers {
    /// Stops taking deliveries and waits for each worker to finish the one it
    /// holds. Deliveries not yet handled stay in the store for the next start.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for handle in self.handles {
            let _ = handle.await;
        }
    }
}

/// Why the server could not start or stopped.
///
/// Its `Debug` output is the readable message, so that `main` returning
/// `Result<(), ServerError>` prints the cause and the fix, not a struct dump.
#[non_exhaustive]
pub enum ServerError {
    /// The configuration is unusable.
    Config(ConfigError),
    /// A handler cannot run (for example its `State<T>` was not given).
    Handlers(BuildError),
    /// The address could not be bound.
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The TLS certificate, key or client CA could not be used.
    Tls(TlsError),
    /// The delivery store could not be opened (durable mode).
    Store(StoreError),
    /// Serving failed.
    Io(std::io::Error),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(e) => write!(f, "configuration error: {e}"),
            Self::Store(e) => write!(
                f,
                "cannot open the delivery store: {e} (set META_WEBHOOK_DB to a writable file, or META_WEBHOOK_MODE=inline)"
            ),
            Self::Handlers(e) => e.fmt(f),
            Self::Bind { addr, source } => write!(
                f,
                "cannot listen on {addr}: {source} (is another process using it? set META_WEBHOOK_BIND)"
            ),
            Self::Io(e) => write!(f, "server error: {e}"),
            Self::Tls(e) => write!(f, "cannot serve HTTPS: {e}"),
        }
    }
}

impl fmt::Debug for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Config(e) => Some(e),
            Self::Handlers(e) => Some(e),
            Self::Bind { source, .. } => Some(source),
            Self::Store(e) => Some(e),
            Self::Io(e) => Some(e),
            Self::Tls(e) => Some(e),
        }
    }
}

impl From<ConfigError> for ServerError {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
    }
}

impl From<BuildError> for ServerError {
    fn from(e: BuildError) -> Self {
        Self::Handlers(e)
    }
}

impl Server {
    /// A server with this configuration and every `#[on]` handler.
    #[must_use]
    pub fn new(config: Config) -> Self {
        Self {
            config,
            dispatcher: Dispatcher::builder().registered_handlers(),
            store: None,
            stats: Arc::default(),
            metrics_listener: None,
        }
    }

    /// A server configured from the `META_*` environment variables (see
    /// [`config`](crate::config)).
    pub fn from_env() -> Result<Self, ServerError> {
        Ok(Self::new(Config::from_env()?))
    }

    /// Adds shared state for handlers taking `State<T>`.
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.dispatcher = self.dispatcher.state(value);
        self
    }

    /// Adjusts the dispatcher: routes added without the macro, concurrency, or a
    /// builder without the `#[on]` handlers (`|_| Dispatcher::builder()`).
    #[must_use]
    pub fn dispatcher(mut self, f: impl FnOnce(DispatcherBuilder) -> DispatcherBuilder) -> Self {
        self.dispatcher = f(self.dispatcher);
        self
    }

    /// Uses `store` for durable mode instead of the SQLite file of the
    /// configuration (for example a [`MemoryStore`](webhook_core::delivery::MemoryStore)
    /// in tests, or a networked broker).
    #[must_use]
    pub fn store(mut self, store: Arc<dyn DeliveryStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Serves `/metrics`, `/healthz` and `/readyz` on this listener (instead of
    /// binding `META_WEBHOOK_METRICS_BIND`); see [`observe`](crate::observe).
    #[must_use]
    pub fn metrics_listener(mut self, listener: TcpListener) -> Self {
        self.metrics_listener = Some(listener);
        self
    }

    /// Counters of what the webhook route answered (acknowledged, duplicates,
    /// refused signatures, shed requests, ...), live once the server runs.
    #[must_use]
    pub fn stats(&self) -> Arc<Stats> {
        Arc::clone(&self.stats)
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The webhook routes, to merge into your own axum `Router`, and durable mode's
    /// workers, to [`spawn`](Workers::spawn) beside it and shut down after it. Fails
    /// when a handler cannot run (for example a missing `State<T>`) or the store
    /// cannot be opened. Nothing runs in the background until you spawn the workers.
    ///
    /// The routes do not bring the bundled server's transport limits (header and
    /// body deadlines, connection cap): serve them with limits of your own, as in
    /// `examples/embed.rs`.
    pub fn into_router(self) -> Result<(Router, Workers), ServerError> {
        let parts = self.into_parts()?;
        Ok((parts.router, parts.workers))
    }

    /// The router, the workers, and the dispatcher they share (for its state).
    pub(crate) fn into_parts(self) -> Result<Parts, ServerError> {
        let mut builder = self.dispatcher;
        if let Some(limit) = self.config.handler_timeout() {
            builder = builder.handler_timeout(limit);
        }
        let dispatcher = Arc::new(builder.build()?);
        log_handlers(&dispatcher);
        let store: Option<Arc<dyn DeliveryStore>> = match (self.store, self.config.mode()) {
            (Some(store), Mode::Durable { .. }) => Some(store),
            #[cfg(feature = "nats")]
            (Some(store), Mode::Nats(_)) => Some(store),
            #[cfg(feature = "nats")]
            (None, Mode::Nats(_)) => {
                return Err(ServerError::Store(StoreError::Unavailable(
                    "NATS mode connects when serving: use serve/serve_on, or pass \
                     .store(JetStreamStore::connect(..).await?)"
                        .to_owned(),
                )));
            }
            #[cfg(not(feature = "sqlite"))]
            (None, Mode::Durable { path }) => {
                return Err(ServerError::Store(StoreError::Unavailable(format!(
                    "durable mode on {} needs the `sqlite` feature of webhook-server \
                     (a default feature); enable it, pass a store with Server::store, or \
                     set META_WEBHOOK_MODE=inline",
                    path.display()
                ))));
            }
            #[cfg(feature = "sqlite")]
            (None, Mode::Durable { path }) => {
                let store = SqliteStore::open_bounded(
                    path,
                    self.config.max_pending(),
                    self.config.max_db_bytes(),
                )
                .map_err(ServerError::Store)?;
                tracing::info!(
                    "durable mode: deliveries are stored in {} before the answer",
                    path.display()
                );
                Some(Arc::new(store))
            }
            (_, _) => {
                tracing::info!("inline mode: handlers run before the answer; nothing is stored");
                None
            }
        };
        if let Some(too_long) = store.as_ref().and_then(|_| {
            let lease = self.config.engine().lease;
            dispatcher
                .handler_timeouts()
                .find(|(_, limit)| *limit >= lease)
        }) {
            let (handler, limit) = too_long;
            return Err(ServerError::Config(ConfigError::Invalid {
                variable: "META_WEBHOOK_LEASE_SECS",
                reason: format!(
                    "handler {handler} may run for {limit:?}, not less than a worker's lease \
                     ({:?}): another worker could take its delivery (and its idempotency key) \
                     while it runs; raise the lease above the longest handler timeout or lower \
                     that timeout",
                    self.config.engine().lease
                ),
            }));
        }
        let Some(store) = store else {
            let router = routes::router(self.config, Arc::clone(&dispatcher), None, self.stats);
            return Ok(Parts {
                router,
                workers: Workers { engine: None },
                dispatcher,
                store: None,
            });
        };
        let engine = Engine::new(
            Arc::clone(&store),
            Arc::clone(&dispatcher),
            self.config.engine(),
        );
        let workers = if self.config.role() == Role::Receiver {
            tracing::info!("receiver only: stored deliveries are handled by worker processes");
            Workers { engine: None }
        } else {
            Workers {
                engine: Some(Arc::clone(&engine)),
            }
        };
        Ok(Parts {
            router: routes::router(
                self.config,
                Arc::clone(&dispatcher),
                Some(engine),
                self.stats,
            ),
            workers,
            dispatcher,
            store: Some(store),
        })
    }

    /// Binds the configured address and serves until Ctrl-C or SIGTERM, then
    /// finishes the deliveries in flight. Logs through `tracing`: install a
    /// subscriber first (`logging::init()` with the `logging` feature) to see them.
    pub async fn serve(self) -> Result<(), ServerError> {
        if self.config.role() == Role::Worker {
            return Box::pin(self.run(None, shutdown_signal())).await;
        }
        let addr = self.config.bind_addr();
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })?;
        self.serve_on(listener, shutdown_signal()).await
    }

    /// Serves on an already bound listener until `shutdown` completes, then
    /// finishes the deliveries in flight. (A worker-only process does not serve
    /// the listener: it handles stored deliveries until `shutdown`.)
    pub async fn serve_on(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let listener = (self.config.role() != Role::Worker).then_some(listener);
        // Boxed: the server's state machine is large, and callers' futures stay small.
        Box::pin(self.run(listener, shutdown)).await
    }

    async fn run(
        mut self,
        listener: Option<TcpListener>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        #[cfg(feature = "nats")]
        if let (None, Mode::Nats(settings)) = (&self.store, self.config.mode()) {
            let engine = self.config.engine();
            let store = webhook_core::delivery::nats::JetStreamStore::connect(
                settings.clone(),
                self.config.max_pending(),
                engine.lease,
                engine.dedup_window,
            )
            .await
            .map_err(ServerError::Store)?;
            tracing::info!(
                "NATS mode: deliveries are stored in JetStream at {} before the answer",
                settings.redacted_url()
            );
            self.store = Some(Arc::new(store));
        }
        let path = self.config.path().to_owned();
        let limits = self.config.limits();
        let stats = self.stats();
        let tls = match self.config.tls() {
            Some(settings) => Some(Tls::load(settings.clone()).map_err(ServerError::Tls)?),
            None => None,
        };
        let side_listener = match (self.metrics_listener.take(), self.config.metrics_bind()) {
            (Some(listener), _) => Some(listener),
            (None, Some(addr)) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| ServerError::Bind { addr, source })?,
            ),
            (None, None) => None,
        };
        let self_console = self.config.console().cloned();
        let Parts {
            router,
            workers,
            dispatcher,
            store,
        } = self.into_parts()?;
        let engine = workers.engine.clone();
        let workers = workers.spawn();
        let reloads = tls.clone().map(|tls| tokio::spawn(tls.watch()));
        let console = self_console;
        let side = side_listener
            .map(|listener| side_listener_task(listener, store, dispatcher, engine, console))
            .transpose()?;
        let served = if let Some(listener) = listener {
            let addr = listener.local_addr().map_err(ServerError::Io)?;
            let scheme = if tls.is_some() { "https" } else { "http" };
            tracing::info!("listening on {scheme}://{addr}{path}");
            crate::serve::serve(listener, router, limits, stats, tls.clone(), shutdown).await
        } else {
            tracing::info!("worker only: handling stored deliveries, no webhook listener");
            drop(router);
            shutdown.await;
            Ok(())
        };
        // A worker finishes the attempt it holds; past the drain time, what it
        // holds stays claimed in the store and is retried after the lease.
        if tokio::time::timeout(limits.drain_timeout, workers.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(
                "workers still handling deliveries after {:?}; stopping without them \
                 (those deliveries stay in the store and are handled after the lease)",
                limits.drain_timeout
            );
        }
        if let Some(task) = reloads {
            task.abort();
        }
        if let Some(task) = side {
            task.abort();
        }
        served.map_err(ServerError::Io)?;
        tracing::info!("shut down: deliveries in flight finished");
        Ok(())
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Serves `/metrics`, `/healthz` and `/readyz` on the side listener.
#[cfg(feature = "metrics")]
fn side_listener_task(
    listener: TcpListener,
    store: Option<Arc<dyn DeliveryStore>>,
    dispatcher: Arc<Dispatcher>,
    engine: Option<Arc<Engine>>,
    console: Option<crate::config::ConsoleSettings>,
) -> Result<tokio::task::JoinHandle<std::io::Result<()>>, ServerError> {
    let metrics = crate::observe::install().map_err(|e| {
        ServerError::Config(ConfigError::Invalid {
            variable: "META_WEBHOOK_METRICS_BIND",
            reason: e,
        })
    })?;
    let console = match (console, &store) {
        (None, _) => None,
        (Some(settings), Some(store)) => Some((settings, Arc::clone(store))),
        (Some(_), None) => {
            return Err(ServerError::Config(ConfigError::Invalid {
                variable: "META_WEBHOOK_CONSOLE",
                reason: "this server stores no deliveries to show: use durable or NATS mode"
                    .to_owned(),
            }));
        }
    };
    let mut side = crate::observe::router(crate::observe::Side {
        metrics,
        store,
        dispatcher: Arc::clone(&dispatcher),
        engine,
    });
    if let Some((settings, store)) = console {
        side = side.merge(console_router(&settings, store, dispatcher)?);
        if let Ok(addr) = listener.local_addr() {
            let login = if settings.admin_token.is_some() {
                "log in with META_WEBHOOK_ADMIN_TOKEN"
            } else {
                "loopback only, no login"
            };
            tracing::info!("console on http://{addr}/console ({login})");
        }
    }
    if let Ok(addr) = listener.local_addr() {
        tracing::info!("metrics and health on http://{addr}/metrics, /healthz, /readyz");
    }
    Ok(tokio::spawn(
        async move { axum::serve(listener, side).await },
    ))
}

#[cfg(feature = "console")]
fn console_router(
    settings: &crate::config::ConsoleSettings,
    store: Arc<dyn DeliveryStore>,
    dispatcher: Arc<Dispatcher>,
) -> Result<Router, ServerError> {
    let console = crate::console::Console::new(settings, store, dispatcher).map_err(|reason| {
        ServerError::Config(ConfigError::Invalid {
            variable: "META_WEBHOOK_CONSOLE",
            reason,
        })
    })?;
    Ok(crate::console::router(console))
}

#[cfg(all(feature = "metrics", not(feature = "console")))]
fn console_router(
    _: &crate::config::ConsoleSettings,
    _: Arc<dyn DeliveryStore>,
    _: Arc<Dispatcher>,
) -> Result<Router, ServerError> {
    Err(ServerError::Config(ConfigError::Invalid {
        variable: "META_WEBHOOK_CONSOLE",
        reason: "this build of webhook-server has no console: enable its `console` feature, \
                 or unset META_WEBHOOK_CONSOLE"
            .to_owned(),
    }))
}

#[cfg(not(feature = "metrics"))]
fn side_listener_task(
    _: TcpListener,
    _: Option<Arc<dyn DeliveryStore>>,
    _: Arc<Dispatcher>,
    _: Option<Arc<Engine>>,
    _: Option<crate::config::ConsoleSettings>,
) -> Result<tokio::task::JoinHandle<std::io::Result<()>>, ServerError> {
    Err(ServerError::Config(ConfigError::Invalid {
        variable: "META_WEBHOOK_METRICS_BIND",
        reason: "this build of webhook-server has no metrics listener: enable its `metrics` \
                 feature, or unset META_WEBHOOK_METRICS_BIND"
            .to_owned(),
    }))
}

fn log_handlers(dispatcher: &Dispatcher) {
    let handlers: Vec<_> = dispatcher.handlers().collect();
    if handlers.is_empty() {
        tracing::warn!(
            "no handlers registered: deliveries will be acknowledged and dropped; add #[on(...)] functions"
        );
    }
    for (route, info) in handlers {
        let target = match (route.object_name(), route.field_name()) {
            (Some(object), Some(field)) => format!("({object}, {field})"),
            (Some(object), None) => format!("({object}, every field)"),
            _ => "(catch-all)".to_owned(),
        };
        tracing::info!(
            "handler {} {target} at {}:{}",
            info.name,
            info.file,
            info.line
        );
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
