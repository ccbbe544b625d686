//! Values of the `application` object's fields: updates about the app itself. The
//! entry id is the app id.
//!
//! | Field | Type |
//! |---|---|
//! | `plugin_comment`, `plugin_comment_reply` | [`PluginComment`] |
//! | `ad_account` | [`AdAccount`] |
//! | `ads_rules_engine` | [`AdsRulesEngine`] |
//! | `async_requests` | [`AsyncRequest`] |
//! | `group_install` | [`GroupInstall`] |
//!
//! Other fields of the topic are not typed here; take them as a
//! [`RawItem`](crate::RawItem) or `Payload<serde_json::Value>`.

// The lines naming the (object, field) a type is the value of are grepped verbatim,
// so field names stay without backticks there.
#![allow(clippy::doc_markdown)]

use serde::{Deserialize, Serialize};

use super::page::{Actor, Time, Verb};
use super::{Id, Number};

/// A comment made with the Comments Plugin on your site (`plugin_comment`), or a
/// reply to one (`plugin_comment_reply`, with the comment replied to in `parent`).
///
/// `created_time` is an ISO-8601 string here (`2024-05-02T10:20:30+0000`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PluginComment {
    /// The comment.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its text.
    #[serde(default)]
    pub message: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub from: Option<Actor>,
    /// When it was written.
    #[serde(default)]
    pub created_time: Option<Time>,
    /// The comment replied to, for `plugin_comment_reply`.
    #[serde(default)]
    pub parent: Option<Box<PluginComment>>,
}

/// A change in the status of an ad account the app manages.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct AdAccount {
    /// The ad account.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its status code (`1` active, `2` disabled, ...; also read from a string).
    #[serde(default, deserialize_with = "super::lenient::option_u32")]
    pub account_status: Option<u32>,
    /// Why it is disabled (`0` none, ...; also read from a string).
    #[serde(default, deserialize_with = "super::lenient::option_u32")]
    pub disable_reason: Option<u32>,
    /// The business owning it.
    #[serde(default)]
    pub business: Option<Id>,
}

super::string_enum! {
    /// The kind of ad object a rule evaluated.
    pub enum AdObjectType {
        Campaign = "CAMPAIGN",
        AdSet = "ADSET",
        Ad = "AD",
    }
}

super::string_enum! {
    /// What triggered an ad rule.
    pub enum RuleTriggerType {
        MetadataCreation = "METADATA_CREATION",
        MetadataUpdate = "METADATA_UPDATE",
        StatsMilestone = "STATS_MILESTONE",
        StatsChange = "STATS_CHANGE",
        DeliveryInsightsChange = "DELIVERY_INSIGHTS_CHANGE",
    }
}

/// An ad object that passed the evaluation of an ad rule (Ad Rules Engine).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct AdsRulesEngine {
    /// The rule.
    #[serde(default)]
    pub rule_id: Option<Id>,
    /// The ad account owning the rule.
    #[serde(default)]
    pub account_id: Option<Id>,
    /// The ad object that passed.
    #[serde(default)]
    pub object_id: Option<Id>,
    /// Its kind.
    #[serde(default)]
    pub object_type: Option<AdObjectType>,
    /// What triggered the evaluation.
    #[serde(default)]
    pub trigger_type: Option<RuleTriggerType>,
    /// The field that passed.
    #[serde(default)]
    pub trigger_field: Option<String>,
    /// Its current value, as sent: a string kept as is, or a JSON number as its
    /// text (`12.4`).
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub current_value: Option<String>,
}

super::string_enum! {
    /// The outcome of an asynchronous job.
    pub enum AsyncVerb {
        Complete = "complete",
        Fail = "fail",
    }
}

/// An asynchronous job (an async ad report ...) finished.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct AsyncRequest {
    /// The kind of job.
    #[serde(default)]
    pub category: Option<String>,
    /// Completed or failed.
    #[serde(default)]
    pub verb: Option<AsyncVerb>,
    /// The report run.
    #[serde(default)]
    pub report_id: Option<Id>,
}

