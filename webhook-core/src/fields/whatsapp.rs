//! Values of the `whatsapp_business_account` fields: the WhatsApp Cloud API
//! (`messages`: incoming messages, outgoing message statuses and errors) and the
//! WhatsApp Business Management API (templates, account, phone numbers ...).
//!
//! | field | type |
//! | --- | --- |
//! | `messages` | [`Change`] (elements [`Message`], [`Status`], [`Error`], [`Contact`]) |
//! | `message_template_status_update` | [`MessageTemplateStatusUpdate`] |
//! | `message_template_quality_update` | [`MessageTemplateQualityUpdate`] |
//! | `message_template_components_update` | [`MessageTemplateComponentsUpdate`] |
//! | `template_category_update` | [`TemplateCategoryUpdate`] |
//! | `account_update` | [`AccountUpdate`] |
//! | `account_alerts` | [`AccountAlerts`] |
//! | `account_review_update` | [`AccountReviewUpdate`] |
//! | `business_capability_update` | [`BusinessCapabilityUpdate`] |
//! | `phone_number_quality_update` | [`PhoneNumberQualityUpdate`] |
//! | `phone_number_name_update` | [`PhoneNumberNameUpdate`] |
//! | `security` | [`Security`] |
//! | `user_preferences` | [`UserPreferences`] |
//! | `partner_solutions` | [`PartnerSolutions`] |
//!
//! Meta omits keys freely: users with a username may have no phone number (`from`,
//! `wa_id`, `recipient_id` absent, [business-scoped user ids][bsuid] instead), a
//! reaction removal has no `emoji`, `conversation` is gone from v24.0 status
//! webhooks and `pricing` appears on only one of them. So nearly every field is an
//! `Option` or a (possibly empty) `Vec`.
//!
//! ```
//! use webhook_core::fields::whatsapp::{Change, MessageType};
//!
//! let value = r#"{"messaging_product":"whatsapp",
//!     "metadata":{"display_phone_number":"15550001111","phone_number_id":"301234567890123"},
//!     "contacts":[{"profile":{"name":"Ana"},"wa_id":"15557654321"}],
//!     "messages":[{"from":"15557654321","id":"wamid.A1","timestamp":"1750000000",
//!                  "type":"text","text":{"body":"Hi!"}}]}"#;
//! let change: Change = serde_json::from_str(value).unwrap();
//! let message = &change.messages[0];
//! assert_eq!(message.kind, Some(MessageType::Text));
//! assert_eq!(message.text_body(), Some("Hi!"));
//! assert_eq!(change.contact_for(message).and_then(|c| c.name()), Some("Ana"));
//! ```
//!
//! [bsuid]: https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/

// The `Value of (object, field).` lines are grepped verbatim, so field names stay
// without backticks there.
#![allow(clippy::doc_markdown)]

use std::fmt;

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::{Id, Number, Timestamp};

/// A time Meta documents as a Unix timestamp but which some deliveries carry as a
/// date string (`"2024-04-19T13:59:20+0000"`, `"April 17, 2025"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TimeOrText {
    /// A Unix time (a number, or a string of digits).
    Unix(Timestamp),
    /// Any other text, as sent.
    Text(String),
}

impl TimeOrText {
    /// The Unix time in seconds, if it was sent as one.
    #[must_use]
    pub fn unix_seconds(&self) -> Option<u64> {
        match self {
            Self::Unix(t) => Some(t.unix_seconds()),
            Self::Text(_) => None,
        }
    }
}

impl fmt::Display for TimeOrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(t) => write!(f, "{}", t.raw()),
            Self::Text(text) => f.write_str(text),
        }
    }
}

impl Serialize for TimeOrText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Unix(t) => t.serialize(serializer),
            Self::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for TimeOrText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = Number::deserialize(deserializer)?;
        Ok(match n.as_u64() {
            Some(t) => Self::Unix(Timestamp(t)),
            None => Self::Text(n.0),
        })
    }
}

/// A messaging limit, which Meta sends as a tier name (`"TIER_2K"`,
/// `"TIER_UNLIMITED"`) or as a number (`2000`, `-1` for unlimited) depending on the
/// field and the API version; kept as the text sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MessagingLimit(pub String);

impl MessagingLimit {
    /// The text sent (`TIER_2K`, `2000` ...).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the limit is unlimited (`TIER_UNLIMITED` or `-1`).
    #[must_use]
    pub fn is_unlimited(&self) -> bool {
        matches!(self.0.as_str(), "TIER_UNLIMITED" | "-1")
    }

    /// The number of messages (or conversations) a day, for a known tier name or a
    /// positive number; `None` when unlimited, not set or unknown.
    #[must_use]
    pub fn daily_limit(&self) -> Option<u64> {
        match self.0.as_str() {
            "TIER_50" => Some(50),
            "TIER_250" => Some(250),
            "TIER_1K" => Some(1_000),
            "TIER_2K" => Some(2_000),
            "TIER_10K" => Some(10_000),
            "TIER_100K" => Some(100_000),
            other => other.parse().ok().filter(|n| *n > 0),
        }
    }
}

impl fmt::Display for MessagingLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for MessagingLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MessagingLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Number::deserialize(deserializer).map(|n| Self(n.0))
    }
}

// ---------------------------------------------------------------------------
// messages: the envelope
// ---------------------------------------------------------------------------

/// Incoming messages, outgoing message statuses and system errors of one business
/// phone number.
///
/// Value of (whatsapp_business_account, messages).
///
/// One change holds one of `messages`, `statuses` or `errors` in practice, each
/// possibly with several elements.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Change {
    /// Always `whatsapp`.
    pub messaging_product: Option<String>,
    /// The business phone number the change is about.
    pub metadata: Option<Metadata>,
    /// The WhatsApp users the messages came from (or, for statuses, went to).
    /// System messages and failed statuses carry none.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Incoming messages.
    #[serde(default)]
    pub messages: Vec<Message>,
    /// Status updates of messages the business sent.
    #[serde(default)]
    pub statuses: Vec<Status>,
    /// System-level errors, not tied to one message (a rate limit hit, ...).
    #[serde(default)]
    pub errors: Vec<Error>,
}

impl Change {
    /// The business phone number id (`metadata.phone_number_id`).
    #[must_use]
    pub fn phone_number_id(&self) -> Option<&str> {
        self.metadata.as_ref()?.phone_number_id.as_deref()
    }

