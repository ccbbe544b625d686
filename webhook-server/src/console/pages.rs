//! The console's HTML pages: askama templates (`templates/console/`), escaped
//! by default, and plain forms for the actions.

use askama::Template;
use axum::Extension;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use webhook_core::delivery::{DeliveryId, now_ms};

use super::Console;
use super::auth::Who;
use super::view::{Detail, Overview, Row, Selection};
use crate::deliveries;

/// Renders a page, or a plain 500 naming the template error.
pub(crate) fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the console could not render this page: {e}"),
        )
            .into_response(),
    }
}

fn error_page(status: StatusCode, csrf: String, message: String) -> Response {
    let mut response = render(&Notice {
        csrf,
        title: "Error".to_owned(),
        text: message,
    });
    *response.status_mut() = status;
    response
}

#[derive(Template)]
#[template(path = "console/message.html")]
struct Notice {
    csrf: String,
    title: String,
    text: String,
}

#[derive(Template)]
#[template(path = "console/overview.html")]
struct OverviewPage {
    csrf: String,
    o: Overview,
}

pub(crate) async fn overview(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
) -> Response {
    let csrf = console.auth.csrf(&who);
    match Overview::read(&console).await {
        Ok(o) => render(&OverviewPage { csrf, o }),
        Err(e) => error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            csrf,
            format!("The delivery store does not answer: {e}"),
        ),
    }
}

#[derive(Template)]
#[template(path = "console/deliveries.html")]
struct DeliveriesPage {
    csrf: String,
    selection: Selection,
    rows: Vec<Row>,
    next: Option<i64>,
    query: String,
    states: &'static [&'static str],
}

pub(crate) async fn deliveries(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    Query(selection): Query<Selection>,
) -> Response {
    let csrf = console.auth.csrf(&who);
    let (query, filter) = match selection.parse(50) {
        Ok(parsed) => parsed,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, csrf, e),
    };
    match deliveries::page(&*console.store, query, &filter).await {
        Ok((records, next)) => render(&DeliveriesPage {
            csrf,
            query: selection.query_string(),
            selection,
            rows: records.iter().map(Row::of).collect(),
            next: next.map(|id| id.0),
            states: &["all", "pending", "failed", "dead", "done"],
        }),
        Err(e) => error_page(StatusCode::SERVICE_UNAVAILABLE, csrf, e.to_string()),
    }
}

#[derive(Template)]
#[template(path = "console/delivery.html")]
struct DeliveryPage {
    csrf: String,
    d: Detail,
}

pub(crate) async fn delivery(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    Path(id): Path<i64>,
) -> Response {
    let csrf = console.auth.csrf(&who);
    match console.store.get(DeliveryId(id)).await {
        Ok(Some(record)) => render(&DeliveryPage {
            csrf,
            d: Detail::of(&record),
        }),
        Ok(None) => error_page(
            StatusCode::NOT_FOUND,
            csrf,
            format!("There is no delivery {id} (discarded, or pruned after its retention)."),
        ),
        Err(e) => error_page(StatusCode::SERVICE_UNAVAILABLE, csrf, e.to_string()),
    }
}

#[derive(Template)]
#[template(path = "console/confirm.html")]
struct Confirm {
    csrf: String,
    title: String,
    question: String,
    action: String,
    button: String,
    danger: bool,
    /// Hidden fields carried to the `POST` (the selection of a bulk replay).
    fields: Vec<(&'static str, String)>,
    back: String,
}

/// The confirmation of an action on one delivery: its path segment (`replay`,
/// `discard`), its name on the page (`Replay`) and what it does.
fn confirm_one(
    console: &Console,
    who: &Who,
    id: i64,
    (path, verb): (&str, &str),
    effect: &str,
) -> Response {
    render(&Confirm {
        csrf: console.auth.csrf(who),
        title: format!("{verb} delivery {id}"),
        question: format!("{verb} 1 delivery (delivery {id})? {effect}"),
        action: format!("/console/deliveries/{id}/{path}"),
        button: format!("{verb} 1 delivery"),
        danger: path == "discard",
        fields: Vec::new(),
        back: format!("/console/deliveries/{id}"),
    })
}

pub(crate) async fn confirm_replay_one(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    Path(id): Path<i64>,
) -> Response {
    confirm_one(
        &console,
        &who,
        id,
        ("replay", "Replay"),
        "Its attempts start again now; handlers that already succeeded on it are not \
         called again.",
    )
}

pub(crate) async fn confirm_discard(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    Path(id): Path<i64>,
) -> Response {
    confirm_one(
        &console,
        &who,
        id,
        ("discard", "Discard"),
        "It is deleted from the store and never handled; this cannot be undone.",
    )
}

pub(crate) async fn confirm_replay_all(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    Query(selection): Query<Selection>,
) -> Response {
    let csrf = console.auth.csrf(&who);
    let (query, filter) = match selection.parse(500) {
        Ok(parsed) => parsed,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, csrf, e),
    };
    let ids = match deliveries::matching_ids(&*console.store, query, &filter).await {
        Ok(ids) => ids,
        Err(e) => return error_page(StatusCode::SERVICE_UNAVAILABLE, csrf, e.to_string()),
    };
    let conditions = selection
        .conditions()
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>();
    let which = if conditions.is_empty() {
        "every delivery in the store".to_owned()
    } else {
        format!("every delivery with {}", conditions.join(", "))
    };
    let n = ids.len();
    let deliveries = if n == 1 {
        "1 delivery".to_owned()
    } else {
        format!("{n} deliveries")
    };
    render(&Confirm {
        csrf,
        title: "Replay matching deliveries".to_owned(),
        question: format!(
            "Replay {deliveries} ({which})? Their attempts start again now; handlers that \
             already succeeded on them are not called again."
        ),
        action: "/console/replay".to_owned(),
        button: format!("Replay {deliveries}"),
        danger: false,
        fields: selection.conditions(),
        back: format!("/console/deliveries?{}", selection.query_string()),
    })
}

