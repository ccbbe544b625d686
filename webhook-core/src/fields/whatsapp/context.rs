//! `ChangeContext`: the business number and user around one message or status.
//!
//! It is also the example of an extractor of your own: implement
//! [`FromItem`](crate::FromItem) for a type built from the routed item (here the
//! change holding the element) and take it as a handler argument.

use serde::Deserialize;

use super::{Contact, Id, Metadata};

/// The business number and the user around one message or status, for handlers
/// called per element (`each = "messages"` or `each = "statuses"`).
///
/// ```
/// use webhook_core::{on, Payload};
/// use webhook_core::fields::whatsapp::{ChangeContext, Message};
///
/// #[on(object = "whatsapp_business_account", field = "messages", each = "messages", when(type = "text"))]
/// async fn text(Payload(message): Payload<Message>, cx: ChangeContext) {
///     let from = cx.contact.as_ref().and_then(|c| c.name()).unwrap_or("someone");
///     let to = cx.metadata.and_then(|m| m.phone_number_id);
///     println!("{from} wrote {:?} to {to:?}", message.text_body());
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeContext {
    /// The change's `metadata`: the business phone number.
    pub metadata: Option<Metadata>,
    /// The contact the element is about (matched by phone number or business-scoped
    /// user id; failing those, the change's only contact).
    pub contact: Option<Contact>,
}

impl crate::FromItem for ChangeContext {
    fn from_item(cx: &crate::ItemContext<'_>) -> Result<Self, crate::Rejection> {
        #[derive(Deserialize)]
        struct Surroundings {
            metadata: Option<Metadata>,
            #[serde(default)]
            contacts: Vec<Contact>,
        }
        #[derive(Deserialize)]
        struct Who {
            from: Option<Id>,
            from_user_id: Option<String>,
            recipient_id: Option<Id>,
            recipient_participant_id: Option<Id>,
            recipient_user_id: Option<String>,
        }
        let rejection = |e: serde_json::Error| {
            crate::Rejection::new(format!(
                "the WhatsApp change has no readable metadata or contacts: {e}"
            ))
        };
        let Surroundings { metadata, contacts } =
            serde_json::from_str(cx.item().value().get()).map_err(rejection)?;
        let who = cx
            .element()
            .and_then(|e| serde_json::from_str::<Who>(e.value.get()).ok());
        let matched = who.and_then(|who| {
            let phone = who
                .from
                .or(who.recipient_participant_id)
                .or(who.recipient_id);
            let user = who.from_user_id.or(who.recipient_user_id);
            contacts.iter().find(|c| {
                matches!((&c.wa_id, &phone), (Some(a), Some(b)) if a == b)
                    || matches!((&c.user_id, &user), (Some(a), Some(b)) if a == b)
            })
        });
        let contact = matched.or(match contacts.as_slice() {
            [only] => Some(only),
            _ => None,
        });
        Ok(Self {
            contact: contact.cloned(),
            metadata,
        })
    }
}
