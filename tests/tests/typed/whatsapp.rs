//! Typed WhatsApp Business (`whatsapp_business_account`) values: every fixture under
//! `webhook-server/fixtures/typed/whatsapp_business_account/` is routed, then read with the type of
//! its field, and specific values are checked.

use serde::Serialize;
use serde::de::DeserializeOwned;
use webhook_core::Notification;
use webhook_core::fields::whatsapp::{
    AccountAlerts, AccountReviewUpdate, AccountSettingsUpdate, AccountUpdate, AccountUpdateEvent,
    AlertEntityType, AlertSeverity, AlertType, AutomaticEvents, BanState, BusinessCapabilityUpdate,
    BusinessUsernameUpdate, CallEvent, Calls, Change, ConversationCategory, Decision,
    DeliveryStatus, FlowEvent, Flows, GroupEventType, Groups, History, InteractiveType,
    MessageTemplateComponentsUpdate, MessageTemplateQualityUpdate, MessageTemplateStatusUpdate,
    MessageType, PartnerSolutions, PaymentConfigurationUpdate, PhoneNumberNameUpdate,
    PhoneNumberQualityEvent, PhoneNumberQualityUpdate, PreferenceValue, PricingCategory,
    PricingModel, PricingType, QualityScore, RestrictionType, Security, SmbAppStateSync,
    SmbMessageEchoes, SystemType, TemplateCategory, TemplateCategoryUpdate,
    TemplateRejectionReason, TemplateStatusEvent, TimeOrText, UserIdUpdates, UserPreferences,
};
use webhook_core::fields::{Id, Number, Timestamp, WithRaw};

const OBJECT: &str = "whatsapp_business_account";
const WABA: &str = "109876543210987";
const PHONE_NUMBER_ID: &str = "301234567890123";

macro_rules! fixture {
    ($name:literal) => {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../webhook-server/fixtures/typed/whatsapp_business_account/",
            $name,
            ".json"
        ))
        .expect(concat!("fixture ", $name))
    };
}

/// Every fixture, by name, with the field it is a value of.
fn all_fixtures() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    macro_rules! list {
        ($($field:literal: $($name:literal),+;)+) => {
            vec![$($(($name, $field, fixture!($name)),)+)+]
        };
    }
    list![
        "messages":
            "messages_text", "messages_text_reply", "messages_text_forwarded",
            "messages_text_product_inquiry", "messages_text_referral", "messages_text_bsuid",
            "messages_image", "messages_audio", "messages_video", "messages_document",
            "messages_sticker", "messages_location", "messages_contacts",
            "messages_interactive_button_reply", "messages_interactive_list_reply",
            "messages_interactive_nfm_reply", "messages_button", "messages_reaction",
            "messages_reaction_removed", "messages_order", "messages_system",
            "messages_unsupported", "messages_request_welcome", "messages_edit",
            "messages_errors", "messages_batch", "messages_status_sent",
            "messages_status_delivered", "messages_status_read", "messages_status_played",
            "messages_status_failed", "messages_status_group";
        "message_template_status_update":
            "message_template_status_update", "message_template_status_update_rejected",
            "message_template_status_update_paused";
        "message_template_quality_update": "message_template_quality_update";
        "message_template_components_update": "message_template_components_update";
        "template_category_update": "template_category_update", "template_category_update_pending";
        "account_update":
            "account_update_violation", "account_update_restriction", "account_update_disabled",
            "account_update_partner_app_installed", "account_update_partner_removed",
            "account_update_auth_intl", "account_update_deleted", "account_update_volume_tier",
            "account_update_certification";
        "account_alerts": "account_alerts";
        "account_review_update": "account_review_update";
        "business_capability_update": "business_capability_update";
        "phone_number_quality_update": "phone_number_quality_update";
        "phone_number_name_update": "phone_number_name_update";
        "security": "security";
        "user_preferences": "user_preferences";
        "partner_solutions": "partner_solutions";
        "flows": "flows_status_change", "flows_endpoint_error_rate";
        "calls": "calls_connect", "calls_terminate", "calls_status";
        "payment_configuration_update": "payment_configuration_update";
        "automatic_events": "automatic_events_purchase", "automatic_events_lead";
        "smb_app_state_sync": "smb_app_state_sync";
        "history": "history";
        "smb_message_echoes": "smb_message_echoes";
        "group_lifecycle_update": "group_lifecycle_update";
        "group_participants_update": "group_participants_update";
        "group_settings_update": "group_settings_update";
        "group_status_update": "group_status_update";
        "business_username_update": "business_username_update";
        "business_username_updates": "business_username_updates";
        "user_id_update": "user_id_update";
        "account_settings_update": "account_settings_update";
    ]
}

/// Routes `body`, checks that every item is a `whatsapp_business_account` change of
/// `field`, and reads each value as a `T`.
fn read<T: DeserializeOwned>(body: &[u8], field: &str) -> Vec<T> {
    let n = Notification::parse(body).expect("the fixture parses");
    assert_eq!(n.object(), OBJECT);
    let items: Vec<_> = n.items().collect();
    assert!(!items.is_empty(), "no items");
    items
        .iter()
        .map(|item| {
            assert_eq!(item.object(), OBJECT);
            assert_eq!(item.field(), Some(field), "field of {}", item.value().get());
            serde_json::from_str::<T>(item.value().get()).unwrap_or_else(|e| {
                panic!("{field}: {e}\n{}", item.value().get());
            })
        })
        .collect()
}

/// The only value of `body`, read as a `T`.
fn one<T: DeserializeOwned>(body: &[u8], field: &str) -> T {
    let mut values = read(body, field);
    assert_eq!(values.len(), 1, "expected one item");
    values.remove(0)
}

/// The entry id and `time` of the only entry of `body`.
fn entry_of(body: &[u8]) -> (Option<String>, Option<u64>) {
    let n = Notification::parse(body).unwrap();
    let entry = &n.entries()[0];
    (entry.id().map(str::to_owned), entry.time())
}

/// Reads `body` (a `messages` fixture) and checks the metadata every one carries.
fn change(body: &[u8]) -> Change {
    let change: Change = one(body, "messages");
    assert_eq!(change.messaging_product.as_deref(), Some("whatsapp"));
    assert_eq!(change.phone_number_id(), Some(PHONE_NUMBER_ID));
    let metadata = change.metadata.as_ref().unwrap();
    assert_eq!(
        metadata.display_phone_number.as_deref(),
        Some("15550199000")
    );
    change
}

/// A typed value survives `serialize -> deserialize` unchanged.
fn assert_round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
    assert_eq!(&back, value, "{json}");
}

// ---------------------------------------------------------------------------
// Every fixture
// ---------------------------------------------------------------------------

/// The instance of a generic `fn(&[u8], &[u8], &str)` for the type of `field`'s value.
macro_rules! by_field {
    ($field:expr, $f:ident) => {{
        let f: fn(&[u8], &[u8], &str) = match $field {
            "messages" => $f::<Change>,
            "message_template_status_update" => $f::<MessageTemplateStatusUpdate>,
            "message_template_quality_update" => $f::<MessageTemplateQualityUpdate>,
            "message_template_components_update" => $f::<MessageTemplateComponentsUpdate>,
            "template_category_update" => $f::<TemplateCategoryUpdate>,
            "account_update" => $f::<AccountUpdate>,
            "account_alerts" => $f::<AccountAlerts>,
            "account_review_update" => $f::<AccountReviewUpdate>,
            "business_capability_update" => $f::<BusinessCapabilityUpdate>,
            "phone_number_quality_update" => $f::<PhoneNumberQualityUpdate>,
            "phone_number_name_update" => $f::<PhoneNumberNameUpdate>,
            "security" => $f::<Security>,
            "user_preferences" => $f::<UserPreferences>,
            "partner_solutions" => $f::<PartnerSolutions>,
            "flows" => $f::<Flows>,
            "calls" => $f::<Calls>,
            "payment_configuration_update" => $f::<PaymentConfigurationUpdate>,
            "automatic_events" => $f::<AutomaticEvents>,
            "smb_app_state_sync" => $f::<SmbAppStateSync>,
            "history" => $f::<History>,
            "smb_message_echoes" => $f::<SmbMessageEchoes>,
            "group_lifecycle_update"
            | "group_participants_update"
            | "group_settings_update"
            | "group_status_update" => $f::<Groups>,
            "business_username_update" | "business_username_updates" => {
                $f::<BusinessUsernameUpdate>
            }
            "user_id_update" => $f::<UserIdUpdates>,
            "account_settings_update" => $f::<AccountSettingsUpdate>,
            other => panic!("no type for field {other}"),
        };
        f
    }};
}

