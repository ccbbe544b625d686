//! Values of Threads webhooks.
//!
//! Threads has its own envelope, with no `object` or `entry`:
//!
//! ```json
//! {"app_id":"123456","topic":"moderate","target_id":"78901","time":1723226877,
//!  "subscription_id":"234567","has_uid_field":false,
//!  "values":{"field":"replies","value":{"id":"8901234","text":"Reply"}}}
//! ```
//!
//! It is routed with the **topic as the object** and `target_id` as the entry id
//! (kind `threads`):
//!
//! | Object (topic) | Field | Type |
//! |---|---|---|
//! | `moderate` | `replies` | [`Media`] |
//! | `moderate` | `delete` | [`Deleted`] |
//! | `interaction` | `mentions` | [`Media`] |
//! | `interaction` | `publish` | [`Media`] |
//!
//! `target_id` is the media for `replies` and `delete`, and the mentioned user for
//! `mentions`. All times in values are ISO-8601 strings (`2024-08-07T10:33:16+0000`).

// The lines naming the (object, field) a type is the value of are grepped verbatim,
// so field names stay without backticks there.
#![allow(clippy::doc_markdown)]

use serde::{Deserialize, Serialize};

use super::Id;

super::string_enum! {
    /// The kind of a Threads media.
    pub enum MediaType {
        TextPost = "TEXT_POST",
        Image = "IMAGE",
        Video = "VIDEO",
        CarouselAlbum = "CAROUSEL_ALBUM",
        Audio = "AUDIO",
        RepostFacade = "REPOST_FACADE",
    }
}

/// A reference to another Threads media (`replied_to`, `quoted_post`,
/// `reposted_post`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct MediaRef {
    /// The media.
    #[serde(default)]
    pub id: Option<Id>,
}

/// The top-level post of a conversation (`root_post`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct RootPost {
    /// The post.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its owner.
    #[serde(default)]
    pub owner_id: Option<Id>,
    /// Its owner's username.
    #[serde(default)]
    pub username: Option<String>,
}

/// A Threads media: a reply to the user's media (`replies`), a post mentioning the
/// user (`mentions`), or a post the user published (`publish`).
///
/// Without the `threads_read_replies` permission, mention payloads lack
/// `has_replies`, `is_reply`, `replied_to` and `root_post`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Media {
    /// The media.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its author's username.
    #[serde(default)]
    pub username: Option<String>,
    /// Its text.
    #[serde(default)]
    pub text: Option<String>,
    /// Its kind.
    #[serde(default)]
    pub media_type: Option<MediaType>,
    /// `THREADS`.
    #[serde(default)]
    pub media_product_type: Option<String>,
    /// Its URL.
    #[serde(default)]
    pub permalink: Option<String>,
    /// Its shortcode.
    #[serde(default)]
    pub shortcode: Option<String>,
    /// When it was published (ISO 8601).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// The media replied to, for a reply.
    #[serde(default)]
    pub replied_to: Option<MediaRef>,
    /// The conversation's top-level post, for a reply.
    #[serde(default)]
    pub root_post: Option<RootPost>,
    /// The quoted media, for a quote post.
    #[serde(default)]
    pub quoted_post: Option<MediaRef>,
    /// The reposted media, for a repost.
    #[serde(default)]
    pub reposted_post: Option<MediaRef>,
    /// Whether the media has replies.
    #[serde(default)]
    pub has_replies: Option<bool>,
    /// Whether the media is a reply.
    #[serde(default)]
    pub is_reply: Option<bool>,
    /// Whether the media quotes another.
    #[serde(default)]
    pub is_quote_post: Option<bool>,
    /// Whether the author is verified.
    #[serde(default)]
    pub is_verified: Option<bool>,
    /// The author's profile picture.
    #[serde(default)]
    pub profile_picture_url: Option<String>,
    /// The image or video.
    #[serde(default)]
    pub media_url: Option<String>,
    /// The video's thumbnail.
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    /// The attached GIF.
    #[serde(default)]
    pub gif_url: Option<String>,
    /// Alternative text of the image or video.
    #[serde(default)]
    pub alt_text: Option<String>,
    /// The attached poll, as sent.
    #[serde(default)]
    pub poll_attachment: Option<serde_json::Value>,
}

/// The owner of a deleted media.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Owner {
    /// The owner's Threads user id.
    #[serde(default)]
    pub owner_id: Option<Id>,
}

/// A post the user deleted.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Deleted {
    /// The deleted media.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its owner.
    #[serde(default)]
    pub owner: Option<Owner>,
    /// Its owner's username.
    #[serde(default)]
    pub username: Option<String>,
    /// When it was deleted (ISO 8601).
    #[serde(default)]
    pub deleted_at: Option<String>,
    /// When it was published (ISO 8601).
    #[serde(default)]
    pub timestamp: Option<String>,
}
