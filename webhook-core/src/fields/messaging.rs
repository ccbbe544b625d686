//! Messenger (`page`) and Instagram (`instagram`) messaging events: the elements of
//! `entry[].messaging[]` and `entry[].standby[]`.
//!
//! A handler receives the **whole event**, `{sender, recipient, timestamp, <event key>}`,
//! so there is one event type per event key ([`MessageEvent`], [`PostbackEvent`], ...)
//! plus [`AnyEvent`], which reads any of them (for `standby` and for handlers of
//! several fields).
//!
//! ```
//! use webhook_core::{on, Payload};
//! use webhook_core::fields::messaging::MessageEvent;
//!
//! #[on(object = "page", field = "messages")]
//! async fn message(Payload(event): Payload<MessageEvent>) {
//!     let from = event.sender.and_then(|s| s.id);
//!     println!("{from:?} wrote {:?}", event.message.text);
//! }
//! ```
//!
//! | event key | `page` field | `instagram` field | type |
//! |---|---|---|---|
//! | `message` | `messages` | `messages` | [`MessageEvent`] |
//! | `message` with `is_echo` | `message_echoes` | `messages` | [`MessageEvent`] |
//! | `postback` | `messaging_postbacks` | `messaging_postbacks` | [`PostbackEvent`] |
//! | `delivery` | `message_deliveries` | – | [`DeliveryEvent`] |
//! | `read` | `message_reads` | `messaging_seen` | [`ReadEvent`] |
//! | `optin` | `messaging_optins` | `messaging_optins` | [`OptinEvent`] |
//! | `referral` | `messaging_referrals` | `messaging_referral` | [`ReferralEvent`] |
//! | `reaction` | `message_reactions` | `message_reactions` | [`ReactionEvent`] |
//! | `account_linking` | `messaging_account_linking` | – | [`AccountLinkingEvent`] |
//! | `pass_thread_control`, `take_thread_control`, `request_thread_control`, `app_roles` | `messaging_handovers` | `messaging_handover` | [`HandoverEvent`] |
//! | `policy_enforcement` (or `policy-enforcement`) | `messaging_policy_enforcement` | – | [`PolicyEnforcementEvent`] |
//! | `message_edit` | `message_edits` | `message_edit` | [`MessageEditEvent`] |
//! | `game_play` | `messaging_game_plays` | – | [`GamePlayEvent`] |
//! | `response_feedback` | `response_feedback` | – | [`ResponseFeedbackEvent`] |
//! | `order` | `send_cart` | – | [`SendCartEvent`] |
//! | `messaging_feedback` | `messaging_feedback` | – | [`MessagingFeedbackEvent`] |
//! | `checkout_update` | `messaging_checkout_updates` | – | [`CheckoutUpdateEvent`] |
//! | `payment` | `messaging_payments` | – | [`PaymentEvent`] |
//! | `pre_checkout` | `messaging_pre_checkouts` | – | [`PreCheckoutEvent`] |
//! | any, inside `standby[]` | `standby` | `standby` | [`AnyEvent`] |
//!
//! Each type lists the `(object, field)` pairs it is the value of. The same types
//! read the "field/value" form the App Dashboard test button sends in `changes[]`,
//! where `timestamp` is a string of seconds.

// The lines naming the (object, field) a type is the value of are grepped verbatim,
// so field names stay without backticks there.
#![allow(clippy::doc_markdown)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Id, Number, Timestamp};

// ---------------------------------------------------------------------------
// Common parts
// ---------------------------------------------------------------------------

/// The `sender` or `recipient` of a messaging event.
///
/// Usually `{id}`: a PSID, IGSID, Page id or Instagram account id. Events from the
/// chat plugin or the checkbox plugin identify the person by `user_ref` instead.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Party {
    /// The id: the person's Page- or Instagram-scoped id, or the Page or Instagram
    /// account id. For echoes the sender is the Page and the recipient the person.
    #[serde(default)]
    pub id: Option<Id>,
    /// The chat-plugin or checkbox-plugin reference of a person without an id.
    #[serde(default)]
    pub user_ref: Option<String>,
}

/// A referral: how a person reached the conversation (m.me or ig.me link, ad,
/// chat plugin, Shops product). Found at the top level of a referral event, in a
/// postback and in a message.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Referral {
    /// The `ref` parameter set in the link, ad or plugin.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// Where the referral comes from (`ADS`, `SHORTLINK`, ...).
    #[serde(default)]
    pub source: Option<ReferralSource>,
    /// The referral type; `OPEN_THREAD` in practice.
    #[serde(default, rename = "type")]
    pub kind: Option<ReferralType>,
    /// The ad's id, for ad referrals.
    #[serde(default)]
    pub ad_id: Option<Id>,
    /// The ad the person came from (click-to-Messenger / click-to-Instagram-Direct ads).
    #[serde(default)]
    pub ads_context_data: Option<AdsContextData>,
    /// The web page the chat plugin was on.
    #[serde(default)]
    pub referer_uri: Option<String>,
    /// Whether a chat-plugin visitor is a guest (not logged in).
    #[serde(default, deserialize_with = "super::lenient::option_bool")]
    pub is_guest_user: Option<bool>,
    /// The Shops product the person messaged about.
    #[serde(default)]
    pub product: Option<ReferralProduct>,
}