/// Every value of every fixture deserialises with the type of its field and
/// round-trips through `Serialize`.
#[test]
fn every_fixture_reads_with_the_type_of_its_field() {
    fn check<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
        body: &[u8],
        _: &[u8],
        field: &str,
    ) {
        for value in read::<T>(body, field) {
            assert_round_trip(&value);
        }
    }
    let fixtures = all_fixtures();
    let on_disk = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../webhook-server/fixtures/typed/whatsapp_business_account"
    ))
    .unwrap()
    .count();
    // Fixtures of fields the table says have no type of ours.
    let untyped = fixture!("unlisted_fields");
    let n = Notification::parse(&untyped).unwrap();
    assert!(
        n.items()
            .all(|i| crate::table::untyped(OBJECT, i.field().unwrap_or_default())),
        "unlisted_fields has a typed field"
    );
    assert_eq!(
        fixtures.len() + 1,
        on_disk,
        "a fixture is missing from all_fixtures()"
    );
    for (name, field, body) in &fixtures {
        println!("{name}");
        by_field!(*field, check)(body, body, field);
    }
}

// ---------------------------------------------------------------------------
// messages: incoming messages
// ---------------------------------------------------------------------------

#[test]
fn text() {
    let body = fixture!("messages_text");
    assert_eq!(entry_of(&body), (Some(WABA.to_owned()), None));
    let change = change(&body);
    assert!(change.statuses.is_empty() && change.errors.is_empty());
    let [message] = change.messages.as_slice() else {
        panic!("one message")
    };
    assert_eq!(message.kind, Some(MessageType::Text));
    assert_eq!(message.from, Some(Id("15551230001".into())));
    assert_eq!(message.sender(), Some("15551230001"));
    assert_eq!(
        message.id.as_deref(),
        Some("wamid.HBgLMTU1NTEyMzAwMDEVAgASGBQzRUIwQzdBMTIzNDU2Nzg5MEFCQwA=")
    );
    assert_eq!(message.timestamp, Some(Timestamp(1_751_290_001)));
    assert_eq!(
        message.text_body(),
        Some("Hello! Do you deliver on Sundays?")
    );
    assert!(message.context.is_none() && message.media().is_none());
    assert!(!message.is_forwarded());
    let contact = change.contact_for(message).unwrap();
    assert_eq!(contact.name(), Some("Maya Ortiz"));
    assert_eq!(contact.wa_id.as_deref(), Some("15551230001"));
    assert_eq!(contact.username(), None);
}

#[test]
fn text_reply() {
    let change = change(&fixture!("messages_text_reply"));
    let message = &change.messages[0];
    assert_eq!(message.text_body(), Some("Yes, 10am works for me"));
    assert_eq!(
        message.reply_to(),
        Some("wamid.HBgLMTU1NTEyMzAwMDEVAgARGBI5QTFCMkMzRDRFNUY2MDcwODAA")
    );
    let context = message.context.as_ref().unwrap();
    assert_eq!(context.from.as_deref(), Some("15550199000"));
    assert!(!context.is_forwarded());
}

#[test]
fn text_forwarded() {
    let change = change(&fixture!("messages_text_forwarded"));
    let message = &change.messages[0];
    assert!(message.is_forwarded());
    let context = message.context.as_ref().unwrap();
    assert_eq!(
        (context.forwarded, context.frequently_forwarded),
        (None, Some(true))
    );
    assert_eq!(message.reply_to(), None);
}

#[test]
fn text_product_inquiry() {
    let change = change(&fixture!("messages_text_product_inquiry"));
    let message = &change.messages[0];
    let product = message
        .context
        .as_ref()
        .unwrap()
        .referred_product
        .as_ref()
        .unwrap();
    assert_eq!(product.catalog_id.as_deref(), Some("845612378901234"));
    assert_eq!(product.product_retailer_id.as_deref(), Some("sku-fern-042"));
    assert_eq!(message.text_body(), Some("Is the fern still in stock?"));
}

#[test]
fn text_from_a_click_to_whatsapp_ad() {
    let change = change(&fixture!("messages_text_referral"));
    let message = &change.messages[0];
    let referral = message.referral.as_ref().unwrap();
    assert_eq!(referral.source_type.as_deref(), Some("ad"));
    assert_eq!(referral.source_id.as_deref(), Some("120229876543210987"));
    assert_eq!(
        referral.source_url.as_deref(),
        Some("https://fb.me/7xQpL2mN")
    );
    assert_eq!(referral.media_type.as_deref(), Some("video"));
    assert_eq!(referral.image_url, None);
    assert!(
        referral
            .video_url
            .as_deref()
            .unwrap()
            .ends_with("ad-video.mp4")
    );
    assert!(referral.ctwa_clid.as_deref().unwrap().starts_with("ARBx9c"));
    let welcome = referral.welcome_message.as_ref().unwrap();
    assert_eq!(
        welcome.text.as_deref(),
        Some("Hi! What can we grow for you today?")
    );
    assert_eq!(
        message.text_body(),
        Some("I saw your ad, how much is delivery?")
    );
}

#[test]
fn text_from_a_user_with_a_username_and_no_phone_number() {
    let change = change(&fixture!("messages_text_bsuid"));
    let message = &change.messages[0];
    assert_eq!(message.from, None);
    assert_eq!(
        message.from_user_id.as_deref(),
        Some("US.48213906657712340915")
    );
    assert_eq!(
        message.from_parent_user_id.as_deref(),
        Some("US.90817263544536271809")
    );
    assert_eq!(message.sender(), Some("US.48213906657712340915"));
    let contact = change.contact_for(message).unwrap();
    assert_eq!(contact.wa_id, None);
    assert_eq!(contact.user_id.as_deref(), Some("US.48213906657712340915"));
    assert_eq!(contact.name(), Some("Jonas K."));
    assert_eq!(contact.username(), Some("@jonas.plants"));
    assert_eq!(message.timestamp.unwrap().unix_seconds(), 1_775_000_000);
}

#[test]
fn image() {
    let change = change(&fixture!("messages_image"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Image));
    let image = message.image.as_ref().unwrap();
    assert_eq!(message.media(), Some(image));
    assert_eq!(image.id.as_deref(), Some("1398765432109876"));
    assert_eq!(image.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        image.caption.as_deref(),
        Some("This is the leaf problem I mentioned")
    );
    assert_eq!(
        image.sha256.as_deref(),
        Some("q3K8Zr0yV1mT5bN7cX2wL9pD4sF6gH0jA1eU3iO5kR8=")
    );
    assert!(
        image
            .url
            .as_deref()
            .unwrap()
            .starts_with("https://lookaside.fbsbx.com/")
    );
    assert_eq!(message.text_body(), None);
}

#[test]
fn audio_voice_note() {
    let change = change(&fixture!("messages_audio"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Audio));
    let audio = message.audio.as_ref().unwrap();
    assert_eq!(audio.voice, Some(true));
    assert_eq!(audio.mime_type.as_deref(), Some("audio/ogg; codecs=opus"));
    assert_eq!(audio.id.as_deref(), Some("1512345678901234"));
    assert_eq!(audio.caption, None);
    assert_eq!(
        message.media().and_then(|m| m.id.as_deref()),
        Some("1512345678901234")
    );
}

#[test]
fn video() {
    let change = change(&fixture!("messages_video"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Video));
    let video = message.video.as_ref().unwrap();
    assert_eq!(
        video.caption.as_deref(),
        Some("How it looks after repotting")
    );
    assert_eq!(video.mime_type.as_deref(), Some("video/mp4"));
    assert_eq!(video.id.as_deref(), Some("1623456789012345"));
}

#[test]
fn document() {
    let change = change(&fixture!("messages_document"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Document));
    let document = message.document.as_ref().unwrap();
    assert_eq!(document.filename.as_deref(), Some("delivery-form-0425.pdf"));
    assert_eq!(document.caption.as_deref(), Some("Signed delivery form"));
    assert_eq!(document.mime_type.as_deref(), Some("application/pdf"));
}

#[test]
fn sticker() {
    let change = change(&fixture!("messages_sticker"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Sticker));
    let sticker = message.sticker.as_ref().unwrap();
    assert_eq!(sticker.animated, Some(false));
    assert_eq!(sticker.mime_type.as_deref(), Some("image/webp"));
    assert_eq!(message.media(), Some(sticker));
}

#[test]
fn location() {
    let change = change(&fixture!("messages_location"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Location));
    let location = message.location.as_ref().unwrap();
    assert_eq!(location.latitude, Some(50.79899));
    assert_eq!(location.longitude, Some(-1.09125));
    assert_eq!(location.name.as_deref(), Some("Harbour Garden Centre"));
    assert_eq!(
        location.address.as_deref(),
        Some("12 Harbour Road, Portsmouth PO1 3AB")
    );
    assert_eq!(
        location.url.as_deref(),
        Some("https://harbourgarden.example.invalid/")
    );
}