    /// The contact that sent `message`: the one whose `wa_id` is the message's
    /// `from`, or whose `user_id` is its `from_user_id`; failing both, the only
    /// contact of the change if there is exactly one.
    #[must_use]
    pub fn contact_for(&self, message: &Message) -> Option<&Contact> {
        self.contacts
            .iter()
            .find(|c| {
                let by_phone = matches!((&c.wa_id, &message.from), (Some(a), Some(b)) if a == b);
                let by_user =
                    matches!((&c.user_id, &message.from_user_id), (Some(a), Some(b)) if a == b);
                by_phone || by_user
            })
            .or(match self.contacts.as_slice() {
                [only] => Some(only),
                _ => None,
            })
    }

    /// The contact a status is about: the one whose `wa_id` is the status's
    /// `recipient_id` (or `recipient_participant_id` in a group), or whose `user_id`
    /// is its `recipient_user_id`; failing those, the only contact if there is one.
    #[must_use]
    pub fn contact_for_status(&self, status: &Status) -> Option<&Contact> {
        self.contacts
            .iter()
            .find(|c| {
                let phone = status
                    .recipient_participant_id
                    .as_ref()
                    .or(status.recipient_id.as_ref());
                let by_phone = matches!((&c.wa_id, phone), (Some(a), Some(b)) if a == b);
                let by_user = matches!(
                    (&c.user_id, &status.recipient_user_id),
                    (Some(a), Some(b)) if a == b
                );
                by_phone || by_user
            })
            .or(match self.contacts.as_slice() {
                [only] => Some(only),
                _ => None,
            })
    }
}

/// The business phone number a `messages` (or `user_preferences`) change is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Metadata {
    /// The business phone number as displayed (`15550783881`).
    pub display_phone_number: Option<Id>,
    /// The business phone number id, to send replies from.
    pub phone_number_id: Option<Id>,
}

/// A WhatsApp user a change is about.
///
/// Element of (whatsapp_business_account, messages) value.contacts[].
/// Element of (whatsapp_business_account, user_preferences) value.contacts[].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Contact {
    /// The user's profile.
    pub profile: Option<Profile>,
    /// The user's WhatsApp id (usually their phone number); absent for users with a
    /// username whose number cannot be shared.
    pub wa_id: Option<Id>,
    /// The user's business-scoped user id (`US.13491208655302741918`).
    pub user_id: Option<String>,
    /// The user's parent business-scoped user id, for linked business portfolios.
    pub parent_user_id: Option<String>,
    /// The identity key hash, when the identity change check is on.
    pub identity_key_hash: Option<String>,
}

impl Contact {
    /// The profile name.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.profile.as_ref()?.name.as_deref()
    }

    /// The username (`@sheena`), for users who set one.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        self.profile.as_ref()?.username.as_deref()
    }
}

/// A WhatsApp user's profile.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Profile {
    /// The name the user set in WhatsApp.
    pub name: Option<String>,
    /// The user's username, if they adopted one.
    pub username: Option<String>,
}

// ---------------------------------------------------------------------------
// messages: incoming messages
// ---------------------------------------------------------------------------

super::string_enum! {
    /// The `type` of an incoming message.
    pub enum MessageType {
        Text = "text",
        Image = "image",
        Audio = "audio",
        Video = "video",
        Document = "document",
        Sticker = "sticker",
        Location = "location",
        Contacts = "contacts",
        Interactive = "interactive",
        Button = "button",
        Reaction = "reaction",
        Order = "order",
        System = "system",
        Unsupported = "unsupported",
        RequestWelcome = "request_welcome",
        Edit = "edit",
        Revoke = "revoke",
        Unknown = "unknown",
    }
}

/// A message a WhatsApp user sent to the business.
///
/// Element of (whatsapp_business_account, messages) value.messages[].
///
/// The payload is in the field named after [`kind`](Self::kind): `text` for
/// `text`, `image` for `image`, and so on.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Message {
    /// The sender's phone number; absent for users with a username whose number
    /// cannot be shared (see [`from_user_id`](Self::from_user_id)).
    pub from: Option<Id>,
    /// The sender's business-scoped user id.
    pub from_user_id: Option<String>,
    /// The sender's parent business-scoped user id.
    pub from_parent_user_id: Option<String>,
    /// The group the message was sent in, for group messages.
    pub group_id: Option<String>,
    /// The WhatsApp message id (`wamid....`).
    pub id: Option<String>,
    /// When the message was received, in Unix seconds.
    pub timestamp: Option<Timestamp>,
    /// The message type (JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<MessageType>,
    /// What the message replies to or forwards.
    pub context: Option<Context>,
    /// The Click to WhatsApp ad the message came from.
    pub referral: Option<Referral>,
    /// Identity information (identity change check).
    pub identity: Option<Identity>,
    /// Where a shared contact came from (`contact_request/other`).
    pub origin: Option<String>,
    /// The text of a `text` message.
    pub text: Option<Text>,
    /// The image of an `image` message.
    pub image: Option<Media>,
    /// The audio of an `audio` message (a voice note if `voice` is true).
    pub audio: Option<Media>,
    /// The video of a `video` message.
    pub video: Option<Media>,
    /// The document of a `document` message.
    pub document: Option<Media>,
    /// The sticker of a `sticker` message.
    pub sticker: Option<Media>,
    /// The location of a `location` message.
    pub location: Option<Location>,
    /// The contact cards of a `contacts` message.
    #[serde(default)]
    pub contacts: Vec<SharedContact>,
    /// The reply of an `interactive` message.
    pub interactive: Option<Interactive>,
    /// The quick-reply button of a `button` message.
    pub button: Option<Button>,
    /// The reaction of a `reaction` message.
    pub reaction: Option<Reaction>,
    /// The order of an `order` message.
    pub order: Option<Order>,
    /// The event of a `system` message.
    pub system: Option<System>,
    /// What an `unsupported` message was.
    pub unsupported: Option<Unsupported>,
    /// The edit of an `edit` message.
    pub edit: Option<Edit>,
    /// The deletion of a `revoke` message.
    pub revoke: Option<Revoke>,
    /// Why the message could not be handled (`unsupported` messages).
    #[serde(default)]
    pub errors: Vec<Error>,
}

impl Message {
    /// The text of a `text` message.
    #[must_use]
    pub fn text_body(&self) -> Option<&str> {
        self.text.as_ref()?.body.as_deref()
    }

    /// The sender: the phone number if sent, otherwise the business-scoped user id.
    #[must_use]
    pub fn sender(&self) -> Option<&str> {
        self.from.as_deref().or(self.from_user_id.as_deref())
    }

    /// The media of an `image`, `audio`, `video`, `document` or `sticker` message.
    #[must_use]
    pub fn media(&self) -> Option<&Media> {
        self.image
            .as_ref()
            .or(self.audio.as_ref())
            .or(self.video.as_ref())
            .or(self.document.as_ref())
            .or(self.sticker.as_ref())
    }

