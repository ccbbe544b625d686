//! The `catalog` object: product catalogs' batch uploads and feeds (Meta's catalog
//! webhooks reference,
//! <https://developers.facebook.com/docs/graph-api/webhooks/reference/catalog/>).
//! The entry id is the catalog id.

use serde::{Deserialize, Serialize};

use super::Id;

/// A batch of item updates finished (Meta's `items_batch`); read the results
/// through the batch's `handle`.
///
/// ```
/// use webhook_core::fields::catalog::ItemsBatch;
///
/// let v: ItemsBatch = serde_json::from_str(
///     r#"{"catalog_id":"555","handle":"batch-1","status":"finished"}"#)?;
/// assert_eq!(v.handle.as_deref(), Some("batch-1"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ItemsBatch {
    /// The catalog.
    #[serde(default)]
    pub catalog_id: Option<Id>,
    /// The batch request's handle.
    #[serde(default)]
    pub handle: Option<String>,
    /// How it ended.
    #[serde(default)]
    pub status: Option<String>,
}

/// A product feed upload finished (Meta's `product_feed`).
///
/// ```
/// use webhook_core::fields::catalog::ProductFeed;
///
/// let v: ProductFeed = serde_json::from_str(
///     r#"{"catalog_id":"555","product_feed_id":"556","status":"success"}"#)?;
/// assert_eq!(v.status.as_deref(), Some("success"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ProductFeed {
    /// The catalog.
    #[serde(default)]
    pub catalog_id: Option<Id>,
    /// The feed.
    #[serde(default)]
    pub product_feed_id: Option<Id>,
    /// How the upload ended.
    #[serde(default)]
    pub status: Option<String>,
}