#[test]
fn shared_contacts() {
    let change = change(&fixture!("messages_contacts"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Contacts));
    let [card] = message.contacts.as_slice() else {
        panic!("one card")
    };
    let name = card.name.as_ref().unwrap();
    assert_eq!(name.formatted_name.as_deref(), Some("Priya Shah"));
    assert_eq!(name.first_name.as_deref(), Some("Priya"));
    assert_eq!(name.prefix.as_deref(), Some("Dr."));
    assert_eq!(name.middle_name, None);
    assert_eq!(card.birthday.as_deref(), Some("1988-03-14"));
    assert_eq!(card.phones.len(), 2);
    assert_eq!(card.phones[0].wa_id.as_deref(), Some("447700900123"));
    assert_eq!(card.phones[0].kind.as_deref(), Some("CELL"));
    assert_eq!(card.phones[1].wa_id, None);
    assert_eq!(
        card.emails[0].email.as_deref(),
        Some("priya.shah@example.invalid")
    );
    let org = card.org.as_ref().unwrap();
    assert_eq!(org.company.as_deref(), Some("Greenhouse Labs"));
    assert_eq!(org.title.as_deref(), Some("Plant Pathologist"));
    assert_eq!(card.urls[0].kind.as_deref(), Some("WORK"));
    let address = &card.addresses[0];
    assert_eq!(address.city.as_deref(), Some("Leeds"));
    assert_eq!(address.country_code.as_deref(), Some("GB"));
    assert_eq!(address.zip.as_deref(), Some("LS1 4AB"));
    // The sender is still the change's contact, not the shared card.
    assert_eq!(
        change.contact_for(message).unwrap().name(),
        Some("Maya Ortiz")
    );
}

#[test]
fn interactive_button_reply() {
    let change = change(&fixture!("messages_interactive_button_reply"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Interactive));
    let interactive = message.interactive.as_ref().unwrap();
    assert_eq!(interactive.kind, Some(InteractiveType::ButtonReply));
    let reply = interactive.button_reply.as_ref().unwrap();
    assert_eq!(reply.id.as_deref(), Some("reschedule-delivery"));
    assert_eq!(reply.title.as_deref(), Some("Reschedule"));
    assert_eq!(interactive.reply_id(), Some("reschedule-delivery"));
    assert!(interactive.list_reply.is_none());
    assert_eq!(
        message.reply_to(),
        Some("wamid.HBgLMTU1NTEyMzAwMDEVAgARGBJBMkIzQzRENUU2RjcwODA5MEEA")
    );
}

#[test]
fn interactive_list_reply() {
    let change = change(&fixture!("messages_interactive_list_reply"));
    let interactive = change.messages[0].interactive.as_ref().unwrap();
    assert_eq!(interactive.kind, Some(InteractiveType::ListReply));
    let row = interactive.list_reply.as_ref().unwrap();
    assert_eq!(row.id.as_deref(), Some("slot-sat-am"));
    assert_eq!(row.title.as_deref(), Some("Saturday morning"));
    assert_eq!(row.description.as_deref(), Some("8am to 12pm"));
    assert_eq!(interactive.reply_id(), Some("slot-sat-am"));
}

#[test]
fn interactive_flow_reply() {
    #[derive(serde::Deserialize)]
    struct Answers {
        flow_token: String,
        plant_count: String,
        delivery_window: String,
    }
    let change = change(&fixture!("messages_interactive_nfm_reply"));
    let interactive = change.messages[0].interactive.as_ref().unwrap();
    assert_eq!(interactive.kind, Some(InteractiveType::NfmReply));
    assert_eq!(interactive.reply_id(), None);
    let reply = interactive.nfm_reply.as_ref().unwrap();
    assert_eq!(reply.name.as_deref(), Some("flow"));
    assert_eq!(reply.body.as_deref(), Some("Sent"));
    let answers: Answers = reply.response_as().unwrap().unwrap();
    assert_eq!(answers.flow_token, "ft-7f3a9c");
    assert_eq!(answers.plant_count, "3");
    assert_eq!(answers.delivery_window, "weekend");
    let any: serde_json::Value = reply.response_as().unwrap().unwrap();
    assert_eq!(any["plant_count"], "3");
}

#[test]
fn template_quick_reply_button() {
    let change = change(&fixture!("messages_button"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Button));
    let button = message.button.as_ref().unwrap();
    assert_eq!(button.payload.as_deref(), Some("STOP_PROMOTIONS"));
    assert_eq!(button.text.as_deref(), Some("Stop promotions"));
    assert_eq!(
        message.reply_to(),
        Some("wamid.HBgLMTU1NTEyMzAwMDEVAgARGBJENUU2RjcwODA5MEExQjJDM0QA")
    );
}

#[test]
fn reaction() {
    let change = change(&fixture!("messages_reaction"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Reaction));
    let reaction = message.reaction.as_ref().unwrap();
    assert_eq!(reaction.emoji.as_deref(), Some("\u{2764}\u{fe0f}"));
    assert_eq!(
        reaction.message_id.as_deref(),
        Some("wamid.HBgLMTU1NTEyMzAwMDEVAgARGBJFNkY3MDgwOTBBMUIyQzNENEUA")
    );
    assert!(!reaction.is_removal());
}

#[test]
fn reaction_removed() {
    let change = change(&fixture!("messages_reaction_removed"));
    let reaction = change.messages[0].reaction.as_ref().unwrap();
    assert_eq!(reaction.emoji, None);
    assert!(reaction.is_removal());
    assert_eq!(
        reaction.message_id.as_deref(),
        Some("wamid.HBgLMTU1NTEyMzAwMDEVAgARGBJFNkY3MDgwOTBBMUIyQzNENEUA")
    );
    // Older payloads sent an empty emoji.
    let old: Change = serde_json::from_str(
        r#"{"messages":[{"type":"reaction","reaction":{"message_id":"wamid.X","emoji":""}}]}"#,
    )
    .unwrap();
    assert!(old.messages[0].reaction.as_ref().unwrap().is_removal());
}

#[test]
fn order() {
    let change = change(&fixture!("messages_order"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Order));
    let order = message.order.as_ref().unwrap();
    assert_eq!(order.catalog_id.as_deref(), Some("845612378901234"));
    assert_eq!(order.text.as_deref(), Some("Please gift-wrap the pots"));
    assert_eq!(order.product_items.len(), 2);
    let fern = &order.product_items[0];
    assert_eq!(fern.product_retailer_id.as_deref(), Some("sku-fern-042"));
    assert_eq!(fern.quantity.as_ref().and_then(Number::as_u64), Some(2));
    assert_eq!(
        fern.item_price.as_ref().and_then(Number::as_f64),
        Some(14.5)
    );
    assert_eq!(fern.currency.as_deref(), Some("GBP"));
    let pot = &order.product_items[1];
    assert_eq!(pot.item_price.as_ref().and_then(Number::as_f64), Some(6.0));
}

#[test]
fn system_number_change() {
    let change = change(&fixture!("messages_system"));
    assert!(
        change.contacts.is_empty(),
        "system messages carry no contacts"
    );
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::System));
    let system = message.system.as_ref().unwrap();
    assert_eq!(system.kind, Some(SystemType::UserChangedNumber));
    assert_eq!(system.wa_id.as_deref(), Some("15557650002"));
    assert_eq!(system.user_id.as_deref(), Some("US.51029384756473829101"));
    assert_eq!(
        system.body.as_deref(),
        Some("User Maya Ortiz changed from 15551230001 to 15557650002")
    );
    assert_eq!(change.contact_for(message), None);
}

#[test]
fn unsupported() {
    let change = change(&fixture!("messages_unsupported"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Unsupported));
    assert_eq!(
        message.unsupported.as_ref().unwrap().kind.as_deref(),
        Some("poll_creation")
    );
    let [error] = message.errors.as_slice() else {
        panic!("one error")
    };
    assert_eq!(error.code, Some(131_051));
    assert_eq!(error.title.as_deref(), Some("Message type unknown"));
    assert_eq!(
        error.error_data.as_ref().unwrap().details.as_deref(),
        Some("Message type is currently not supported.")
    );
    assert_eq!(error.href, None);
}

#[test]
fn request_welcome() {
    let change = change(&fixture!("messages_request_welcome"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::RequestWelcome));
    assert_eq!(message.text_body(), None);
    assert_eq!(message.sender(), Some("15551230001"));
}

#[test]
fn edit() {
    let change = change(&fixture!("messages_edit"));
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Edit));
    let edit = message.edit.as_ref().unwrap();
    assert_eq!(
        edit.original_message_id.as_deref(),
        Some("wamid.HBgLMTU1NTEyMzAwMDEVAgASGBQzRUIwQzdBMTIzNDU2Nzg5MEFDMQA=")
    );
    let new = edit.message.as_deref().unwrap();
    assert_eq!(new.kind, Some(MessageType::Image));
    assert_eq!(new.id, None);
    assert_eq!(new.reply_to(), Some("M0"));
    assert_eq!(
        new.image.as_ref().unwrap().caption.as_deref(),
        Some("This is the leaf problem (top left)")
    );
}

