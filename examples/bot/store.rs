//! An in-memory store shared by every handler: what the bot has seen.

use std::collections::BTreeMap;
use std::sync::Mutex;

use webhook_server::{RawItem, on};

/// Counts per `(object, field)` and the latest texts received.
#[derive(Default)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    counts: BTreeMap<(String, String), u64>,
    recent: Vec<String>,
}

impl Store {
    /// Records one item; returns how many of its kind the bot has seen.
    pub(crate) fn count(&self, object: &str, field: &str) -> u64 {
        let mut inner = self.inner.lock().expect("store lock");
        let n = inner
            .counts
            .entry((object.to_owned(), field.to_owned()))
            .or_default();
        *n += 1;
        *n
    }

    /// Keeps the last 20 texts received, from any channel.
    pub(crate) fn remember(&self, text: String) {
        let mut inner = self.inner.lock().expect("store lock");
        if inner.recent.len() == 20 {
            inner.recent.remove(0);
        }
        inner.recent.push(text);
    }
}

/// Anything no other handler takes: logged so that nothing passes unseen.
#[on(catch_all)]
async fn unhandled(item: RawItem) {
    let field = item.field.as_deref().unwrap_or("<unknown event>");
    tracing::info!(
        "unhandled {} / {field} ({}) on {}",
        item.object,
        item.kind,
        item.entry_id.unwrap_or_default()
    );
}
