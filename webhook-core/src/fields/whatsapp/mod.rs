//! Values of the `whatsapp_business_account` fields: the WhatsApp Cloud API
//! (`messages`: incoming messages, outgoing message statuses and errors) and the
//! WhatsApp Business Management API (templates, account, phone numbers ...).
//!
//! | field | type |
//! | --- | --- |
//! | `messages` | [`Change`] (elements [`Message`], [`Status`], [`Error`], [`Contact`]) |
//! | `message_template_status_update` | [`MessageTemplateStatusUpdate`] |
//! | `message_template_quality_update` | [`MessageTemplateQualityUpdate`] |
//! | `message_template_components_update` | [`MessageTemplateComponentsUpdate`] |
//! | `template_category_update` | [`TemplateCategoryUpdate`] |
//! | `account_update` | [`AccountUpdate`] |
//! | `account_alerts` | [`AccountAlerts`] |
//! | `account_review_update` | [`AccountReviewUpdate`] |
//! | `business_capability_update` | [`BusinessCapabilityUpdate`] |
//! | `phone_number_quality_update` | [`PhoneNumberQualityUpdate`] |
//! | `phone_number_name_update` | [`PhoneNumberNameUpdate`] |
//! | `security` | [`Security`] |
//! | `user_preferences` | [`UserPreferences`] |
//! | `partner_solutions` | [`PartnerSolutions`] |
//!
//! Meta omits keys freely: users with a username may have no phone number (`from`,
//! `wa_id`, `recipient_id` absent, [business-scoped user ids][bsuid] instead), a
//! reaction removal has no `emoji`, `conversation` is gone from v24.0 status
//! webhooks and `pricing` appears on only one of them. So nearly every field is an
//! `Option` or a (possibly empty) `Vec`.
//!
//! ```
//! use webhook_core::fields::whatsapp::{Change, MessageType};
//!
//! let value = r#"{"messaging_product":"whatsapp",
//!     "metadata":{"display_phone_number":"15550001111","phone_number_id":"301234567890123"},
//!     "contacts":[{"profile":{"name":"Ana"},"wa_id":"15557654321"}],
//!     "messages":[{"from":"15557654321","id":"wamid.A1","timestamp":"1750000000",
//!                  "type":"text","text":{"body":"Hi!"}}]}"#;
//! let change: Change = serde_json::from_str(value).unwrap();
//! let message = &change.messages[0];
//! assert_eq!(message.kind, Some(MessageType::Text));
//! assert_eq!(message.text_body(), Some("Hi!"));
//! assert_eq!(change.contact_for(message).and_then(|c| c.name()), Some("Ana"));
//! ```
//!
//! [bsuid]: https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/

use std::fmt;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

pub(crate) use super::{Id, Number, Timestamp};

mod account;
mod business;
mod calls;
mod change;
mod coexistence;
mod context;
mod flows;
mod groups;
mod identity;
mod message;
mod status;
mod template;