#[test]
fn system_level_errors() {
    let change = change(&fixture!("messages_errors"));
    assert!(change.messages.is_empty() && change.statuses.is_empty() && change.contacts.is_empty());
    let [error] = change.errors.as_slice() else {
        panic!("one error")
    };
    assert_eq!(error.code, Some(130_429));
    assert_eq!(error.title.as_deref(), Some("Rate limit hit"));
    assert_eq!(error.message.as_deref(), Some("Rate limit hit"));
    assert!(
        error
            .error_data
            .as_ref()
            .unwrap()
            .details
            .as_deref()
            .unwrap()
            .contains("too many")
    );
    assert!(error.href.as_deref().unwrap().contains("error-codes"));
}

#[test]
fn several_messages_from_several_users() {
    let change = change(&fixture!("messages_batch"));
    assert_eq!(change.messages.len(), 2);
    assert_eq!(change.contacts.len(), 2);
    let senders: Vec<_> = change
        .messages
        .iter()
        .map(|m| {
            (
                m.text_body().unwrap(),
                change.contact_for(m).and_then(|c| c.name()),
            )
        })
        .collect();
    assert_eq!(
        senders,
        [
            ("First question", Some("Maya Ortiz")),
            ("Second customer here", Some("Tom Baker"))
        ]
    );
}

// ---------------------------------------------------------------------------
// messages: statuses
// ---------------------------------------------------------------------------

#[test]
fn status_sent() {
    let change = change(&fixture!("messages_status_sent"));
    assert!(change.messages.is_empty() && change.contacts.is_empty());
    let [status] = change.statuses.as_slice() else {
        panic!("one status")
    };
    assert_eq!(status.status, Some(DeliveryStatus::Sent));
    assert_eq!(
        status.id.as_deref(),
        Some("wamid.HBgLMTU1NTEyMzAwMDEVAgARGBI3QTlCOEM3RDZFNUY0MDMxMkEA")
    );
    assert_eq!(status.timestamp, Some(Timestamp(1_751_291_500)));
    assert_eq!(status.recipient_id.as_deref(), Some("15551230001"));
    assert_eq!(
        status.biz_opaque_callback_data.as_deref(),
        Some("order-88231")
    );
    let conversation = status.conversation.as_ref().unwrap();
    assert_eq!(
        conversation.id.as_deref(),
        Some("5e4c8a9f0b1d2e3f4a5b6c7d8e9f0a1b")
    );
    assert_eq!(
        conversation.expiration_timestamp,
        Some(Timestamp(1_751_377_920))
    );
    let origin = conversation.origin.as_ref().unwrap();
    assert_eq!(origin.kind, Some(ConversationCategory::Utility));
    let pricing = status.pricing.as_ref().unwrap();
    assert_eq!(pricing.billable, Some(true));
    assert_eq!(pricing.pricing_model, Some(PricingModel::Pmp));
    assert_eq!(pricing.category, Some(PricingCategory::Utility));
    assert_eq!(pricing.kind, Some(PricingType::Regular));
    assert!(status.errors.is_empty());
}

#[test]
fn status_delivered_with_contact() {
    let change = change(&fixture!("messages_status_delivered"));
    let status = &change.statuses[0];
    assert_eq!(status.status, Some(DeliveryStatus::Delivered));
    assert_eq!(
        status.recipient_user_id.as_deref(),
        Some("US.51029384756473829101")
    );
    assert_eq!(status.conversation, None, "omitted from v24.0");
    assert_eq!(status.pricing, None);
    let contact = change.contact_for_status(status).unwrap();
    assert_eq!(contact.username(), Some("@maya.grows"));
    assert_eq!(contact.user_id.as_deref(), Some("US.51029384756473829101"));
}

#[test]
fn status_read() {
    let change = change(&fixture!("messages_status_read"));
    let status = &change.statuses[0];
    assert_eq!(status.status, Some(DeliveryStatus::Read));
    assert_eq!(status.timestamp.unwrap().unix_seconds(), 1_751_291_590);
    assert!(status.conversation.is_none() && status.pricing.is_none());
    assert_eq!(change.contact_for_status(status), None);
}

#[test]
fn status_played() {
    let change = change(&fixture!("messages_status_played"));
    assert_eq!(change.statuses[0].status, Some(DeliveryStatus::Played));
}

#[test]
fn status_failed() {
    let change = change(&fixture!("messages_status_failed"));
    let status = &change.statuses[0];
    assert_eq!(status.status, Some(DeliveryStatus::Failed));
    let [error] = status.errors.as_slice() else {
        panic!("one error")
    };
    assert_eq!(error.code, Some(131_049));
    assert_eq!(
        error.title.as_deref(),
        Some("This message was not delivered to maintain healthy ecosystem engagement.")
    );
    assert_eq!(error.title, error.message);
    assert_eq!(
        error.error_data.as_ref().unwrap().details.as_deref(),
        Some(
            "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."
        )
    );
    assert_eq!(
        error.href.as_deref(),
        Some("/documentation/business-messaging/whatsapp/support/error-codes")
    );
}

#[test]
fn status_in_a_group() {
    let change = change(&fixture!("messages_status_group"));
    assert_eq!(change.statuses.len(), 2);
    let first = &change.statuses[0];
    assert_eq!(first.recipient_type.as_deref(), Some("group"));
    assert_eq!(first.recipient_id.as_deref(), Some("120363400000000000"));
    assert_eq!(
        first.recipient_participant_id.as_deref(),
        Some("15551230001")
    );
    let pricing = first.pricing.as_ref().unwrap();
    assert_eq!(pricing.category, Some(PricingCategory::GroupService));
    assert_eq!(pricing.kind, Some(PricingType::FreeGroupCustomerService));
    let names: Vec<_> = change
        .statuses
        .iter()
        .map(|s| change.contact_for_status(s).and_then(|c| c.name()))
        .collect();
    assert_eq!(names, [Some("Maya Ortiz"), Some("Tom Baker")]);
}

// ---------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------

#[test]
fn template_approved() {
    let body = fixture!("message_template_status_update");
    assert_eq!(
        entry_of(&body),
        (Some(WABA.to_owned()), Some(1_751_300_000))
    );
    let update: MessageTemplateStatusUpdate = one(&body, "message_template_status_update");
    assert_eq!(update.event, Some(TemplateStatusEvent::Approved));
    // Sent as a JSON number, kept digit for digit.
    assert_eq!(
        update.message_template_id,
        Some(Id("1209876543210987".into()))
    );
    assert_eq!(
        update.message_template_name.as_deref(),
        Some("delivery_reminder")
    );
    assert_eq!(update.message_template_language.as_deref(), Some("en_GB"));
    assert_eq!(update.reason, Some(TemplateRejectionReason::NoReason));
    assert_eq!(
        update.message_template_category,
        Some(TemplateCategory::Utility)
    );
    assert!(update.rejection_info.is_none() && update.other_info.is_none());
}

#[test]
fn template_rejected() {
    let update: MessageTemplateStatusUpdate = one(
        &fixture!("message_template_status_update_rejected"),
        "message_template_status_update",
    );
    assert_eq!(update.event, Some(TemplateStatusEvent::Rejected));
    assert_eq!(update.reason, Some(TemplateRejectionReason::InvalidFormat));
    assert_eq!(
        update.message_template_category,
        Some(TemplateCategory::Marketing)
    );
    let info = update.rejection_info.unwrap();
    assert!(info.reason.unwrap().contains("({{1}}{{2}})"));
    assert!(info.recommendation.unwrap().starts_with("Put words"));
}

#[test]
fn template_paused_with_a_null_reason() {
    let update: MessageTemplateStatusUpdate = one(
        &fixture!("message_template_status_update_paused"),
        "message_template_status_update",
    );
    assert_eq!(update.event, Some(TemplateStatusEvent::Paused));
    assert_eq!(update.reason, None, "reason is null");
    // Sent as a string this time.
    assert_eq!(
        update.message_template_id.as_deref(),
        Some("1209876543210989")
    );
    let other = update.other_info.unwrap();
    assert_eq!(other.title.as_deref(), Some("FIRST_PAUSE"));
    assert!(other.description.unwrap().contains("paused for 3 hours"));
}

#[test]
fn template_quality() {
    let update: MessageTemplateQualityUpdate = one(
        &fixture!("message_template_quality_update"),
        "message_template_quality_update",
    );
    assert_eq!(update.previous_quality_score, Some(QualityScore::Green));
    assert_eq!(update.new_quality_score, Some(QualityScore::Red));
    assert_eq!(
        update.message_template_id.as_deref(),
        Some("1209876543210990")
    );
    assert_eq!(
        update.message_template_name.as_deref(),
        Some("cart_reminder")
    );
    assert_eq!(update.message_template_language.as_deref(), Some("en_US"));
}