    /// The id of the message this one replies to (`context.id`).
    #[must_use]
    pub fn reply_to(&self) -> Option<&str> {
        self.context.as_ref()?.id.as_deref()
    }

    /// Whether the user forwarded the message.
    #[must_use]
    pub fn is_forwarded(&self) -> bool {
        self.context.as_ref().is_some_and(Context::is_forwarded)
    }
}

/// What a message replies to, forwards, or asks about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Context {
    /// The business phone number that sent the message replied to.
    pub from: Option<Id>,
    /// The id of the message replied to (or holding the tapped button).
    pub id: Option<String>,
    /// Present and true if the message was forwarded (5 times or fewer).
    pub forwarded: Option<bool>,
    /// Present and true if the message was forwarded more than 5 times.
    pub frequently_forwarded: Option<bool>,
    /// The product asked about through a **Message business** button.
    pub referred_product: Option<ReferredProduct>,
}

impl Context {
    /// Whether the message was forwarded, frequently or not.
    #[must_use]
    pub fn is_forwarded(&self) -> bool {
        self.forwarded == Some(true) || self.frequently_forwarded == Some(true)
    }
}

/// A catalog product a message is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ReferredProduct {
    /// The product catalog id.
    pub catalog_id: Option<Id>,
    /// The product's retailer id (SKU).
    pub product_retailer_id: Option<String>,
}

/// The Click to WhatsApp ad a message came from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Referral {
    /// The ad's URL.
    pub source_url: Option<String>,
    /// The ad id.
    pub source_id: Option<Id>,
    /// The source type (`ad`, `post`).
    pub source_type: Option<String>,
    /// The ad's primary text.
    pub body: Option<String>,
    /// The ad's headline.
    pub headline: Option<String>,
    /// The ad's media type (`image`, `video`).
    pub media_type: Option<String>,
    /// The ad's image URL, for image ads.
    pub image_url: Option<String>,
    /// The ad's video URL, for video ads.
    pub video_url: Option<String>,
    /// The ad's video thumbnail URL, for video ads.
    pub thumbnail_url: Option<String>,
    /// The click id; absent for ads in WhatsApp Status.
    pub ctwa_clid: Option<String>,
    /// The ad's greeting.
    pub welcome_message: Option<WelcomeMessage>,
}

/// A Click to WhatsApp ad greeting.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct WelcomeMessage {
    /// The greeting text.
    pub text: Option<String>,
}

/// Identity information of a message's sender (identity change check).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Identity {
    /// Whether the identity change was acknowledged.
    pub acknowledged: Option<bool>,
    /// When the change was detected (Meta sends milliseconds here at times).
    pub created_timestamp: Option<Timestamp>,
    /// The identity hash.
    pub hash: Option<String>,
}

/// The text of a `text` message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Text {
    /// The text.
    pub body: Option<String>,
}

/// A media asset of an `image`, `audio`, `video`, `document` or `sticker` message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Media {
    /// The media id, to fetch the asset's URL with (`GET /{media-id}`).
    pub id: Option<Id>,
    /// The MIME type (`image/jpeg`, `audio/ogg; codecs=opus` ...).
    pub mime_type: Option<String>,
    /// The asset's SHA-256 hash.
    pub sha256: Option<String>,
    /// A URL to download the asset from directly (with the access token), on
    /// newer deliveries.
    pub url: Option<String>,
    /// The caption of an image, video or document.
    pub caption: Option<String>,
    /// The file name of a document.
    pub filename: Option<String>,
    /// Whether a sticker is animated.
    pub animated: Option<bool>,
    /// Whether an audio is a voice note recorded in WhatsApp.
    pub voice: Option<bool>,
}

/// The location of a `location` message.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Location {
    /// Latitude in decimal degrees (also read from a string).
    #[serde(default, deserialize_with = "super::lenient::option_f64")]
    pub latitude: Option<f64>,
    /// Longitude in decimal degrees (also read from a string).
    #[serde(default, deserialize_with = "super::lenient::option_f64")]
    pub longitude: Option<f64>,
    /// The place's name.
    pub name: Option<String>,
    /// The place's address.
    pub address: Option<String>,
    /// The place's URL (usually for businesses).
    pub url: Option<String>,
}

/// A contact card shared in a `contacts` message. Users may leave out any part.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct SharedContact {
    /// The contact's name.
    pub name: Option<ContactName>,
    /// Phone numbers.
    #[serde(default)]
    pub phones: Vec<ContactPhone>,
    /// Email addresses.
    #[serde(default)]
    pub emails: Vec<ContactEmail>,
    /// Organisation.
    pub org: Option<ContactOrg>,
    /// Web sites.
    #[serde(default)]
    pub urls: Vec<ContactUrl>,
    /// Postal addresses.
    #[serde(default)]
    pub addresses: Vec<ContactAddress>,
    /// Birthday (`YYYY-MM-DD`).
    pub birthday: Option<String>,
    /// The raw vCard, when a user shared their own card on request.
    pub vcard: Option<String>,
}

/// A shared contact's name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ContactName {
    /// The full name as displayed.
    pub formatted_name: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Suffix (`Jr.`).
    pub suffix: Option<String>,
    /// Prefix (`Dr.`).
    pub prefix: Option<String>,
}

/// A shared contact's phone number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ContactPhone {
    /// The number as written in the card.
    pub phone: Option<String>,
    /// The number's WhatsApp id, if it uses WhatsApp.
    pub wa_id: Option<Id>,
    /// The kind of number (`CELL`, `MOBILE`, `HOME`, `WORK` ...; JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A shared contact's email address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ContactEmail {
    /// The address.
    pub email: Option<String>,
    /// The kind of address (`HOME`, `WORK` ...; JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A shared contact's organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ContactOrg {
    /// Company.
    pub company: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Job title.
    pub title: Option<String>,
}

/// A shared contact's web site.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ContactUrl {
    /// The URL.
    pub url: Option<String>,
    /// The kind of site (`HOME`, `WORK`, `Company` ...; JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A shared contact's postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ContactAddress {
    /// Street.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// Country name.
    pub country: Option<String>,
    /// ISO country code.
    pub country_code: Option<String>,
    /// The kind of address (`HOME`, `WORK` ...; JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

super::string_enum! {
    /// The `type` of an `interactive` message: which kind of reply it carries.
    pub enum InteractiveType {
        ButtonReply = "button_reply",
        ListReply = "list_reply",
        NfmReply = "nfm_reply",
        CallPermissionReply = "call_permission_reply",
    }
}

/// A user's reply to an interactive message the business sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Interactive {
    /// Which reply this is (JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<InteractiveType>,
    /// The reply button tapped.
    pub button_reply: Option<ButtonReply>,
    /// The list row chosen.
    pub list_reply: Option<ListReply>,
    /// A Flow's (or address message's) submitted answers.
    pub nfm_reply: Option<NfmReply>,
    /// The answer to a call permission request.
    pub call_permission_reply: Option<CallPermissionReply>,
}