super::string_enum! {
    /// The `source` of a [`Referral`].
    pub enum ReferralSource {
        /// An ad (click-to-Messenger or click-to-Instagram-Direct).
        Ads = "ADS",
        /// An m.me link.
        Shortlink = "SHORTLINK",
        /// An ig.me link, as Instagram's docs spell it.
        Shortlinks = "SHORTLINKS",
        /// The Messenger chat plugin on a web site.
        CustomerChatPlugin = "CUSTOMER_CHAT_PLUGIN",
        /// A Messenger code.
        MessengerCode = "MESSENGER_CODE",
        /// Messenger's Discover tab.
        DiscoverTab = "DISCOVER_TAB",
        /// A Facebook Shops product page.
        Shops = "SHOPS",
    }
}

super::string_enum! {
    /// The `type` of a [`Referral`].
    pub enum ReferralType {
        /// The person opened a conversation.
        OpenThread = "OPEN_THREAD",
    }
}

/// The ad behind an ad [`Referral`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AdsContextData {
    /// The ad's title.
    #[serde(default)]
    pub ad_title: Option<String>,
    /// The URL of the ad's image.
    #[serde(default)]
    pub photo_url: Option<String>,
    /// The thumbnail URL of the ad's video.
    #[serde(default)]
    pub video_url: Option<String>,
    /// The id of the ad's post.
    #[serde(default)]
    pub post_id: Option<Id>,
    /// The id of the product the ad shows.
    #[serde(default)]
    pub product_id: Option<Id>,
    /// The partner app's welcome-message flow.
    #[serde(default)]
    pub flow_id: Option<Id>,
}

/// The Shops product of a [`Referral`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ReferralProduct {
    /// The product's id.
    #[serde(default)]
    pub id: Option<Id>,
}

// ---------------------------------------------------------------------------
// message
// ---------------------------------------------------------------------------

/// A message a person sent, or (with `is_echo`) one the Page or Instagram account sent.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct MessageEvent {
    /// Who sent the message (the Page or Instagram account for echoes).
    #[serde(default)]
    pub sender: Option<Party>,
    /// Who received it (the person for echoes).
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The message.
    #[serde(default)]
    pub message: Message,
}

/// The `message` of a [`MessageEvent`].
#[allow(
    clippy::struct_excessive_bools,
    reason = "Meta's independent flags, each absent when false"
)]
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Message {
    /// The message id; the key to de-duplicate on.
    #[serde(default)]
    pub mid: Option<String>,
    /// The text; absent on attachment-only messages.
    #[serde(default)]
    pub text: Option<String>,
    /// Sent by the Page or Instagram account itself. Like every `is_*` flag here, it
    /// is also read from `"true"`/`"false"` and `1`/`0`.
    #[serde(default, deserialize_with = "super::lenient::bool_or_false")]
    pub is_echo: bool,
    /// For echoes, the app that sent the message (a JSON number in practice; the Page
    /// inbox has its own app id).
    #[serde(default)]
    pub app_id: Option<Id>,
    /// For echoes, the `metadata` passed to the Send API.
    #[serde(default)]
    pub metadata: Option<String>,
    /// The quick reply the person tapped.
    #[serde(default)]
    pub quick_reply: Option<QuickReply>,
    /// The message or story this one replies to.
    #[serde(default)]
    pub reply_to: Option<ReplyTo>,
    /// Attachments; empty for text messages.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// The ad, link or Shops product the message came from.
    #[serde(default)]
    pub referral: Option<Referral>,
    /// Bot commands in the text (Messenger).
    #[serde(default)]
    pub commands: Vec<Command>,
    /// Legacy: the sticker id of a sticker message (also in the attachment).
    #[serde(default)]
    pub sticker_id: Option<Id>,
    /// The person deleted (unsent) the message (Instagram).
    #[serde(default, deserialize_with = "super::lenient::bool_or_false")]
    pub is_deleted: bool,
    /// The message holds content the API does not support (Instagram).
    #[serde(default, deserialize_with = "super::lenient::bool_or_false")]
    pub is_unsupported: bool,
    /// The message was sent to oneself (Instagram).
    #[serde(default, deserialize_with = "super::lenient::bool_or_false")]
    pub is_self: bool,
}

/// The quick reply a person tapped.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct QuickReply {
    /// The developer-defined payload of the quick reply.
    #[serde(default)]
    pub payload: Option<String>,
}

/// What a message replies to: a message (`mid`) or an Instagram story (`story`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ReplyTo {
    /// The id of the message replied to.
    #[serde(default)]
    pub mid: Option<String>,
    /// Whether the person replied to their own message (Messenger).
    #[serde(default, deserialize_with = "super::lenient::option_bool")]
    pub is_self_reply: Option<bool>,
    /// The story replied to (Instagram story replies).
    #[serde(default)]
    pub story: Option<StoryRef>,
}

/// An Instagram story a message replies to.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct StoryRef {
    /// The story's CDN URL; it expires with the story.
    #[serde(default)]
    pub url: Option<String>,
    /// The story's id.
    #[serde(default)]
    pub id: Option<Id>,
}

/// A bot command found in a message.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Command {
    /// The command's name, without the slash.
    #[serde(default)]
    pub name: Option<String>,
}

/// One attachment of a [`Message`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Attachment {
    /// The attachment type.
    #[serde(default, rename = "type")]
    pub kind: Option<AttachmentType>,
    /// The payload; `null` or absent for some fallbacks.
    #[serde(default)]
    pub payload: Option<AttachmentPayload>,
    /// Legacy: a fallback's or template echo's title, beside the payload.
    #[serde(default)]
    pub title: Option<String>,
    /// Legacy: a fallback's or template echo's URL, beside the payload.
    #[serde(default)]
    pub url: Option<String>,
}