#[test]
fn template_components() {
    let update: MessageTemplateComponentsUpdate = one(
        &fixture!("message_template_components_update"),
        "message_template_components_update",
    );
    assert_eq!(
        update.message_template_id.as_deref(),
        Some("1209876543210991")
    );
    assert_eq!(
        update.message_template_title.as_deref(),
        Some("Your plants are on the way")
    );
    assert_eq!(
        update.message_template_element.as_deref(),
        Some("Hi {{1}}, order {{2}} left our greenhouse today.")
    );
    assert_eq!(
        update.message_template_footer.as_deref(),
        Some("Harbour Garden Centre")
    );
    let [url, phone] = update.message_template_buttons.as_slice() else {
        panic!("two buttons")
    };
    assert_eq!(url.message_template_button_type.as_deref(), Some("URL"));
    assert_eq!(
        url.message_template_button_text.as_deref(),
        Some("Track order")
    );
    assert!(
        url.message_template_button_url
            .as_deref()
            .unwrap()
            .ends_with("/track/{{1}}")
    );
    assert_eq!(
        phone.message_template_button_type.as_deref(),
        Some("PHONE_NUMBER")
    );
    assert_eq!(
        phone.message_template_button_phone_number.as_deref(),
        Some("+15550199000")
    );
    assert_eq!(phone.message_template_button_url, None);
}

#[test]
fn template_category_changed() {
    let update: TemplateCategoryUpdate = one(
        &fixture!("template_category_update"),
        "template_category_update",
    );
    assert!(!update.is_announcement());
    assert_eq!(update.previous_category, Some(TemplateCategory::Utility));
    assert_eq!(update.new_category, Some(TemplateCategory::Marketing));
    assert_eq!(
        update.message_template_name.as_deref(),
        Some("loyalty_points")
    );
    assert_eq!(update.category_update_timestamp, None);
}

#[test]
fn template_category_change_announced() {
    let update: TemplateCategoryUpdate = one(
        &fixture!("template_category_update_pending"),
        "template_category_update",
    );
    assert!(update.is_announcement());
    assert_eq!(
        update.new_category,
        Some(TemplateCategory::Utility),
        "the current category"
    );
    assert_eq!(update.correct_category, Some(TemplateCategory::Marketing));
    assert_eq!(
        update.category_update_timestamp,
        Some(Timestamp(1_751_386_400))
    );
    assert_eq!(update.previous_category, None);
}

// ---------------------------------------------------------------------------
// Account
// ---------------------------------------------------------------------------

#[test]
fn account_violation() {
    let update: AccountUpdate = one(&fixture!("account_update_violation"), "account_update");
    assert_eq!(update.event, Some(AccountUpdateEvent::AccountViolation));
    assert_eq!(
        update.violation_info.unwrap().violation_type.as_deref(),
        Some("SCAM")
    );
    assert!(update.ban_info.is_none() && update.restriction_info.is_empty());
}

#[test]
fn account_restriction() {
    let update: AccountUpdate = one(&fixture!("account_update_restriction"), "account_update");
    assert_eq!(update.event, Some(AccountUpdateEvent::AccountRestriction));
    let [first, second] = update.restriction_info.as_slice() else {
        panic!("two restrictions")
    };
    assert_eq!(
        first.restriction_type,
        Some(RestrictionType::RestrictedBizInitiatedMessaging)
    );
    assert_eq!(
        first.expiration,
        Some(TimeOrText::Unix(Timestamp(1_751_904_000)))
    );
    assert!(first.remediation.as_deref().unwrap().starts_with("Review"));
    assert_eq!(
        second.restriction_type,
        Some(RestrictionType::RestrictedAddPhoneNumberAction)
    );
    assert_eq!(second.remediation, None);
    assert_eq!(
        second
            .expiration
            .as_ref()
            .and_then(TimeOrText::unix_seconds),
        Some(1_751_904_000)
    );
}

#[test]
fn account_disabled() {
    let update: AccountUpdate = one(&fixture!("account_update_disabled"), "account_update");
    assert_eq!(update.event, Some(AccountUpdateEvent::DisabledUpdate));
    let ban = update.ban_info.unwrap();
    assert_eq!(ban.waba_ban_state, Some(BanState::ScheduleForDisable));
    assert_eq!(ban.waba_ban_date.as_deref(), Some("July 8, 2025"));
}

#[test]
fn account_partner_app_installed() {
    let body = fixture!("account_update_partner_app_installed");
    assert_eq!(entry_of(&body).0.as_deref(), Some("1414213562373095"));
    let update: AccountUpdate = one(&body, "account_update");
    assert_eq!(update.event, Some(AccountUpdateEvent::PartnerAppInstalled));
    let waba = update.waba_info.unwrap();
    assert_eq!(waba.waba_id.as_deref(), Some("209876543210988"));
    assert_eq!(waba.owner_business_id.as_deref(), Some("3141592653589793"));
    assert_eq!(waba.partner_app_id.as_deref(), Some("2718281828459045"));
    assert_eq!(waba.solution_id.as_deref(), Some("1618033988749894"));
    assert_eq!(
        waba.solution_partner_business_ids,
        [Id("1414213562373095".into()), Id("1732050807568877".into())]
    );
    assert_eq!(waba.ad_account_linked, None);
}

#[test]
fn account_partner_removed() {
    let update: AccountUpdate = one(
        &fixture!("account_update_partner_removed"),
        "account_update",
    );
    assert_eq!(update.event, Some(AccountUpdateEvent::PartnerRemoved));
    let waba = update.waba_info.unwrap();
    assert!(waba.solution_partner_business_ids.is_empty());
    let disconnection = update.disconnection_info.unwrap();
    assert_eq!(
        disconnection.reason.as_deref(),
        Some("COMPANION_INACTIVITY")
    );
    assert_eq!(disconnection.initiated_by.as_deref(), Some("SYSTEM"));
}

#[test]
fn account_authentication_international_rates() {
    let update: AccountUpdate = one(&fixture!("account_update_auth_intl"), "account_update");
    assert_eq!(
        update.event,
        Some(AccountUpdateEvent::AuthIntlPriceEligibilityUpdate)
    );
    let eligibility = update.auth_international_rate_eligibility.unwrap();
    assert_eq!(eligibility.start_time, Some(Timestamp(1_753_920_000)));
    let countries: Vec<_> = eligibility
        .exception_countries
        .iter()
        .map(|c| {
            (
                c.country_code.as_deref().unwrap(),
                c.start_time.unwrap().raw(),
            )
        })
        .collect();
    assert_eq!(countries, [("IN", 1_756_598_400), ("ID", 1_759_190_400)]);
}

#[test]
fn account_deleted() {
    let update: AccountUpdate = one(&fixture!("account_update_deleted"), "account_update");
    assert_eq!(update.event, Some(AccountUpdateEvent::AccountDeleted));
    assert_eq!(
        update,
        AccountUpdate {
            event: Some(AccountUpdateEvent::AccountDeleted),
            ..AccountUpdate::default()
        }
    );
}

#[test]
fn account_volume_tier() {
    let update: AccountUpdate = one(&fixture!("account_update_volume_tier"), "account_update");
    assert_eq!(
        update.event,
        Some(AccountUpdateEvent::VolumeBasedPricingTierUpdate)
    );
    let tier = update.volume_tier_info.unwrap();
    assert_eq!(tier.tier.as_deref(), Some("250001:2000000"));
    assert_eq!(tier.effective_month.as_deref(), Some("2025-08"));
    assert_eq!(tier.pricing_category.as_deref(), Some("UTILITY"));
    assert_eq!(tier.region.as_deref(), Some("India"));
    assert_eq!(tier.tier_update_time, Some(Timestamp(1_751_300_000)));
}

#[test]
fn account_partner_led_verification() {
    let update: AccountUpdate = one(&fixture!("account_update_certification"), "account_update");
    assert_eq!(
        update.event,
        Some(AccountUpdateEvent::PartnerClientCertificationStatusUpdate)
    );
    let info = update.partner_client_certification_info.unwrap();
    assert_eq!(info.client_business_id.as_deref(), Some("3141592653589793"));
    assert_eq!(info.status.as_deref(), Some("FAILED"));
    assert_eq!(
        info.rejection_reasons,
        ["LEGAL NAME NOT MATCHING", "WEBSITE NOT MATCHING"]
    );
}

