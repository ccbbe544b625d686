//! Values of the `page` object's `changes[]` fields (Facebook Pages, Graph API).
//!
//! | Field | Type |
//! |---|---|
//! | `feed` | [`Feed`] |
//! | `mention` | [`Mention`] |
//! | `ratings` | [`Rating`] |
//! | `leadgen` | [`Leadgen`] |
//! | `videos` | [`Video`] |
//! | `live_videos` | [`LiveVideo`] |
//! | `page_upcoming_change` | [`UpcomingChange`] |
//! | `page_change_proposal` | [`ChangeProposal`] |
//! | `conversations` | [`Conversation`] |
//! | `inbox_labels` | [`InboxLabel`] |
//! | `business_integrity` | [`BusinessIntegrity`] |
//! | `calls` (Messenger Calling, on the entry) | [`Call`] |
//! | `call_settings_update` (on the entry, or a change) | [`CallSettings`] |
//!
//! Messenger events under `object: "page"` (`messages`, `messaging_postbacks`,
//! `group_feed`, ...) are in [`messaging`](super::messaging).
//!
//! # Profile fields (`name`, `picture`, `website`, ...)
//!
//! Meta documents the value of a few Page profile fields as a plain JSON string
//! (`name`, `company_overview`, `founded`, `general_info`, `mission`, `products`,
//! `category`: take `Payload<String>`), and no value shape for the others. The
//! names-only form (the **Include Values** setting off) has each as a
//! `changed_fields` name with a `null` value:
//!
//! ```json
//! {"object":"page","entry":[{"id":"1","time":1700000000,"changed_fields":["name","picture"]}]}
//! ```
//!
//! Handle those with a [`RawItem`](crate::RawItem) argument (or
//! `Payload<serde_json::Value>`) rather than a typed value, and read the current value
//! from the Graph API.
//!
//! # Senders
//!
//! Current payloads name the actor in `from {id, name}`; older ones (and some
//! `ratings` and `mention` payloads still) use top-level `sender_id` and
//! `sender_name`. Both are kept; [`Feed::author_id`] reads either. `from.name` is
//! missing on removals.

// The lines naming the (object, field) a type is the value of are grepped verbatim,
// so field names stay without backticks there.
#![allow(clippy::doc_markdown)]

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{Id, Number, Timestamp};

super::string_enum! {
    /// What a `feed` (or `mention`, `ratings`) change is about: `value.item`.
    pub enum FeedItem {
        Album = "album",
        Address = "address",
        Comment = "comment",
        Connection = "connection",
        Coupon = "coupon",
        Event = "event",
        Experience = "experience",
        Group = "group",
        GroupMessage = "group_message",
        Interest = "interest",
        Like = "like",
        Link = "link",
        Mention = "mention",
        Milestone = "milestone",
        Note = "note",
        Page = "page",
        Picture = "picture",
        PlatformStory = "platform-story",
        Photo = "photo",
        PhotoAlbum = "photo-album",
        Post = "post",
        Profile = "profile",
        Question = "question",
        Rating = "rating",
        Reaction = "reaction",
        RelationshipStatus = "relationship-status",
        Share = "share",
        Status = "status",
        Story = "story",
        TimelineCover = "timeline cover",
        Tag = "tag",
        Video = "video",
    }
}

super::string_enum! {
    /// What happened to the item: `value.verb`. Meta's enum, shared by the `page`,
    /// `user` and `application` topics.
    ///
    /// Comments and statuses use `edited` where reactions use `edit`; removals use
    /// `remove` rather than `delete`.
    pub enum Verb {
        Add = "add",
        Block = "block",
        Edit = "edit",
        Edited = "edited",
        Delete = "delete",
        Follow = "follow",
        Hide = "hide",
        Mute = "mute",
        Remove = "remove",
        Unblock = "unblock",
        Unhide = "unhide",
        Update = "update",
    }
}

super::string_enum! {
    /// The kind of a reaction (`value.reaction_type`).
    pub enum ReactionType {
        Like = "like",
        Love = "love",
        Care = "care",
        Haha = "haha",
        Wow = "wow",
        Sad = "sad",
        Angry = "angry",
    }
}