/// The app was installed on (or removed from) a group.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct GroupInstall {
    /// The group.
    #[serde(default)]
    pub group_id: Option<Id>,
    /// `add` when installed, `remove` when uninstalled.
    #[serde(default)]
    pub verb: Option<Verb>,
    /// The admin who did it.
    #[serde(default)]
    pub actor_id: Option<Id>,
    /// When it happened.
    #[serde(default)]
    pub update_time: Option<Time>,
}

/// A developer alert for the app (Meta's `dev_alerts`), as shown in the App
/// Dashboard.
///
/// ```
/// use webhook_core::fields::application::DevAlert;
///
/// let v: DevAlert = serde_json::from_str(r#"{"notification_id":"99","date":"2026-12-01",
///     "header":"Action needed","subtitle":"Renew your data use checkup"}"#)?;
/// assert_eq!(v.header.as_deref(), Some("Action needed"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct DevAlert {
    /// The alert.
    #[serde(default)]
    pub notification_id: Option<Id>,
    /// When it was raised.
    #[serde(default)]
    pub date: Option<String>,
    /// Its title.
    #[serde(default)]
    pub header: Option<String>,
    /// Its text.
    #[serde(default)]
    pub subtitle: Option<String>,
}

/// A reseller onboarding request was created (Meta's
/// `oe_reseller_onboarding_request_created`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ResellerOnboardingRequest {
    /// The request.
    #[serde(default)]
    pub id: Option<Id>,
}

/// A business installed, uninstalled or changed the app's Facebook Login for
/// Business integration (Meta's `business_integration_install`, `_uninstall` and
/// `_update`).
///
/// ```
/// use webhook_core::fields::application::BusinessIntegration;
///
/// let v: BusinessIntegration = serde_json::from_str(
///     r#"{"business_manager_id":"515","tp_config_id":"881"}"#)?;
/// assert_eq!(v.business_manager_id.unwrap().as_str(), "515");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct BusinessIntegration {
    /// The business portfolio.
    #[serde(default)]
    pub business_manager_id: Option<Id>,
    /// The Facebook Login for Business configuration it used.
    #[serde(default)]
    pub tp_config_id: Option<Id>,
}

/// A player bought, consumed or was refunded an in-app item (Meta's in-app
/// purchase webhooks, field `in_app_purchase`). Meta sends these keys beside
/// `field`, with no `value`; the item's value is then the whole change, which
/// this type reads.
///
/// ```
/// use webhook_core::fields::application::InAppPurchase;
///
/// let v: InAppPurchase = serde_json::from_str(r#"{"field":"in_app_purchase",
///     "payment_action_type":"PURCHASE_SUCCESS","user_id":10200000000000001,
///     "product_id":"gems_250","purchase_price_currency":"EUR","purchase_price_amount":499}"#)?;
/// assert_eq!(v.user_id.unwrap().as_str(), "10200000000000001");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct InAppPurchase {
    /// What happened (`PURCHASE_SUCCESS`, `CONSUMED`, `REFUNDED` ...).
    #[serde(default)]
    pub payment_action_type: Option<String>,
    /// The player.
    #[serde(default)]
    pub user_id: Option<Id>,
    /// The item bought.
    #[serde(default)]
    pub product_id: Option<String>,
    /// Where it was bought (`FB`, `GOOGLE` ...).
    #[serde(default)]
    pub purchase_platform: Option<String>,
    /// ISO 4217.
    #[serde(default)]
    pub purchase_price_currency: Option<String>,
    /// The price in the currency's smallest unit, as sent.
    #[serde(default)]
    pub purchase_price_amount: Option<Number>,
    /// The purchase, to verify or consume it.
    #[serde(default)]
    pub purchase_token: Option<Id>,
    /// What the game attached to the purchase.
    #[serde(default)]
    pub developer_payload: Option<String>,
    /// `PROD` or `TEST`.
    #[serde(default)]
    pub env: Option<String>,
    /// The webhook's version.
    #[serde(default)]
    pub version: Option<String>,
}
