//! Account, phone number, capability, security, preference and partner events.

use serde::{Deserialize, Serialize};

use super::{Contact, Id, MessagingLimit, Metadata, Number, TimeOrText, Timestamp};

crate::fields::string_enum! {
    /// An `account_update` event.
    pub enum AccountUpdateEvent {
        AccountDeleted = "ACCOUNT_DELETED",
        AccountOffboarded = "ACCOUNT_OFFBOARDED",
        AccountReconnected = "ACCOUNT_RECONNECTED",
        AccountRestriction = "ACCOUNT_RESTRICTION",
        AccountViolation = "ACCOUNT_VIOLATION",
        AdAccountLinked = "AD_ACCOUNT_LINKED",
        AuthIntlPriceEligibilityUpdate = "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE",
        BusinessPrimaryLocationCountryUpdate = "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE",
        DisabledUpdate = "DISABLED_UPDATE",
        MmLiteTermsSigned = "MM_LITE_TERMS_SIGNED",
        PartnerAdded = "PARTNER_ADDED",
        PartnerAppInstalled = "PARTNER_APP_INSTALLED",
        PartnerAppUninstalled = "PARTNER_APP_UNINSTALLED",
        PartnerClientCertificationStatusUpdate = "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE",
        PartnerRemoved = "PARTNER_REMOVED",
        VolumeBasedPricingTierUpdate = "VOLUME_BASED_PRICING_TIER_UPDATE",
    }
}

crate::fields::string_enum! {
    /// A WhatsApp Business Account ban state.
    pub enum BanState {
        Disable = "DISABLE",
        Reinstate = "REINSTATE",
        ScheduleForDisable = "SCHEDULE_FOR_DISABLE",
    }
}

crate::fields::string_enum! {
    /// A restriction applied to a WhatsApp Business Account.
    pub enum RestrictionType {
        RestrictedAddPhoneNumberAction = "RESTRICTED_ADD_PHONE_NUMBER_ACTION",
        RestrictedBizInitiatedAndUserInitiatedCalling =
            "RESTRICTED_BIZ_INITIATED_AND_USER_INITIATED_CALLING",
        RestrictedBizInitiatedMessaging = "RESTRICTED_BIZ_INITIATED_MESSAGING",
        RestrictedBusinessInitiatedCalling = "RESTRICTED_BUSINESS_INITIATED_CALLING",
        RestrictedCustomerInitiatedMessaging = "RESTRICTED_CUSTOMER_INITIATED_MESSAGING",
        RestrictedDirectSendUtilityTemplates = "RESTRICTED_DIRECT_SEND_UTILITY_TEMPLATES",
        RestrictedUserInitiatedCalling = "RESTRICTED_USER_INITIATED_CALLING",
        RestrictedUserInitiatedCallingCallButtonHidden =
            "RESTRICTED_USER_INITIATED_CALLING_CALL_BUTTON_HIDDEN",
        RestrictedUtilityTemplates = "RESTRICTED_UTILITY_TEMPLATES",
    }
}

/// A change to a WhatsApp Business Account: violations, restrictions, bans,
/// partner sharing, pricing eligibility, deletion ...
///
/// Which of the optional parts is present depends on [`event`](Self::event).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AccountUpdate {
    /// What happened.
    pub event: Option<AccountUpdateEvent>,
    /// The primary business location (`BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE`).
    pub country: Option<String>,
    /// The account and its owner (`AD_ACCOUNT_LINKED`, `MM_LITE_TERMS_SIGNED`,
    /// `PARTNER_*`).
    pub waba_info: Option<WabaInfo>,
    /// The violation (`ACCOUNT_VIOLATION`).
    pub violation_info: Option<ViolationInfo>,
    /// Authentication-international rate eligibility
    /// (`AUTH_INTL_PRICE_ELIGIBILITY_UPDATE`).
    pub auth_international_rate_eligibility: Option<AuthInternationalRateEligibility>,
    /// The ban (`DISABLED_UPDATE`).
    pub ban_info: Option<BanInfo>,
    /// The restrictions (`ACCOUNT_RESTRICTION`).
    #[serde(default)]
    pub restriction_info: Vec<Restriction>,
    /// The volume-based pricing tier (`VOLUME_BASED_PRICING_TIER_UPDATE`).
    pub volume_tier_info: Option<VolumeTierInfo>,
    /// Why a coexistence account was disconnected (`PARTNER_REMOVED`).
    pub disconnection_info: Option<DisconnectionInfo>,
    /// Partner-led business verification (`PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE`).
    pub partner_client_certification_info: Option<PartnerClientCertificationInfo>,
}

