//! Facebook Page feed changes.

use serde::Deserialize;
use webhook_server::{EntryMeta, Payload, State, on};

use crate::store::Store;

#[derive(Deserialize)]
struct FeedChange {
    item: String,
    verb: String,
    from: Option<From>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct From {
    name: Option<String>,
}

#[on(object = "page", field = "feed")]
async fn feed(Payload(change): Payload<FeedChange>, meta: EntryMeta, State(store): State<Store>) {
    let n = store.count("page", "feed");
    let who = change
        .from
        .and_then(|f| f.name)
        .unwrap_or_else(|| "someone".to_owned());
    let message = change.message.unwrap_or_default();
    tracing::info!(
        "page {}: {who} {} a {}: {message:?} (feed change #{n})",
        meta.id,
        change.verb,
        change.item
    );
    if !message.is_empty() {
        store.remember(message);
    }
}
