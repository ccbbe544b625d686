//! Business events of a WhatsApp Business Account: payment configurations,
//! ad-attributed events reported automatically, and the WhatsApp Business app's
//! contacts synchronised to the Cloud API.

use serde::{Deserialize, Serialize};

use super::Metadata;
use crate::fields::{Id, Timestamp};

/// A payment configuration of the account changed (Meta's
/// `payment_configuration_update` reference, India payments).
///
/// ```
/// use webhook_core::fields::whatsapp::PaymentConfigurationUpdate;
///
/// let v: PaymentConfigurationUpdate = serde_json::from_str(r#"{"configuration_name":"shop",
///     "provider_name":"payu","status":"Active","updated_timestamp":1767226100}"#)?;
/// assert_eq!(v.status.as_deref(), Some("Active"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PaymentConfigurationUpdate {
    /// The configuration's name.
    #[serde(default)]
    pub configuration_name: Option<String>,
    /// The payment provider (`payu`, `razorpay`, ...).
    #[serde(default)]
    pub provider_name: Option<String>,
    /// The merchant id at the provider.
    #[serde(default)]
    pub provider_mid: Option<String>,
    /// `Active`, `Needs Connecting`, `Needs Testing`.
    #[serde(default)]
    pub status: Option<String>,
    /// When it was created, Unix seconds.
    #[serde(default)]
    pub created_timestamp: Option<Timestamp>,
    /// When it changed.
    #[serde(default)]
    pub updated_timestamp: Option<Timestamp>,
}

/// Purchases and leads Meta detected in chats started from ads (Meta's automatic
/// events reference).
///
/// ```
/// use webhook_core::fields::whatsapp::AutomaticEvents;
///
/// let v: AutomaticEvents = serde_json::from_str(r#"{"automatic_events":[{"id":"wamid.1",
///     "event_name":"Purchase","timestamp":1767226200,"ctwa_clid":"c1",
///     "custom_data":{"currency":"EUR","value":42.5}}]}"#)?;
/// let purchase = &v.automatic_events[0];
/// assert_eq!(purchase.custom_data.as_ref().and_then(|d| d.value), Some(42.5));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AutomaticEvents {
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: Option<String>,
    /// The business phone number.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The events.
    #[serde(default)]
    pub automatic_events: Vec<AutomaticEvent>,
}

/// One automatic event, an element of the change's `automatic_events[]`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AutomaticEvent {
    /// The message that showed it (`wamid.…`).
    #[serde(default)]
    pub id: Option<String>,
    /// `Purchase` or `LeadSubmitted`.
    #[serde(default)]
    pub event_name: Option<String>,
    /// When, Unix seconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The click-to-WhatsApp ad click id.
    #[serde(default)]
    pub ctwa_clid: Option<String>,
    /// A purchase's amount.
    #[serde(default)]
    pub custom_data: Option<PurchaseData>,
}

/// The amount of a purchase event.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct PurchaseData {
    /// ISO 4217.
    #[serde(default)]
    pub currency: Option<String>,
    /// The amount (a number, or a string holding one).
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub value: Option<f64>,
}

/// Contacts of the WhatsApp Business app added, changed or removed, for a number
/// on both the app and the Cloud API (coexistence; Meta's `smb_app_state_sync`
/// reference).
///
/// ```
/// use webhook_core::fields::whatsapp::SmbAppStateSync;
///
/// let v: SmbAppStateSync = serde_json::from_str(r#"{"state_sync":[{"type":"contact",
///     "contact":{"full_name":"Noor","phone_number":"155"},"action":"add",
///     "metadata":{"timestamp":"1767226000"}}]}"#)?;
/// assert_eq!(v.state_sync[0].action.as_deref(), Some("add"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct SmbAppStateSync {
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: Option<String>,
    /// The business phone number.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The changes.
    #[serde(default)]
    pub state_sync: Vec<StateSync>,
}

/// One change of the app's state, an element of the change's `state_sync[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct StateSync {
    /// `contact`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The contact.
    #[serde(default)]
    pub contact: Option<SyncedContact>,
    /// `add` (or changed) or `remove`.
    #[serde(default)]
    pub action: Option<String>,
    /// When.
    #[serde(default)]
    pub metadata: Option<SyncMetadata>,
}

/// A contact of the WhatsApp Business app.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct SyncedContact {
    /// The name as saved.
    #[serde(default)]
    pub full_name: Option<String>,
    /// The first name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// The number.
    #[serde(default)]
    pub phone_number: Option<Id>,
}

/// When a [`StateSync`] happened.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct SyncMetadata {
    /// Unix seconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
}