super::string_enum! {
    /// The `type` of an [`Attachment`].
    pub enum AttachmentType {
        /// An image (also stickers, until the `sticker` transition ends).
        Image = "image",
        /// An audio clip.
        Audio = "audio",
        /// A video.
        Video = "video",
        /// A file.
        File = "file",
        /// A location (legacy Messenger).
        Location = "location",
        /// A shared link or unsupported share.
        Fallback = "fallback",
        /// A template (echoes, product shares).
        Template = "template",
        /// A sticker.
        Sticker = "sticker",
        /// A Facebook reel.
        Reel = "reel",
        /// An Instagram reel.
        IgReel = "ig_reel",
        /// A shared post (Instagram).
        Share = "share",
        /// A story mentioning the account (Instagram).
        StoryMention = "story_mention",
        /// A Facebook post.
        Post = "post",
        /// An Instagram post.
        IgPost = "ig_post",
        /// An appointment booking.
        AppointmentBooking = "appointment_booking",
    }
}

/// The `payload` of an [`Attachment`]; which keys are present depends on its type.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AttachmentPayload {
    /// The media, file, post or shared link URL.
    #[serde(default)]
    pub url: Option<String>,
    /// A title (fallbacks, reels, posts).
    #[serde(default)]
    pub title: Option<String>,
    /// The sticker's id (`sticker`, and `image` stickers).
    #[serde(default)]
    pub sticker_id: Option<Id>,
    /// The reel's video id (`ig_reel`, `reel`).
    #[serde(default)]
    pub reel_video_id: Option<Id>,
    /// The coordinates of a `location`.
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
    /// Shared catalog products (`template` with a product).
    #[serde(default)]
    pub product: Option<ProductPayload>,
    /// The template type of a `template` (in echoes).
    #[serde(default)]
    pub template_type: Option<TemplateType>,
    /// The text of a button template (in echoes).
    #[serde(default)]
    pub text: Option<String>,
    /// The elements of a generic or media template (in echoes).
    #[serde(default)]
    pub elements: Vec<TemplateElement>,
    /// The buttons of a button template (in echoes).
    #[serde(default)]
    pub buttons: Vec<Button>,
    /// The booking's id (`appointment_booking`).
    #[serde(default)]
    pub booking_id: Option<Id>,
    /// The booking's status (`appointment_booking`).
    #[serde(default)]
    pub status: Option<BookingStatus>,
    /// The booking's start, Unix seconds (`appointment_booking`).
    #[serde(default)]
    pub start_time: Option<Timestamp>,
    /// The booking's end, Unix seconds (`appointment_booking`).
    #[serde(default)]
    pub end_time: Option<Timestamp>,
    /// The booking's IANA time zone (`appointment_booking`).
    #[serde(default)]
    pub timezone: Option<String>,
}

/// The coordinates of a location attachment.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Coordinates {
    /// Latitude (also read from a string; text that is not a number gives `None`).
    #[serde(default, deserialize_with = "super::lenient::option_f64")]
    pub lat: Option<f64>,
    /// Longitude (also read from a string).
    #[serde(default, deserialize_with = "super::lenient::option_f64")]
    pub long: Option<f64>,
}

/// The products of a product-template attachment.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ProductPayload {
    /// The products shared.
    #[serde(default)]
    pub elements: Vec<ProductElement>,
}

/// One catalog product of a [`ProductPayload`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ProductElement {
    /// The product's id.
    #[serde(default)]
    pub id: Option<Id>,
    /// The merchant's own id for the product.
    #[serde(default)]
    pub retailer_id: Option<String>,
    /// The product image.
    #[serde(default)]
    pub image_url: Option<String>,
    /// The product's title.
    #[serde(default)]
    pub title: Option<String>,
    /// The product's subtitle (often the price).
    #[serde(default)]
    pub subtitle: Option<String>,
}

super::string_enum! {
    /// The `template_type` of a template attachment.
    pub enum TemplateType {
        /// A generic (carousel) template.
        Generic = "generic",
        /// A button template.
        Button = "button",
        /// A media template.
        Media = "media",
        /// A product template.
        Product = "product",
        /// A receipt template.
        Receipt = "receipt",
        /// A customer-feedback template.
        CustomerFeedback = "customer_feedback",
        /// A coupon template.
        Coupon = "coupon",
        /// A marketing-messages opt-in request.
        NotificationMessages = "notification_messages",
    }
}

/// One element of a generic or media template, as echoed.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct TemplateElement {
    /// The element's title.
    #[serde(default)]
    pub title: Option<String>,
    /// The element's subtitle.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// The element's image.
    #[serde(default)]
    pub image_url: Option<String>,
    /// A media element's type (`image`, `video`).
    #[serde(default)]
    pub media_type: Option<String>,
    /// A media element's uploaded attachment id (a number in practice).
    #[serde(default)]
    pub attachment_id: Option<Id>,
    /// A media element's URL.
    #[serde(default)]
    pub url: Option<String>,
    /// The element's buttons.
    #[serde(default)]
    pub buttons: Vec<Button>,
}

/// A template button, as echoed.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Button {
    /// The button type.
    #[serde(default, rename = "type")]
    pub kind: Option<ButtonType>,
    /// The button's label.
    #[serde(default)]
    pub title: Option<String>,
    /// The URL of a `web_url` button.
    #[serde(default)]
    pub url: Option<String>,
    /// The payload of a `postback` button, or the number of a `phone_number` button.
    #[serde(default)]
    pub payload: Option<String>,
}

super::string_enum! {
    /// The `type` of a [`Button`].
    pub enum ButtonType {
        /// Opens a URL.
        WebUrl = "web_url",
        /// Sends a postback.
        Postback = "postback",
        /// Calls a phone number.
        PhoneNumber = "phone_number",
        /// Starts account linking.
        AccountLink = "account_link",
        /// Unlinks an account.
        AccountUnlink = "account_unlink",
        /// Starts an Instant Game.
        GamePlay = "game_play",
    }
}

