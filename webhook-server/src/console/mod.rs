//! The operator's console (feature `console`): what arrived, what failed and why,
//! and replay after a fix, in a browser. Served at `/console` on the metrics
//! listener (`META_WEBHOOK_METRICS_BIND`), never on the webhook port, when
//! `META_WEBHOOK_CONSOLE=true`; works with the SQLite and NATS stores.
//!
//! # Safe by default
//!
//! - Without `META_WEBHOOK_ADMIN_TOKEN` the server refuses to start unless the
//!   listener is bound to loopback, and then answers only requests addressed to a
//!   loopback name (`127.0.0.1`, `[::1]`, `localhost`: a page of another site
//!   cannot reach it by rebinding its DNS name to 127.0.0.1).
//! - With a token, every page asks for it once (a login form setting an
//!   `HttpOnly`, `SameSite=Strict` session cookie, valid 12 hours), and scripts send
//!   it as `Authorization: Bearer <token>`.
//! - Actions are `POST`s carrying a CSRF token (a form field, or the
//!   `X-CSRF-Token` header for the JSON API; bearer requests need none); a `POST`
//!   whose `Origin` is another site is refused.
//! - Every payload is shown as escaped text, never as HTML; every answer carries a
//!   strict `Content-Security-Policy` (scripts, styles and images from the console
//!   itself only), `X-Frame-Options: DENY` and `Referrer-Policy: same-origin` (`no-referrer` would make browsers send `Origin: null` with the console's own forms); the
//!   stylesheet and script are compiled into the binary.
//!
//! # Pages
//!
//! | path | what |
//! |---|---|
//! | `/console` | overview: counts by state, the last 200 to Meta and the non-200 streak, six hours of deliveries and failures, handlers over the last hour |
//! | `/console/deliveries` | deliveries, newest first, filtered by `state`, `object`, `field`, `entry`, `handler`, `since`, `until`; paged by `before` |
//! | `/console/deliveries/{id}` | one delivery: items as routed, per-handler outcome, every attempt with its errors, the raw body, the signature check |
//! | `/console/replay?..filters` | how many deliveries a filter matches, and a button replaying them all |
//!
//! # JSON API
//!
//! The same data for scripts (the `deliveries` command line reads the store with
//! the same queries, [`crate::deliveries`]):
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /console/api/overview` | `{"counts": {"pending","failed","dead","done"}, "non_200_streak", "last_200_at", "timeline": [{"start","received","failed"}], "handlers": [{"handler","route","calls","failures","mean_ms"}]}` |
//! | `GET /console/api/deliveries?state=dead&object=..&field=..&entry=..&handler=..&since=2h&until=..&before=..&limit=50` | `{"deliveries": [..], "next_before": id or null}`, each as `deliveries list --json` prints it |
//! | `GET /console/api/deliveries/{id}` | the delivery as `deliveries show --json` prints it; 404 when there is none |
//! | `POST /console/api/deliveries/{id}/replay` | `{"replayed": true}`; 404 when there is none |
//! | `POST /console/api/deliveries/{id}/discard` | `{"discarded": true}`; 404 when there is none |
//! | `POST /console/api/replay?state=dead&..filters` | `{"replayed": [ids]}`: every delivery the filters match, every page |
//!
//! ```sh
//! curl -s -H "Authorization: Bearer $META_WEBHOOK_ADMIN_TOKEN" \
//!     'http://127.0.0.1:9090/console/api/deliveries?state=dead&since=2h'
//! curl -s -X POST -H "Authorization: Bearer $META_WEBHOOK_ADMIN_TOKEN" \
//!     'http://127.0.0.1:9090/console/api/replay?state=dead&field=messages'
//! ```

mod api;
mod auth;
mod pages;
mod view;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use webhook_core::Dispatcher;
use webhook_core::delivery::DeliveryStore;

use crate::config::ConsoleSettings;

pub(crate) use auth::Auth;

/// What the console reads and changes.
#[derive(Clone)]
pub(crate) struct Console {
    pub(crate) store: Arc<dyn DeliveryStore>,
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) auth: Arc<Auth>,
}

impl Console {
    /// The console over `store`, with a fresh session key.
    pub(crate) fn new(
        settings: &ConsoleSettings,
        store: Arc<dyn DeliveryStore>,
        dispatcher: Arc<Dispatcher>,
    ) -> Result<Self, String> {
        Ok(Self {
            store,
            dispatcher,
            auth: Arc::new(Auth::new(settings.admin_token.clone())?),
        })
    }
}

const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

/// The console's routes, under `/console`.
pub(crate) fn router(console: Console) -> Router {
    let guarded = Router::new()
        .route("/console", get(pages::overview))
        .route("/console/deliveries", get(pages::deliveries))
        .route("/console/deliveries/{id}", get(pages::delivery))
        .route(
            "/console/deliveries/{id}/replay",
            get(pages::confirm_replay_one).post(pages::replay_one),
        )
        .route(
            "/console/deliveries/{id}/discard",
            get(pages::confirm_discard).post(pages::discard),
        )
        .route(
            "/console/replay",
            get(pages::confirm_replay_all).post(pages::replay_all),
        )
        .route("/console/logout", post(auth::logout))
        .route("/console/api/overview", get(api::overview))
        .route("/console/api/deliveries", get(api::deliveries))
        .route("/console/api/deliveries/{id}", get(api::delivery))
        .route("/console/api/deliveries/{id}/replay", post(api::replay_one))
        .route("/console/api/deliveries/{id}/discard", post(api::discard))
        .route("/console/api/replay", post(api::replay_all))
        .route_layer(axum::middleware::from_fn_with_state(
            console.clone(),
            auth::guard,
        ));
    Router::new()
        .route("/console/login", get(auth::login_form).post(auth::login))
        .route("/console/assets/console.css", get(css))
        .route("/console/assets/console.js", get(js))
        .merge(guarded)
        .layer(axum::middleware::from_fn(headers))
        .with_state(console)
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        JS,
    )
}

/// The console's own resources only; no inline script or style; never framed.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'none'";

async fn headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> impl IntoResponse {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
