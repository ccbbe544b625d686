//! Message template events: status, quality, components and category updates.

use serde::{Deserialize, Serialize};

use super::{Id, TimeOrText, Timestamp};

crate::fields::string_enum! {
    /// A template status event.
    pub enum TemplateStatusEvent {
        Approved = "APPROVED",
        Archived = "ARCHIVED",
        Unarchived = "UNARCHIVED",
        Deleted = "DELETED",
        Disabled = "DISABLED",
        Flagged = "FLAGGED",
        InAppeal = "IN_APPEAL",
        LimitExceeded = "LIMIT_EXCEEDED",
        Locked = "LOCKED",
        Unlocked = "UNLOCKED",
        Paused = "PAUSED",
        Pending = "PENDING",
        Reinstated = "REINSTATED",
        PendingDeletion = "PENDING_DELETION",
        Rejected = "REJECTED",
    }
}

crate::fields::string_enum! {
    /// Why a template was rejected (or `NONE`).
    pub enum TemplateRejectionReason {
        AbusiveContent = "ABUSIVE_CONTENT",
        CategoryNotAvailable = "CATEGORY_NOT_AVAILABLE",
        IncorrectCategory = "INCORRECT_CATEGORY",
        InvalidFormat = "INVALID_FORMAT",
        /// No reason: the template was not rejected (or was paused).
        NoReason = "NONE",
        Promotional = "PROMOTIONAL",
        Scam = "SCAM",
        TagContentMismatch = "TAG_CONTENT_MISMATCH",
    }
}

crate::fields::string_enum! {
    /// A template category.
    pub enum TemplateCategory {
        Authentication = "AUTHENTICATION",
        Marketing = "MARKETING",
        Utility = "UTILITY",
    }
}

/// A change of a template's status.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct MessageTemplateStatusUpdate {
    /// What happened.
    pub event: Option<TemplateStatusEvent>,
    /// The template id (Meta sends a JSON number).
    pub message_template_id: Option<Id>,
    /// The template name.
    pub message_template_name: Option<String>,
    /// The template language and locale (`en_US`).
    pub message_template_language: Option<String>,
    /// Why it was rejected; `NONE` when not, `null` for a scheduled deletion.
    pub reason: Option<TemplateRejectionReason>,
    /// The template category.
    pub message_template_category: Option<TemplateCategory>,
    /// When it was disabled (`DISABLED` events).
    pub disable_info: Option<DisableInfo>,
    /// Why it was locked or unlocked, paused or unpaused.
    pub other_info: Option<OtherInfo>,
    /// Details of an `INVALID_FORMAT` rejection.
    pub rejection_info: Option<RejectionInfo>,
}

/// When a template was disabled.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct DisableInfo {
    /// The time it was disabled.
    pub disable_date: Option<TimeOrText>,
}

/// Why a template was locked, unlocked, paused or unpaused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct OtherInfo {
    /// `FIRST_PAUSE`, `SECOND_PAUSE`, `RATE_LIMITING_PAUSE`, `UNPAUSE`, `DISABLED` ...
    pub title: Option<String>,
    /// A description.
    pub description: Option<String>,
}

/// Details of a template rejection.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct RejectionInfo {
    /// What is wrong with the template.
    pub reason: Option<String>,
    /// How to fix it.
    pub recommendation: Option<String>,
}

crate::fields::string_enum! {
    /// A template quality score.
    pub enum QualityScore {
        Green = "GREEN",
        Yellow = "YELLOW",
        Red = "RED",
        /// Quality pending.
        Unknown = "UNKNOWN",
    }
}

/// A change of a template's quality score.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct MessageTemplateQualityUpdate {
    /// The score before.
    pub previous_quality_score: Option<QualityScore>,
    /// The score now.
    pub new_quality_score: Option<QualityScore>,
    /// The template id.
    pub message_template_id: Option<Id>,
    /// The template name.
    pub message_template_name: Option<String>,
    /// The template language and locale.
    pub message_template_language: Option<String>,
}

/// A change of a template's category, announced 24 hours ahead (with
/// `correct_category`) and when done (with `previous_category`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct TemplateCategoryUpdate {
    /// The template id.
    pub message_template_id: Option<Id>,
    /// The template name.
    pub message_template_name: Option<String>,
    /// The template language and locale.
    pub message_template_language: Option<String>,
    /// The category before a completed change.
    pub previous_category: Option<TemplateCategory>,
    /// The new category after a completed change, or the *current* category in an
    /// announcement.
    pub new_category: Option<TemplateCategory>,
    /// In an announcement, the category the template will get.
    pub correct_category: Option<TemplateCategory>,
    /// In an announcement, when the change will happen.
    pub category_update_timestamp: Option<Timestamp>,
}

impl TemplateCategoryUpdate {
    /// Whether this announces a change still to come.
    #[must_use]
    pub fn is_announcement(&self) -> bool {
        self.correct_category.is_some()
    }
}

/// An edit of a template's components.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct MessageTemplateComponentsUpdate {
    /// The template id.
    pub message_template_id: Option<Id>,
    /// The template name.
    pub message_template_name: Option<String>,
    /// The template language and locale.
    pub message_template_language: Option<String>,
    /// The body text.
    pub message_template_element: Option<String>,
    /// The text header, if any.
    pub message_template_title: Option<String>,
    /// The footer, if any.
    pub message_template_footer: Option<String>,
    /// The URL and phone number buttons.
    #[serde(default)]
    pub message_template_buttons: Vec<TemplateButton>,
}

/// A URL or phone number button of a template.
///
/// Element of (`whatsapp_business_account`, `message_template_components_update`) `value.message_template_buttons[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct TemplateButton {
    /// `URL` or `PHONE_NUMBER`.
    pub message_template_button_type: Option<String>,
    /// The label.
    pub message_template_button_text: Option<String>,
    /// The URL of a URL button.
    pub message_template_button_url: Option<String>,
    /// The number of a phone number button.
    pub message_template_button_phone_number: Option<String>,
}