super::string_enum! {
    /// The `status` of an appointment booking.
    pub enum BookingStatus {
        /// Requested by the person.
        Requested = "requested",
        /// Confirmed by the business.
        Confirmed = "confirmed",
        /// Declined by the business.
        Declined = "declined",
        /// Cancelled.
        Cancelled = "cancelled",
    }
}

// ---------------------------------------------------------------------------
// postback
// ---------------------------------------------------------------------------

/// A tap on a postback button, Get Started, a persistent-menu item or an Instagram
/// icebreaker.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct PostbackEvent {
    /// The person (or `user_ref` for the chat plugin).
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page or Instagram account.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The postback.
    #[serde(default)]
    pub postback: Postback,
}

/// The `postback` of a [`PostbackEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Postback {
    /// The id of the message the postback created.
    #[serde(default)]
    pub mid: Option<String>,
    /// The button's title.
    #[serde(default)]
    pub title: Option<String>,
    /// The button's developer-defined payload; absent when received through `standby`.
    #[serde(default)]
    pub payload: Option<String>,
    /// How the person reached the conversation, for Get Started and icebreakers.
    #[serde(default)]
    pub referral: Option<Referral>,
}

// ---------------------------------------------------------------------------
// delivery, read
// ---------------------------------------------------------------------------

/// Messages the Page sent were delivered.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct DeliveryEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// Usually absent on deliveries; use the watermark.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The delivery.
    #[serde(default)]
    pub delivery: Delivery,
}

/// The `delivery` of a [`DeliveryEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Delivery {
    /// The ids of the messages delivered; may be absent.
    #[serde(default)]
    pub mids: Vec<String>,
    /// Every message sent before this time (ms) was delivered.
    #[serde(default)]
    pub watermark: Option<Timestamp>,
    /// Legacy sequence number (always 0, then removed in 2019).
    #[serde(default)]
    pub seq: Option<Number>,
}

/// The person read messages the Page sent (Messenger: `watermark`), or saw a message
/// (Instagram: `mid`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ReadEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page or Instagram account.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The read receipt.
    #[serde(default)]
    pub read: Read,
}

/// The `read` of a [`ReadEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Read {
    /// Messenger: every message sent before this time (ms) was read.
    #[serde(default)]
    pub watermark: Option<Timestamp>,
    /// Instagram: the message seen.
    #[serde(default)]
    pub mid: Option<String>,
    /// Legacy sequence number (always 0, then removed in 2019).
    #[serde(default)]
    pub seq: Option<Number>,
}

// ---------------------------------------------------------------------------
// optin
// ---------------------------------------------------------------------------

/// A person opted in: to Marketing Messages (`type: notification_messages`), to a
/// one-time notification, through the Send to Messenger plugin (`ref`) or the
/// checkbox plugin (`user_ref`, and no `sender`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct OptinEvent {
    /// The person; absent for the checkbox plugin.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page or Instagram account.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The opt-in.
    #[serde(default)]
    pub optin: Optin,
}

/// The `optin` of an [`OptinEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Optin {
    /// The opt-in type; absent for plugin opt-ins.
    #[serde(default, rename = "type")]
    pub kind: Option<OptinType>,
    /// The plugin's `data-ref`.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// The checkbox plugin's user reference, to message the person with.
    #[serde(default)]
    pub user_ref: Option<String>,
    /// The payload set in the opt-in request.
    #[serde(default)]
    pub payload: Option<String>,
    /// The title shown in the opt-in request.
    #[serde(default)]
    pub title: Option<String>,
    /// The token to send Marketing Messages with.
    #[serde(default)]
    pub notification_messages_token: Option<String>,
    /// Marketing Messages frequency (removed in API v16).
    #[serde(default)]
    pub notification_messages_frequency: Option<NotificationFrequency>,
    /// The person's time zone.
    #[serde(default)]
    pub notification_messages_timezone: Option<String>,
    /// Present when the person stops or resumes Marketing Messages.
    #[serde(default)]
    pub notification_messages_status: Option<NotificationStatus>,
    /// When the token expires (ms).
    #[serde(default)]
    pub token_expiry_timestamp: Option<Timestamp>,
    /// Whether the token was refreshed by a re-opt-in.
    #[serde(default)]
    pub user_token_status: Option<UserTokenStatus>,
    /// The token of a one-time notification opt-in (legacy).
    #[serde(default)]
    pub one_time_notif_token: Option<String>,
}

super::string_enum! {
    /// The `type` of an [`Optin`].
    pub enum OptinType {
        /// Marketing Messages (formerly recurring notifications).
        NotificationMessages = "notification_messages",
        /// A one-time notification request (legacy).
        OneTimeNotifReq = "one_time_notif_req",
    }
}

super::string_enum! {
    /// `notification_messages_frequency`.
    pub enum NotificationFrequency {
        /// Daily.
        Daily = "DAILY",
        /// Weekly.
        Weekly = "WEEKLY",
        /// Monthly.
        Monthly = "MONTHLY",
    }
}

super::string_enum! {
    /// `notification_messages_status`.
    pub enum NotificationStatus {
        /// The person stopped Marketing Messages.
        StopNotifications = "STOP_NOTIFICATIONS",
        /// The person resumed Marketing Messages.
        ResumeNotifications = "RESUME_NOTIFICATIONS",
    }
}

super::string_enum! {
    /// `user_token_status`.
    pub enum UserTokenStatus {
        /// The person re-opted in and the token was refreshed.
        Refreshed = "REFRESHED",
        /// The token was not refreshed.
        NotRefreshed = "NOT_REFRESHED",
    }
}

