//! A number on both the WhatsApp Business app and the Cloud API (coexistence):
//! the chat history synchronised when it was onboarded, and the messages the
//! business sent from the app.

use serde::{Deserialize, Serialize};

use super::{Contact, Message, Metadata};

/// The chat history of the WhatsApp Business app, in chunks (Meta's `history`
/// reference). Media that arrives after the sync comes under the same field as
/// `messages[]`.
///
/// ```
/// use webhook_core::fields::whatsapp::History;
///
/// let v: History = serde_json::from_str(r#"{"messaging_product":"whatsapp",
///     "history":[{"metadata":{"phase":1,"chunk_order":2,"progress":40},
///     "threads":[{"id":"155","messages":[{"id":"wamid.1","type":"text",
///     "text":{"body":"hi"},"history_context":{"status":"READ"}}]}]}]}"#)?;
/// let chunk = &v.history[0];
/// assert_eq!(chunk.metadata.as_ref().and_then(|m| m.progress), Some(40));
/// let message = &chunk.threads[0].messages[0];
/// assert_eq!(message.text_body(), Some("hi"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct History {
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: Option<String>,
    /// The business phone number.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The chunks of the history.
    #[serde(default)]
    pub history: Vec<HistoryChunk>,
    /// Media sent after the history, with the messages they belong to.
    #[serde(default)]
    pub messages: Vec<Message>,
    /// Errors, such as the user declining to share the history.
    #[serde(default)]
    pub errors: Vec<super::Error>,
}

/// One chunk of the synchronised history.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct HistoryChunk {
    /// Which phase and chunk this is, and how far the sync has come.
    #[serde(default)]
    pub metadata: Option<HistoryProgress>,
    /// The chats of the chunk.
    #[serde(default)]
    pub threads: Vec<HistoryThread>,
}

/// How far a history sync has come.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct HistoryProgress {
    /// `0` (the last day), `1` (the last 90 days) or `2` (older).
    #[serde(default, deserialize_with = "crate::fields::lenient::option_u32")]
    pub phase: Option<u32>,
    /// The chunk's position in its phase, from 1.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_u32")]
    pub chunk_order: Option<u32>,
    /// Percent of the whole sync done.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_u32")]
    pub progress: Option<u32>,
}

/// One chat of a history chunk.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct HistoryThread {
    /// The other party's WhatsApp id.
    #[serde(default)]
    pub id: Option<String>,
    /// Its messages, each with a `history_context` (its status then).
    #[serde(default)]
    pub messages: Vec<Message>,
}

/// Messages the business sent from the WhatsApp Business app (Meta's
/// `smb_message_echoes` reference); `each = "message_echoes"` reads one at a time
/// as a [`Message`].
///
/// ```
/// use webhook_core::fields::whatsapp::SmbMessageEchoes;
///
/// let v: SmbMessageEchoes = serde_json::from_str(r#"{"messaging_product":"whatsapp",
///     "message_echoes":[{"from":"155","to":"166","id":"wamid.1","type":"text",
///     "text":{"body":"We open at 9."}}]}"#)?;
/// assert_eq!(v.message_echoes[0].text_body(), Some("We open at 9."));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct SmbMessageEchoes {
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: Option<String>,
    /// The business phone number.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The users written to.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// The messages sent.
    #[serde(default)]
    pub message_echoes: Vec<Message>,
}
