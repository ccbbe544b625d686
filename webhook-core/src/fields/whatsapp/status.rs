//! Statuses of outgoing messages (`statuses[]`) and errors.

use serde::{Deserialize, Serialize};

use super::{Id, Timestamp};

crate::fields::string_enum! {
    /// The `status` of a message the business sent.
    pub enum DeliveryStatus {
        Sent = "sent",
        Delivered = "delivered",
        Read = "read",
        Failed = "failed",
        /// A voice message was played for the first time.
        Played = "played",
        Deleted = "deleted",
        Warning = "warning",
    }
}

/// A status update of a message the business sent.
///
/// Element of (`whatsapp_business_account`, `messages`) `value.statuses[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Status {
    /// The id of the message (`wamid....`).
    pub id: Option<String>,
    /// The new status.
    pub status: Option<DeliveryStatus>,
    /// When the status changed, in Unix seconds.
    pub timestamp: Option<Timestamp>,
    /// The recipient's phone number, or the group id; absent when the message was
    /// sent to a business-scoped user id whose number cannot be shared.
    pub recipient_id: Option<Id>,
    /// The recipient's business-scoped user id, if the message was sent to one.
    pub recipient_user_id: Option<String>,
    /// The recipient's parent business-scoped user id.
    pub parent_recipient_user_id: Option<String>,
    /// The recipient's parent business-scoped user id (spelling used by some
    /// deliveries).
    pub parent_user_id: Option<String>,
    /// `group` for a message sent to a group.
    pub recipient_type: Option<String>,
    /// In a group, the phone number of the participant the status is about.
    pub recipient_participant_id: Option<Id>,
    /// In a group, the participant's business-scoped user id.
    pub recipient_participant_user_id: Option<String>,
    /// In a group, the participant's parent business-scoped user id.
    pub recipient_participant_parent_user_id: Option<String>,
    /// The recipient's identity key hash (identity change check).
    pub recipient_identity_key_hash: Option<String>,
    /// The `biz_opaque_callback_data` the business sent the message with.
    pub biz_opaque_callback_data: Option<String>,
    /// The conversation; omitted from v24.0 on except for free entry points.
    pub conversation: Option<Conversation>,
    /// Pricing; on one status of a message only.
    pub pricing: Option<Pricing>,
    /// Why the message failed (`failed` statuses).
    #[serde(default)]
    pub errors: Vec<Error>,
}

crate::fields::string_enum! {
    /// A conversation category (`conversation.origin.type`).
    pub enum ConversationCategory {
        Authentication = "authentication",
        AuthenticationInternational = "authentication_international",
        Marketing = "marketing",
        MarketingLite = "marketing_lite",
        ReferralConversion = "referral_conversion",
        Service = "service",
        Utility = "utility",
    }
}

/// The conversation a status belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Conversation {
    /// The conversation id.
    pub id: Option<String>,
    /// When the conversation expires (on `sent` statuses only).
    pub expiration_timestamp: Option<Timestamp>,
    /// Where the conversation started.
    pub origin: Option<ConversationOrigin>,
}

/// The origin of a [`Conversation`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ConversationOrigin {
    /// The conversation category (JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<ConversationCategory>,
}

crate::fields::string_enum! {
    /// A pricing model.
    pub enum PricingModel {
        /// Conversation-based pricing (before July 2025).
        Cbp = "CBP",
        /// Per-message pricing.
        Pmp = "PMP",
    }
}

crate::fields::string_enum! {
    /// The rate applied to a message.
    pub enum PricingCategory {
        Authentication = "authentication",
        AuthenticationInternational = "authentication_international",
        GroupMarketing = "group_marketing",
        GroupService = "group_service",
        GroupUtility = "group_utility",
        Marketing = "marketing",
        MarketingLite = "marketing_lite",
        ReferralConversion = "referral_conversion",
        Service = "service",
        Utility = "utility",
    }
}

crate::fields::string_enum! {
    /// Whether and why a message is charged (`pricing.type`).
    pub enum PricingType {
        Regular = "regular",
        FreeCustomerService = "free_customer_service",
        FreeEntryPoint = "free_entry_point",
        FreeGroupCustomerService = "free_group_customer_service",
    }
}

/// How a message is priced.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Pricing {
    /// Whether the message is billable (being deprecated for `kind` + `category`).
    pub billable: Option<bool>,
    /// The pricing model.
    pub pricing_model: Option<PricingModel>,
    /// The rate applied.
    pub category: Option<PricingCategory>,
    /// Whether and why the message is charged (JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<PricingType>,
}

/// An error: of a failed status, of an unsupported message, or of the whole
/// phone number.
///
/// Element of (`whatsapp_business_account`, `messages`) `value.errors[]`.
/// Element of (`whatsapp_business_account`, `messages`) `value.statuses[].errors[]`.
/// Element of (`whatsapp_business_account`, `messages`) `value.messages[].errors[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Error {
    /// The error code (`131049`, `130429` ...; also read from a string).
    #[serde(default, deserialize_with = "crate::fields::lenient::option_i64")]
    pub code: Option<i64>,
    /// The error title.
    pub title: Option<String>,
    /// The error message (same as `title`).
    pub message: Option<String>,
    /// Details.
    pub error_data: Option<ErrorData>,
    /// A link to the error code documentation.
    pub href: Option<String>,
}

/// Details of an [`Error`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ErrorData {
    /// A description of the error.
    pub details: Option<String>,
}
