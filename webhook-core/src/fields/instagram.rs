//! Values of the `instagram` object's `changes[]` fields (Instagram professional
//! accounts, Graph API).
//!
//! | Field | Type |
//! |---|---|
//! | `comments` | [`Comment`] |
//! | `live_comments` | [`Comment`] |
//! | `mentions` | [`Mention`] |
//! | `story_insights` | [`StoryInsights`] |
//!
//! Instagram messaging (`messages`, `message_reactions`, `messaging_postbacks`, ...)
//! arrives in `messaging[]` and is in [`messaging`](super::messaging).
//!
//! With Business Login for Instagram, Meta documents comments in the flat form
//! (`entry.field` + `entry.value`, routed with kind `entry_field`); the value is the
//! same [`Comment`].

// The lines naming the (object, field) a type is the value of are grepped verbatim,
// so field names stay without backticks there.
#![allow(clippy::doc_markdown)]

use serde::{Deserialize, Serialize};

use super::Id;

super::string_enum! {
    /// Where the commented media appears (`media.media_product_type`).
    pub enum MediaProductType {
        Ad = "AD",
        Feed = "FEED",
        Story = "STORY",
        Reels = "REELS",
    }
}

/// The Instagram user who commented.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct User {
    /// Instagram-scoped id of the commenter.
    #[serde(default)]
    pub id: Option<Id>,
    /// Their username.
    #[serde(default)]
    pub username: Option<String>,
    /// The commenter's id scoped to your app user's account, when sent.
    #[serde(default)]
    pub self_ig_scoped_id: Option<Id>,
}

/// The media a comment was made on.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Media {
    /// The IG Media.
    #[serde(default)]
    pub id: Option<Id>,
    /// Where it appears.
    #[serde(default)]
    pub media_product_type: Option<MediaProductType>,
    /// The ad, for comments on ads.
    #[serde(default)]
    pub ad_id: Option<Id>,
    /// The ad's title.
    #[serde(default)]
    pub ad_title: Option<String>,
    /// The organic media an ad was made from.
    #[serde(default)]
    pub original_media_id: Option<Id>,
}

/// A comment on media owned by the account (`comments`), or on its live video
/// (`live_comments`).
///
/// The comment's id is in `id`; some of Meta's examples name it `comment_id`
/// instead, so read it with [`Comment::resolved_id`]. `parent_id` is set on replies.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Comment {
    /// The comment.
    #[serde(default)]
    pub id: Option<Id>,
    /// The comment, in the variant of the payload that names it `comment_id`.
    #[serde(default)]
    pub comment_id: Option<Id>,
    /// Who commented.
    #[serde(default)]
    pub from: Option<User>,
    /// The media commented on.
    #[serde(default)]
    pub media: Option<Media>,
    /// The comment replied to, for replies.
    #[serde(default)]
    pub parent_id: Option<Id>,
    /// The comment's text.
    #[serde(default)]
    pub text: Option<String>,
}

impl Comment {
    /// The comment's id: `id`, or `comment_id`.
    #[must_use]
    pub fn resolved_id(&self) -> Option<&Id> {
        self.id.as_ref().or(self.comment_id.as_ref())
    }
}

/// An @mention of the account in a caption (`media_id` only) or in a comment
/// (`media_id` and `comment_id`). The payload holds ids only: read the text with
/// `GET /{ig-user-id}?fields=mentioned_media` or `mentioned_comment`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Mention {
    /// The media holding the mention (or commented on).
    #[serde(default)]
    pub media_id: Option<Id>,
    /// The comment holding the mention.
    #[serde(default)]
    pub comment_id: Option<Id>,
}

/// Metrics of a story, sent after it expires. Counts below a privacy threshold
/// (5) are sent as `-1`. Every count is also read from a string (`"-1"`, `"412"`);
/// text that is not an integer gives `None`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct StoryInsights {
    /// The story.
    #[serde(default)]
    pub media_id: Option<Id>,
    /// Times the story was seen.
    #[serde(default, deserialize_with = "super::lenient::option_i64")]
    pub impressions: Option<i64>,
    /// Accounts that saw the story.
    #[serde(default, deserialize_with = "super::lenient::option_i64")]
    pub reach: Option<i64>,
    /// Taps to the next story item.
    #[serde(default, deserialize_with = "super::lenient::option_i64")]
    pub taps_forward: Option<i64>,
    /// Taps back to the previous item.
    #[serde(default, deserialize_with = "super::lenient::option_i64")]
    pub taps_back: Option<i64>,
    /// Exits from the story.
    #[serde(default, deserialize_with = "super::lenient::option_i64")]
    pub exits: Option<i64>,
    /// Replies to the story.
    #[serde(default, deserialize_with = "super::lenient::option_i64")]
    pub replies: Option<i64>,
}
