//! Who a number and a user are: the business's WhatsApp username, and users'
//! business-scoped user ids (BSUIDs) when they change (Meta's business-scoped user
//! ids page).

use serde::{Deserialize, Serialize};

use super::{Contact, Id, Metadata, Timestamp};

/// The business number's username was approved, reserved or deleted (Meta names
/// the field `business_username_update` and `business_username_updates`; both
/// read this).
///
/// ```
/// use webhook_core::fields::whatsapp::BusinessUsernameUpdate;
///
/// let v: BusinessUsernameUpdate = serde_json::from_str(
///     r#"{"display_phone_number":"155","username":"harbourbakery","status":"approved"}"#)?;
/// assert_eq!(v.username.as_deref(), Some("harbourbakery"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct BusinessUsernameUpdate {
    /// The business phone number.
    #[serde(default)]
    pub display_phone_number: Option<Id>,
    /// The username; absent when it was deleted.
    #[serde(default)]
    pub username: Option<String>,
    /// `approved`, `reserved` or `deleted`.
    #[serde(default)]
    pub status: Option<String>,
}

/// Users whose business-scoped user id changed (Meta's `user_id_update`).
///
/// ```
/// use webhook_core::fields::whatsapp::UserIdUpdates;
///
/// let v: UserIdUpdates = serde_json::from_str(r#"{"messaging_product":"whatsapp",
///     "user_id_update":[{"wa_id":"155","user_id":{"previous":"US.1","current":"US.2"},
///     "timestamp":"1767226500"}]}"#)?;
/// let update = &v.user_id_update[0];
/// assert_eq!(update.user_id.as_ref().and_then(|u| u.current.as_deref()), Some("US.2"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct UserIdUpdates {
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: Option<String>,
    /// The business phone number.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The users.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// One change per user.
    #[serde(default)]
    pub user_id_update: Vec<UserIdUpdate>,
}

/// One user's id change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct UserIdUpdate {
    /// The user's WhatsApp id.
    #[serde(default)]
    pub wa_id: Option<Id>,
    /// What happened, in words.
    #[serde(default)]
    pub detail: Option<String>,
    /// The business-scoped user id before and after.
    #[serde(default)]
    pub user_id: Option<IdChange>,
    /// The parent business-scoped user id before and after (linked portfolios).
    #[serde(default)]
    pub parent_user_id: Option<IdChange>,
    /// When, Unix seconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
}

/// An id before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct IdChange {
    /// The id before.
    #[serde(default)]
    pub previous: Option<String>,
    /// The id now.
    #[serde(default)]
    pub current: Option<String>,
}
