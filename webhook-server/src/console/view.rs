//! What the pages and the JSON API show, read from the store and this process's
//! recent counters.

use serde::Deserialize;
use serde_json::{Value, json};
use webhook_core::Notification;
use webhook_core::delivery::{
    Counts, DeliveryId, DeliveryRecord, DeliveryState, ListFilter, Query, now_ms,
};
use webhook_core::observe::recent;

use super::Console;
use crate::deliveries::{self, Filter, HandlerOutcomes, failure_lines, time};

/// A selection of deliveries as a query string carries it (the deliveries page,
/// the replay confirmation, the JSON API).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Selection {
    pub(crate) state: Option<String>,
    pub(crate) object: Option<String>,
    pub(crate) field: Option<String>,
    pub(crate) entry: Option<String>,
    pub(crate) handler: Option<String>,
    pub(crate) since: Option<String>,
    pub(crate) until: Option<String>,
    pub(crate) before: Option<i64>,
    pub(crate) limit: Option<usize>,
}

fn given(value: Option<&String>) -> Option<String> {
    value
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl Selection {
    /// The store query and the record filter; an error names the bad value.
    pub(crate) fn parse(&self, default_limit: usize) -> Result<(Query, Filter), String> {
        let state = match given(self.state.as_ref()).as_deref() {
            None | Some("all") => ListFilter::All,
            Some("pending") => ListFilter::Pending,
            Some("failed") => ListFilter::Failed,
            Some("dead") => ListFilter::Dead,
            Some("done") => ListFilter::Done,
            Some(other) => {
                return Err(format!(
                    "state `{other}` is none of all, pending, failed, dead, done"
                ));
            }
        };
        let time = |value: Option<&String>, name: &str| {
            given(value)
                .map(|v| deliveries::instant(&v).map_err(|e| format!("{name}: {e}")))
                .transpose()
        };
        let query = Query {
            before: self.before.map(DeliveryId),
            since: time(self.since.as_ref(), "since")?,
            until: time(self.until.as_ref(), "until")?,
            ..Query::new(state, self.limit.unwrap_or(default_limit).clamp(1, 500))
        };
        let filter = Filter {
            object: given(self.object.as_ref()),
            field: given(self.field.as_ref()),
            entry: given(self.entry.as_ref()),
            handler: given(self.handler.as_ref()),
        };
        Ok((query, filter))
    }

    /// The conditions by name, set or not (not `before` and `limit`).
    fn named(&self) -> [(&'static str, &Option<String>); 7] {
        [
            ("state", &self.state),
            ("object", &self.object),
            ("field", &self.field),
            ("entry", &self.entry),
            ("handler", &self.handler),
            ("since", &self.since),
            ("until", &self.until),
        ]
    }

    /// The query string of this selection, without `before` and `limit`.
    pub(crate) fn query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.extend_pairs(self.conditions());
        out.finish()
    }

    /// Each set condition, for the page (`state: dead`).
    pub(crate) fn conditions(&self) -> Vec<(&'static str, String)> {
        self.named()
            .into_iter()
            .filter_map(|(name, value)| given(value.as_ref()).map(|v| (name, v)))
            .collect()
    }

    /// A form field's current value.
    pub(crate) fn value(&self, name: &str) -> String {
        self.named()
            .into_iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, value)| value.clone())
            .unwrap_or_default()
    }
}

/// One row of the deliveries table.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) id: i64,
    pub(crate) state: &'static str,
    pub(crate) received: String,
    pub(crate) attempts: u32,
    pub(crate) object: String,
    /// `feed ×2, messages`, or why there is nothing to show.
    pub(crate) items: String,
    pub(crate) succeeded: Vec<String>,
    pub(crate) failed: Vec<String>,
    pub(crate) error: String,
}

impl Row {
    pub(crate) fn of(record: &DeliveryRecord) -> Self {
        Self::with(record, &HandlerOutcomes::of(record))
    }

