//! The console's JSON API (see the table in [`super`]).

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use webhook_core::delivery::{DeliveryId, now_ms};

use super::Console;
use super::auth::Who;
use super::view::{Overview, Selection};
use crate::deliveries;

fn reply(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    reply(status, &json!({ "error": message.into() }))
}

/// A `POST` without the CSRF header, from a browser session.
fn csrf_refused(console: &Console, who: &Who, headers: &HeaderMap) -> Option<Response> {
    let given = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    (!console.auth.csrf_ok(who, given)).then(|| {
        error(
            StatusCode::FORBIDDEN,
            "send the page's CSRF token in X-CSRF-Token, or the admin token as a bearer",
        )
    })
}

pub(crate) async fn overview(State(console): State<Console>) -> Response {
    match Overview::read(&console).await {
        Ok(overview) => reply(StatusCode::OK, &overview.to_json()),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, e),
    }
}

pub(crate) async fn deliveries(
    State(console): State<Console>,
    Query(selection): Query<Selection>,
) -> Response {
    let (query, filter) = match selection.parse(50) {
        Ok(parsed) => parsed,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    match deliveries::page(&*console.store, query, &filter).await {
        Ok((records, next)) => reply(
            StatusCode::OK,
            &json!({
                "deliveries": records.iter().map(|r| deliveries::to_json(r, false)).collect::<Vec<_>>(),
                "next_before": next.map(|id| id.0),
            }),
        ),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

pub(crate) async fn delivery(State(console): State<Console>, Path(id): Path<i64>) -> Response {
    match console.store.get(DeliveryId(id)).await {
        Ok(Some(record)) => reply(StatusCode::OK, &deliveries::to_json(&record, true)),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no delivery {id}")),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

/// What the API can do to one delivery.
#[derive(Clone, Copy)]
enum Action {
    Replay,
    Discard,
}

/// Does `action` to one delivery, answering `{"replayed": true}` or
/// `{"discarded": true}`.
async fn one(
    console: &Console,
    who: &Who,
    headers: &HeaderMap,
    id: i64,
    action: Action,
) -> Response {
    if let Some(refused) = csrf_refused(console, who, headers) {
        return refused;
    }
    let (result, done) = match action {
        Action::Replay => (
            console.store.replay(DeliveryId(id), now_ms()).await,
            "replayed",
        ),
        Action::Discard => (console.store.discard(DeliveryId(id)).await, "discarded"),
    };
    match result {
        Ok(true) => reply(StatusCode::OK, &json!({ done: true })),
        Ok(false) => error(StatusCode::NOT_FOUND, format!("no delivery {id}")),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

pub(crate) async fn replay_one(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    one(&console, &who, &headers, id, Action::Replay).await
}

pub(crate) async fn discard(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    one(&console, &who, &headers, id, Action::Discard).await
}

pub(crate) async fn replay_all(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    headers: HeaderMap,
    Query(selection): Query<Selection>,
) -> Response {
    if let Some(refused) = csrf_refused(&console, &who, &headers) {
        return refused;
    }
    let (query, filter) = match selection.parse(500) {
        Ok(parsed) => parsed,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    match deliveries::replay_matching(&*console.store, query, &filter).await {
        Ok(ids) => reply(
            StatusCode::OK,
            &json!({ "replayed": ids.iter().map(|id| id.0).collect::<Vec<_>>() }),
        ),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}