// ---------------------------------------------------------------------------
// referral
// ---------------------------------------------------------------------------

/// A person with an existing conversation came back through a link, ad or plugin.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ReferralEvent {
    /// The person (`user_ref` for the chat plugin).
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page or Instagram account.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The referral.
    #[serde(default)]
    pub referral: Referral,
}

// ---------------------------------------------------------------------------
// reaction
// ---------------------------------------------------------------------------

/// A person reacted to a message, or removed a reaction.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ReactionEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page or Instagram account.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The reaction.
    #[serde(default)]
    pub reaction: Reaction,
}

/// The `reaction` of a [`ReactionEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Reaction {
    /// The message reacted to.
    #[serde(default)]
    pub mid: Option<String>,
    /// `react` or `unreact`.
    #[serde(default)]
    pub action: Option<ReactionAction>,
    /// The reaction's name; Instagram omits it on `unreact`.
    #[serde(default)]
    pub reaction: Option<ReactionKind>,
    /// The reaction's emoji; Instagram omits it on `unreact`.
    #[serde(default)]
    pub emoji: Option<String>,
}

super::string_enum! {
    /// The `action` of a [`Reaction`].
    pub enum ReactionAction {
        /// A reaction was added.
        React = "react",
        /// A reaction was removed.
        Unreact = "unreact",
    }
}

super::string_enum! {
    /// The `reaction` name of a [`Reaction`].
    pub enum ReactionKind {
        /// Smile.
        Smile = "smile",
        /// Angry.
        Angry = "angry",
        /// Sad.
        Sad = "sad",
        /// Wow.
        Wow = "wow",
        /// Love.
        Love = "love",
        /// Like.
        Like = "like",
        /// Dislike.
        Dislike = "dislike",
        /// Laugh (Instagram).
        Laugh = "laugh",
        /// Any other emoji.
        OtherEmoji = "other",
    }
}

// ---------------------------------------------------------------------------
// account_linking
// ---------------------------------------------------------------------------

/// A person linked or unlinked their account with the business.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AccountLinkingEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The linking.
    #[serde(default)]
    pub account_linking: AccountLinking,
}

/// The `account_linking` of an [`AccountLinkingEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AccountLinking {
    /// `linked` or `unlinked`.
    #[serde(default)]
    pub status: Option<AccountLinkingStatus>,
    /// The code passed through the redirect; only when `linked`.
    #[serde(default)]
    pub authorization_code: Option<String>,
}

super::string_enum! {
    /// The `status` of an [`AccountLinking`].
    pub enum AccountLinkingStatus {
        /// The account was linked.
        Linked = "linked",
        /// The account was unlinked.
        Unlinked = "unlinked",
    }
}

// ---------------------------------------------------------------------------
// handover
// ---------------------------------------------------------------------------

/// A Handover Protocol / Conversation Routing event: thread control was passed,
/// taken or requested, or the Page changed the apps' roles. Exactly one of the
/// optional payloads is present.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct HandoverEvent {
    /// The person; absent on `app_roles`.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page or Instagram account.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// Thread control was passed to this app.
    #[serde(default)]
    pub pass_thread_control: Option<ThreadControl>,
    /// Thread control was taken from this app.
    #[serde(default)]
    pub take_thread_control: Option<ThreadControl>,
    /// Another app asks this (primary) app for thread control.
    #[serde(default)]
    pub request_thread_control: Option<ThreadControl>,
    /// The apps' new roles: app id to roles.
    #[serde(default)]
    pub app_roles: Option<AppRoles>,
}

/// The apps' roles in an `app_roles` event: app id to its roles.
pub type AppRoles = BTreeMap<String, Vec<AppRole>>;

/// The payload of `pass_thread_control`, `take_thread_control` and
/// `request_thread_control`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ThreadControl {
    /// The app that now controls the thread (pass, take).
    #[serde(default)]
    pub new_owner_app_id: Option<Id>,
    /// The app that controlled it; `null` when the thread was idle (pass, take).
    #[serde(default)]
    pub previous_owner_app_id: Option<Id>,
    /// The app asking for control (request; a number in practice).
    #[serde(default)]
    pub requested_owner_app_id: Option<Id>,
    /// The `metadata` the calling app set.
    #[serde(default)]
    pub metadata: Option<String>,
}

super::string_enum! {
    /// A role in an `app_roles` event.
    pub enum AppRole {
        /// The primary receiver.
        PrimaryReceiver = "primary_receiver",
        /// A secondary receiver.
        SecondaryReceiver = "secondary_receiver",
    }
}

// ---------------------------------------------------------------------------
// policy_enforcement
// ---------------------------------------------------------------------------

/// Meta warned, blocked or unblocked the Page's messaging for a policy violation.
/// There is no `sender`. The legacy key `policy-enforcement` is accepted too.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct PolicyEnforcementEvent {
    /// Absent in practice.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The enforcement.
    #[serde(default, alias = "policy-enforcement")]
    pub policy_enforcement: PolicyEnforcement,
}

/// The `policy_enforcement` of a [`PolicyEnforcementEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct PolicyEnforcement {
    /// `warning`, `block` or `unblock`.
    #[serde(default)]
    pub action: Option<PolicyAction>,
    /// Why; absent on `unblock`.
    #[serde(default)]
    pub reason: Option<String>,
}

super::string_enum! {
    /// The `action` of a [`PolicyEnforcement`].
    pub enum PolicyAction {
        /// A warning.
        Warning = "warning",
        /// Messaging is blocked.
        Block = "block",
        /// Messaging is unblocked.
        Unblock = "unblock",
    }
}