/// A form's CSRF token, and the selection of a bulk replay.
#[derive(Deserialize)]
pub(crate) struct ActionForm {
    csrf: Option<String>,
    #[serde(flatten)]
    selection: Selection,
}

/// The form, when it carries `who`'s CSRF token (a body that is not a form
/// carries none either).
fn checked(
    console: &Console,
    who: &Who,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Option<ActionForm> {
    form.ok()
        .map(|Form(form)| form)
        .filter(|form| console.auth.csrf_ok(who, form.csrf.as_deref()))
}

fn csrf_refused(console: &Console, who: &Who) -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        console.auth.csrf(who),
        "This form has expired or did not come from the console (CSRF token missing or \
         wrong): reload the page and try again."
            .to_owned(),
    )
}

pub(crate) async fn replay_one(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    Path(id): Path<i64>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    if checked(&console, &who, form).is_none() {
        return csrf_refused(&console, &who);
    }
    match console.store.replay(DeliveryId(id), now_ms()).await {
        Ok(true) => {
            tracing::info!(delivery = id, "replayed from the console");
            Redirect::to(&format!("/console/deliveries/{id}")).into_response()
        }
        Ok(false) => error_page(
            StatusCode::NOT_FOUND,
            console.auth.csrf(&who),
            format!("There is no delivery {id}."),
        ),
        Err(e) => error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            console.auth.csrf(&who),
            e.to_string(),
        ),
    }
}

pub(crate) async fn discard(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    Path(id): Path<i64>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    if checked(&console, &who, form).is_none() {
        return csrf_refused(&console, &who);
    }
    let csrf = console.auth.csrf(&who);
    match console.store.discard(DeliveryId(id)).await {
        Ok(true) => {
            tracing::info!(delivery = id, "discarded from the console");
            render(&Notice {
                csrf,
                title: format!("Delivery {id} discarded"),
                text: "1 delivery discarded.".to_owned(),
            })
        }
        Ok(false) => error_page(
            StatusCode::NOT_FOUND,
            csrf,
            format!("There is no delivery {id}."),
        ),
        Err(e) => error_page(StatusCode::SERVICE_UNAVAILABLE, csrf, e.to_string()),
    }
}

pub(crate) async fn replay_all(
    State(console): State<Console>,
    Extension(who): Extension<Who>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let Some(form) = checked(&console, &who, form) else {
        return csrf_refused(&console, &who);
    };
    let csrf = console.auth.csrf(&who);
    let (query, filter) = match form.selection.parse(500) {
        Ok(parsed) => parsed,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, csrf, e),
    };
    match deliveries::replay_matching(&*console.store, query, &filter).await {
        Ok(replayed) => {
            tracing::info!(count = replayed.len(), "replayed from the console");
            let n = replayed.len();
            render(&Notice {
                csrf,
                title: "Replayed".to_owned(),
                text: format!(
                    "{n} deliver{} replayed: the workers handle {} now.",
                    if n == 1 { "y" } else { "ies" },
                    if n == 1 { "it" } else { "them" }
                ),
            })
        }
        Err(e) => error_page(StatusCode::SERVICE_UNAVAILABLE, csrf, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webhook_core::delivery::Counts;

    fn overview(streak: u64, last_200_ms: u64) -> Overview {
        Overview {
            counts: Counts {
                dead: 2,
                ..Counts::default()
            },
            streak,
            last_200: if last_200_ms == 0 {
                String::new()
            } else {
                deliveries::time(last_200_ms)
            },
            last_200_ms,
            timeline: Vec::new(),
            bars: Vec::new(),
            peak: 1,
            received_6h: 0,
            failed_6h: 0,
            handlers: Vec::new(),
        }
    }

    fn html(o: Overview) -> String {
        OverviewPage {
            csrf: "c".repeat(64),
            o,
        }
        .render()
        .unwrap()
    }

    #[test]
    fn a_non_200_streak_is_an_alarm_naming_what_meta_does() {
        let page = html(overview(12, 1_796_480_000_000));
        assert!(page.contains(r#"class="alarm" role="alert""#), "{page}");
        assert!(page.contains("12 signed deliveries in a row were not answered 200"));
        assert!(page.contains("The last 200 was at 2026-12-05T"));
        assert!(page.contains("Messenger unsubscribes the app after about an hour"));
        assert!(page.contains("Replay all 2 dead letters"));
        let never = html(overview(3, 0));
        assert!(never.contains("None was answered 200 since this process started"));
        let healthy = html(overview(0, 1_796_480_000_000));
        assert!(!healthy.contains("alarm") && healthy.contains("answered 200; the last at"));
    }
}