/// Someone acting on the Page (`from`, `page`): an id and, except on removals, a
/// name.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Actor {
    /// Page-scoped user id, or a Page id.
    #[serde(default)]
    pub id: Id,
    /// Display name; missing on removals.
    #[serde(default)]
    pub name: Option<String>,
}

/// A time Meta sends either as Unix seconds (a number or a string of digits) or as
/// an ISO-8601 string (`2024-05-02T10:20:30+0000`), depending on the field and the
/// API version. Kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Time {
    /// Unix time, as a number or a string of digits.
    Unix(Timestamp),
    /// Any other string, normally ISO 8601.
    Text(String),
}

impl Time {
    /// Unix seconds, if Meta sent a Unix time (milliseconds are converted).
    #[must_use]
    pub fn unix_seconds(&self) -> Option<u64> {
        match self {
            Self::Unix(t) => Some(t.unix_seconds()),
            Self::Text(_) => None,
        }
    }

    /// The ISO-8601 text, if Meta sent a string that is not a Unix time.
    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Unix(_) => None,
            Self::Text(text) => Some(text),
        }
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(t) => write!(f, "{}", t.raw()),
            Self::Text(text) => f.write_str(text),
        }
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Unix(t) => serializer.serialize_u64(t.raw()),
            Self::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimeVisitor;
        impl Visitor<'_> for TimeVisitor {
            type Value = Time;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Unix time or an ISO-8601 string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Time, E> {
                Ok(Time::Unix(Timestamp(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Time, E> {
                u64::try_from(v)
                    .map(|v| Time::Unix(Timestamp(v)))
                    .map_err(|_| E::custom(format!("`{v}` is not a Unix time")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Time, E> {
                Ok(match v.parse() {
                    Ok(unix) => Time::Unix(Timestamp(unix)),
                    Err(_) => Time::Text(v.to_owned()),
                })
            }
        }
        deserializer.deserialize_any(TimeVisitor)
    }
}

/// Reads a 0/1 flag Meta sends as a number, a boolean or a string.
pub(crate) fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u8>, D::Error> {
    struct FlagVisitor;
    impl<'de> Visitor<'de> for FlagVisitor {
        type Value = Option<u8>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("0 or 1, as a number, a boolean or a string")
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<u8>, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<u8>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<u8>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<u8>, E> {
            Ok(Some(u8::from(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<u8>, E> {
            Ok(Some(u8::from(v != 0)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<u8>, E> {
            Ok(Some(u8::from(v != 0)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<u8>, E> {
            match v {
                "1" | "true" => Ok(Some(1)),
                "0" | "false" => Ok(Some(0)),
                other => Err(E::custom(format!("`{other}` is not a 0/1 flag"))),
            }
        }
    }
    deserializer.deserialize_option(FlagVisitor)
}

/// A change to a Page's feed: posts, statuses, photos, videos, shares, comments,
/// reactions, likes, albums, events ... made by the Page or by visitors.
///
/// Which keys are present depends on `item` and `verb`: a comment carries
/// `comment_id`, `parent_id` (the post, or the parent comment for a reply) and
/// `message`; a reaction carries `reaction_type`; a photo `photo_id` and `link`; a
/// removal often only ids. Meta sends no notification for Ad Posts themselves, but
/// does for comments on them.
///
/// ```
/// use webhook_core::fields::page::{Feed, FeedItem, Verb};
///
/// let v: Feed = serde_json::from_str(r#"{"item":"comment","verb":"add",
///     "from":{"id":"9001","name":"Ada"},"post_id":"1_2","comment_id":"2_3",
///     "parent_id":"1_2","created_time":1700000000,"message":"Nice"}"#)?;
/// assert_eq!((&v.item, &v.verb), (&FeedItem::Comment, &Verb::Add));
/// assert_eq!(v.author_id().map(|id| id.as_str()), Some("9001"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Feed {
    /// What the change is about.
    pub item: FeedItem,
    /// What happened.
    pub verb: Verb,
    /// Who acted (`name` is missing on removals).
    #[serde(default)]
    pub from: Option<Actor>,
    /// Legacy form of `from.id` (older API versions; sometimes a number).
    #[serde(default)]
    pub sender_id: Option<Id>,
    /// Legacy form of `from.name`.
    #[serde(default)]
    pub sender_name: Option<String>,
    /// The post (`{page-id}_{post-id}`).
    #[serde(default)]
    pub post_id: Option<Id>,
    /// The comment (`{post-id}_{comment-id}`), for comments and reactions to comments.
    #[serde(default)]
    pub comment_id: Option<Id>,
    /// The post a comment belongs to, or the parent comment of a reply.
    #[serde(default)]
    pub parent_id: Option<Id>,
    /// When the item was created, Unix seconds.
    #[serde(default)]
    pub created_time: Option<Timestamp>,
    /// When the item was edited.
    #[serde(default)]
    pub edited_time: Option<Time>,
    /// The text of the post or comment.
    #[serde(default)]
    pub message: Option<String>,
    /// Whether the post is published: `1` or `0` (a boolean in some payloads).
    #[serde(default, deserialize_with = "flag")]
    pub published: Option<u8>,
    /// Whether the comment is hidden (also read from `"true"`, `1` ...).
    #[serde(default, deserialize_with = "super::lenient::option_bool")]
    pub is_hidden: Option<bool>,
    /// The photo of a photo post.
    #[serde(default)]
    pub photo_id: Option<Id>,
    /// The photos added to an album.
    #[serde(default)]
    pub photo_ids: Vec<Id>,
    /// Links to the photos of a multi-photo post.
    #[serde(default)]
    pub photos: Vec<String>,
    /// Link to the photo attached to a comment.
    #[serde(default)]
    pub photo: Option<String>,
    /// The video of a video post.
    #[serde(default)]
    pub video_id: Option<Id>,
    /// Link to the video (or GIF) attached to a comment.
    #[serde(default)]
    pub video: Option<String>,
    /// Why a video was blocked, muted or unblocked (`1`: it may contain someone
    /// else's content).
    #[serde(default)]
    pub video_flag_reason: Option<Number>,
    /// The shared object of a share.
    #[serde(default)]
    pub share_id: Option<Id>,
    /// The album of an album change.
    #[serde(default)]
    pub album_id: Option<Id>,
    /// The event of an event change.
    #[serde(default)]
    pub event_id: Option<Id>,
    /// The link attached to the post (or the photo or video URL).
    #[serde(default)]
    pub link: Option<String>,
    /// The kind of reaction, for `item: reaction`.
    #[serde(default)]
    pub reaction_type: Option<ReactionType>,
    /// The Page a removed post was on.
    #[serde(default)]
    pub recipient_id: Option<Id>,
    /// The user who liked the Page, for a Page `like`.
    #[serde(default)]
    pub user_id: Option<Id>,
    /// The post a comment was made on, with its state.
    #[serde(default)]
    pub post: Option<PostInfo>,
    /// Generated story text (milestones, events).
    #[serde(default)]
    pub story: Option<String>,
    /// Title, for milestones.
    #[serde(default)]
    pub title: Option<String>,
    /// Action text, as sent.
    #[serde(default)]
    pub action: Option<String>,
    /// The Open Graph story.
    #[serde(default)]
    pub open_graph_story_id: Option<Id>,
}

impl Feed {
    /// The actor's id: `from.id`, or the legacy `sender_id`.
    #[must_use]
    pub fn author_id(&self) -> Option<&Id> {
        self.from
            .as_ref()
            .map(|from| &from.id)
            .filter(|id| !id.is_empty())
            .or(self.sender_id.as_ref())
    }

    /// The actor's name: `from.name`, or the legacy `sender_name`.
    #[must_use]
    pub fn author_name(&self) -> Option<&str> {
        self.from
            .as_ref()
            .and_then(|from| from.name.as_deref())
            .or(self.sender_name.as_deref())
    }
}

/// The post a feed comment was made on (`value.post`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PostInfo {
    /// The post (`{page-id}_{post-id}`).
    #[serde(default)]
    pub id: Option<Id>,
    /// `mobile_status_update`, `added_photos`, `added_video`, ...
    #[serde(default)]
    pub status_type: Option<String>,
    /// Whether the post is published (also read from `"true"`, `1` ...).
    #[serde(default, deserialize_with = "super::lenient::option_bool")]
    pub is_published: Option<bool>,
    /// When the post was last updated (ISO 8601).
    #[serde(default)]
    pub updated_time: Option<Time>,
    /// The post's URL.
    #[serde(default)]
    pub permalink_url: Option<String>,
    /// `active`, `inactive`, `ineligible`, `extendable`, ...
    #[serde(default)]
    pub promotion_status: Option<String>,
}

super::string_enum! {
    /// What a message tag points at.
    pub enum TagType {
        User = "user",
        Page = "page",
        Event = "event",
        Group = "group",
        Application = "application",
    }
}

/// A profile tagged in a message (`message_tags[]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct MessageTag {
    /// The tagged profile.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its name as shown in the text.
    #[serde(default)]
    pub name: Option<String>,
    /// The tag's offset in the message, in UTF-16 code units (also read from a
    /// string).
    #[serde(default, deserialize_with = "super::lenient::option_u32")]
    pub offset: Option<u32>,
    /// The tag's length, in UTF-16 code units (also read from a string).
    #[serde(default, deserialize_with = "super::lenient::option_u32")]
    pub length: Option<u32>,
    /// What the tag points at.
    #[serde(default, rename = "type")]
    pub kind: Option<TagType>,
}

/// A new mention of the Page in a post or a comment.
///
/// `item` is `post` or `comment`; public-Page payloads name the author in
/// `sender_id`/`sender_name` or not at all (Meta documents `from` for Workplace).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Mention {
    /// `post` or `comment`.
    #[serde(default)]
    pub item: Option<FeedItem>,
    /// What happened (normally `add`).
    #[serde(default)]
    pub verb: Option<Verb>,
    /// The post holding the mention.
    #[serde(default)]
    pub post_id: Option<Id>,
    /// The comment holding the mention, for `item: comment`.
    #[serde(default)]
    pub comment_id: Option<Id>,
    /// The parent of the comment.
    #[serde(default)]
    pub parent_id: Option<Id>,
    /// When the mention was made, Unix seconds.
    #[serde(default)]
    pub created_time: Option<Timestamp>,
    /// The text holding the mention.
    #[serde(default)]
    pub message: Option<String>,
    /// The profiles tagged in `message`.
    #[serde(default)]
    pub message_tags: Vec<MessageTag>,
    /// Who mentioned the Page, when given this way.
    #[serde(default)]
    pub from: Option<Actor>,
    /// Who mentioned the Page (legacy form).
    #[serde(default)]
    pub sender_id: Option<Id>,
    /// Their name (legacy form).
    #[serde(default)]
    pub sender_name: Option<String>,
    /// The link attached to the post.
    #[serde(default)]
    pub link: Option<String>,
    /// Link to the attached photo.
    #[serde(default)]
    pub photo: Option<String>,
    /// Links to the attached photos.
    #[serde(default)]
    pub photos: Vec<String>,
    /// Link to the attached video.
    #[serde(default)]
    pub video: Option<String>,
    /// The attached photo.
    #[serde(default)]
    pub photo_id: Option<Id>,
    /// The attached video.
    #[serde(default)]
    pub video_id: Option<Id>,
    /// Whether the post is published: `1` or `0`.
    #[serde(default, deserialize_with = "flag")]
    pub published: Option<u8>,
}

super::string_enum! {
    /// A review's recommendation (`recommendation_type`).
    pub enum RecommendationType {
        Positive = "positive",
        Negative = "negative",
    }
}

/// A change to the Page's ratings: a review (recommendation) added, edited or
/// removed, or a comment, like or reaction on one.
///
/// `item` is `rating` for the review itself (`review_text`, `recommendation_type`,
/// the older star `rating`, `reviewer_*`), or `comment`, `like`, `reaction` for
/// activity on it (`sender_*`, `comment_id`, `reaction_type`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Rating {
    /// `rating`, `comment`, `like` or `reaction`.
    #[serde(default)]
    pub item: Option<FeedItem>,
    /// What happened.
    #[serde(default)]
    pub verb: Option<Verb>,
    /// Positive or negative recommendation.
    #[serde(default)]
    pub recommendation_type: Option<RecommendationType>,
    /// Star rating (1 to 5), on older reviews (also read from a string).
    #[serde(default, deserialize_with = "super::lenient::option_u32")]
    pub rating: Option<u32>,
    /// The review's text (may be `null`).
    #[serde(default)]
    pub review_text: Option<String>,
    /// Who wrote the review.
    #[serde(default)]
    pub reviewer_id: Option<Id>,
    /// Their name.
    #[serde(default)]
    pub reviewer_name: Option<String>,
    /// The review's story (what comments and reactions attach to).
    #[serde(default)]
    pub open_graph_story_id: Option<Id>,
    /// When it happened, Unix seconds.
    #[serde(default)]
    pub created_time: Option<Timestamp>,
    /// A comment on the review.
    #[serde(default)]
    pub comment_id: Option<Id>,
    /// The review's post.
    #[serde(default)]
    pub post_id: Option<Id>,
    /// The parent of the comment.
    #[serde(default)]
    pub parent_id: Option<Id>,
    /// Who commented or reacted.
    #[serde(default)]
    pub sender_id: Option<Id>,
    /// Their name.
    #[serde(default)]
    pub sender_name: Option<String>,
    /// A comment's text.
    #[serde(default)]
    pub message: Option<String>,
    /// Link to a photo attached to a comment.
    #[serde(default)]
    pub photo: Option<String>,
    /// The kind of reaction.
    #[serde(default)]
    pub reaction_type: Option<ReactionType>,
}

/// A new lead from a Lead Ads form. Fetch the answers with `GET /{leadgen_id}`.
///
/// Meta's sample sends every id as a JSON number (`entry[].id` included); [`Id`]
/// keeps them exact. `ad_id`/`adgroup_id` are missing (or `0`) for organic leads.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Leadgen {
    /// The lead.
    #[serde(default)]
    pub leadgen_id: Option<Id>,
    /// The Page the form belongs to.
    #[serde(default)]
    pub page_id: Option<Id>,
    /// The form.
    #[serde(default)]
    pub form_id: Option<Id>,
    /// The ad, if the lead came from one.
    #[serde(default)]
    pub ad_id: Option<Id>,
    /// The ad (legacy name of `ad_id`).
    #[serde(default)]
    pub adgroup_id: Option<Id>,
    /// When the lead was submitted, Unix seconds.
    #[serde(default)]
    pub created_time: Option<Timestamp>,
}

/// The encoding state of a video (`status`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct VideoStatus {
    /// `processing`, `ready`, `error`, ...
    #[serde(default)]
    pub video_status: Option<String>,
}

/// A change in the encoding state of one of the Page's videos.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Video {
    /// The video.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its encoding state.
    #[serde(default)]
    pub status: Option<VideoStatus>,
}

super::string_enum! {
    /// The state of a live video.
    pub enum LiveVideoStatus {
        Live = "live",
        LiveStopped = "live_stopped",
        Processing = "processing",
        Vod = "vod",
        Unpublished = "unpublished",
        ScheduledUnpublished = "scheduled_unpublished",
        ScheduledLive = "scheduled_live",
        ScheduledCanceled = "scheduled_canceled",
        ScheduledExpired = "scheduled_expired",
    }
}

/// A change in the state of one of the Page's live videos.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct LiveVideo {
    /// The live video.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its new state.
    #[serde(default)]
    pub status: Option<LiveVideoStatus>,
}

super::string_enum! {
    /// Whether a proposed change was accepted.
    pub enum AcceptanceStatus {
        Pending = "pending",
        Accepted = "accepted",
        Rejected = "rejected",
    }
}

/// A change Meta proposes to the Page's details (a menu link, hours, category ...).
/// Accept or reject it with `POST /{id}?accept=true|false`.
///
/// `current_value`/`proposed_value` are strings for most categories, and objects for
/// some (`place_address` sends only the changed parts of the address), so they stay
/// JSON.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ChangeProposal {
    /// The proposal.
    #[serde(default)]
    pub id: Option<Id>,
    /// What would change (`menu link`, `place_hours`, `page_phone`, ...).
    #[serde(default)]
    pub category: Option<String>,
    /// The Page's current value.
    #[serde(default)]
    pub current_value: Option<serde_json::Value>,
    /// The proposed value.
    #[serde(default)]
    pub proposed_value: Option<serde_json::Value>,
    /// Whether the proposal was accepted.
    #[serde(default)]
    pub acceptance_status: Option<AcceptanceStatus>,
}

/// An upcoming change to the Page, proposed by Meta, that takes effect at
/// `effective_time` unless rejected.
///
/// Meta's sample puts an `action` (`pending`, `accepted_manually`,
/// `accepted_automatically`, `rejected_manually`) beside `field`, outside `value`;
/// read it from the raw change if you need it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct UpcomingChange {
    /// The upcoming change.
    #[serde(default)]
    pub id: Option<Id>,
    /// The Page it applies to.
    #[serde(default)]
    pub page: Option<Actor>,
    /// When it takes effect (`2017-03-01 12:00:00` in Meta's sample, ISO 8601 in
    /// Graph reads).
    #[serde(default)]
    pub effective_time: Option<String>,
    /// `knowledge_proposal`, ...
    #[serde(default)]
    pub change_type: Option<String>,
    /// `active`, `stopped`, `already_fired`, ...
    #[serde(default)]
    pub timer_status: Option<String>,
    /// The proposal itself.
    #[serde(default)]
    pub proposal: Option<ChangeProposal>,
}

crate::fields::string_enum! {
    /// What happened to a label on a person.
    pub enum LabelAction {
        /// The label was put on the person.
        Add = "add",
        /// The label was taken off.
        Remove = "remove",
    }
}

/// A custom label was put on or taken off a person in the Page's inbox
/// (Messenger's custom labels page,
/// <https://developers.facebook.com/docs/messenger-platform/identity/custom-labels>).
///
/// ```
/// use webhook_core::fields::page::{InboxLabel, LabelAction};
///
/// let v: InboxLabel = serde_json::from_str(r#"{"user":{"id":"61"},"action":"add",
///     "label":{"id":"880","page_label_name":"Wholesale"}}"#)?;
/// assert_eq!(v.action, Some(LabelAction::Add));
/// assert_eq!(v.label.and_then(|l| l.page_label_name).as_deref(), Some("Wholesale"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct InboxLabel {
    /// The person (page-scoped id).
    #[serde(default)]
    pub user: Option<Actor>,
    /// Put on or taken off.
    #[serde(default)]
    pub action: Option<LabelAction>,
    /// The label.
    #[serde(default)]
    pub label: Option<Label>,
}

/// A custom label of the Page's inbox.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Label {
    /// Its id.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its name, as the Page set it.
    #[serde(default)]
    pub page_label_name: Option<String>,
}

/// A change to one of the Page's conversations (legacy inbox field).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Conversation {
    /// The Page.
    #[serde(default)]
    pub page_id: Option<Id>,
    /// The thread (`t_id.…` or `t_…`).
    #[serde(default)]
    pub thread_id: Option<String>,
}

