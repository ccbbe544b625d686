//! What a dispatch reports: every routed item and every handler call, and how
//! each call ended.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::registry::HandlerInfo;
use crate::routing::Item;

/// What happened to every item of one delivery.
#[derive(Debug, Clone, Default)]
pub struct DispatchReport {
    pub(crate) items: Vec<ItemReport>,
}

/// What happened to one routed item.
///
/// Its names and calls are kept in one allocation shared by the whole report, so
/// that reporting an item allocates nothing.
#[derive(Clone)]
pub struct ItemReport {
    shared: Arc<Shared>,
    object: Span,
    field: Option<Span>,
    kind: Span,
    entry_id: Option<Span>,
    runs: Span,
    /// Whether no handler matched and the catch-all handlers received it.
    pub to_catch_all: bool,
}

/// What the item reports of one delivery share.
struct Shared {
    names: String,
    runs: Vec<HandlerRun>,
}

/// A range of [`Shared::names`] or [`Shared::runs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl ItemReport {
    /// The notification's object.
    #[must_use]
    pub fn object(&self) -> &str {
        self.name(self.object)
    }

    /// The field the item was routed under (`None`: unknown messaging event).
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        self.field.map(|s| self.name(s))
    }

    /// Where it came from (see [`ItemKind::name`](crate::ItemKind::name)).
    #[must_use]
    pub fn kind(&self) -> &str {
        self.name(self.kind)
    }

    /// The entry's id.
    #[must_use]
    pub fn entry_id(&self) -> Option<&str> {
        self.entry_id.map(|s| self.name(s))
    }

    /// Every handler call for this item, in registration order.
    #[must_use]
    pub fn runs(&self) -> &[HandlerRun] {
        &self.shared.runs[self.runs.start as usize..self.runs.end as usize]
    }

    fn name(&self, span: Span) -> &str {
        &self.shared.names[span.start as usize..span.end as usize]
    }
}

impl fmt::Debug for ItemReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemReport")
            .field("object", &self.object())
            .field("field", &self.field())
            .field("kind", &self.kind())
            .field("entry_id", &self.entry_id())
            .field("to_catch_all", &self.to_catch_all)
            .field("runs", &self.runs())
            .finish_non_exhaustive()
    }
}

/// Builds the item reports of one delivery: their names go into one string (a name
/// equal to the same name of the item before reuses its range), their calls into
/// one list in call order.
#[derive(Default)]
pub(crate) struct Reports {
    names: String,
    items: Vec<(Names, bool, Span)>,
}

#[derive(Clone, Copy)]
struct Names {
    object: Span,
    field: Option<Span>,
    kind: Span,
    entry_id: Option<Span>,
}

impl Reports {
    pub(crate) fn with_capacity(items: usize) -> Self {
        Self {
            names: String::new(),
            items: Vec::with_capacity(items),
        }
    }

    /// Records an item whose handler calls are `calls` of the delivery's calls.
    pub(crate) fn push(
        &mut self,
        item: &Item<'_>,
        to_catch_all: bool,
        calls: std::ops::Range<usize>,
    ) {
        let last = self.items.last().map(|(names, _, _)| *names);
        let names = Names {
            object: self.put(item.object(), last.map(|l| l.object)),
            field: item
                .field()
                .map(|f| self.put(f, last.and_then(|l| l.field))),
            kind: self.put(item.kind().name(), last.map(|l| l.kind)),
            entry_id: item
                .entry()
                .id()
                .map(|id| self.put(id, last.and_then(|l| l.entry_id))),
        };
        let runs = Span {
            start: offset(calls.start),
            end: offset(calls.end),
        };
        self.items.push((names, to_catch_all, runs));
    }

    fn put(&mut self, name: &str, previous: Option<Span>) -> Span {
        if let Some(span) = previous
            && &self.names[span.start as usize..span.end as usize] == name
        {
            return span;
        }
        let start = offset(self.names.len());
        self.names.push_str(name);
        Span {
            start,
            end: offset(self.names.len()),
        }
    }

