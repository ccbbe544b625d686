//! How a user tests a handler end to end without Meta: a realistic fixture, edited,
//! signed and sent through the real router in-process; then what the handler did.
//!
//! Run it with `cargo test -p meta-webhooks-examples --test testing_a_handler`.

use std::sync::Mutex;

use webhook_server::fields::whatsapp::Message;
use webhook_server::testing::{self, TestClient};
use webhook_server::{Payload, State, on};

/// The user's state: texts received, by sender.
#[derive(Default)]
struct Inbox(Mutex<Vec<(String, String)>>);

/// The handler under test: one call per WhatsApp text message.
#[on(
    object = "whatsapp_business_account",
    field = "messages",
    each = "messages",
    when(r#type = "text")
)]
async fn on_text(Payload(message): Payload<Message>, State(inbox): State<Inbox>) {
    let from = message.from.map(|id| id.to_string()).unwrap_or_default();
    let text = message.text.and_then(|t| t.body).unwrap_or_default();
    inbox.0.lock().unwrap().push((from, text));
}

#[tokio::test]
async fn a_whatsapp_text_reaches_the_handler() {
    let client = TestClient::new(testing::server().state(Inbox::default())).unwrap();
    let body = testing::fixture_where(
        "whatsapp_business_account",
        "messages",
        &[("types", "text")],
    )
    .unwrap()
    .edit()
    .sender_id("4915112345678")
    .text("Is my order ready?")
    .build();

    let response = client.deliver(&body).await;

    assert_eq!(response.status(), 200, "{}", response.text());
    response.assert_items_handled_by(&[&["on_text"]]);
    let inbox = client.state::<Inbox>().unwrap();
    assert_eq!(
        *inbox.0.lock().unwrap(),
        [("4915112345678".to_owned(), "Is my order ready?".to_owned())]
    );
}

#[tokio::test]
async fn an_unsigned_delivery_never_reaches_it() {
    let client = TestClient::new(testing::server().state(Inbox::default())).unwrap();
    let body = testing::fixture("whatsapp_business_account", "messages")
        .unwrap()
        .body();

    let response = client.post(body, &[]).await;

    assert_eq!(response.status(), 401);
    assert!(
        client
            .state::<Inbox>()
            .unwrap()
            .0
            .lock()
            .unwrap()
            .is_empty()
    );
}