/// The Page's messaging was restricted, or a restriction changed (Meta's
/// `business_integrity`).
///
/// ```
/// use webhook_core::fields::page::BusinessIntegrity;
///
/// let v: BusinessIntegrity = serde_json::from_str(r#"{"status":"restricted",
///     "violations":[{"type":"SPAM","description":"Reported as spam"}],
///     "restrictions":[{"feature":"MESSAGING","status":"RESTRICTED"}]}"#)?;
/// assert_eq!(v.restrictions[0].feature.as_deref(), Some("MESSAGING"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct BusinessIntegrity {
    /// When, Unix seconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The Page's standing.
    #[serde(default)]
    pub status: Option<String>,
    /// What the Page did.
    #[serde(default)]
    pub violations: Vec<IntegrityViolation>,
    /// What it may not do now.
    #[serde(default)]
    pub restrictions: Vec<IntegrityRestriction>,
    /// Reviews and appeals of them.
    #[serde(default)]
    pub action_events: Vec<IntegrityActionEvent>,
}

/// A violation found on a Page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct IntegrityViolation {
    /// Which policy (JSON `type`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The violation, in words.
    #[serde(default)]
    pub description: Option<String>,
    /// Where to read more.
    #[serde(default)]
    pub url: Option<String>,
}