    /// The reports, given every call's run in call order.
    pub(crate) fn finish(self, runs: Vec<HandlerRun>) -> Vec<ItemReport> {
        debug_assert_eq!(
            self.items.last().map_or(0, |(_, _, r)| r.end as usize),
            runs.len()
        );
        let shared = Arc::new(Shared {
            names: self.names,
            runs,
        });
        self.items
            .into_iter()
            .map(|(n, to_catch_all, runs)| ItemReport {
                shared: Arc::clone(&shared),
                object: n.object,
                field: n.field,
                kind: n.kind,
                entry_id: n.entry_id,
                runs,
                to_catch_all,
            })
            .collect()
    }
}

fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("names and calls of one delivery fit in 4 GiB")
}

/// One handler call.
#[derive(Debug, Clone)]
pub struct HandlerRun {
    /// Which handler.
    pub handler: HandlerInfo,
    /// The route's stable key: handler, target and filters (durable progress is
    /// recorded under it).
    pub route_key: Arc<str>,
    /// For routes with `each`: the position of the element it was called for.
    pub element: Option<usize>,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took.
    pub duration: Duration,
}

/// How a handler call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// It returned `()` or `Ok(())`.
    Succeeded,
    /// It returned an error (the message, with its sources).
    Failed(String),
    /// An argument could not be extracted, so it was not called.
    Rejected(String),
    /// It panicked (the panic message).
    Panicked(String),
    /// Not called: it already succeeded for this item in an earlier attempt, or its
    /// idempotency key did (durable mode).
    AlreadyDone,
    /// It ran past its time limit and was cancelled.
    TimedOut(Duration),
}

impl Outcome {
    /// `succeeded`, `failed`, `rejected`, `panicked`, `timed_out` or `already_done`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed(_) => "failed",
            Self::Rejected(_) => "rejected",
            Self::Panicked(_) => "panicked",
            Self::AlreadyDone => "already_done",
            Self::TimedOut(_) => "timed_out",
        }
    }

    /// Whether the call succeeded (or had already succeeded).
    #[must_use]
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Succeeded | Self::AlreadyDone)
    }

    /// The error or panic message, if any.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Failed(m) | Self::Rejected(m) | Self::Panicked(m) => Some(m),
            _ => None,
        }
    }
}

/// `failed: <message>`, `timed out after 500ms`, ...: the outcome as reported in logs
/// and dead letters.
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Succeeded => f.write_str("succeeded"),
            Self::AlreadyDone => f.write_str("already done"),
            Self::Failed(m) => write!(f, "failed: {m}"),
            Self::Rejected(m) => write!(f, "rejected: {m}"),
            Self::Panicked(m) => write!(f, "panicked: {m}"),
            Self::TimedOut(limit) => write!(
                f,
                "timed out after {limit:?} (raise it with `#[on(.., timeout = \"..\")]` or the handler timeout)"
            ),
        }
    }
}

impl DispatchReport {
    /// Every routed item, in delivery order.
    #[must_use]
    pub fn items(&self) -> &[ItemReport] {
        &self.items
    }

    /// Whether every handler call succeeded (true when nothing matched).
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.runs().all(|(_, run)| run.outcome.is_success())
    }

    /// Every handler call with its item.
    pub fn runs(&self) -> impl Iterator<Item = (&ItemReport, &HandlerRun)> {
        self.items
            .iter()
            .flat_map(|item| item.runs().iter().map(move |run| (item, run)))
    }

    /// The calls that did not succeed.
    pub fn failures(&self) -> impl Iterator<Item = (&ItemReport, &HandlerRun)> {
        self.runs().filter(|(_, run)| !run.outcome.is_success())
    }

    /// Items that reached no handler at all (not even a catch-all).
    pub fn unhandled(&self) -> impl Iterator<Item = &ItemReport> {
        self.items.iter().filter(|item| item.runs().is_empty())
    }
}
