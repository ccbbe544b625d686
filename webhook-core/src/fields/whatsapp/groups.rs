//! WhatsApp groups a business created through the Cloud API: their lifecycle,
//! participants, settings and status (Meta's groups webhooks reference). The four
//! fields share one shape: a `groups[]` array whose elements say what happened in
//! `type`.

use serde::{Deserialize, Serialize};

use super::{Id, Metadata, Timestamp};

/// The value of the four group fields: what happened to which groups.
///
/// ```
/// use webhook_core::fields::whatsapp::{GroupEventType, Groups};
///
/// let v: Groups = serde_json::from_str(r#"{"messaging_product":"whatsapp",
///     "groups":[{"timestamp":"1767226600","group_id":"G1","type":"group_create",
///     "subject":"Saturday pickup","invite_link":"https://chat.whatsapp.com/X"}]}"#)?;
/// let created = &v.groups[0];
/// assert_eq!(created.kind, Some(GroupEventType::GroupCreate));
/// assert_eq!(created.subject.as_ref().and_then(|s| s.text()), Some("Saturday pickup"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Groups {
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: Option<String>,
    /// The business phone number.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// One event per group.
    #[serde(default)]
    pub groups: Vec<GroupEvent>,
}

crate::fields::string_enum! {
    /// What happened to a group.
    pub enum GroupEventType {
        /// The group was created (`group_lifecycle_update`).
        GroupCreate = "group_create",
        /// The group was deleted (`group_lifecycle_update`).
        GroupDelete = "group_delete",
        /// Participants joined or were added (`group_participants_update`).
        GroupParticipantsAdd = "group_participants_add",
        /// Participants left or were removed (`group_participants_update`).
        GroupParticipantsRemove = "group_participants_remove",
        /// Someone asked to join (`group_participants_update`).
        GroupJoinRequestCreated = "group_join_request_created",
        /// Its settings changed (`group_settings_update`).
        GroupSettingsUpdate = "group_settings_update",
        /// It was suspended (`group_status_update`).
        GroupSuspend = "group_suspend",
        /// Its suspension was lifted (`group_status_update`).
        GroupSuspendCleared = "group_suspend_cleared",
    }
}

/// One group event, an element of `groups[]`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct GroupEvent {
    /// When, Unix seconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The group.
    #[serde(default)]
    pub group_id: Option<Id>,
    /// What happened (JSON `type`).
    #[serde(default, rename = "type")]
    pub kind: Option<GroupEventType>,
    /// The id of the API request that caused it, when one did.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The group's subject: text on creation, or a change with its outcome.
    #[serde(default)]
    pub subject: Option<GroupSetting>,
    /// The group's description, likewise.
    #[serde(default)]
    pub description: Option<GroupSetting>,
    /// The invite link of a new group.
    #[serde(default)]
    pub invite_link: Option<String>,
    /// Whether joining needs approval (`auto_approve`, `approval_required`).
    #[serde(default)]
    pub join_approval_mode: Option<String>,
    /// The participants added, removed or asking to join.
    #[serde(default)]
    pub participants: Vec<GroupParticipant>,
    /// Why it failed, when it did.
    #[serde(default)]
    pub errors: Vec<super::Error>,
}

/// A group setting: its text, or a change of it with whether it succeeded. Read
/// leniently: a string is the text, an object a change, anything else its JSON
/// text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum GroupSetting {
    /// The text as sent on creation.
    Text(String),
    /// A change: the new text and whether it was applied.
    Changed {
        /// The new text.
        #[serde(default)]
        text: Option<String>,
        /// Whether the change was applied.
        #[serde(default)]
        update_successful: Option<bool>,
    },
}

impl<'de> Deserialize<'de> for GroupSetting {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        Ok(match Value::deserialize(deserializer)? {
            Value::String(text) => Self::Text(text),
            Value::Object(change) => Self::Changed {
                text: change.get("text").map(|text| match text {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                }),
                update_successful: change.get("update_successful").and_then(Value::as_bool),
            },
            other => Self::Text(other.to_string()),
        })
    }
}

impl GroupSetting {
    /// The setting's text, either way it came.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::Changed { text, .. } => text.as_deref(),
        }
    }
}

/// A participant of a group event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct GroupParticipant {
    /// Their WhatsApp id.
    #[serde(default)]
    pub wa_id: Option<String>,
    /// Their business-scoped user id.
    #[serde(default)]
    pub user_id: Option<String>,
}