#[test]
fn account_alerts() {
    let alerts: AccountAlerts = one(&fixture!("account_alerts"), "account_alerts");
    assert_eq!(alerts.entity_type, Some(AlertEntityType::PhoneNumber));
    assert_eq!(alerts.entity_id.as_deref(), Some(PHONE_NUMBER_ID));
    let info = alerts.alert_info.unwrap();
    assert_eq!(info.alert_severity, Some(AlertSeverity::Informational));
    assert_eq!(info.alert_status.as_deref(), Some("ACTIVE"));
    assert_eq!(info.alert_type, Some(AlertType::ObaApproved));
    assert!(info.alert_description.unwrap().contains("verified badge"));
}

#[test]
fn account_review() {
    let review: AccountReviewUpdate =
        one(&fixture!("account_review_update"), "account_review_update");
    assert_eq!(review.decision, Some(Decision::Approved));
}

#[test]
fn business_capability() {
    let update: BusinessCapabilityUpdate = one(
        &fixture!("business_capability_update"),
        "business_capability_update",
    );
    let limit = update.max_daily_conversations_per_business.unwrap();
    assert_eq!(limit.as_str(), "TIER_10K");
    assert_eq!(limit.daily_limit(), Some(10_000));
    assert!(!limit.is_unlimited());
    assert_eq!(
        update.max_phone_numbers_per_waba.and_then(|n| n.as_u64()),
        Some(25)
    );
    assert_eq!(update.max_phone_numbers_per_business, None);
    assert_eq!(update.max_daily_conversation_per_phone, None);
}

#[test]
fn phone_number_quality() {
    let update: PhoneNumberQualityUpdate = one(
        &fixture!("phone_number_quality_update"),
        "phone_number_quality_update",
    );
    assert_eq!(update.display_phone_number.as_deref(), Some("15550199000"));
    assert_eq!(
        update.event,
        Some(PhoneNumberQualityEvent::ThroughputUpgrade)
    );
    let limit = update.max_daily_conversations_per_business.unwrap();
    assert!(limit.is_unlimited());
    assert_eq!(limit.daily_limit(), None);
    assert_eq!(update.current_limit.unwrap().as_str(), "TIER_UNLIMITED");
    assert_eq!(update.old_limit, None);
}

#[test]
fn phone_number_name() {
    let update: PhoneNumberNameUpdate = one(
        &fixture!("phone_number_name_update"),
        "phone_number_name_update",
    );
    assert_eq!(update.display_phone_number.as_deref(), Some("15550199000"));
    assert_eq!(update.decision, Some(Decision::Rejected));
    assert_eq!(
        update.requested_verified_name.as_deref(),
        Some("Best Plants Ever!!!")
    );
    assert_eq!(
        update.rejection_reason.as_deref(),
        Some("NAME_FORMAT_UNACCEPTABLE")
    );
}

#[test]
fn security() {
    let update: Security = one(&fixture!("security"), "security");
    assert_eq!(update.display_phone_number.as_deref(), Some("15550199000"));
    assert_eq!(update.event.as_deref(), Some("PIN_RESET_REQUEST"));
    assert_eq!(update.requester.as_deref(), Some("61550000000001"));
}

#[test]
fn user_preferences() {
    let change: UserPreferences = one(&fixture!("user_preferences"), "user_preferences");
    assert_eq!(
        change.metadata.unwrap().phone_number_id.as_deref(),
        Some(PHONE_NUMBER_ID)
    );
    assert_eq!(change.contacts[0].name(), Some("Maya Ortiz"));
    let [preference] = change.user_preferences.as_slice() else {
        panic!("one preference")
    };
    assert_eq!(preference.wa_id.as_deref(), Some("15551230001"));
    assert_eq!(preference.value, Some(PreferenceValue::Stop));
    assert_eq!(preference.category.as_deref(), Some("marketing_messages"));
    assert_eq!(
        preference.detail.as_deref(),
        Some("User requested to stop marketing messages")
    );
    assert_eq!(preference.timestamp, Some(Timestamp(1_751_292_000)));
}

#[test]
fn partner_solutions() {
    let update: PartnerSolutions = one(&fixture!("partner_solutions"), "partner_solutions");
    assert_eq!(update.event.as_deref(), Some("SOLUTION_UPDATED"));
    assert_eq!(update.solution_id.as_deref(), Some("1618033988749894"));
    assert_eq!(update.solution_status.as_deref(), Some("ACTIVE"));
}

// ---------------------------------------------------------------------------
// Tolerance
// ---------------------------------------------------------------------------

/// Adds `"future_key": {..}` to every object of `json`, at every depth.
fn with_unknown_keys(json: &str) -> String {
    fn add(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.values_mut().for_each(add);
                map.insert(
                    "future_key".into(),
                    serde_json::json!({"nested": [1, "two", {"three": 3}]}),
                );
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(add),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
    add(&mut value);
    value.to_string()
}

#[test]
fn unknown_keys_anywhere_are_ignored() {
    fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(
        noisy: &[u8],
        body: &[u8],
        field: &str,
    ) {
        assert_eq!(read::<T>(noisy, field), read::<T>(body, field));
    }
    for (name, field, body) in all_fixtures() {
        println!("{name}");
        let noisy = with_unknown_keys(std::str::from_utf8(&body).unwrap());
        assert!(noisy.matches("future_key").count() > 3, "{name}");
        by_field!(field, same)(noisy.as_bytes(), &body, field);
    }
}

#[test]
fn numbers_as_strings_and_strings_as_numbers() {
    // Meta's samples differ: ids and phone numbers as JSON numbers, timestamps as
    // numbers, coordinates, prices, quantities and error codes as strings.
    let value = r#"{
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": 15550199000, "phone_number_id": 301234567890123},
        "contacts": [{"profile": {"name": "Maya"}, "wa_id": 15551230001}],
        "messages": [
            {"from": 15551230001, "id": "wamid.N1", "timestamp": 1751290001, "type": "location",
             "location": {"latitude": "50.79899", "longitude": "-1.09125"}},
            {"from": "15551230001", "id": "wamid.N2", "timestamp": "1751290002", "type": "order",
             "order": {"catalog_id": 845612378901234, "product_items": [
                {"product_retailer_id": "sku-1", "quantity": "2", "item_price": "14.50", "currency": "GBP"}]}},
            {"from": "15551230001", "id": "wamid.N3", "timestamp": "1751290003", "type": "unsupported",
             "errors": [{"code": "131051", "title": "Message type unknown"}]}
        ],
        "statuses": [{"id": "wamid.S1", "status": "read", "timestamp": 1751291590, "recipient_id": 15551230001,
                      "conversation": {"id": "c1", "expiration_timestamp": 1751377920}}]
    }"#;
    let change: Change = serde_json::from_str(value).unwrap();
    assert_eq!(change.phone_number_id(), Some(PHONE_NUMBER_ID));
    let metadata = change.metadata.as_ref().unwrap();
    assert_eq!(
        metadata.display_phone_number.as_deref(),
        Some("15550199000")
    );
    let [location, order, unsupported] = change.messages.as_slice() else {
        panic!()
    };
    assert_eq!(location.from.as_deref(), Some("15551230001"));
    assert_eq!(location.timestamp, Some(Timestamp(1_751_290_001)));
    let place = location.location.as_ref().unwrap();
    assert_eq!(
        (place.latitude, place.longitude),
        (Some(50.79899), Some(-1.09125))
    );
    assert_eq!(
        change.contact_for(location).unwrap().wa_id.as_deref(),
        Some("15551230001")
    );
    let order = order.order.as_ref().unwrap();
    assert_eq!(order.catalog_id.as_deref(), Some("845612378901234"));
    assert_eq!(
        order.product_items[0].quantity.as_ref().unwrap().as_u64(),
        Some(2)
    );
    assert_eq!(
        order.product_items[0].item_price.as_ref().unwrap().as_f64(),
        Some(14.5)
    );
    assert_eq!(unsupported.errors[0].code, Some(131_051));
    let status = &change.statuses[0];
    assert_eq!(status.recipient_id.as_deref(), Some("15551230001"));
    assert_eq!(status.timestamp, Some(Timestamp(1_751_291_590)));
    assert_eq!(
        status.conversation.as_ref().unwrap().expiration_timestamp,
        Some(Timestamp(1_751_377_920))
    );
}

