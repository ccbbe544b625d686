//! Messenger messages and postbacks (object `page`).

use serde::Deserialize;
use webhook_server::{Payload, State, on};

use crate::store::Store;

#[derive(Deserialize)]
struct Event<T> {
    sender: Option<Id>,
    #[serde(flatten)]
    body: T,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
struct MessageBody {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    mid: String,
    text: Option<String>,
    #[serde(default)]
    attachments: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct PostbackBody {
    postback: Postback,
}

#[derive(Deserialize)]
struct Postback {
    title: Option<String>,
    payload: Option<String>,
}

fn sender<T>(event: &Event<T>) -> &str {
    event
        .sender
        .as_ref()
        .map_or("unknown sender", |s| s.id.as_str())
}

#[on(object = "page", field = "messages")]
async fn message(Payload(event): Payload<Event<MessageBody>>, State(store): State<Store>) {
    let n = store.count("page", "messages");
    let Message {
        mid,
        text,
        attachments,
    } = &event.body.message;
    if let Some(text) = text {
        tracing::info!(
            "message from {}: {text:?} ({mid}, message #{n})",
            sender(&event)
        );
        store.remember(text.clone());
    } else {
        tracing::info!(
            "message from {} with {} attachment(s) ({mid})",
            sender(&event),
            attachments.len()
        );
    }
}

#[on(object = "page", field = "messaging_postbacks")]
async fn postback(Payload(event): Payload<Event<PostbackBody>>, State(store): State<Store>) {
    store.count("page", "messaging_postbacks");
    let Postback { title, payload } = &event.body.postback;
    tracing::info!(
        "postback from {}: {:?} with payload {:?}",
        sender(&event),
        title.as_deref().unwrap_or(""),
        payload.as_deref().unwrap_or("")
    );
}
