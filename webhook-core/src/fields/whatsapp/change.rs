//! The `messages` field's change: its envelope, metadata and contacts.

use serde::{Deserialize, Serialize};

use super::{Error, Id, Message, Status};

/// Incoming messages, outgoing message statuses and system errors of one business
/// phone number.
///
/// One change holds one of `messages`, `statuses` or `errors` in practice, each
/// possibly with several elements.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Change {
    /// Always `whatsapp`.
    pub messaging_product: Option<String>,
    /// The business phone number the change is about.
    pub metadata: Option<Metadata>,
    /// The WhatsApp users the messages came from (or, for statuses, went to).
    /// System messages and failed statuses carry none.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Incoming messages.
    #[serde(default)]
    pub messages: Vec<Message>,
    /// Status updates of messages the business sent.
    #[serde(default)]
    pub statuses: Vec<Status>,
    /// System-level errors, not tied to one message (a rate limit hit, ...).
    #[serde(default)]
    pub errors: Vec<Error>,
}

impl Change {
    /// The business phone number id (`metadata.phone_number_id`).
    #[must_use]
    pub fn phone_number_id(&self) -> Option<&str> {
        self.metadata.as_ref()?.phone_number_id.as_deref()
    }

    /// The contact that sent `message`: the one whose `wa_id` is the message's
    /// `from`, or whose `user_id` is its `from_user_id`; failing both, the only
    /// contact of the change if there is exactly one.
    #[must_use]
    pub fn contact_for(&self, message: &Message) -> Option<&Contact> {
        self.contacts
            .iter()
            .find(|c| {
                let by_phone = matches!((&c.wa_id, &message.from), (Some(a), Some(b)) if a == b);
                let by_user =
                    matches!((&c.user_id, &message.from_user_id), (Some(a), Some(b)) if a == b);
                by_phone || by_user
            })
            .or(match self.contacts.as_slice() {
                [only] => Some(only),
                _ => None,
            })
    }

    /// The contact a status is about: the one whose `wa_id` is the status's
    /// `recipient_id` (or `recipient_participant_id` in a group), or whose `user_id`
    /// is its `recipient_user_id`; failing those, the only contact if there is one.
    #[must_use]
    pub fn contact_for_status(&self, status: &Status) -> Option<&Contact> {
        self.contacts
            .iter()
            .find(|c| {
                let phone = status
                    .recipient_participant_id
                    .as_ref()
                    .or(status.recipient_id.as_ref());
                let by_phone = matches!((&c.wa_id, phone), (Some(a), Some(b)) if a == b);
                let by_user = matches!(
                    (&c.user_id, &status.recipient_user_id),
                    (Some(a), Some(b)) if a == b
                );
                by_phone || by_user
            })
            .or(match self.contacts.as_slice() {
                [only] => Some(only),
                _ => None,
            })
    }
}

/// The business phone number a `messages` (or `user_preferences`) change is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Metadata {
    /// The business phone number as displayed (`15550783881`).
    pub display_phone_number: Option<Id>,
    /// The business phone number id, to send replies from.
    pub phone_number_id: Option<Id>,
}

/// A WhatsApp user a change is about.
///
/// Element of (`whatsapp_business_account`, `messages`) `value.contacts[]`.
/// Element of (`whatsapp_business_account`, `user_preferences`) `value.contacts[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Contact {
    /// The user's profile.
    pub profile: Option<Profile>,
    /// The user's WhatsApp id (usually their phone number); absent for users with a
    /// username whose number cannot be shared.
    pub wa_id: Option<Id>,
    /// The user's business-scoped user id (`US.13491208655302741918`).
    pub user_id: Option<String>,
    /// The user's parent business-scoped user id, for linked business portfolios.
    pub parent_user_id: Option<String>,
    /// The identity key hash, when the identity change check is on.
    pub identity_key_hash: Option<String>,
}

impl Contact {
    /// The profile name.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.profile.as_ref()?.name.as_deref()
    }

    /// The username (`@sheena`), for users who set one.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        self.profile.as_ref()?.username.as_deref()
    }
}

/// A WhatsApp user's profile.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Profile {
    /// The name the user set in WhatsApp.
    pub name: Option<String>,
    /// The user's username, if they adopted one.
    pub username: Option<String>,
}