impl Interactive {
    /// The id of the button or list row the user chose.
    #[must_use]
    pub fn reply_id(&self) -> Option<&str> {
        let button = self.button_reply.as_ref().and_then(|r| r.id.as_deref());
        button.or_else(|| self.list_reply.as_ref()?.id.as_deref())
    }
}

/// A reply button tapped by the user.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ButtonReply {
    /// The button id the business set.
    pub id: Option<String>,
    /// The button label.
    pub title: Option<String>,
}

/// A list row chosen by the user.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ListReply {
    /// The row id the business set.
    pub id: Option<String>,
    /// The row title.
    pub title: Option<String>,
    /// The row description.
    pub description: Option<String>,
}

/// A submitted Flow (or address message): `nfm_reply`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct NfmReply {
    /// `flow` or `address_message`.
    pub name: Option<String>,
    /// The text shown in the chat (`Sent`).
    pub body: Option<String>,
    /// The answers, as a JSON-encoded string; read it with
    /// [`response_as`](Self::response_as).
    pub response_json: Option<String>,
}

impl NfmReply {
    /// Decodes [`response_json`](Self::response_json) into `T` (a struct of the
    /// Flow's fields, or `serde_json::Value`); `None` if there is none.
    pub fn response_as<T: DeserializeOwned>(&self) -> Option<serde_json::Result<T>> {
        self.response_json.as_deref().map(serde_json::from_str)
    }
}

/// A user's answer to a call permission request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct CallPermissionReply {
    /// `accept` or `reject`.
    pub response: Option<String>,
    /// Whether the permission is permanent.
    pub is_permanent: Option<bool>,
    /// When a temporary permission expires, in Unix seconds.
    pub expiration_timestamp: Option<Timestamp>,
    /// How the user answered (`user_action`, `automatic`).
    pub response_source: Option<String>,
}

/// A quick-reply button tapped in a template message (`button` message).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Button {
    /// The payload the business set on the button.
    pub payload: Option<String>,
    /// The button label.
    pub text: Option<String>,
}

/// A reaction to a message the business sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Reaction {
    /// The id of the message reacted to.
    pub message_id: Option<String>,
    /// The emoji; absent (older payloads: empty) when the user removed a reaction.
    pub emoji: Option<String>,
}

impl Reaction {
    /// Whether this removes an earlier reaction.
    #[must_use]
    pub fn is_removal(&self) -> bool {
        self.emoji.as_deref().is_none_or(str::is_empty)
    }
}

/// An order placed from a catalog, single- or multi-product message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Order {
    /// The product catalog id.
    pub catalog_id: Option<Id>,
    /// Text the user sent with the order.
    pub text: Option<String>,
    /// The products ordered.
    #[serde(default)]
    pub product_items: Vec<ProductItem>,
}

/// One product line of an [`Order`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ProductItem {
    /// The product's retailer id (SKU).
    pub product_retailer_id: Option<String>,
    /// How many.
    pub quantity: Option<Number>,
    /// The price of one item.
    pub item_price: Option<Number>,
    /// The currency (`USD`).
    pub currency: Option<String>,
}

super::string_enum! {
    /// The `type` of a `system` message.
    pub enum SystemType {
        UserChangedNumber = "user_changed_number",
        UserChangedUserId = "user_changed_user_id",
        CustomerChangedNumber = "customer_changed_number",
        CustomerIdentityChanged = "customer_identity_changed",
    }
}

/// The event of a `system` message (a user changed their number, ...).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct System {
    /// A description (`User Ana changed from 15551230000 to 15559870000`).
    pub body: Option<String>,
    /// What happened (JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<SystemType>,
    /// The user's new WhatsApp id.
    pub wa_id: Option<Id>,
    /// The user's new WhatsApp id (older payloads).
    pub new_wa_id: Option<Id>,
    /// The user's WhatsApp id before the change (older payloads).
    pub customer: Option<Id>,
    /// The user's new business-scoped user id.
    pub user_id: Option<String>,
    /// The user's new parent business-scoped user id.
    pub parent_user_id: Option<String>,
    /// The identity hash (identity changes).
    pub identity: Option<String>,
}

/// What an `unsupported` message was.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Unsupported {
    /// The unsupported type (`poll_creation`, `edit`, `gif` ...; JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// An edit of an earlier message (WhatsApp Business app coexistence).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Edit {
    /// The id of the message edited.
    pub original_message_id: Option<String>,
    /// The new content: a message with only its `type`, payload and context.
    pub message: Option<Box<Message>>,
}

/// The deletion of an earlier message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Revoke {
    /// The id of the message deleted.
    pub original_message_id: Option<String>,
}

// ---------------------------------------------------------------------------
// messages: statuses and errors
// ---------------------------------------------------------------------------

super::string_enum! {
    /// The `status` of a message the business sent.
    pub enum DeliveryStatus {
        Sent = "sent",
        Delivered = "delivered",
        Read = "read",
        Failed = "failed",
        /// A voice message was played for the first time.
        Played = "played",
        Deleted = "deleted",
        Warning = "warning",
    }
}

/// A status update of a message the business sent.
///
/// Element of (whatsapp_business_account, messages) value.statuses[].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Status {
    /// The id of the message (`wamid....`).
    pub id: Option<String>,
    /// The new status.
    pub status: Option<DeliveryStatus>,
    /// When the status changed, in Unix seconds.
    pub timestamp: Option<Timestamp>,
    /// The recipient's phone number, or the group id; absent when the message was
    /// sent to a business-scoped user id whose number cannot be shared.
    pub recipient_id: Option<Id>,
    /// The recipient's business-scoped user id, if the message was sent to one.
    pub recipient_user_id: Option<String>,
    /// The recipient's parent business-scoped user id.
    pub parent_recipient_user_id: Option<String>,
    /// The recipient's parent business-scoped user id (spelling used by some
    /// deliveries).
    pub parent_user_id: Option<String>,
    /// `group` for a message sent to a group.
    pub recipient_type: Option<String>,
    /// In a group, the phone number of the participant the status is about.
    pub recipient_participant_id: Option<Id>,
    /// In a group, the participant's business-scoped user id.
    pub recipient_participant_user_id: Option<String>,
    /// In a group, the participant's parent business-scoped user id.
    pub recipient_participant_parent_user_id: Option<String>,
    /// The recipient's identity key hash (identity change check).
    pub recipient_identity_key_hash: Option<String>,
    /// The `biz_opaque_callback_data` the business sent the message with.
    pub biz_opaque_callback_data: Option<String>,
    /// The conversation; omitted from v24.0 on except for free entry points.
    pub conversation: Option<Conversation>,
    /// Pricing; on one status of a message only.
    pub pricing: Option<Pricing>,
    /// Why the message failed (`failed` statuses).
    #[serde(default)]
    pub errors: Vec<Error>,
}

