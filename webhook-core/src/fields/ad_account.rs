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