    /// The row of `record`, whose handler outcomes are read already.
    fn with(record: &DeliveryRecord, outcomes: &HandlerOutcomes) -> Self {
        let (object, items) = match Notification::parse(&record.body) {
            Ok(notification) => {
                let mut fields: Vec<(String, usize)> = Vec::new();
                for item in notification.items() {
                    let field = item.field().unwrap_or("(no field)").to_owned();
                    match fields.iter_mut().find(|(f, _)| *f == field) {
                        Some((_, n)) => *n += 1,
                        None => fields.push((field, 1)),
                    }
                }
                let items = fields
                    .iter()
                    .map(|(f, n)| {
                        if *n > 1 {
                            format!("{f} ×{n}")
                        } else {
                            f.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                (notification.object().to_owned(), items)
            }
            Err(_) if record.body.is_empty() => {
                ("-".to_owned(), "body dropped once handled".to_owned())
            }
            Err(e) => ("-".to_owned(), format!("not a notification: {e}")),
        };
        let mut failed: Vec<String> = outcomes.failed.iter().map(|(h, _)| h.clone()).collect();
        failed.dedup();
        Self {
            id: record.id.0,
            state: deliveries::state(record),
            received: time(record.received_at),
            attempts: record.attempts,
            object,
            items,
            succeeded: outcomes.succeeded.clone(),
            failed,
            error: record
                .last_error
                .as_deref()
                .filter(|_| record.state != DeliveryState::Done)
                .and_then(|e| e.lines().next())
                .unwrap_or_default()
                .to_owned(),
        }
    }
}

/// One routed item of a delivery.
#[derive(Debug, Clone)]
pub(crate) struct ItemRow {
    pub(crate) object: String,
    pub(crate) field: String,
    pub(crate) entry: String,
    pub(crate) kind: String,
    pub(crate) sub: String,
}

/// One finished attempt or replay.
#[derive(Debug, Clone)]
pub(crate) struct HistoryRow {
    pub(crate) at: String,
    pub(crate) event: &'static str,
    /// `(handler, what happened)` per failure.
    pub(crate) failures: Vec<(String, String)>,
}

/// Bodies above this are shown folded.
const FOLD_BYTES: usize = 16 * 1024;

/// One delivery, whole.
#[derive(Debug, Clone)]
pub(crate) struct Detail {
    pub(crate) row: Row,
    pub(crate) verified: bool,
    pub(crate) next_attempt: Option<String>,
    pub(crate) items: Vec<ItemRow>,
    pub(crate) outcomes: HandlerOutcomes,
    pub(crate) history: Vec<HistoryRow>,
    /// Pretty-printed when it is JSON; `None` once handled.
    pub(crate) body: Option<String>,
    pub(crate) body_bytes: usize,
    pub(crate) folded: bool,
}

impl Detail {
    pub(crate) fn of(record: &DeliveryRecord) -> Self {
        let items = deliveries::items(&record.body)
            .unwrap_or_default()
            .into_iter()
            .map(|item| {
                let text = |key: &str| item[key].as_str().unwrap_or("").to_owned();
                let sub = item["sub"]
                    .as_object()
                    .map(|sub| {
                        sub.iter()
                            .map(|(k, v)| {
                                let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                                format!("{k}={v}")
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                ItemRow {
                    object: text("object"),
                    field: item["field"].as_str().unwrap_or("(none)").to_owned(),
                    entry: text("entry_id"),
                    kind: text("kind"),
                    sub,
                }
            })
            .collect();
        let outcomes = HandlerOutcomes::of(record);
        let body = (!record.body.is_empty()).then(|| {
            serde_json::from_slice::<Value>(&record.body)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| String::from_utf8_lossy(&record.body).into_owned())
        });
        Self {
            row: Row::with(record, &outcomes),
            verified: record.verified,
            next_attempt: (record.state == DeliveryState::Pending)
                .then(|| time(record.next_attempt_at)),
            items,
            outcomes,
            history: record
                .history
                .iter()
                .rev()
                .map(|h| HistoryRow {
                    at: time(h.at),
                    event: h.event.as_str(),
                    failures: h.error.as_deref().map(failure_lines).unwrap_or_default(),
                })
                .collect(),
            body,
            body_bytes: record.body.len(),
            folded: record.body.len() > FOLD_BYTES,
        }
    }
}

/// A bar of the chart: five minutes.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    pub(crate) x: u64,
    pub(crate) received_y: u64,
    pub(crate) received_h: u64,
    pub(crate) failed_y: u64,
    pub(crate) failed_h: u64,
    pub(crate) title: String,
}

/// A handler over the last hour.
#[derive(Debug, Clone)]
pub(crate) struct HandlerRow {
    pub(crate) name: String,
    pub(crate) route: String,
    pub(crate) calls: u64,
    pub(crate) failures: u64,
    pub(crate) mean: String,
}

/// The overview.
#[derive(Debug, Clone)]
pub(crate) struct Overview {
    pub(crate) counts: Counts,
    pub(crate) streak: u64,
    /// When a delivery was last answered 200 (empty: not since start).
    pub(crate) last_200: String,
    pub(crate) last_200_ms: u64,
    pub(crate) timeline: Vec<recent::Bucket>,
    pub(crate) bars: Vec<Bar>,
    pub(crate) peak: u64,
    pub(crate) received_6h: u64,
    pub(crate) failed_6h: u64,
    pub(crate) handlers: Vec<HandlerRow>,
}

/// A call time to read at a glance: `850 µs`, `12.3 ms`, `2.50 s`.
fn duration(d: std::time::Duration) -> String {
    let micros = d.as_micros();
    if micros < 1_000 {
        format!("{micros} µs")
    } else if micros < 1_000_000 {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// The chart's drawing height, in SVG units.
const CHART_HEIGHT: u64 = 100;
/// A bar's width.
const BAR_WIDTH: u64 = 10;

impl Overview {
    pub(crate) async fn read(console: &Console) -> Result<Self, String> {
        let counts = console.store.counts().await.map_err(|e| e.to_string())?;
        let (streak, last_200_ms) = crate::observe::answers();
        let now = now_ms();
        let timeline = recent::timeline(now);
        let peak = timeline
            .iter()
            .map(|b| b.received.max(b.failed))
            .max()
            .unwrap_or(0)
            .max(1);
        let scale = |n: u64| (n * CHART_HEIGHT).div_ceil(peak);
        let bars = timeline
            .iter()
            .zip(0u64..)
            .map(|(bucket, i)| {
                let (received_h, failed_h) = (scale(bucket.received), scale(bucket.failed));
                Bar {
                    x: i * BAR_WIDTH,
                    received_y: CHART_HEIGHT - received_h,
                    received_h,
                    failed_y: CHART_HEIGHT - failed_h,
                    failed_h,
                    title: format!(
                        "{}: {} received, {} failed",
                        time(bucket.start_ms),
                        bucket.received,
                        bucket.failed
                    ),
                }
            })
            .collect();
        let recent = recent::handlers(now);
        let mut handlers: Vec<HandlerRow> = console
            .dispatcher
            .handlers()
            .map(|(route, info)| {
                let found = recent.iter().find(|h| h.handler == info.name);
                let route = match (route.object_name(), route.field_name()) {
                    (Some(object), Some(field)) => format!("{object} / {field}"),
                    (Some(object), None) => format!("{object} / every field"),
                    _ => "every delivery".to_owned(),
                };
                HandlerRow {
                    name: info.name.to_owned(),
                    route,
                    calls: found.map_or(0, |h| h.calls),
                    failures: found.map_or(0, |h| h.failures),
                    mean: found.map_or_else(|| "-".to_owned(), |h| duration(h.mean)),
                }
            })
            .collect();
        handlers.sort_by(|a, b| b.failures.cmp(&a.failures).then(a.name.cmp(&b.name)));
        Ok(Self {
            counts,
            streak,
            last_200: if last_200_ms == 0 {
                String::new()
            } else {
                time(last_200_ms)
            },
            last_200_ms,
            received_6h: timeline.iter().map(|b| b.received).sum(),
            failed_6h: timeline.iter().map(|b| b.failed).sum(),
            timeline,
            bars,
            peak,
            handlers,
        })
    }

    pub(crate) fn to_json(&self) -> Value {
        json!({
            "counts": {
                "pending": self.counts.pending,
                "failed": self.counts.failed,
                "dead": self.counts.dead,
                "done": self.counts.done,
            },
            "non_200_streak": self.streak,
            "last_200_at": (self.last_200_ms > 0).then(|| time(self.last_200_ms)),
            "timeline": self.timeline.iter().map(|b| json!({
                "start": time(b.start_ms),
                "received": b.received,
                "failed": b.failed,
            })).collect::<Vec<_>>(),
            "handlers": self.handlers.iter().map(|h| json!({
                "handler": h.name,
                "route": h.route,
                "calls": h.calls,
                "failures": h.failures,
                "mean_ms": h.mean,
            })).collect::<Vec<_>>(),
        })
    }
}
