//! WhatsApp messages and delivery statuses (field `messages`, one call per change).

use serde::Deserialize;
use webhook_server::{Payload, State, on};

use crate::store::Store;

#[derive(Deserialize)]
struct Change {
    metadata: Option<Metadata>,
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    statuses: Vec<DeliveryStatus>,
}

#[derive(Deserialize)]
struct Metadata {
    display_phone_number: String,
}

#[derive(Deserialize)]
struct Message {
    from: Option<String>,
    id: String,
    #[serde(rename = "type")]
    kind: String,
    text: Option<Text>,
}

#[derive(Deserialize)]
struct Text {
    body: String,
}

#[derive(Deserialize)]
struct DeliveryStatus {
    id: String,
    status: String,
    recipient_id: Option<String>,
}

#[on(object = "whatsapp_business_account", field = "messages")]
async fn messages(Payload(change): Payload<Change>, State(store): State<Store>) {
    let to = change
        .metadata
        .map(|m| m.display_phone_number)
        .unwrap_or_default();
    for m in change.messages {
        store.count("whatsapp_business_account", "messages");
        let from = m.from.unwrap_or_else(|| "a user".to_owned());
        if let Some(text) = m.text {
            tracing::info!("whatsapp to {to}: {from} wrote {:?} ({})", text.body, m.id);
            store.remember(text.body);
        } else {
            tracing::info!(
                "whatsapp to {to}: {from} sent a {} message ({})",
                m.kind,
                m.id
            );
        }
    }
    for s in change.statuses {
        tracing::info!(
            "whatsapp status: {} is {} for {}",
            s.id,
            s.status,
            s.recipient_id.unwrap_or_default()
        );
    }
}