super::string_enum! {
    /// A conversation category (`conversation.origin.type`).
    pub enum ConversationCategory {
        Authentication = "authentication",
        AuthenticationInternational = "authentication_international",
        Marketing = "marketing",
        MarketingLite = "marketing_lite",
        ReferralConversion = "referral_conversion",
        Service = "service",
        Utility = "utility",
    }
}

/// The conversation a status belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Conversation {
    /// The conversation id.
    pub id: Option<String>,
    /// When the conversation expires (on `sent` statuses only).
    pub expiration_timestamp: Option<Timestamp>,
    /// Where the conversation started.
    pub origin: Option<ConversationOrigin>,
}

/// The origin of a [`Conversation`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ConversationOrigin {
    /// The conversation category (JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<ConversationCategory>,
}

super::string_enum! {
    /// A pricing model.
    pub enum PricingModel {
        /// Conversation-based pricing (before July 2025).
        Cbp = "CBP",
        /// Per-message pricing.
        Pmp = "PMP",
    }
}

super::string_enum! {
    /// The rate applied to a message.
    pub enum PricingCategory {
        Authentication = "authentication",
        AuthenticationInternational = "authentication_international",
        GroupMarketing = "group_marketing",
        GroupService = "group_service",
        GroupUtility = "group_utility",
        Marketing = "marketing",
        MarketingLite = "marketing_lite",
        ReferralConversion = "referral_conversion",
        Service = "service",
        Utility = "utility",
    }
}

super::string_enum! {
    /// Whether and why a message is charged (`pricing.type`).
    pub enum PricingType {
        Regular = "regular",
        FreeCustomerService = "free_customer_service",
        FreeEntryPoint = "free_entry_point",
        FreeGroupCustomerService = "free_group_customer_service",
    }
}

/// How a message is priced.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Pricing {
    /// Whether the message is billable (being deprecated for `kind` + `category`).
    pub billable: Option<bool>,
    /// The pricing model.
    pub pricing_model: Option<PricingModel>,
    /// The rate applied.
    pub category: Option<PricingCategory>,
    /// Whether and why the message is charged (JSON `type`).
    #[serde(rename = "type")]
    pub kind: Option<PricingType>,
}

/// An error: of a failed status, of an unsupported message, or of the whole
/// phone number.
///
/// Element of (whatsapp_business_account, messages) value.errors[].
/// Element of (whatsapp_business_account, messages) value.statuses[].errors[].
/// Element of (whatsapp_business_account, messages) value.messages[].errors[].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Error {
    /// The error code (`131049`, `130429` ...; also read from a string).
    #[serde(default, deserialize_with = "super::lenient::option_i64")]
    pub code: Option<i64>,
    /// The error title.
    pub title: Option<String>,
    /// The error message (same as `title`).
    pub message: Option<String>,
    /// Details.
    pub error_data: Option<ErrorData>,
    /// A link to the error code documentation.
    pub href: Option<String>,
}

/// Details of an [`Error`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ErrorData {
    /// A description of the error.
    pub details: Option<String>,
}

// ---------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------

super::string_enum! {
    /// A template status event.
    pub enum TemplateStatusEvent {
        Approved = "APPROVED",
        Archived = "ARCHIVED",
        Unarchived = "UNARCHIVED",
        Deleted = "DELETED",
        Disabled = "DISABLED",
        Flagged = "FLAGGED",
        InAppeal = "IN_APPEAL",
        LimitExceeded = "LIMIT_EXCEEDED",
        Locked = "LOCKED",
        Unlocked = "UNLOCKED",
        Paused = "PAUSED",
        Pending = "PENDING",
        Reinstated = "REINSTATED",
        PendingDeletion = "PENDING_DELETION",
        Rejected = "REJECTED",
    }
}

super::string_enum! {
    /// Why a template was rejected (or `NONE`).
    pub enum TemplateRejectionReason {
        AbusiveContent = "ABUSIVE_CONTENT",
        CategoryNotAvailable = "CATEGORY_NOT_AVAILABLE",
        IncorrectCategory = "INCORRECT_CATEGORY",
        InvalidFormat = "INVALID_FORMAT",
        /// No reason: the template was not rejected (or was paused).
        NoReason = "NONE",
        Promotional = "PROMOTIONAL",
        Scam = "SCAM",
        TagContentMismatch = "TAG_CONTENT_MISMATCH",
    }
}

super::string_enum! {
    /// A template category.
    pub enum TemplateCategory {
        Authentication = "AUTHENTICATION",
        Marketing = "MARKETING",
        Utility = "UTILITY",
    }
}

/// A change of a template's status.
///
/// Value of (whatsapp_business_account, message_template_status_update).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct MessageTemplateStatusUpdate {
    /// What happened.
    pub event: Option<TemplateStatusEvent>,
    /// The template id (Meta sends a JSON number).
    pub message_template_id: Option<Id>,
    /// The template name.
    pub message_template_name: Option<String>,
    /// The template language and locale (`en_US`).
    pub message_template_language: Option<String>,
    /// Why it was rejected; `NONE` when not, `null` for a scheduled deletion.
    pub reason: Option<TemplateRejectionReason>,
    /// The template category.
    pub message_template_category: Option<TemplateCategory>,
    /// When it was disabled (`DISABLED` events).
    pub disable_info: Option<DisableInfo>,
    /// Why it was locked or unlocked, paused or unpaused.
    pub other_info: Option<OtherInfo>,
    /// Details of an `INVALID_FORMAT` rejection.
    pub rejection_info: Option<RejectionInfo>,
}

/// When a template was disabled.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct DisableInfo {
    /// The time it was disabled.
    pub disable_date: Option<TimeOrText>,
}

/// Why a template was locked, unlocked, paused or unpaused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct OtherInfo {
    /// `FIRST_PAUSE`, `SECOND_PAUSE`, `RATE_LIMITING_PAUSE`, `UNPAUSE`, `DISABLED` ...
    pub title: Option<String>,
    /// A description.
    pub description: Option<String>,
}

/// Details of a template rejection.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct RejectionInfo {
    /// What is wrong with the template.
    pub reason: Option<String>,
    /// How to fix it.
    pub recommendation: Option<String>,
}

super::string_enum! {
    /// A template quality score.
    pub enum QualityScore {
        Green = "GREEN",
        Yellow = "YELLOW",
        Red = "RED",
        /// Quality pending.
        Unknown = "UNKNOWN",
    }
}