#[test]
fn ids_limits_and_times_either_way() {
    // Template ids: a JSON number (as documented) or a string.
    for id in ["1209876543210987", "\"1209876543210987\""] {
        let update: MessageTemplateStatusUpdate = serde_json::from_str(&format!(
            r#"{{"event":"APPROVED","message_template_id":{id}}}"#
        ))
        .unwrap();
        assert_eq!(
            update.message_template_id.as_deref(),
            Some("1209876543210987")
        );
    }

    // Messaging limits: a tier name or a number, -1 for unlimited.
    let update: BusinessCapabilityUpdate = serde_json::from_str(
        r#"{"max_daily_conversations_per_business": 2000,
            "max_daily_conversation_per_phone": -1,
            "max_phone_numbers_per_business": "2"}"#,
    )
    .unwrap();
    assert_eq!(
        update
            .max_daily_conversations_per_business
            .unwrap()
            .daily_limit(),
        Some(2000)
    );
    assert!(
        update
            .max_daily_conversation_per_phone
            .unwrap()
            .is_unlimited()
    );
    assert_eq!(
        update.max_phone_numbers_per_business.unwrap().as_u64(),
        Some(2)
    );

    // Restriction expirations: documented as Unix time, seen as date strings.
    let update: AccountUpdate = serde_json::from_str(
        r#"{"event":"ACCOUNT_RESTRICTION","restriction_info":[
            {"restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING","expiration":"1751904000"},
            {"restriction_type":"RESTRICTED_CUSTOMER_INITIATED_MESSAGING","expiration":"2026-04-19T13:59:20+0000"}]}"#,
    )
    .unwrap();
    assert_eq!(
        update.restriction_info[0].expiration,
        Some(TimeOrText::Unix(Timestamp(1_751_904_000)))
    );
    assert_eq!(
        update.restriction_info[1].expiration,
        Some(TimeOrText::Text("2026-04-19T13:59:20+0000".into()))
    );
    assert_eq!(
        update.restriction_info[1]
            .expiration
            .as_ref()
            .unwrap()
            .unix_seconds(),
        None
    );
}

#[test]
fn unknown_enum_values_are_kept() {
    let value = r#"{
        "messages": [{"from": "15551230001", "id": "wamid.F1", "timestamp": "1751290001",
                      "type": "poll", "poll": {"question": "Ferns or cacti?"}},
                     {"from": "15551230001", "id": "wamid.F2", "timestamp": "1751290002",
                      "type": "interactive", "interactive": {"type": "carousel_reply", "carousel_reply": {"id": "c1"}}},
                     {"from": "15551230001", "id": "wamid.F3", "timestamp": "1751290003",
                      "type": "system", "system": {"type": "user_went_to_the_moon"}}],
        "statuses": [{"id": "wamid.S1", "status": "vanished", "timestamp": "1751291590",
                      "pricing": {"pricing_model": "XYZ", "category": "premium_plants", "type": "promo"},
                      "conversation": {"id": "c1", "origin": {"type": "mystery"}}}]
    }"#;
    let change: Change = serde_json::from_str(value).unwrap();
    let poll = &change.messages[0];
    assert_eq!(poll.kind, Some(MessageType::Other("poll".into())));
    assert_eq!(poll.kind.as_ref().unwrap().as_str(), "poll");
    assert_eq!(
        change.messages[1].interactive.as_ref().unwrap().kind,
        Some(InteractiveType::Other("carousel_reply".into()))
    );
    assert_eq!(
        change.messages[2].system.as_ref().unwrap().kind,
        Some(SystemType::Other("user_went_to_the_moon".into()))
    );
    let status = &change.statuses[0];
    assert_eq!(
        status.status,
        Some(DeliveryStatus::Other("vanished".into()))
    );
    let pricing = status.pricing.as_ref().unwrap();
    assert_eq!(
        pricing.pricing_model,
        Some(PricingModel::Other("XYZ".into()))
    );
    assert_eq!(
        pricing.category,
        Some(PricingCategory::Other("premium_plants".into()))
    );
    assert_eq!(pricing.kind, Some(PricingType::Other("promo".into())));
    assert_eq!(
        status
            .conversation
            .as_ref()
            .unwrap()
            .origin
            .as_ref()
            .unwrap()
            .kind,
        Some(ConversationCategory::Other("mystery".into()))
    );
    // Unknown values serialise back as sent.
    let json = serde_json::to_value(&change).unwrap();
    assert_eq!(json["messages"][0]["type"], "poll");
    assert_eq!(json["statuses"][0]["status"], "vanished");

    let update: MessageTemplateStatusUpdate = serde_json::from_str(
        r#"{"event":"HIBERNATING","reason":"TOO_SPARKLY","message_template_category":"GREETINGS"}"#,
    )
    .unwrap();
    assert_eq!(
        update.event,
        Some(TemplateStatusEvent::Other("HIBERNATING".into()))
    );
    assert_eq!(
        update.reason,
        Some(TemplateRejectionReason::Other("TOO_SPARKLY".into()))
    );
    assert_eq!(
        update.message_template_category,
        Some(TemplateCategory::Other("GREETINGS".into()))
    );
    let update: AccountUpdate = serde_json::from_str(r#"{"event":"ACCOUNT_TELEPORTED"}"#).unwrap();
    assert_eq!(
        update.event,
        Some(AccountUpdateEvent::Other("ACCOUNT_TELEPORTED".into()))
    );
}

#[test]
fn empty_values_read_as_empty() {
    let change: Change = serde_json::from_str("{}").unwrap();
    assert_eq!(change, Change::default());
    let message: webhook_core::fields::whatsapp::Message = serde_json::from_str("{}").unwrap();
    assert_eq!(message.kind, None);
    assert_eq!(message.sender(), None);
    let update: AccountUpdate = serde_json::from_str("{}").unwrap();
    assert_eq!(update, AccountUpdate::default());
}

#[test]
fn with_raw_keeps_unknown_keys() {
    let body = String::from_utf8(fixture!("messages_text")).unwrap();
    let body = body.replacen(
        r#""messaging_product""#,
        r#""brand_new_section": {"beta": true}, "messaging_product""#,
        1,
    );
    let values: Vec<WithRaw<Change>> = read(body.as_bytes(), "messages");
    let [with_raw] = values.as_slice() else {
        panic!("one value")
    };
    assert_eq!(
        with_raw.value.messages[0].text_body(),
        Some("Hello! Do you deliver on Sundays?")
    );
    // Deref to the typed value.
    assert_eq!(with_raw.phone_number_id(), Some(PHONE_NUMBER_ID));
    let raw: serde_json::Value = serde_json::from_str(with_raw.raw.get()).unwrap();
    assert_eq!(raw["brand_new_section"]["beta"], true);
    assert!(with_raw.raw.get().contains("brand_new_section"));
    assert_eq!(
        raw["messages"][0]["text"]["body"],
        "Hello! Do you deliver on Sundays?"
    );
}

#[test]
fn module_example_holds() {
    let value = r#"{"messaging_product":"whatsapp",
        "metadata":{"display_phone_number":"15550001111","phone_number_id":"301234567890123"},
        "contacts":[{"profile":{"name":"Ana"},"wa_id":"15557654321"}],
        "messages":[{"from":"15557654321","id":"wamid.A1","timestamp":"1750000000",
                     "type":"text","text":{"body":"Hi!"}}]}"#;
    let change: Change = serde_json::from_str(value).unwrap();
    let message = &change.messages[0];
    assert_eq!(message.kind, Some(MessageType::Text));
    assert_eq!(message.text_body(), Some("Hi!"));
    assert_eq!(
        change.contact_for(message).and_then(|c| c.name()),
        Some("Ana")
    );
}

// ---------------------------------------------------------------------------
// flows: Meta's "Flows webhooks" guide
// (https://developers.facebook.com/docs/whatsapp/flows/guides/webhooks)
// ---------------------------------------------------------------------------

#[test]
fn flows_status_change() {
    let [flows] = read::<Flows>(&fixture!("flows_status_change"), "flows")
        .try_into()
        .unwrap();
    assert_eq!(flows.event, Some(FlowEvent::FlowStatusChange));
    assert_eq!(flows.flow_id.as_ref().unwrap(), "5550001112223");
    assert_eq!(
        (flows.old_status.as_deref(), flows.new_status.as_deref()),
        (Some("DRAFT"), Some("PUBLISHED"))
    );
    assert!(flows.errors.is_empty() && flows.threshold.is_none());
}