/// A restriction on a Page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct IntegrityRestriction {
    /// What is restricted (`MESSAGING`, ...).
    #[serde(default)]
    pub feature: Option<String>,
    /// Whether it applies.
    #[serde(default)]
    pub status: Option<String>,
    /// The restriction, in words.
    #[serde(default)]
    pub description: Option<String>,
    /// When it began.
    #[serde(default)]
    pub applied_time: Option<Time>,
    /// When it ends.
    #[serde(default)]
    pub expiration_time: Option<Time>,
}

/// A review or appeal of a restriction.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct IntegrityActionEvent {
    /// What it is (JSON `type`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Where it stands.
    #[serde(default)]
    pub status: Option<String>,
    /// When it began.
    #[serde(default)]
    pub created_time: Option<Time>,
    /// When it last changed.
    #[serde(default)]
    pub updated_time: Option<Time>,
}

/// A Messenger call's event (Meta's Calling webhooks: an element of the entry's
/// `calls[]`, routed to `calls`).
///
/// ```
/// use webhook_core::fields::page::Call;
///
/// let v: Call = serde_json::from_str(r#"{"id":"c_1","to":"110","from":"61",
///     "event":"connect","timestamp":1767227500,"call_direction":"user_initiated"}"#)?;
/// assert_eq!(v.event.as_deref(), Some("connect"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Call {
    /// The call.
    #[serde(default)]
    pub id: Option<Id>,
    /// Who was called (the Page, or the person).
    #[serde(default)]
    pub to: Option<Id>,
    /// Who called.
    #[serde(default)]
    pub from: Option<Id>,
    /// `connect`, `media_update`, `call_status`, `terminate` ...
    #[serde(default)]
    pub event: Option<String>,
    /// When, Unix seconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// `user_initiated` or `business_initiated`.
    #[serde(default)]
    pub call_direction: Option<String>,
    /// The call's status, for status events.
    #[serde(default)]
    pub status: Option<String>,
    /// The session description (SDP) of a connecting call, as sent.
    #[serde(default)]
    pub session: Option<serde_json::Value>,
    /// How long it lasted, in seconds, when it ended.
    #[serde(default)]
    pub duration: Option<Number>,
}