/// A change of a template's quality score.
///
/// Value of (whatsapp_business_account, message_template_quality_update).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct MessageTemplateQualityUpdate {
    /// The score before.
    pub previous_quality_score: Option<QualityScore>,
    /// The score now.
    pub new_quality_score: Option<QualityScore>,
    /// The template id.
    pub message_template_id: Option<Id>,
    /// The template name.
    pub message_template_name: Option<String>,
    /// The template language and locale.
    pub message_template_language: Option<String>,
}

/// A change of a template's category, announced 24 hours ahead (with
/// `correct_category`) and when done (with `previous_category`).
///
/// Value of (whatsapp_business_account, template_category_update).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct TemplateCategoryUpdate {
    /// The template id.
    pub message_template_id: Option<Id>,
    /// The template name.
    pub message_template_name: Option<String>,
    /// The template language and locale.
    pub message_template_language: Option<String>,
    /// The category before a completed change.
    pub previous_category: Option<TemplateCategory>,
    /// The new category after a completed change, or the *current* category in an
    /// announcement.
    pub new_category: Option<TemplateCategory>,
    /// In an announcement, the category the template will get.
    pub correct_category: Option<TemplateCategory>,
    /// In an announcement, when the change will happen.
    pub category_update_timestamp: Option<Timestamp>,
}

impl TemplateCategoryUpdate {
    /// Whether this announces a change still to come.
    #[must_use]
    pub fn is_announcement(&self) -> bool {
        self.correct_category.is_some()
    }
}

/// An edit of a template's components.
///
/// Value of (whatsapp_business_account, message_template_components_update).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct MessageTemplateComponentsUpdate {
    /// The template id.
    pub message_template_id: Option<Id>,
    /// The template name.
    pub message_template_name: Option<String>,
    /// The template language and locale.
    pub message_template_language: Option<String>,
    /// The body text.
    pub message_template_element: Option<String>,
    /// The text header, if any.
    pub message_template_title: Option<String>,
    /// The footer, if any.
    pub message_template_footer: Option<String>,
    /// The URL and phone number buttons.
    #[serde(default)]
    pub message_template_buttons: Vec<TemplateButton>,
}

/// A URL or phone number button of a template.
///
/// Element of (whatsapp_business_account, message_template_components_update) value.message_template_buttons[].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct TemplateButton {
    /// `URL` or `PHONE_NUMBER`.
    pub message_template_button_type: Option<String>,
    /// The label.
    pub message_template_button_text: Option<String>,
    /// The URL of a URL button.
    pub message_template_button_url: Option<String>,
    /// The number of a phone number button.
    pub message_template_button_phone_number: Option<String>,
}

// ---------------------------------------------------------------------------
// Account
// ---------------------------------------------------------------------------

super::string_enum! {
    /// An `account_update` event.
    pub enum AccountUpdateEvent {
        AccountDeleted = "ACCOUNT_DELETED",
        AccountOffboarded = "ACCOUNT_OFFBOARDED",
        AccountReconnected = "ACCOUNT_RECONNECTED",
        AccountRestriction = "ACCOUNT_RESTRICTION",
        AccountViolation = "ACCOUNT_VIOLATION",
        AdAccountLinked = "AD_ACCOUNT_LINKED",
        AuthIntlPriceEligibilityUpdate = "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE",
        BusinessPrimaryLocationCountryUpdate = "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE",
        DisabledUpdate = "DISABLED_UPDATE",
        MmLiteTermsSigned = "MM_LITE_TERMS_SIGNED",
        PartnerAdded = "PARTNER_ADDED",
        PartnerAppInstalled = "PARTNER_APP_INSTALLED",
        PartnerAppUninstalled = "PARTNER_APP_UNINSTALLED",
        PartnerClientCertificationStatusUpdate = "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE",
        PartnerRemoved = "PARTNER_REMOVED",
        VolumeBasedPricingTierUpdate = "VOLUME_BASED_PRICING_TIER_UPDATE",
    }
}

super::string_enum! {
    /// A WhatsApp Business Account ban state.
    pub enum BanState {
        Disable = "DISABLE",
        Reinstate = "REINSTATE",
        ScheduleForDisable = "SCHEDULE_FOR_DISABLE",
    }
}

super::string_enum! {
    /// A restriction applied to a WhatsApp Business Account.
    pub enum RestrictionType {
        RestrictedAddPhoneNumberAction = "RESTRICTED_ADD_PHONE_NUMBER_ACTION",
        RestrictedBizInitiatedAndUserInitiatedCalling =
            "RESTRICTED_BIZ_INITIATED_AND_USER_INITIATED_CALLING",
        RestrictedBizInitiatedMessaging = "RESTRICTED_BIZ_INITIATED_MESSAGING",
        RestrictedBusinessInitiatedCalling = "RESTRICTED_BUSINESS_INITIATED_CALLING",
        RestrictedCustomerInitiatedMessaging = "RESTRICTED_CUSTOMER_INITIATED_MESSAGING",
        RestrictedDirectSendUtilityTemplates = "RESTRICTED_DIRECT_SEND_UTILITY_TEMPLATES",
        RestrictedUserInitiatedCalling = "RESTRICTED_USER_INITIATED_CALLING",
        RestrictedUserInitiatedCallingCallButtonHidden =
            "RESTRICTED_USER_INITIATED_CALLING_CALL_BUTTON_HIDDEN",
        RestrictedUtilityTemplates = "RESTRICTED_UTILITY_TEMPLATES",
    }
}

/// A change to a WhatsApp Business Account: violations, restrictions, bans,
/// partner sharing, pricing eligibility, deletion ...
///
/// Value of (whatsapp_business_account, account_update).
///
/// Which of the optional parts is present depends on [`event`](Self::event).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AccountUpdate {
    /// What happened.
    pub event: Option<AccountUpdateEvent>,
    /// The primary business location (`BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE`).
    pub country: Option<String>,
    /// The account and its owner (`AD_ACCOUNT_LINKED`, `MM_LITE_TERMS_SIGNED`,
    /// `PARTNER_*`).
    pub waba_info: Option<WabaInfo>,
    /// The violation (`ACCOUNT_VIOLATION`).
    pub violation_info: Option<ViolationInfo>,
    /// Authentication-international rate eligibility
    /// (`AUTH_INTL_PRICE_ELIGIBILITY_UPDATE`).
    pub auth_international_rate_eligibility: Option<AuthInternationalRateEligibility>,
    /// The ban (`DISABLED_UPDATE`).
    pub ban_info: Option<BanInfo>,
    /// The restrictions (`ACCOUNT_RESTRICTION`).
    #[serde(default)]
    pub restriction_info: Vec<Restriction>,
    /// The volume-based pricing tier (`VOLUME_BASED_PRICING_TIER_UPDATE`).
    pub volume_tier_info: Option<VolumeTierInfo>,
    /// Why a coexistence account was disconnected (`PARTNER_REMOVED`).
    pub disconnection_info: Option<DisconnectionInfo>,
    /// Partner-led business verification (`PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE`).
    pub partner_client_certification_info: Option<PartnerClientCertificationInfo>,
}