/// A WhatsApp Business Account and who owns it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct WabaInfo {
    /// The WhatsApp Business Account id.
    pub waba_id: Option<Id>,
    /// The owning business portfolio id.
    pub owner_business_id: Option<Id>,
    /// The ad account linked (`AD_ACCOUNT_LINKED`).
    pub ad_account_linked: Option<Id>,
    /// The partner app (`PARTNER_APP_INSTALLED`, `PARTNER_APP_UNINSTALLED`).
    pub partner_app_id: Option<Id>,
    /// The Multi-Partner Solution id.
    pub solution_id: Option<Id>,
    /// The business portfolios of the solution's partners.
    #[serde(default)]
    pub solution_partner_business_ids: Vec<Id>,
}

/// A policy violation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ViolationInfo {
    /// The violation type (`ADULT`, `SCAM` ...).
    pub violation_type: Option<String>,
}

/// Authentication-international rate eligibility.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AuthInternationalRateEligibility {
    /// When the rates start for countries without an exception.
    pub start_time: Option<Timestamp>,
    /// Countries with their own start time.
    #[serde(default)]
    pub exception_countries: Vec<ExceptionCountry>,
}

/// A country with its own authentication-international start time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ExceptionCountry {
    /// ISO 3166-1 alpha-2 code.
    pub country_code: Option<String>,
    /// When the rates start there.
    pub start_time: Option<Timestamp>,
}

/// A WhatsApp Business Account ban.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct BanInfo {
    /// The ban state.
    pub waba_ban_state: Option<BanState>,
    /// The ban date, as Meta writes it (`April 17, 2025`).
    pub waba_ban_date: Option<String>,
}

/// A restriction on a WhatsApp Business Account.
///
/// Element of (`whatsapp_business_account`, `account_update`) `value.restriction_info[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Restriction {
    /// What is restricted.
    pub restriction_type: Option<RestrictionType>,
    /// When the restriction expires (documented as Unix time; some deliveries
    /// carry a date string).
    pub expiration: Option<TimeOrText>,
    /// What the business can do about it.
    pub remediation: Option<String>,
}

/// A volume-based pricing tier.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct VolumeTierInfo {
    /// When the tier changed.
    pub tier_update_time: Option<Timestamp>,
    /// The pricing category (`UTILITY`).
    pub pricing_category: Option<String>,
    /// The volume range, `min:max`.
    pub tier: Option<String>,
    /// The month the tier applies to, `YYYY-MM`.
    pub effective_month: Option<String>,
    /// The region (`India`).
    pub region: Option<String>,
}

/// Why a WhatsApp Business app (coexistence) account was disconnected.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct DisconnectionInfo {
    /// `ACCOUNT_DISCONNECTED`, `BUSINESS_DOWNGRADE`, `CHANGE_NUMBER`,
    /// `COMPANION_INACTIVITY`, `PRIMARY_INACTIVITY`, `USER_RE_REGISTERED` ...
    pub reason: Option<String>,
    /// `USER` or `SYSTEM`.
    pub initiated_by: Option<String>,
}

/// The outcome of a partner-led business verification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PartnerClientCertificationInfo {
    /// The client's business portfolio id.
    pub client_business_id: Option<Id>,
    /// `APPROVED`, `DISCARDED`, `FAILED`, `PENDING`, `REVOKED` ...
    pub status: Option<String>,
    /// Why it failed (`NONE` when it did not).
    #[serde(default)]
    pub rejection_reasons: Vec<String>,
}

crate::fields::string_enum! {
    /// An `account_alerts` entity type.
    pub enum AlertEntityType {
        Business = "BUSINESS",
        PhoneNumber = "PHONE_NUMBER",
        /// A business profile.
        CurrentStatusId = "CURRENT_STATUS_ID",
    }
}

crate::fields::string_enum! {
    /// An alert severity.
    pub enum AlertSeverity {
        Critical = "CRITICAL",
        Informational = "INFORMATIONAL",
        Warning = "WARNING",
    }
}

