//! The `ad_account` object: ads that need attention and ads being processed
//! (Meta's ad account webhooks reference,
//! <https://developers.facebook.com/docs/graph-api/webhooks/reference/ad-account/>).
//! The entry id is the ad account id (`act_` without the prefix).

use serde::{Deserialize, Serialize};

use super::Id;

crate::fields::string_enum! {
    /// Which kind of ad object a notification is about.
    pub enum AdObjectLevel {
        /// An ad creative.
        Creative = "CREATIVE",
        /// An ad.
        Ad = "AD",
        /// An ad set.
        AdSet = "AD_SET",
        /// A campaign.
        Campaign = "CAMPAIGN",
    }
}

/// An ad object with issues: rejected, or unable to deliver.
///
/// ```
/// use webhook_core::fields::ad_account::{AdObjectLevel, AdObjectWithIssues};
///
/// let v: AdObjectWithIssues = serde_json::from_str(r#"{"id":"2385","level":"AD",
///     "error_code":1487390,"error_summary":"Ad creative rejected"}"#)?;
/// assert_eq!(v.level, Some(AdObjectLevel::Ad));
/// assert_eq!(v.error_code.unwrap(), "1487390");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AdObjectWithIssues {
    /// The ad object.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its kind.
    #[serde(default)]
    pub level: Option<AdObjectLevel>,
    /// Meta's error code (a number or a string).
    #[serde(default)]
    pub error_code: Option<Id>,
    /// The error, in short.
    #[serde(default)]
    pub error_summary: Option<String>,
    /// The error, in full.
    #[serde(default)]
    pub error_message: Option<String>,
}

/// An ad object that finished processing (its status is known).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AdObjectInProcess {
    /// The ad object.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its kind.
    #[serde(default)]
    pub level: Option<AdObjectLevel>,
    /// Its status now (`ACTIVE`, `PAUSED`, ...).
    #[serde(default)]
    pub status_name: Option<String>,
}

/// A recommendation for ads of the account (Meta's `ad_recommendations`).
///
/// ```
/// use webhook_core::fields::ad_account::AdRecommendation;
///
/// let v: AdRecommendation = serde_json::from_str(r#"{"ad_account_id":"123",
///     "ad_object_ids":["1201"],"recommendation_type":"BUDGET_LIMITED",
///     "recommendation_message":"Raise the budget."}"#)?;
/// assert_eq!(v.ad_object_ids[0].as_str(), "1201");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AdRecommendation {
    /// The ad account.
    #[serde(default)]
    pub ad_account_id: Option<Id>,
    /// The ad objects it is about.
    #[serde(default)]
    pub ad_object_ids: Vec<Id>,
    /// What kind of recommendation.
    #[serde(default)]
    pub recommendation_type: Option<String>,
    /// Identifies the recommendation, to act on it through the API.
    #[serde(default)]
    pub recommendation_signature: Option<String>,
    /// The recommendation, in words.
    #[serde(default)]
    pub recommendation_message: Option<String>,
}

/// An ad's creative is shown too often (Meta's `creative_fatigue`).
///
/// ```
/// use webhook_core::fields::ad_account::CreativeFatigue;
///
/// let v: CreativeFatigue = serde_json::from_str(r#"{"ad_account_id":"123",
///     "adgroup_id":"1202","creative_fatigue_level":"HIGH"}"#)?;
/// assert_eq!(v.creative_fatigue_level.as_deref(), Some("HIGH"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct CreativeFatigue {
    /// The ad account.
    #[serde(default)]
    pub ad_account_id: Option<Id>,
    /// The ad.
    #[serde(default)]
    pub adgroup_id: Option<Id>,
    /// How fatigued the creative is.
    #[serde(default)]
    pub creative_fatigue_level: Option<String>,
    /// Why, in words.
    #[serde(default)]
    pub creative_fatigue_message: Option<String>,
}

/// A product set used by ads has a problem (Meta's `product_set_issue`).
///
/// ```
/// use webhook_core::fields::ad_account::ProductSetIssue;
///
/// let v: ProductSetIssue = serde_json::from_str(r#"{"ad_account_id":"123",
///     "product_set_id":"777","type":"EMPTY_PRODUCT_SET"}"#)?;
/// assert_eq!(v.kind.as_deref(), Some("EMPTY_PRODUCT_SET"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ProductSetIssue {
    /// The ad account.
    #[serde(default)]
    pub ad_account_id: Option<Id>,
    /// The product set.
    #[serde(default)]
    pub product_set_id: Option<Id>,
    /// The issue (JSON `type`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The issue, in words.
    #[serde(default)]
    pub description: Option<String>,
    /// What to do about it.
    #[serde(default)]
    pub recommended_action: Option<String>,
}

/// An asynchronous ad creation request finished (Meta's
/// `ads_async_creation_request`).
///
/// ```
/// use webhook_core::fields::ad_account::AdsAsyncCreationRequest;
///
/// let v: AdsAsyncCreationRequest = serde_json::from_str(
///     r#"{"status":"ERROR","result":{"error_code":100,"error_message":"Invalid parameter"}}"#)?;
/// assert_eq!(v.result.unwrap().error_code, Some(100));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AdsAsyncCreationRequest {
    /// How it ended.
    #[serde(default)]
    pub status: Option<String>,
    /// What it created, or why it failed.
    #[serde(default)]
    pub result: Option<AsyncCreationResult>,
}

/// The outcome of an asynchronous ad creation request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AsyncCreationResult {
    /// The id of what was created.
    #[serde(default)]
    pub result_id: Option<Id>,
    /// The Graph API error code, when it failed.
    #[serde(default, deserialize_with = "super::lenient::option_i64")]
    pub error_code: Option<i64>,
    /// The error, in words.
    #[serde(default)]
    pub error_message: Option<String>,
}