/// A WhatsApp Business Account and who owns it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct WabaInfo {
    /// The WhatsApp Business Account id.
    pub waba_id: Option<Id>,
    /// The owning business portfolio id.
    pub owner_business_id: Option<Id>,
    /// The ad account linked (`AD_ACCOUNT_LINKED`).
    pub ad_account_linked: Option<Id>,
    /// The partner app (`PARTNER_APP_INSTALLED`, `PARTNER_APP_UNINSTALLED`).
    pub partner_app_id: Option<Id>,
    /// The Multi-Partner Solution id.
    pub solution_id: Option<Id>,
    /// The business portfolios of the solution's partners.
    #[serde(default)]
    pub solution_partner_business_ids: Vec<Id>,
}

/// A policy violation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ViolationInfo {
    /// The violation type (`ADULT`, `SCAM` ...).
    pub violation_type: Option<String>,
}

/// Authentication-international rate eligibility.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AuthInternationalRateEligibility {
    /// When the rates start for countries without an exception.
    pub start_time: Option<Timestamp>,
    /// Countries with their own start time.
    #[serde(default)]
    pub exception_countries: Vec<ExceptionCountry>,
}

/// A country with its own authentication-international start time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct ExceptionCountry {
    /// ISO 3166-1 alpha-2 code.
    pub country_code: Option<String>,
    /// When the rates start there.
    pub start_time: Option<Timestamp>,
}

/// A WhatsApp Business Account ban.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct BanInfo {
    /// The ban state.
    pub waba_ban_state: Option<BanState>,
    /// The ban date, as Meta writes it (`April 17, 2025`).
    pub waba_ban_date: Option<String>,
}

/// A restriction on a WhatsApp Business Account.
///
/// Element of (whatsapp_business_account, account_update) value.restriction_info[].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Restriction {
    /// What is restricted.
    pub restriction_type: Option<RestrictionType>,
    /// When the restriction expires (documented as Unix time; some deliveries
    /// carry a date string).
    pub expiration: Option<TimeOrText>,
    /// What the business can do about it.
    pub remediation: Option<String>,
}

/// A volume-based pricing tier.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct VolumeTierInfo {
    /// When the tier changed.
    pub tier_update_time: Option<Timestamp>,
    /// The pricing category (`UTILITY`).
    pub pricing_category: Option<String>,
    /// The volume range, `min:max`.
    pub tier: Option<String>,
    /// The month the tier applies to, `YYYY-MM`.
    pub effective_month: Option<String>,
    /// The region (`India`).
    pub region: Option<String>,
}

/// Why a WhatsApp Business app (coexistence) account was disconnected.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct DisconnectionInfo {
    /// `ACCOUNT_DISCONNECTED`, `BUSINESS_DOWNGRADE`, `CHANGE_NUMBER`,
    /// `COMPANION_INACTIVITY`, `PRIMARY_INACTIVITY`, `USER_RE_REGISTERED` ...
    pub reason: Option<String>,
    /// `USER` or `SYSTEM`.
    pub initiated_by: Option<String>,
}

/// The outcome of a partner-led business verification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PartnerClientCertificationInfo {
    /// The client's business portfolio id.
    pub client_business_id: Option<Id>,
    /// `APPROVED`, `DISCARDED`, `FAILED`, `PENDING`, `REVOKED` ...
    pub status: Option<String>,
    /// Why it failed (`NONE` when it did not).
    #[serde(default)]
    pub rejection_reasons: Vec<String>,
}

super::string_enum! {
    /// An `account_alerts` entity type.
    pub enum AlertEntityType {
        Business = "BUSINESS",
        PhoneNumber = "PHONE_NUMBER",
        /// A business profile.
        CurrentStatusId = "CURRENT_STATUS_ID",
    }
}

super::string_enum! {
    /// An alert severity.
    pub enum AlertSeverity {
        Critical = "CRITICAL",
        Informational = "INFORMATIONAL",
        Warning = "WARNING",
    }
}

super::string_enum! {
    /// An alert type.
    pub enum AlertType {
        IncreasedCapabilitiesEligibilityDeferred = "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED",
        IncreasedCapabilitiesEligibilityFailed = "INCREASED_CAPABILITIES_ELIGIBILITY_FAILED",
        IncreasedCapabilitiesEligibilityNeedMoreInfo =
            "INCREASED_CAPABILITIES_ELIGIBILITY_NEED_MORE_INFO",
        ObaApproved = "OBA_APPROVED",
        ObaRejected = "OBA_REJECTED",
        ProfilePictureLost = "PROFILE_PICTURE_LOST",
    }
}

/// An alert about messaging limits, the Official Business Account status or the
/// business profile.
///
/// Value of (whatsapp_business_account, account_alerts).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AccountAlerts {
    /// What the alert is about.
    pub entity_type: Option<AlertEntityType>,
    /// The business portfolio id or business phone number id.
    pub entity_id: Option<Id>,
    /// The alert.
    pub alert_info: Option<AlertInfo>,
}

/// An alert.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AlertInfo {
    /// How serious it is.
    pub alert_severity: Option<AlertSeverity>,
    /// `ACTIVE` or `NONE`.
    pub alert_status: Option<String>,
    /// What kind of alert.
    pub alert_type: Option<AlertType>,
    /// A description, possibly with what to do.
    pub alert_description: Option<String>,
}

super::string_enum! {
    /// A review decision.
    pub enum Decision {
        Approved = "APPROVED",
        Deferred = "DEFERRED",
        Pending = "PENDING",
        Rejected = "REJECTED",
    }
}

/// The outcome of a WhatsApp Business Account's policy review.
///
/// Value of (whatsapp_business_account, account_review_update).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct AccountReviewUpdate {
    /// The decision.
    pub decision: Option<Decision>,
}

/// A change of the business's messaging or phone number limits.
///
/// Value of (whatsapp_business_account, business_capability_update).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct BusinessCapabilityUpdate {
    /// The portfolio's messaging limit (`TIER_2K` or `2000`).
    pub max_daily_conversations_per_business: Option<MessagingLimit>,
    /// The old per-phone limit (`250`, `2000` ..., `-1` for unlimited); removed in
    /// 2026.
    pub max_daily_conversation_per_phone: Option<MessagingLimit>,
    /// How many phone numbers the portfolio may have.
    pub max_phone_numbers_per_business: Option<Number>,
    /// How many phone numbers a WhatsApp Business Account may have.
    pub max_phone_numbers_per_waba: Option<Number>,
}

