//! Values of the `user` object's fields (changes to the profiles of your app's
//! users).
//!
//! | Field | Type |
//! |---|---|
//! | `about`, `birthday`, `email`, `first_name`, `gender` | [`Text`] (a plain JSON string) |
//! | `books`, `friends`, `hometown`, `likes`, `location`, `movies`, `music`, `photos`, `television` | [`UserChange`] |
//! | `fbe_install` | [`FbeInstall`] |
//!
//! With **Include Values** on, the simple profile fields carry the new value itself
//! as a JSON **string**, not an object:
//!
//! ```json
//! {"field":"email","value":"ada@example.com"}
//! ```
//!
//! so take them as `Payload<String>` (or [`Text`]). With Include Values off, and in the
//! legacy Real-time Updates format (`uid` as a number, no `id`), entries carry only
//! `changed_fields` names.

// The lines naming the (object, field) a type is the value of are grepped verbatim,
// so field names stay without backticks there.
#![allow(clippy::doc_markdown)]

use serde::{Deserialize, Serialize};

use super::Id;
use super::page::Verb;

/// The new value of a simple profile field (`about`, `birthday`, `email`,
/// `first_name`, `gender`), sent as a plain JSON string.
///
/// An alias of `String`, so it carries no field check: `Payload<String>` stays usable
/// on any field.
pub type Text = String;

/// A change to a section of the user's profile: a Page added to their books,
/// movies, likes ..., a new hometown, a photo uploaded.
///
/// Sections backed by Pages send the Page in `page`; `photos` sends the photo in
/// `object_id` with `verb: update`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct UserChange {
    /// What happened.
    #[serde(default)]
    pub verb: Option<Verb>,
    /// The Page that corresponds with the update.
    #[serde(default)]
    pub page: Option<Id>,
    /// The object that changed (a photo ...).
    #[serde(default)]
    pub object_id: Option<Id>,
}

/// Facebook Business Extension install data: the assets the merchant selected
/// while onboarding.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct FbeInstall {
    /// Why the notification was sent (an enum Meta does not list).
    #[serde(default)]
    pub fbe_event: Option<String>,
    /// The onboarding flow the merchant went through.
    #[serde(default)]
    pub flow: Option<String>,
    /// The business.
    #[serde(default)]
    pub business_id: Option<Id>,
    /// The Business Manager.
    #[serde(default)]
    pub business_manager_id: Option<Id>,
    /// The ad account.
    #[serde(default)]
    pub ad_account_id: Option<Id>,
    /// The catalog.
    #[serde(default)]
    pub catalog_id: Option<Id>,
    /// The Commerce Merchant Settings.
    #[serde(default)]
    pub commerce_merchant_settings_id: Option<Id>,
    /// The pixel.
    #[serde(default)]
    pub pixel_id: Option<Id>,
    /// Profiles (Instagram, Page) selected.
    #[serde(default)]
    pub profiles: Vec<Id>,
    /// Pages selected.
    #[serde(default)]
    pub pages: Vec<Id>,
    /// Instagram business profiles selected.
    #[serde(default)]
    pub instagram_profiles: Vec<Id>,
    /// When FBE was installed, Unix seconds.
    #[serde(default)]
    pub install_time: Option<super::Timestamp>,
}
