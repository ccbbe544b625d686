//! Instagram comments.

use serde::Deserialize;
use webhook_server::{EntryMeta, Payload, State, on};

use crate::store::Store;

#[derive(Deserialize)]
struct Comment {
    id: Option<String>,
    text: Option<String>,
    from: Option<User>,
    media: Option<Media>,
}

#[derive(Deserialize)]
struct User {
    username: Option<String>,
}

#[derive(Deserialize)]
struct Media {
    id: String,
}

#[on(object = "instagram", field = "comments")]
async fn comment(Payload(c): Payload<Comment>, meta: EntryMeta, State(store): State<Store>) {
    store.count("instagram", "comments");
    let who = c
        .from
        .and_then(|u| u.username)
        .unwrap_or_else(|| "someone".to_owned());
    let media = c.media.map(|m| m.id).unwrap_or_default();
    let text = c.text.unwrap_or_default();
    tracing::info!(
        "instagram {}: @{who} commented {text:?} on media {media} (comment {})",
        meta.id,
        c.id.unwrap_or_default()
    );
    store.remember(text);
}
