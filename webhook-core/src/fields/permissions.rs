//! Values of the `permissions` object's fields: a user granting or revoking a
//! permission to your app.
//!
//! There is one field per permission name (`email`, `public_search`, `social_ads`,
//! `pages_show_list`, `instagram_basic`, ...), plus `connected` and `bookmarked`;
//! every one of them has a [`Permission`] value. Entries carry the user's app-scoped
//! id in both `id` and `uid`.
//!
//! The verbs Meta sends for `connected` and `bookmarked` are not documented; they
//! land in [`PermissionVerb::Other`] if they are neither `granted` nor `revoked`.

// The lines naming the (object, field) a type is the value of are grepped verbatim,
// so field names stay without backticks there.
#![allow(clippy::doc_markdown)]

use serde::{Deserialize, Serialize};

use super::Id;

super::string_enum! {
    /// Whether the permission was granted or revoked.
    pub enum PermissionVerb {
        Granted = "granted",
        Revoked = "revoked",
    }
}

/// A permission granted or revoked.
///
/// `target_ids` lists the assets (Pages, businesses, ...) a granular permission was
/// granted for; it is absent for plain permissions.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Permission {
    /// Granted or revoked.
    pub verb: PermissionVerb,
    /// The assets the permission covers, for granular permissions.
    #[serde(default)]
    pub target_ids: Vec<Id>,
}