pub use account::{
    AccountAlerts, AccountReviewUpdate, AccountSettingsUpdate, AccountUpdate, AccountUpdateEvent,
    AlertEntityType, AlertInfo, AlertSeverity, AlertType, AuthInternationalRateEligibility,
    BanInfo, BanState, BusinessCapabilityUpdate, CallHours, CallingSettings, Decision,
    DisconnectionInfo, ExceptionCountry, HolidayHours, OperatingHours,
    PartnerClientCertificationInfo, PartnerSolutions, PhoneNumberNameUpdate,
    PhoneNumberQualityEvent, PhoneNumberQualityUpdate, PreferenceValue, Restriction,
    RestrictionType, Security, UserPreference, UserPreferences, ViolationInfo, VolumeTierInfo,
    WabaInfo,
};
pub use business::{
    AutomaticEvent, AutomaticEvents, PaymentConfigurationUpdate, PurchaseData, SmbAppStateSync,
    StateSync, SyncMetadata, SyncedContact,
};
pub use calls::{Call, CallEvent, CallSession, CallStatus, Calls};
pub use change::{Change, Contact, Metadata, Profile};
pub use coexistence::{History, HistoryChunk, HistoryProgress, HistoryThread, SmbMessageEchoes};
pub use context::ChangeContext;
pub use flows::{FlowError, FlowEvent, Flows};
pub use groups::{GroupEvent, GroupEventType, GroupParticipant, GroupSetting, Groups};
pub use identity::{BusinessUsernameUpdate, IdChange, UserIdUpdate, UserIdUpdates};
pub use message::{
    Button, ButtonReply, CallPermissionReply, ContactAddress, ContactEmail, ContactName,
    ContactOrg, ContactPhone, ContactUrl, Context, Edit, HistoryContext, Identity, Interactive,
    InteractiveType, ListReply, Location, Media, Message, MessageType, NfmReply, Order,
    ProductItem, Reaction, Referral, ReferredProduct, Revoke, SharedContact, System, SystemType,
    Text, Unsupported, WelcomeMessage,
};
pub use status::{
    Conversation, ConversationCategory, ConversationOrigin, DeliveryStatus, Error, ErrorData,
    Pricing, PricingCategory, PricingModel, PricingType, Status,
};
pub use template::{
    DisableInfo, MessageTemplateComponentsUpdate, MessageTemplateQualityUpdate,
    MessageTemplateStatusUpdate, OtherInfo, QualityScore, RejectionInfo, TemplateButton,
    TemplateCategory, TemplateCategoryUpdate, TemplateRejectionReason, TemplateStatusEvent,
};

/// A time Meta documents as a Unix timestamp but which some deliveries carry as a
/// date string (`"2024-04-19T13:59:20+0000"`, `"April 17, 2025"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TimeOrText {
    /// A Unix time (a number, or a string of digits).
    Unix(Timestamp),
    /// Any other text, as sent.
    Text(String),
}

impl TimeOrText {
    /// The Unix time in seconds, if it was sent as one.
    #[must_use]
    pub fn unix_seconds(&self) -> Option<u64> {
        match self {
            Self::Unix(t) => Some(t.unix_seconds()),
            Self::Text(_) => None,
        }
    }
}

impl fmt::Display for TimeOrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(t) => write!(f, "{}", t.raw()),
            Self::Text(text) => f.write_str(text),
        }
    }
}

impl Serialize for TimeOrText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Unix(t) => t.serialize(serializer),
            Self::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for TimeOrText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = Number::deserialize(deserializer)?;
        Ok(match n.as_u64() {
            Some(t) => Self::Unix(Timestamp(t)),
            None => Self::Text(n.0),
        })
    }
}

/// A messaging limit, which Meta sends as a tier name (`"TIER_2K"`,
/// `"TIER_UNLIMITED"`) or as a number (`2000`, `-1` for unlimited) depending on the
/// field and the API version; kept as the text sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MessagingLimit(pub String);

impl MessagingLimit {
    /// The text sent (`TIER_2K`, `2000` ...).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the limit is unlimited (`TIER_UNLIMITED` or `-1`).
    #[must_use]
    pub fn is_unlimited(&self) -> bool {
        matches!(self.0.as_str(), "TIER_UNLIMITED" | "-1")
    }

    /// The number of messages (or conversations) a day, for a known tier name or a
    /// positive number; `None` when unlimited, not set or unknown.
    #[must_use]
    pub fn daily_limit(&self) -> Option<u64> {
        match self.0.as_str() {
            "TIER_50" => Some(50),
            "TIER_250" => Some(250),
            "TIER_1K" => Some(1_000),
            "TIER_2K" => Some(2_000),
            "TIER_10K" => Some(10_000),
            "TIER_100K" => Some(100_000),
            other => other.parse().ok().filter(|n| *n > 0),
        }
    }
}

impl fmt::Display for MessagingLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for MessagingLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MessagingLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Number::deserialize(deserializer).map(|n| Self(n.0))
    }
}