// ---------------------------------------------------------------------------
// message_edit
// ---------------------------------------------------------------------------

/// A person edited a message they sent.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct MessageEditEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page or Instagram account.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The edit.
    #[serde(default)]
    pub message_edit: MessageEdit,
}

/// The `message_edit` of a [`MessageEditEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct MessageEdit {
    /// The edited message.
    #[serde(default)]
    pub mid: Option<String>,
    /// Its new text.
    #[serde(default)]
    pub text: Option<String>,
    /// How many times it has been edited.
    #[serde(default)]
    pub num_edit: Option<Number>,
}

// ---------------------------------------------------------------------------
// game_play, response_feedback
// ---------------------------------------------------------------------------

/// A person played a round of an Instant Game.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct GamePlayEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The round.
    #[serde(default)]
    pub game_play: GamePlay,
}

/// The `game_play` of a [`GamePlayEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct GamePlay {
    /// The game's app id.
    #[serde(default)]
    pub game_id: Option<Id>,
    /// The player's Instant Games id.
    #[serde(default)]
    pub player_id: Option<Id>,
    /// `SOLO`, `THREAD` or `GROUP`.
    #[serde(default)]
    pub context_type: Option<String>,
    /// The context's id, when not solo.
    #[serde(default)]
    pub context_id: Option<Id>,
    /// The best score of the round, when the game reports one.
    #[serde(default)]
    pub score: Option<Number>,
    /// The player's locale (`fr_FR`).
    #[serde(default)]
    pub locale: Option<String>,
    /// The JSON-encoded payload the game set with `FBInstant.setSessionData()` (rich
    /// games); a payload sent as a JSON object or number is kept as its JSON text.
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub payload: Option<String>,
}

/// A person rated a response of the business's AI agent.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ResponseFeedbackEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The feedback.
    #[serde(default)]
    pub response_feedback: ResponseFeedback,
}

/// The `response_feedback` of a [`ResponseFeedbackEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct ResponseFeedback {
    /// The message rated.
    #[serde(default)]
    pub mid: Option<String>,
    /// The feedback, as sent (`Good response`, `Bad response`).
    #[serde(default)]
    pub feedback: Option<String>,
}

// ---------------------------------------------------------------------------
// Feedback templates, customer information, payments (legacy)

/// A person answered a customer feedback template (Meta's `messaging_feedback`).
///
/// ```
/// use webhook_core::fields::messaging::MessagingFeedbackEvent;
///
/// let v: MessagingFeedbackEvent = serde_json::from_str(r#"{"sender":{"id":"61"},
///     "messaging_feedback":{"feedback_screens":[{"screen_id":0,"questions":{
///     "q1":{"type":"csat","payload":"4","follow_up":{"type":"free_form","payload":"Fast!"}}}}]}}"#)?;
/// let answer = &v.messaging_feedback.feedback_screens[0].questions["q1"];
/// assert_eq!(answer.payload.as_deref(), Some("4"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct MessagingFeedbackEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened, in milliseconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The answers.
    #[serde(default)]
    pub messaging_feedback: MessagingFeedback,
}

/// The answers of a feedback template, screen by screen.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct MessagingFeedback {
    /// One per screen of the template.
    #[serde(default)]
    pub feedback_screens: Vec<FeedbackScreen>,
}

/// The answers of one screen.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct FeedbackScreen {
    /// The screen.
    #[serde(default)]
    pub screen_id: Option<Number>,
    /// The answers, by the question id the template set.
    #[serde(default)]
    pub questions: BTreeMap<String, FeedbackAnswer>,
}

/// One answer of a feedback template.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct FeedbackAnswer {
    /// `csat`, `nps`, `ces` ... (JSON `type`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The score chosen, as sent.
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub payload: Option<String>,
    /// The free-form follow-up, when the template asked for one.
    #[serde(default)]
    pub follow_up: Option<Box<FeedbackAnswer>>,
}

/// A person submitted the customer information form the Page sent (Meta's
/// `messaging_customer_information`, delivered as a change whose value is the
/// event).
///
/// ```
/// use webhook_core::fields::messaging::CustomerInformationEvent;
///
/// let v: CustomerInformationEvent = serde_json::from_str(r#"{"sender":{"id":"61"},
///     "messaging_customer_information":{"screens":[{"screen_id":"screen_0",
///     "responses":[{"key":"email","value":"ada@example.com"}]}]}}"#)?;
/// let response = &v.messaging_customer_information.screens[0].responses[0];
/// assert_eq!(response.value.as_deref(), Some("ada@example.com"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CustomerInformationEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened, in milliseconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// What the person entered.
    #[serde(default)]
    pub messaging_customer_information: CustomerInformation,
}

/// The screens of a customer information form.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CustomerInformation {
    /// One per screen.
    #[serde(default)]
    pub screens: Vec<CustomerInformationScreen>,
}

/// The answers of one screen of a customer information form.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CustomerInformationScreen {
    /// The screen.
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub screen_id: Option<String>,
    /// The answers.
    #[serde(default)]
    pub responses: Vec<CustomerInformationResponse>,
}

/// One answer of a customer information form.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CustomerInformationResponse {
    /// What was asked (`email`, `phone`, ...).
    #[serde(default)]
    pub key: Option<String>,
    /// The answer.
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub value: Option<String>,
}

/// An amount of a Messenger payment.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Amount {
    /// ISO 4217.
    #[serde(default)]
    pub currency: Option<String>,
    /// The amount, as sent (`"29.62"`).
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub amount: Option<String>,
}

