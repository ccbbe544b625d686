//! Extension point: a handler argument of your own.
//!
//! Implement `FromItem` for a type built from the routed item, and handlers take it
//! like any other argument. `Sender` is the person who wrote a Messenger or Instagram
//! event; `OptionalFromItem` makes `Option<Sender>` mean "no sender in this item"
//! (a feed change, say) while a malformed sender is still a rejection.
//! (`fields::whatsapp::ChangeContext` is a larger extractor built the same way.)
//!
//! ```sh
//! META_APP_SECRET=dev-secret META_VERIFY_TOKEN=dev-token META_WEBHOOK_MODE=inline cargo run --example own_extractor
//! ```

use serde::Deserialize;
use webhook_server::{FromItem, ItemContext, OptionalFromItem, Rejection, on};

/// The sender's id of a messaging event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender(pub String);

#[derive(Deserialize)]
struct Event {
    sender: Option<Party>,
}

#[derive(Deserialize)]
struct Party {
    id: String,
}

impl OptionalFromItem for Sender {
    fn from_item_optional(cx: &ItemContext<'_>) -> Result<Option<Self>, Rejection> {
        let event: Event = serde_json::from_str(cx.item().value().get())
            .map_err(|e| Rejection::new(format!("the event's sender is malformed: {e}")))?;
        Ok(event.sender.map(|party| Self(party.id)))
    }
}

impl FromItem for Sender {
    fn from_item(cx: &ItemContext<'_>) -> Result<Self, Rejection> {
        Self::from_item_optional(cx)?.ok_or_else(|| {
            Rejection::new("the item has no `sender`: route this handler to a messaging field")
        })
    }
}

#[on(object = "page", field = "messages")]
async fn message(Sender(psid): Sender) {
    tracing::info!("message from {psid}");
}

#[on(object = "page")]
async fn anything(sender: Option<Sender>) {
    tracing::info!("page item, sender {sender:?}");
}

#[tokio::main]
async fn main() -> Result<(), webhook_server::ServerError> {
    webhook_server::logging::init();
    webhook_server::Server::from_env()?.serve().await
}

#[cfg(test)]
mod tests {
    use webhook_server::testing::{self, TestClient};

    #[tokio::test]
    async fn the_sender_is_extracted_and_optional_where_absent() {
        let client = TestClient::new(testing::server()).unwrap();
        let message = br#"{"object":"page","entry":[{"id":"1","time":1,"messaging":[
            {"sender":{"id":"psid-7"},"recipient":{"id":"1"},"timestamp":1,"message":{"mid":"m","text":"hi"}}]}]}"#;
        let response = client.deliver(message).await;
        assert_eq!(response.status(), 200);
        response.assert_items_handled_by(&[&["message", "anything"]]);

        let feed = br#"{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;
        let response = client.deliver(feed).await;
        assert_eq!(
            response.status(),
            200,
            "`Option<Sender>` is `None`, not a rejection"
        );
        response.assert_items_handled_by(&[&["anything"]]);
    }
}