super::string_enum! {
    /// A `phone_number_quality_update` event.
    pub enum PhoneNumberQualityEvent {
        /// The number is still being registered.
        Onboarding = "ONBOARDING",
        ThroughputUpgrade = "THROUGHPUT_UPGRADE",
        Upgrade = "UPGRADE",
        Downgrade = "DOWNGRADE",
        Flagged = "FLAGGED",
        Unflagged = "UNFLAGGED",
    }
}

/// A change of a business phone number's messaging limit or throughput.
///
/// Value of (whatsapp_business_account, phone_number_quality_update).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PhoneNumberQualityUpdate {
    /// The business phone number.
    pub display_phone_number: Option<Id>,
    /// What happened.
    pub event: Option<PhoneNumberQualityEvent>,
    /// The portfolio's messaging limit now.
    pub max_daily_conversations_per_business: Option<MessagingLimit>,
    /// The limit now (being removed in favour of
    /// `max_daily_conversations_per_business`).
    pub current_limit: Option<MessagingLimit>,
    /// The limit before (being removed).
    pub old_limit: Option<MessagingLimit>,
}

/// The outcome of a business phone number's display name review.
///
/// Value of (whatsapp_business_account, phone_number_name_update).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PhoneNumberNameUpdate {
    /// The business phone number.
    pub display_phone_number: Option<Id>,
    /// The decision.
    pub decision: Option<Decision>,
    /// The display name reviewed.
    pub requested_verified_name: Option<String>,
    /// Why it was rejected (`NAME_FORMAT_UNACCEPTABLE` ...); `null` if not.
    pub rejection_reason: Option<String>,
}

/// A change of a business phone number's security settings (two-step
/// verification PIN).
///
/// Value of (whatsapp_business_account, security).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Security {
    /// The business phone number.
    pub display_phone_number: Option<Id>,
    /// What happened (`PIN_RESET_REQUEST`, `PIN_CHANGED` ...).
    pub event: Option<String>,
    /// The Meta Business Suite user who made the change.
    pub requester: Option<Id>,
}

/// Users stopping or resuming marketing messages.
///
/// Value of (whatsapp_business_account, user_preferences).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct UserPreferences {
    /// Always `whatsapp`.
    pub messaging_product: Option<String>,
    /// The business phone number.
    pub metadata: Option<Metadata>,
    /// The users.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// The preference changes.
    #[serde(default)]
    pub user_preferences: Vec<UserPreference>,
}

super::string_enum! {
    /// A marketing message preference.
    pub enum PreferenceValue {
        Stop = "stop",
        Resume = "resume",
    }
}

/// One user's preference change.
///
/// Element of (whatsapp_business_account, user_preferences) value.user_preferences[].
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct UserPreference {
    /// The user's WhatsApp id.
    pub wa_id: Option<Id>,
    /// The user's business-scoped user id.
    pub user_id: Option<String>,
    /// The user's parent business-scoped user id.
    pub parent_user_id: Option<String>,
    /// A description (`User requested to stop marketing messages`).
    pub detail: Option<String>,
    /// `marketing_messages`.
    pub category: Option<String>,
    /// The preference.
    pub value: Option<PreferenceValue>,
    /// When it changed.
    pub timestamp: Option<Timestamp>,
}

/// A change to a Multi-Partner Solution.
///
/// Value of (whatsapp_business_account, partner_solutions).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PartnerSolutions {
    /// `SOLUTION_CREATED` or `SOLUTION_UPDATED`.
    pub event: Option<String>,
    /// The solution id.
    pub solution_id: Option<Id>,
    /// `ACTIVE`, `DEACTIVATED`, `DRAFT`, `INITIATED`, `PENDING_DEACTIVATION`,
    /// `REJECTED`.
    pub solution_status: Option<String>,
}

// ---------------------------------------------------------------------------
// the surroundings of one message or status, for routes with `each`
// ---------------------------------------------------------------------------

/// The business number and the user around one message or status, for handlers
/// called per element (`each = "messages"` or `each = "statuses"`).
///
/// ```
/// use webhook_core::{on, Value};
/// use webhook_core::fields::whatsapp::{ChangeContext, Message};
///
/// #[on(object = "whatsapp_business_account", field = "messages", each = "messages", type = "text")]
/// async fn text(Value(message): Value<Message>, cx: ChangeContext) {
///     let from = cx.contact.as_ref().and_then(|c| c.name()).unwrap_or("someone");
///     let to = cx.metadata.and_then(|m| m.phone_number_id);
///     println!("{from} wrote {:?} to {to:?}", message.text_body());
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeContext {
    /// The change's `metadata`: the business phone number.
    pub metadata: Option<Metadata>,
    /// The contact the element is about (matched by phone number or business-scoped
    /// user id; failing those, the change's only contact).
    pub contact: Option<Contact>,
}

impl crate::FromItem for ChangeContext {
    fn from_item(cx: &crate::ItemContext<'_>) -> Result<Self, crate::Rejection> {
        #[derive(Deserialize)]
        struct Surroundings {
            metadata: Option<Metadata>,
            #[serde(default)]
            contacts: Vec<Contact>,
        }
        #[derive(Deserialize)]
        struct Who {
            from: Option<Id>,
            from_user_id: Option<String>,
            recipient_id: Option<Id>,
            recipient_participant_id: Option<Id>,
            recipient_user_id: Option<String>,
        }
        let rejection = |e: serde_json::Error| {
            crate::Rejection::new(format!(
                "the WhatsApp change has no readable metadata or contacts: {e}"
            ))
        };
        let Surroundings { metadata, contacts } =
            serde_json::from_str(cx.item().value().get()).map_err(rejection)?;
        let who = cx
            .element()
            .and_then(|e| serde_json::from_str::<Who>(e.value.get()).ok());
        let matched = who.and_then(|who| {
            let phone = who
                .from
                .or(who.recipient_participant_id)
                .or(who.recipient_id);
            let user = who.from_user_id.or(who.recipient_user_id);
            contacts.iter().find(|c| {
                matches!((&c.wa_id, &phone), (Some(a), Some(b)) if a == b)
                    || matches!((&c.user_id, &user), (Some(a), Some(b)) if a == b)
            })
        });
        let contact = matched.or(match contacts.as_slice() {
            [only] => Some(only),
            _ => None,
        });
        Ok(Self {
            contact: contact.cloned(),
            metadata,
        })
    }
}