/// A person paid through a Messenger buy button (Meta's `messaging_payments`,
/// a legacy beta).
///
/// ```
/// use webhook_core::fields::messaging::PaymentEvent;
///
/// let v: PaymentEvent = serde_json::from_str(r#"{"sender":{"id":"61"},"payment":{
///     "payload":"order-17","amount":{"currency":"USD","amount":"29.62"},
///     "shipping_option_id":"123"}}"#)?;
/// assert_eq!(v.payment.amount.unwrap().amount.as_deref(), Some("29.62"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct PaymentEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened, in milliseconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The payment.
    #[serde(default)]
    pub payment: Payment,
}

/// The `payment` of a [`PaymentEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Payment {
    /// The payload the buy button carried (a JSON payload kept as its text).
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub payload: Option<String>,
    /// What the person shared (name, email, phone, shipping address), as sent.
    #[serde(default)]
    pub requested_user_info: Option<serde_json::Value>,
    /// The payment credential (provider, charge id, ...), as sent.
    #[serde(default)]
    pub payment_credential: Option<serde_json::Value>,
    /// The total.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// The shipping option chosen.
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub shipping_option_id: Option<String>,
}

/// A person changed the shipping address of a Messenger checkout (Meta's
/// `messaging_checkout_updates`, a legacy beta).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CheckoutUpdateEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened, in milliseconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The update.
    #[serde(default)]
    pub checkout_update: CheckoutUpdate,
}

/// The `checkout_update` of a [`CheckoutUpdateEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CheckoutUpdate {
    /// The payload the buy button carried (a JSON payload kept as its text).
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub payload: Option<String>,
    /// The new shipping address, as sent.
    #[serde(default)]
    pub shipping_address: Option<serde_json::Value>,
}

/// A Messenger checkout is about to be paid (Meta's `messaging_pre_checkouts`, a
/// legacy beta): answer it to accept or refuse the payment.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct PreCheckoutEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened, in milliseconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The checkout.
    #[serde(default)]
    pub pre_checkout: PreCheckout,
}

/// The `pre_checkout` of a [`PreCheckoutEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct PreCheckout {
    /// The payload the buy button carried (a JSON payload kept as its text).
    #[serde(default, deserialize_with = "super::lenient::option_text")]
    pub payload: Option<String>,
    /// What the person shared, as sent.
    #[serde(default)]
    pub requested_user_info: Option<serde_json::Value>,
    /// The total.
    #[serde(default)]
    pub amount: Option<Amount>,
}

/// A post or comment in a group the Page belongs to (Meta's `group_feed`): an
/// element of `messaging[]` that names its field and has no sender.
///
/// ```
/// use webhook_core::fields::messaging::GroupFeedEvent;
///
/// let v: GroupFeedEvent = serde_json::from_str(r#"{"recipient":{"id":"110"},
///     "from":{"id":"61","name":"Mira"},"group_id":"G1","post_id":"P1","comment_id":"C1",
///     "item":"comment","verb":"add","message":"Sundays?","field":"group_feed"}"#)?;
/// assert_eq!(v.from.unwrap().name.as_deref(), Some("Mira"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct GroupFeedEvent {
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// Who posted or commented.
    #[serde(default)]
    pub from: Option<super::page::Actor>,
    /// The group.
    #[serde(default)]
    pub group_id: Option<Id>,
    /// The post.
    #[serde(default)]
    pub post_id: Option<Id>,
    /// The comment, for comments.
    #[serde(default)]
    pub comment_id: Option<Id>,
    /// What the comment replies to.
    #[serde(default)]
    pub parent_id: Option<Id>,
    /// When it was made.
    #[serde(default)]
    pub created_time: Option<super::page::Time>,
    /// `post` or `comment`.
    #[serde(default)]
    pub item: Option<String>,
    /// `add`, `edit`, `remove` ...
    #[serde(default)]
    pub verb: Option<String>,
    /// The text.
    #[serde(default)]
    pub message: Option<String>,
}

/// A person answered the Page's request to call them (Meta's Calling page:
/// `call_permission_reply`, sent as an entry that is itself the event).
///
/// ```
/// use webhook_core::fields::messaging::CallPermissionReplyEvent;
///
/// let v: CallPermissionReplyEvent = serde_json::from_str(r#"{"sender":{"id":"61"},
///     "recipient":{"id":"110"},"timestamp":1671644824,
///     "call_permission_reply":{"response":"approve","expiration_timestamp":"1672249624"}}"#)?;
/// assert_eq!(v.call_permission_reply.response.as_deref(), Some("approve"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CallPermissionReplyEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When, Unix seconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The answer.
    #[serde(default)]
    pub call_permission_reply: CallPermissionReply,
}

/// The `call_permission_reply` of a [`CallPermissionReplyEvent`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CallPermissionReply {
    /// `approve` or `reject`.
    #[serde(default)]
    pub response: Option<String>,
    /// When the permission ends, when it was approved.
    #[serde(default)]
    pub expiration_timestamp: Option<Timestamp>,
}

// ---------------------------------------------------------------------------
// SendCartEvent

/// Someone sent the cart of the Page's shop to the Page in Messenger (Meta's
/// "send_cart" webhook event, whose key is `order`).
///
/// Value of: (page, send_cart).
///
/// ```
/// use webhook_core::fields::messaging::SendCartEvent;
///
/// let v: SendCartEvent = serde_json::from_str(r#"{"sender":{"id":"61"},"recipient":{"id":"11"},
///     "timestamp":1767227300000,"order":{"products":[{"id":"7000111","retailer_id":"SKU-1",
///     "name":"Rye loaf","unit_price":6.5,"currency":"EUR","quantity":2}],"note":"Sliced"}}"#)?;
/// assert_eq!(v.order.products[0].quantity, Some(2));
/// assert_eq!(v.order.note.as_deref(), Some("Sliced"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct SendCartEvent {
    /// The person.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The Page.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// The cart.
    #[serde(default)]
    pub order: Order,
}