/// The Page's call settings (Meta's Call Settings page: the entry's
/// `call_settings`, routed to `call_settings_update`).
///
/// ```
/// use webhook_core::fields::page::CallSettings;
///
/// let v: CallSettings = serde_json::from_str(r#"{"audio_enabled":true,"icon_enabled":false,
///     "call_hours":{"timezone_id":"Europe/Oslo","weekly_operating_hours":[]}}"#)?;
/// assert_eq!(v.audio_enabled, Some(true));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CallSettings {
    /// Whether people can call the Page.
    #[serde(default, deserialize_with = "super::lenient::option_bool")]
    pub audio_enabled: Option<bool>,
    /// Whether the call icon shows.
    #[serde(default, deserialize_with = "super::lenient::option_bool")]
    pub icon_enabled: Option<bool>,
    /// How calls are routed.
    #[serde(default)]
    pub call_routing: Option<String>,
    /// When calls are taken (the same shape as WhatsApp's).
    #[serde(default)]
    pub call_hours: Option<super::whatsapp::CallHours>,
}

super::string_enum! {
    /// What happened to a Page change proposal or upcoming change: the `action`
    /// Meta sends beside `field` (not in the value).
    pub enum ChangeAction {
        /// A proposal was made.
        Created = "created",
        /// An upcoming change awaits the Page's decision.
        Pending = "pending",
        /// The Page accepted it.
        AcceptedManually = "accepted_manually",
        /// It was accepted when its timer ran out.
        AcceptedAutomatically = "accepted_automatically",
        /// The Page rejected it.
        RejectedManually = "rejected_manually",
    }
}

/// The keys Meta sends beside `field` for `page_upcoming_change` and
/// `page_change_proposal`; take them as
/// [`ChangeKeys<ProposalKeys>`](crate::ChangeKeys).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ProposalKeys {
    /// What happened.
    #[serde(default)]
    pub action: Option<ChangeAction>,
}