crate::fields::string_enum! {
    /// An alert type.
    pub enum AlertType {
        IncreasedCapabilitiesEligibilityDeferred = "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED",
        IncreasedCapabilitiesEligibilityFailed = "INCREASED_CAPABILITIES_ELIGIBILITY_FAILED",
        IncreasedCapabilitiesEligibilityNeedMoreInfo =
            "INCREASED_CAPABILITIES_ELIGIBILITY_NEED_MORE_INFO",
        ObaApproved = "OBA_APPROVED",
        ObaRejected = "OBA_REJECTED",
        ProfilePictureLost = "PROFILE_PICTURE_LOST",
    }
}

/// An alert about messaging limits, the Official Business Account status or the
/// business profile.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AccountAlerts {
    /// What the alert is about.
    pub entity_type: Option<AlertEntityType>,
    /// The business portfolio id or business phone number id.
    pub entity_id: Option<Id>,
    /// The alert.
    pub alert_info: Option<AlertInfo>,
}

/// An alert.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AlertInfo {
    /// How serious it is.
    pub alert_severity: Option<AlertSeverity>,
    /// `ACTIVE` or `NONE`.
    pub alert_status: Option<String>,
    /// What kind of alert.
    pub alert_type: Option<AlertType>,
    /// A description, possibly with what to do.
    pub alert_description: Option<String>,
}

crate::fields::string_enum! {
    /// A review decision.
    pub enum Decision {
        Approved = "APPROVED",
        Deferred = "DEFERRED",
        Pending = "PENDING",
        Rejected = "REJECTED",
    }
}

/// The outcome of a WhatsApp Business Account's policy review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AccountReviewUpdate {
    /// The decision.
    pub decision: Option<Decision>,
}

/// A change of the business's messaging or phone number limits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct BusinessCapabilityUpdate {
    /// The portfolio's messaging limit (`TIER_2K` or `2000`).
    pub max_daily_conversations_per_business: Option<MessagingLimit>,
    /// The old per-phone limit (`250`, `2000` ..., `-1` for unlimited); removed in
    /// 2026.
    pub max_daily_conversation_per_phone: Option<MessagingLimit>,
    /// How many phone numbers the portfolio may have.
    pub max_phone_numbers_per_business: Option<Number>,
    /// How many phone numbers a WhatsApp Business Account may have.
    pub max_phone_numbers_per_waba: Option<Number>,
}

crate::fields::string_enum! {
    /// A `phone_number_quality_update` event.
    pub enum PhoneNumberQualityEvent {
        /// The number is still being registered.
        Onboarding = "ONBOARDING",
        ThroughputUpgrade = "THROUGHPUT_UPGRADE",
        Upgrade = "UPGRADE",
        Downgrade = "DOWNGRADE",
        Flagged = "FLAGGED",
        Unflagged = "UNFLAGGED",
    }
}

/// A change of a business phone number's messaging limit or throughput.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PhoneNumberQualityUpdate {
    /// The business phone number.
    pub display_phone_number: Option<Id>,
    /// What happened.
    pub event: Option<PhoneNumberQualityEvent>,
    /// The portfolio's messaging limit now.
    pub max_daily_conversations_per_business: Option<MessagingLimit>,
    /// The limit now (being removed in favour of
    /// `max_daily_conversations_per_business`).
    pub current_limit: Option<MessagingLimit>,
    /// The limit before (being removed).
    pub old_limit: Option<MessagingLimit>,
}

/// The outcome of a business phone number's display name review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PhoneNumberNameUpdate {
    /// The business phone number.
    pub display_phone_number: Option<Id>,
    /// The decision.
    pub decision: Option<Decision>,
    /// The display name reviewed.
    pub requested_verified_name: Option<String>,
    /// Why it was rejected (`NAME_FORMAT_UNACCEPTABLE` ...); `null` if not.
    pub rejection_reason: Option<String>,
}

/// A change of a business phone number's security settings (two-step
/// verification PIN).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Security {
    /// The business phone number.
    pub display_phone_number: Option<Id>,
    /// What happened (`PIN_RESET_REQUEST`, `PIN_CHANGED` ...).
    pub event: Option<String>,
    /// The Meta Business Suite user who made the change.
    pub requester: Option<Id>,
}

/// Users stopping or resuming marketing messages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct UserPreferences {
    /// Always `whatsapp`.
    pub messaging_product: Option<String>,
    /// The business phone number.
    pub metadata: Option<Metadata>,
    /// The users.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// The preference changes.
    #[serde(default)]
    pub user_preferences: Vec<UserPreference>,
}