/// The `order` of a [`SendCartEvent`]: the cart's products and the person's note.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Order {
    /// The products in the cart.
    #[serde(default)]
    pub products: Vec<CartProduct>,
    /// What the person wrote with it.
    #[serde(default)]
    pub note: Option<String>,
}

/// One product of an [`Order`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct CartProduct {
    /// The product's catalog id.
    #[serde(default)]
    pub id: Option<Id>,
    /// The seller's own id for it (SKU).
    #[serde(default)]
    pub retailer_id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The price of one, in `currency`.
    #[serde(default)]
    pub unit_price: Option<Number>,
    /// ISO 4217 (`EUR`).
    #[serde(default)]
    pub currency: Option<String>,
    /// How many (a number, or a string holding one).
    #[serde(default, deserialize_with = "super::lenient::option_u32")]
    pub quantity: Option<u32>,
}

// AnyEvent
// ---------------------------------------------------------------------------

/// Any messaging event, with every event payload optional: for `standby`, and for
/// handlers of several fields. [`kind`](Self::kind) names the payload present.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct AnyEvent {
    /// The sender, when there is one.
    #[serde(default)]
    pub sender: Option<Party>,
    /// The recipient.
    #[serde(default)]
    pub recipient: Option<Party>,
    /// When it happened: milliseconds, or seconds as a string in dashboard tests.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// A message or echo.
    #[serde(default)]
    pub message: Option<Message>,
    /// A delivery receipt.
    #[serde(default)]
    pub delivery: Option<Delivery>,
    /// A read receipt.
    #[serde(default)]
    pub read: Option<Read>,
    /// A postback.
    #[serde(default)]
    pub postback: Option<Postback>,
    /// An opt-in.
    #[serde(default)]
    pub optin: Option<Optin>,
    /// A referral.
    #[serde(default)]
    pub referral: Option<Referral>,
    /// A reaction.
    #[serde(default)]
    pub reaction: Option<Reaction>,
    /// An account (un)linking.
    #[serde(default)]
    pub account_linking: Option<AccountLinking>,
    /// Thread control passed to this app.
    #[serde(default)]
    pub pass_thread_control: Option<ThreadControl>,
    /// Thread control taken from this app.
    #[serde(default)]
    pub take_thread_control: Option<ThreadControl>,
    /// Thread control requested from this app.
    #[serde(default)]
    pub request_thread_control: Option<ThreadControl>,
    /// New app roles.
    #[serde(default)]
    pub app_roles: Option<AppRoles>,
    /// A policy enforcement (also read from the legacy `policy-enforcement` key).
    #[serde(default, alias = "policy-enforcement")]
    pub policy_enforcement: Option<PolicyEnforcement>,
    /// A message edit.
    #[serde(default)]
    pub message_edit: Option<MessageEdit>,
    /// An Instant Game round.
    #[serde(default)]
    pub game_play: Option<GamePlay>,
    /// Feedback on an AI response.
    #[serde(default)]
    pub response_feedback: Option<ResponseFeedback>,
    /// Feedback-template answers.
    #[serde(default)]
    pub messaging_feedback: Option<MessagingFeedback>,
    /// A checkout update (legacy beta).
    #[serde(default)]
    pub checkout_update: Option<CheckoutUpdate>,
    /// A payment (legacy beta).
    #[serde(default)]
    pub payment: Option<Payment>,
    /// A pre-checkout (legacy beta).
    #[serde(default)]
    pub pre_checkout: Option<PreCheckout>,
    /// A cart sent from the Page's shop.
    #[serde(default)]
    pub order: Option<Order>,
}

impl AnyEvent {
    /// The event key present, in the routing table's order of precedence
    /// (`message`, `delivery`, `read`, `postback`, ...), `policy_enforcement` for
    /// either spelling, or `unknown`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        let keys: [(&'static str, bool); 21] = [
            ("message", self.message.is_some()),
            ("delivery", self.delivery.is_some()),
            ("read", self.read.is_some()),
            ("postback", self.postback.is_some()),
            ("optin", self.optin.is_some()),
            ("referral", self.referral.is_some()),
            ("reaction", self.reaction.is_some()),
            ("account_linking", self.account_linking.is_some()),
            ("pass_thread_control", self.pass_thread_control.is_some()),
            ("take_thread_control", self.take_thread_control.is_some()),
            (
                "request_thread_control",
                self.request_thread_control.is_some(),
            ),
            ("app_roles", self.app_roles.is_some()),
            ("policy_enforcement", self.policy_enforcement.is_some()),
            ("message_edit", self.message_edit.is_some()),
            ("game_play", self.game_play.is_some()),
            ("response_feedback", self.response_feedback.is_some()),
            ("messaging_feedback", self.messaging_feedback.is_some()),
            ("checkout_update", self.checkout_update.is_some()),
            ("payment", self.payment.is_some()),
            ("pre_checkout", self.pre_checkout.is_some()),
            ("order", self.order.is_some()),
        ];
        keys.iter()
            .find(|(_, present)| *present)
            .map_or("unknown", |(key, _)| key)
    }

    /// Whether this is a message sent by the Page or Instagram account itself.
    #[must_use]
    pub fn is_echo(&self) -> bool {
        self.message.as_ref().is_some_and(|m| m.is_echo)
    }
}
