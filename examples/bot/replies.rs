//! The bot answers: a Messenger or Instagram text gets a reply through the Send
//! API, a WhatsApp text gets one through the Cloud API and is marked read. Each
//! channel is on when its token is configured:
//!
//! | channel | variables |
//! |---|---|
//! | Messenger | `META_PAGE_ACCESS_TOKEN` |
//! | Instagram | `META_INSTAGRAM_ACCESS_TOKEN` (Instagram Login; `META_INSTAGRAM_GRAPH_URL`, default `https://graph.instagram.com`) |
//! | WhatsApp | `META_WHATSAPP_TOKEN` and `META_WHATSAPP_PHONE_NUMBER_ID` |
//!
//! The handlers are `idempotent`: in durable mode each message id is answered
//! once, even when Meta redelivers it in another batch or a worker dies and the
//! delivery runs again. A reply that fails (Meta down, a token refused) fails the
//! handler, so it is retried with the delivery.

use serde::Deserialize;
use webhook_server::fields::whatsapp::Message as WhatsAppMessage;
use webhook_server::graph::{Graph, Token};
use webhook_server::{Payload, State, on};

/// The Graph clients and tokens the replies use.
pub(crate) struct Replies {
    messenger: Option<(Graph, Token)>,
    instagram: Option<(Graph, Token)>,
    whatsapp: Option<(Graph, Token, String)>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Replies {
    /// From the environment; says at start-up which channels answer.
    pub(crate) fn from_env() -> Self {
        let version = var("META_GRAPH_VERSION")
            .unwrap_or_else(|| webhook_server::graph::DEFAULT_VERSION.to_owned());
        let timeout = std::time::Duration::from_secs(10);
        let facebook = Graph::with(
            &var("META_GRAPH_URL").unwrap_or_else(|| webhook_server::graph::DEFAULT_URL.to_owned()),
            &version,
            timeout,
        );
        let instagram_url = var("META_INSTAGRAM_GRAPH_URL")
            .unwrap_or_else(|| webhook_server::graph::INSTAGRAM_URL.to_owned());
        let replies = Self {
            messenger: var("META_PAGE_ACCESS_TOKEN").map(|t| (facebook.clone(), Token::new(t))),
            instagram: var("META_INSTAGRAM_ACCESS_TOKEN").map(|t| {
                (
                    Graph::with(&instagram_url, &version, timeout),
                    Token::new(t),
                )
            }),
            whatsapp: var("META_WHATSAPP_TOKEN")
                .zip(var("META_WHATSAPP_PHONE_NUMBER_ID"))
                .map(|(t, phone)| (facebook, Token::new(t), phone)),
        };
        let state = |on: bool, off: &str| {
            if on {
                "on".to_owned()
            } else {
                format!("off (set {off})")
            }
        };
        tracing::info!(
            "replies: Messenger {}, Instagram {}, WhatsApp {}",
            state(replies.messenger.is_some(), "META_PAGE_ACCESS_TOKEN"),
            state(replies.instagram.is_some(), "META_INSTAGRAM_ACCESS_TOKEN"),
            state(
                replies.whatsapp.is_some(),
                "META_WHATSAPP_TOKEN and META_WHATSAPP_PHONE_NUMBER_ID"
            ),
        );
        replies
    }
}

/// A Messenger or Instagram messaging event with a text.
#[derive(Deserialize)]
struct Event {
    sender: Id,
    message: Text,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

#[derive(Deserialize)]
struct Text {
    text: Option<String>,
    #[serde(default)]
    is_echo: bool,
}

/// The Send API's reply to `event`, when it is a text someone sent.
fn reply_to(event: &Event) -> Option<serde_json::Value> {
    let text = event
        .message
        .text
        .as_deref()
        .filter(|_| !event.message.is_echo)?;
    Some(serde_json::json!({
        "recipient": {"id": event.sender.id},
        "messaging_type": "RESPONSE",
        "message": {"text": format!("You said: {text}")},
    }))
}

#[on(object = "page", field = "messages", idempotent)]
async fn answer_messenger(
    Payload(event): Payload<Event>,
    State(replies): State<Replies>,
) -> anyhow::Result<()> {
    if let (Some((graph, token)), Some(reply)) = (&replies.messenger, reply_to(&event)) {
        graph.post_json("me/messages", token, &reply).await?;
        tracing::info!("answered {} on Messenger", event.sender.id);
    }
    Ok(())
}

#[on(object = "instagram", field = "messages", idempotent)]
async fn answer_instagram(
    Payload(event): Payload<Event>,
    State(replies): State<Replies>,
) -> anyhow::Result<()> {
    if let (Some((graph, token)), Some(reply)) = (&replies.instagram, reply_to(&event)) {
        graph.post_json("me/messages", token, &reply).await?;
        tracing::info!("answered {} on Instagram", event.sender.id);
    }
    Ok(())
}

#[on(
    object = "whatsapp_business_account",
    field = "messages",
    each = "messages",
    when(r#type = "text"),
    idempotent
)]
async fn answer_whatsapp(
    Payload(message): Payload<WhatsAppMessage>,
    State(replies): State<Replies>,
) -> anyhow::Result<()> {
    let Some((graph, token, phone)) = &replies.whatsapp else {
        return Ok(());
    };
    let (Some(from), Some(id)) = (message.from.map(|f| f.to_string()), message.id) else {
        return Ok(());
    };
    let text = message.text.and_then(|t| t.body).unwrap_or_default();
    let path = format!("{phone}/messages");
    let reply = serde_json::json!({
        "messaging_product": "whatsapp",
        "to": from,
        "type": "text",
        "context": {"message_id": id},
        "text": {"body": format!("You said: {text}")},
    });
    graph.post_json(&path, token, &reply).await?;
    let read =
        serde_json::json!({"messaging_product": "whatsapp", "status": "read", "message_id": id});
    graph.post_json(&path, token, &read).await?;
    tracing::info!("answered {from} on WhatsApp and marked {id} read");
    Ok(())
}