crate::fields::string_enum! {
    /// A marketing message preference.
    pub enum PreferenceValue {
        Stop = "stop",
        Resume = "resume",
    }
}

/// One user's preference change.
///
/// Element of (`whatsapp_business_account`, `user_preferences`) `value.user_preferences[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct UserPreference {
    /// The user's WhatsApp id.
    pub wa_id: Option<Id>,
    /// The user's business-scoped user id.
    pub user_id: Option<String>,
    /// The user's parent business-scoped user id.
    pub parent_user_id: Option<String>,
    /// A description (`User requested to stop marketing messages`).
    pub detail: Option<String>,
    /// `marketing_messages`.
    pub category: Option<String>,
    /// The preference.
    pub value: Option<PreferenceValue>,
    /// When it changed.
    pub timestamp: Option<Timestamp>,
}

/// A change to a Multi-Partner Solution.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PartnerSolutions {
    /// `SOLUTION_CREATED` or `SOLUTION_UPDATED`.
    pub event: Option<String>,
    /// The solution id.
    pub solution_id: Option<Id>,
    /// `ACTIVE`, `DEACTIVATED`, `DRAFT`, `INITIATED`, `PENDING_DEACTIVATION`,
    /// `REJECTED`.
    pub solution_status: Option<String>,
}

/// A phone number's settings changed (Meta's `account_settings_update`, whose
/// documented settings are Calling's, as set through the call settings API).
///
/// ```
/// use webhook_core::fields::whatsapp::AccountSettingsUpdate;
///
/// let v: AccountSettingsUpdate = serde_json::from_str(r#"{"phone_number_id":"400",
///     "calling":{"status":"ENABLED","call_icon_visibility":"DEFAULT",
///     "call_hours":{"status":"ENABLED","timezone_id":"Europe/Oslo",
///     "weekly_operating_hours":[{"day_of_week":"MONDAY","open_time":"0900","close_time":"1700"}]}}}"#)?;
/// let calling = v.calling.unwrap();
/// assert_eq!(calling.status.as_deref(), Some("ENABLED"));
/// assert_eq!(calling.call_hours.unwrap().weekly_operating_hours[0].open_time.as_deref(), Some("0900"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AccountSettingsUpdate {
    /// The phone number whose settings changed.
    #[serde(default)]
    pub phone_number_id: Option<Id>,
    /// Its Calling settings.
    #[serde(default)]
    pub calling: Option<CallingSettings>,
}

/// A number's Calling settings.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CallingSettings {
    /// `ENABLED` or `DISABLED`.
    #[serde(default)]
    pub status: Option<String>,
    /// `DEFAULT` or `DISABLE_ALL`.
    #[serde(default)]
    pub call_icon_visibility: Option<String>,
    /// When calls are taken.
    #[serde(default)]
    pub call_hours: Option<CallHours>,
    /// Whether users are asked for call-back permission.
    #[serde(default)]
    pub callback_permission_status: Option<String>,
    /// SIP settings (servers and status), as sent.
    #[serde(default)]
    pub sip: Option<serde_json::Value>,
}

/// Business hours for calls.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct CallHours {
    /// `ENABLED` or `DISABLED`.
    #[serde(default)]
    pub status: Option<String>,
    /// The IANA time zone of the hours.
    #[serde(default)]
    pub timezone_id: Option<String>,
    /// Opening hours by weekday.
    #[serde(default)]
    pub weekly_operating_hours: Vec<OperatingHours>,
    /// Days with other hours.
    #[serde(default)]
    pub holiday_schedule: Vec<HolidayHours>,
}

/// Opening hours on one weekday.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct OperatingHours {
    /// `MONDAY` … `SUNDAY`.
    #[serde(default)]
    pub day_of_week: Option<String>,
    /// `HHMM`.
    #[serde(default)]
    pub open_time: Option<String>,
    /// `HHMM`.
    #[serde(default)]
    pub close_time: Option<String>,
}

/// Hours on one date.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct HolidayHours {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<String>,
    /// `HHMM`.
    #[serde(default)]
    pub start_time: Option<String>,
    /// `HHMM`.
    #[serde(default)]
    pub end_time: Option<String>,
}