#[test]
fn flows_endpoint_error_rate() {
    let [flows] = read::<Flows>(&fixture!("flows_endpoint_error_rate"), "flows")
        .try_into()
        .unwrap();
    assert_eq!(flows.event, Some(FlowEvent::EndpointErrorRate));
    assert_eq!(flows.alert_state.as_deref(), Some("ACTIVATED"));
    assert_eq!(
        (flows.error_rate, flows.threshold),
        (Some(12.5), Some(10.0))
    );
    let kinds: Vec<(&str, Option<f64>)> = flows
        .errors
        .iter()
        .map(|e| (e.error_type.as_deref().unwrap(), e.error_count))
        .collect();
    assert_eq!(
        kinds,
        [("TIMEOUT", Some(3.0)), ("INVALID_RESPONSE", Some(1.0))]
    );
    // An event this crate does not know yet is kept as sent.
    let later: Flows =
        serde_json::from_str(r#"{"event":"ENDPOINT_COLD_START","flow_id":1}"#).unwrap();
    assert_eq!(
        later.event,
        Some(FlowEvent::Other("ENDPOINT_COLD_START".to_owned()))
    );
    assert_eq!(later.flow_id.unwrap(), "1");
}

// ---------------------------------------------------------------------------
// calls: Meta's Calling reference
// (https://developers.facebook.com/docs/whatsapp/cloud-api/calling/reference)
// ---------------------------------------------------------------------------

#[test]
fn calls_connect_terminate_and_status() {
    let [connect] = read::<Calls>(&fixture!("calls_connect"), "calls")
        .try_into()
        .unwrap();
    let call = &connect.calls[0];
    assert_eq!(call.event, Some(CallEvent::Connect));
    assert_eq!(call.direction.as_deref(), Some("USER_INITIATED"));
    let session = call.session.as_ref().unwrap();
    assert_eq!(session.sdp_type.as_deref(), Some("offer"));
    assert!(session.sdp.as_deref().unwrap().starts_with("v=0"));
    assert_eq!(connect.contacts.len(), 1);

    let [ended] = read::<Calls>(&fixture!("calls_terminate"), "calls")
        .try_into()
        .unwrap();
    let call = &ended.calls[0];
    assert_eq!(call.event, Some(CallEvent::Terminate));
    assert_eq!(call.status.as_deref(), Some("COMPLETED"));
    assert_eq!(call.duration, Some(115));
    assert_eq!(call.start_time, Some(Timestamp(1_767_225_605)));
    assert_eq!(
        call.biz_opaque_callback_data.as_deref(),
        Some("ticket-7781")
    );

    let [status] = read::<Calls>(&fixture!("calls_status"), "calls")
        .try_into()
        .unwrap();
    assert!(status.calls.is_empty());
    let ringing = &status.statuses[0];
    assert_eq!(
        (ringing.kind.as_deref(), ringing.status.as_deref()),
        (Some("call"), Some("RINGING"))
    );
}

// ---------------------------------------------------------------------------
// payment_configuration_update, automatic_events, smb_app_state_sync: Meta's
// WhatsApp webhooks reference pages of those fields
// ---------------------------------------------------------------------------

#[test]
fn payment_configuration_update() {
    let [update] = read::<PaymentConfigurationUpdate>(
        &fixture!("payment_configuration_update"),
        "payment_configuration_update",
    )
    .try_into()
    .unwrap();
    assert_eq!(update.provider_name.as_deref(), Some("payu"));
    assert_eq!(update.status.as_deref(), Some("Needs Testing"));
    assert_eq!(update.updated_timestamp, Some(Timestamp(1_767_226_100)));
}

#[test]
fn automatic_events_purchase_and_lead() {
    let [purchase] =
        read::<AutomaticEvents>(&fixture!("automatic_events_purchase"), "automatic_events")
            .try_into()
            .unwrap();
    let event = &purchase.automatic_events[0];
    assert_eq!(event.event_name.as_deref(), Some("Purchase"));
    let data = event.custom_data.as_ref().unwrap();
    assert_eq!(
        (data.currency.as_deref(), data.value),
        (Some("EUR"), Some(4200.0))
    );
    let [lead] = read::<AutomaticEvents>(&fixture!("automatic_events_lead"), "automatic_events")
        .try_into()
        .unwrap();
    let event = &lead.automatic_events[0];
    assert_eq!(event.event_name.as_deref(), Some("LeadSubmitted"));
    assert_eq!(event.custom_data, None);
    assert_eq!(event.ctwa_clid.as_deref(), Some("ctwa-EXAMPLE-click-id-2"));
}

#[test]
fn smb_app_state_sync() {
    let [sync] = read::<SmbAppStateSync>(&fixture!("smb_app_state_sync"), "smb_app_state_sync")
        .try_into()
        .unwrap();
    let [added, removed] = sync.state_sync.as_slice() else {
        panic!("{sync:?}")
    };
    assert_eq!(added.action.as_deref(), Some("add"));
    let contact = added.contact.as_ref().unwrap();
    assert_eq!(contact.full_name.as_deref(), Some("Noor Haddad"));
    assert_eq!(contact.phone_number.as_ref().unwrap(), "15550177334");
    assert_eq!(removed.action.as_deref(), Some("remove"));
    assert_eq!(
        removed.metadata.as_ref().and_then(|m| m.timestamp),
        Some(Timestamp(1_767_226_001))
    );
}

// ---------------------------------------------------------------------------
// Coexistence, groups, usernames and BSUIDs, account settings
// ---------------------------------------------------------------------------

/// Meta's `history` reference: a chunk of the Business app's chat history, each
/// message with its status then.
#[test]
fn history() {
    let history: History = one(&fixture!("history"), "history");
    let chunk = &history.history[0];
    let progress = chunk.metadata.as_ref().unwrap();
    assert_eq!(
        (progress.phase, progress.chunk_order, progress.progress),
        (Some(1), Some(2), Some(40))
    );
    let thread = &chunk.threads[0];
    assert_eq!(thread.id.as_deref(), Some("15550199881"));
    let sent = &thread.messages[0];
    assert_eq!(sent.to.as_deref(), Some("15550199881"));
    assert_eq!(
        sent.history_context.as_ref().unwrap().status.as_deref(),
        Some("READ")
    );
    assert_eq!(thread.messages[1].text_body(), Some("Great, see you then"));
}

/// Meta's `smb_message_echoes` reference: what the business sent from the app.
#[test]
fn smb_message_echoes() {
    let echoes: SmbMessageEchoes = one(&fixture!("smb_message_echoes"), "smb_message_echoes");
    let echo = &echoes.message_echoes[0];
    assert_eq!(
        (echo.from.as_deref(), echo.to.as_deref()),
        (Some("15550100222"), Some("15550199881"))
    );
    assert_eq!(echo.text_body(), Some("We open at 9 tomorrow."));
}

/// Meta's groups webhooks page: the four group fields share `groups[]`.
#[test]
fn groups() {
    let created: Groups = one(
        &fixture!("group_lifecycle_update"),
        "group_lifecycle_update",
    );
    let event = &created.groups[0];
    assert_eq!(event.kind, Some(GroupEventType::GroupCreate));
    assert_eq!(
        event.subject.as_ref().and_then(|s| s.text()),
        Some("Saturday pickup")
    );
    assert_eq!(event.join_approval_mode.as_deref(), Some("auto_approve"));
    let joined: Groups = one(
        &fixture!("group_participants_update"),
        "group_participants_update",
    );
    assert_eq!(
        joined.groups[0].participants[0].wa_id.as_deref(),
        Some("15550199881")
    );
    let renamed: Groups = one(&fixture!("group_settings_update"), "group_settings_update");
    assert_eq!(
        renamed.groups[0].subject,
        Some(webhook_core::fields::whatsapp::GroupSetting::Changed {
            text: Some("Sunday pickup".into()),
            update_successful: Some(true)
        })
    );
    let suspended: Groups = one(&fixture!("group_status_update"), "group_status_update");
    assert_eq!(suspended.groups[0].kind, Some(GroupEventType::GroupSuspend));
}

/// Meta's business-scoped user ids page: the username webhook (spelled both
/// ways) and `user_id_update`.
#[test]
fn usernames_and_user_ids() {
    let approved: BusinessUsernameUpdate = one(
        &fixture!("business_username_updates"),
        "business_username_updates",
    );
    assert_eq!(
        (approved.username.as_deref(), approved.status.as_deref()),
        (Some("harbourbakery"), Some("approved"))
    );
    let deleted: BusinessUsernameUpdate = one(
        &fixture!("business_username_update"),
        "business_username_update",
    );
    assert_eq!(
        (deleted.username, deleted.status.as_deref()),
        (None, Some("deleted"))
    );
    let updates: UserIdUpdates = one(&fixture!("user_id_update"), "user_id_update");
    let update = &updates.user_id_update[0];
    let ids = update.user_id.as_ref().unwrap();
    assert_eq!(
        (ids.previous.as_deref(), ids.current.as_deref()),
        (Some("US.bsuid.OLD0001"), Some("US.bsuid.NEW0001"))
    );
    assert_eq!(update.timestamp, Some(Timestamp(1_767_226_500)));
    assert_eq!(updates.contacts[0].name(), Some("Ada Lindqvist"));
}

/// Meta's call settings page: `account_settings_update` carries the Calling
/// settings.
#[test]
fn account_settings_update() {
    let update: AccountSettingsUpdate = one(
        &fixture!("account_settings_update"),
        "account_settings_update",
    );
    assert_eq!(update.phone_number_id.as_deref(), Some("400555666777888"));
    let calling = update.calling.unwrap();
    assert_eq!(calling.call_icon_visibility.as_deref(), Some("DEFAULT"));
    let hours = calling.call_hours.unwrap();
    assert_eq!(hours.timezone_id.as_deref(), Some("Europe/Oslo"));
    assert_eq!(
        hours.weekly_operating_hours[0].day_of_week.as_deref(),
        Some("MONDAY")
    );
}
