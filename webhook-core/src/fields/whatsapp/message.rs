//! Incoming messages (`messages[]` of a `messages` change) and their contents.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Error, Id, Number, Timestamp};

crate::fields::string_enum! {
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
/// Element of (`whatsapp_business_account`, `messages`) `value.messages[]`.
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
    /// The recipient, for messages the business sent (`smb_message_echoes`, and
    /// its own messages in a `history` sync).
    pub to: Option<Id>,
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
    /// The message's status when it was synchronised, for messages of a `history`
    /// sync.
    pub history_context: Option<HistoryContext>,
}

/// A synchronised message's status (`history` sync).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct HistoryContext {
    /// `DELIVERED`, `READ`, `PLAYED`, `PENDING`, `ERROR` ...
    pub status: Option<String>,
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
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub latitude: Option<f64>,
    /// Longitude in decimal degrees (also read from a string).
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
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

crate::fields::string_enum! {
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

crate::fields::string_enum! {
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
