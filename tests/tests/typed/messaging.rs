//! Typed Messenger (`page`) and Instagram (`instagram`) messaging events: every
//! fixture under `webhook-server/fixtures/typed/messaging/` is routed, then read with the type of its
//! field, and specific values are checked.

use serde::de::DeserializeOwned;
use webhook_core::fields::messaging::{
    AccountLinkingEvent, AccountLinkingStatus, AnyEvent, AppRole, AttachmentType, BookingStatus,
    ButtonType, DeliveryEvent, GamePlayEvent, HandoverEvent, MessageEditEvent, MessageEvent,
    NotificationStatus, OptinEvent, OptinType, PolicyAction, PolicyEnforcementEvent, PostbackEvent,
    ReactionAction, ReactionEvent, ReactionKind, ReadEvent, ReferralEvent, ReferralSource,
    ReferralType, ResponseFeedbackEvent, SendCartEvent, TemplateType, UserTokenStatus,
};
use webhook_core::fields::messaging::{
    CallPermissionReplyEvent, CheckoutUpdateEvent, CustomerInformationEvent, GroupFeedEvent,
    MessagingFeedbackEvent, PaymentEvent, PreCheckoutEvent,
};
use webhook_core::fields::page::{BusinessIntegrity, Call, CallSettings};
use webhook_core::fields::{Id, WithRaw};
use webhook_core::{ItemKind, Notification};

macro_rules! fixture {
    ($name:literal) => {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../webhook-server/fixtures/typed/messaging/",
            $name,
            ".json"
        ))
        .expect(concat!("fixture ", $name))
    };
}

/// Every fixture, by name.
fn all_fixtures() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("page_messages_text", fixture!("page_messages_text")),
        (
            "page_messages_attachments",
            fixture!("page_messages_attachments"),
        ),
        (
            "page_messages_quick_reply",
            fixture!("page_messages_quick_reply"),
        ),
        ("page_message_echoes", fixture!("page_message_echoes")),
        (
            "page_messaging_postbacks",
            fixture!("page_messaging_postbacks"),
        ),
        (
            "page_message_deliveries",
            fixture!("page_message_deliveries"),
        ),
        ("page_message_reads", fixture!("page_message_reads")),
        ("page_messaging_optins", fixture!("page_messaging_optins")),
        (
            "page_messaging_referrals",
            fixture!("page_messaging_referrals"),
        ),
        ("page_message_reactions", fixture!("page_message_reactions")),
        (
            "page_messaging_account_linking",
            fixture!("page_messaging_account_linking"),
        ),
        (
            "page_messaging_handovers",
            fixture!("page_messaging_handovers"),
        ),
        (
            "page_messaging_policy_enforcement",
            fixture!("page_messaging_policy_enforcement"),
        ),
        ("page_message_edits", fixture!("page_message_edits")),
        (
            "page_messaging_game_plays",
            fixture!("page_messaging_game_plays"),
        ),
        ("page_response_feedback", fixture!("page_response_feedback")),
        ("page_send_cart", fixture!("page_send_cart")),
        ("page_standby", fixture!("page_standby")),
        ("instagram_messages", fixture!("instagram_messages")),
        (
            "instagram_messaging_seen",
            fixture!("instagram_messaging_seen"),
        ),
        (
            "instagram_message_reactions",
            fixture!("instagram_message_reactions"),
        ),
        (
            "instagram_messaging_postbacks",
            fixture!("instagram_messaging_postbacks"),
        ),
        (
            "instagram_messaging_referral",
            fixture!("instagram_messaging_referral"),
        ),
        (
            "instagram_messaging_handover",
            fixture!("instagram_messaging_handover"),
        ),
        ("instagram_message_edit", fixture!("instagram_message_edit")),
        (
            "instagram_messaging_optins",
            fixture!("instagram_messaging_optins"),
        ),
    ]
}

/// The event key an item was classified by (`message`, `postback`, ...), for
/// messaging and standby items alike.
fn event_key(kind: ItemKind<'_>) -> &str {
    match kind {
        ItemKind::Messaging(key) | ItemKind::Standby(key) => key,
        other => panic!("not a messaging item: {other:?}"),
    }
}

/// Routes `body`, checks that every item has `object` and `field` and comes from
/// `messaging[]` (or `standby[]` when `field` is `standby`), and reads each value as
/// a `T`. Returns the event keys beside the values.
fn read<T: DeserializeOwned>(body: &[u8], object: &str, field: &str) -> Vec<(String, T)> {
    let n = Notification::parse(body).expect("the fixture parses");
    let items: Vec<_> = n.items().collect();
    assert!(!items.is_empty(), "no items");
    items
        .iter()
        .map(|item| {
            assert_eq!(item.object(), object);
            assert_eq!(item.field(), Some(field), "field of {}", item.value().get());
            if field == "standby" {
                assert!(matches!(item.kind(), ItemKind::Standby(_)));
            } else {
                assert!(matches!(item.kind(), ItemKind::Messaging(_)));
            }
            let value = serde_json::from_str::<T>(item.value().get())
                .unwrap_or_else(|e| panic!("{e}: {}", item.value().get()));
            (event_key(item.kind()).to_owned(), value)
        })
        .collect()
}

fn only_values<T>(pairs: Vec<(String, T)>, key: &str) -> Vec<T> {
    pairs
        .into_iter()
        .map(|(k, v)| {
            assert_eq!(k, key);
            v
        })
        .collect()
}

fn id(party: Option<&webhook_core::fields::messaging::Party>) -> &str {
    party
        .and_then(|p| p.id.as_ref())
        .map_or("<none>", Id::as_str)
}

const PAGE: &str = "100200300400500";
const IG: &str = "17841400000000001";

// ---------------------------------------------------------------------------
// Messenger
// ---------------------------------------------------------------------------

#[test]
fn page_messages_text() {
    let events: Vec<MessageEvent> = only_values(
        read(&fixture!("page_messages_text"), "page", "messages"),
        "message",
    );
    assert_eq!(events.len(), 5);

    let first = &events[0];
    assert_eq!(id(first.sender.as_ref()), "7001001001");
    assert_eq!(id(first.recipient.as_ref()), PAGE);
    assert_eq!(first.timestamp.unwrap().raw(), 1_732_800_000_123);
    assert_eq!(first.timestamp.unwrap().unix_seconds(), 1_732_800_000);
    assert_eq!(first.message.mid.as_deref(), Some("m_txt_0001"));
    assert_eq!(
        first.message.text.as_deref(),
        Some("Do you deliver to Lyon? ça marche 😀")
    );
    assert!(!first.message.is_echo);
    assert!(first.message.attachments.is_empty());

    let reply = events[1].message.reply_to.as_ref().unwrap();
    assert_eq!(reply.mid.as_deref(), Some("m_page_0999"));
    assert_eq!(reply.is_self_reply, Some(false));

    assert_eq!(events[2].message.commands[0].name.as_deref(), Some("order"));

    let ad = events[3].message.referral.as_ref().unwrap();
    assert_eq!(ad.source, Some(ReferralSource::Ads));
    assert_eq!(ad.kind, Some(ReferralType::OpenThread));
    assert_eq!(ad.reference.as_deref(), Some("spring_sale"));
    assert_eq!(ad.ad_id.as_ref().unwrap(), "23850000000000001");
    let context = ad.ads_context_data.as_ref().unwrap();
    assert_eq!(context.ad_title.as_deref(), Some("Spring sale: 20% off"));
    assert_eq!(context.product_id.as_ref().unwrap(), "7700001");
    assert_eq!(context.video_url, None);

    let shops = events[4].message.referral.as_ref().unwrap();
    assert_eq!(
        shops.product.as_ref().unwrap().id.as_ref().unwrap(),
        "8800002"
    );
    assert_eq!(shops.source, Some(ReferralSource::Shops));
}

#[test]
fn page_messages_attachments() {
    let events: Vec<MessageEvent> = only_values(
        read(&fixture!("page_messages_attachments"), "page", "messages"),
        "message",
    );
    let types: Vec<Vec<&str>> = events
        .iter()
        .map(|e| {
            e.message
                .attachments
                .iter()
                .map(|a| a.kind.as_ref().unwrap().as_str())
                .collect()
        })
        .collect();
    assert_eq!(
        types,
        [
            vec!["image", "audio", "video", "file"],
            vec!["image", "sticker"],
            vec!["location"],
            vec!["fallback", "fallback"],
            vec!["reel", "ig_reel", "post", "ig_post"],
            vec!["appointment_booking"],
            vec!["template"],
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e.message.text.is_none() || e.message.mid.as_deref() == Some("m_att_0004"))
    );

    let media = &events[0].message.attachments;
    assert_eq!(media[0].kind, Some(AttachmentType::Image));
    let payload = media[3].payload.as_ref().unwrap();
    assert_eq!(
        payload.url.as_deref(),
        Some("https://cdn.example.invalid/invoice.pdf")
    );

    let sticker = &events[1].message;
    assert_eq!(sticker.sticker_id.as_ref().unwrap(), "369239263222822");
    assert_eq!(sticker.attachments[1].kind, Some(AttachmentType::Sticker));
    let sticker_payload = sticker.attachments[1].payload.as_ref().unwrap();
    assert_eq!(
        sticker_payload.sticker_id.as_ref().unwrap(),
        "369239263222822"
    );

    let location = &events[2].message.attachments[0];
    assert_eq!(location.title.as_deref(), Some("Pinned Location"));
    let coordinates = location
        .payload
        .as_ref()
        .unwrap()
        .coordinates
        .as_ref()
        .unwrap();
    assert!((coordinates.lat.unwrap() - 45.764_043).abs() < 1e-9);
    assert!((coordinates.long.unwrap() - 4.835_659).abs() < 1e-9);

    let fallback = &events[3].message.attachments;
    assert_eq!(
        fallback[0].payload.as_ref().unwrap().title.as_deref(),
        Some("Our menu")
    );
    assert_eq!(fallback[1].payload, None, "a fallback with a null payload");

    let shares = &events[4].message.attachments;
    assert_eq!(
        shares[1]
            .payload
            .as_ref()
            .unwrap()
            .reel_video_id
            .as_ref()
            .unwrap(),
        "17990000000000002"
    );
    assert_eq!(
        shares[2].payload.as_ref().unwrap().title.as_deref(),
        Some("Opening hours")
    );
    assert_eq!(shares[3].kind, Some(AttachmentType::IgPost));

    let booking = events[5].message.attachments[0].payload.as_ref().unwrap();
    assert_eq!(booking.booking_id.as_ref().unwrap(), "4400000000000001");
    assert_eq!(booking.status, Some(BookingStatus::Confirmed));
    assert_eq!(booking.start_time.unwrap().raw(), 1_739_612_400);
    assert_eq!(booking.end_time.unwrap().raw(), 1_739_616_000);
    assert_eq!(booking.timezone.as_deref(), Some("Europe/Paris"));

    let products = &events[6].message.attachments[0]
        .payload
        .as_ref()
        .unwrap()
        .product
        .as_ref()
        .unwrap()
        .elements;
    assert_eq!(products.len(), 2);
    assert_eq!(products[0].id.as_ref().unwrap(), "8800002");
    assert_eq!(products[0].retailer_id.as_deref(), Some("SKU-BLUE-42"));
    assert_eq!(products[1].title.as_deref(), Some("Red mug"));
    assert_eq!(products[1].subtitle.as_deref(), Some("€12.00"));
}

#[test]
fn page_messages_quick_reply() {
    let events: Vec<MessageEvent> = only_values(
        read(&fixture!("page_messages_quick_reply"), "page", "messages"),
        "message",
    );
    let message = &events[0].message;
    assert_eq!(message.text.as_deref(), Some("Large"));
    assert_eq!(
        message.quick_reply.as_ref().unwrap().payload.as_deref(),
        Some("SIZE_LARGE")
    );
}

#[test]
fn page_message_echoes() {
    let events: Vec<MessageEvent> = only_values(
        read(&fixture!("page_message_echoes"), "page", "message_echoes"),
        "message",
    );
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| e.message.is_echo));
    assert!(events.iter().all(|e| id(e.sender.as_ref()) == PAGE));
    assert!(
        events
            .iter()
            .all(|e| id(e.recipient.as_ref()) == "7001001001")
    );

    let text = &events[0].message;
    assert_eq!(text.app_id.as_ref().unwrap(), "1517776481860111");
    assert_eq!(text.metadata.as_deref(), Some("order-4711"));
    assert_eq!(text.text.as_deref(), Some("Your order is on its way"));
    assert_eq!(
        events[1].message.app_id.as_ref().unwrap(),
        "263902037430900"
    );

    let media = &events[2].message.attachments[0];
    assert_eq!(media.kind, Some(AttachmentType::Template));
    assert_eq!(
        media.url.as_deref(),
        Some("https://www.facebook.com/commerce/update/")
    );
    let template = media.payload.as_ref().unwrap();
    assert_eq!(template.template_type, Some(TemplateType::Media));
    assert_eq!(template.elements[0].media_type.as_deref(), Some("image"));
    assert_eq!(
        template.elements[0].attachment_id.as_ref().unwrap(),
        "2457235337685388"
    );

    let buttons = events[3].message.attachments[0].payload.as_ref().unwrap();
    assert_eq!(buttons.template_type, Some(TemplateType::Button));
    assert_eq!(buttons.text.as_deref(), Some("What next?"));
    assert_eq!(buttons.buttons[0].kind, Some(ButtonType::WebUrl));
    assert_eq!(buttons.buttons[1].kind, Some(ButtonType::Postback));
    assert_eq!(buttons.buttons[1].payload.as_deref(), Some("HUMAN"));
}

#[test]
fn page_messaging_postbacks() {
    let events: Vec<PostbackEvent> = only_values(
        read(
            &fixture!("page_messaging_postbacks"),
            "page",
            "messaging_postbacks",
        ),
        "postback",
    );
    let started = &events[0].postback;
    assert_eq!(started.mid.as_deref(), Some("m_pb_0001"));
    assert_eq!(started.title.as_deref(), Some("Get Started"));
    assert_eq!(started.payload.as_deref(), Some("GET_STARTED"));
    let referral = started.referral.as_ref().unwrap();
    assert_eq!(referral.reference.as_deref(), Some("qr-store-lyon"));
    assert_eq!(referral.source, Some(ReferralSource::Shortlink));

    assert_eq!(
        events[1].postback.payload.as_deref(),
        Some("MENU_ORDER_STATUS")
    );
    assert!(events[1].postback.referral.is_none());

    let plugin = &events[2];
    let sender = plugin.sender.as_ref().unwrap();
    assert_eq!(sender.id, None);
    assert_eq!(sender.user_ref.as_deref(), Some("chatplugin-ref-9f2c"));
    let referral = plugin.postback.referral.as_ref().unwrap();
    assert_eq!(referral.source, Some(ReferralSource::CustomerChatPlugin));
    assert_eq!(
        referral.referer_uri.as_deref(),
        Some("https://shop.example.invalid/pricing")
    );
    assert_eq!(referral.is_guest_user, Some(true));
}

#[test]
fn page_message_deliveries() {
    let events: Vec<DeliveryEvent> = only_values(
        read(
            &fixture!("page_message_deliveries"),
            "page",
            "message_deliveries",
        ),
        "delivery",
    );
    assert!(
        events.iter().all(|e| e.timestamp.is_none()),
        "deliveries carry no timestamp"
    );
    assert_eq!(events[0].delivery.mids, ["m_echo_0001", "m_echo_0002"]);
    assert_eq!(
        events[0].delivery.watermark.unwrap().raw(),
        1_732_800_500_400
    );
    assert_eq!(events[0].delivery.seq.as_ref().unwrap().as_u64(), Some(0));
    assert!(events[1].delivery.mids.is_empty(), "mids may be missing");
    assert_eq!(
        events[1].delivery.watermark.unwrap().unix_seconds(),
        1_732_800_500
    );
}

#[test]
fn page_message_reads() {
    let events: Vec<ReadEvent> = only_values(
        read(&fixture!("page_message_reads"), "page", "message_reads"),
        "read",
    );
    assert_eq!(events[0].read.watermark.unwrap().raw(), 1_732_800_600_500);
    assert_eq!(events[0].read.mid, None);
    assert_eq!(events[0].timestamp.unwrap().raw(), 1_732_800_600_800);
}

#[test]
fn page_messaging_optins() {
    let events: Vec<OptinEvent> = only_values(
        read(
            &fixture!("page_messaging_optins"),
            "page",
            "messaging_optins",
        ),
        "optin",
    );
    let marketing = &events[0].optin;
    assert_eq!(marketing.kind, Some(OptinType::NotificationMessages));
    assert_eq!(marketing.payload.as_deref(), Some("WEEKLY_DEALS"));
    assert_eq!(
        marketing.notification_messages_token.as_deref(),
        Some("nmt_AbCdEf0123456789")
    );
    assert_eq!(
        marketing.notification_messages_timezone.as_deref(),
        Some("Europe/Paris")
    );
    assert_eq!(
        marketing.token_expiry_timestamp.unwrap().unix_seconds(),
        1_764_336_700
    );
    assert_eq!(
        marketing.user_token_status,
        Some(UserTokenStatus::NotRefreshed)
    );
    assert_eq!(marketing.title.as_deref(), Some("Weekly deals"));

    assert_eq!(
        events[1].optin.notification_messages_status,
        Some(NotificationStatus::StopNotifications)
    );
    assert_eq!(
        events[2].optin.reference.as_deref(),
        Some("send-to-messenger-footer")
    );
    assert_eq!(events[2].optin.kind, None);

    let checkbox = &events[3];
    assert!(
        checkbox.sender.is_none(),
        "the checkbox plugin has no sender"
    );
    assert_eq!(
        checkbox.optin.user_ref.as_deref(),
        Some("cbx-user-ref-5e1a")
    );
    assert_eq!(
        checkbox.optin.reference.as_deref(),
        Some("checkout-checkbox")
    );
}

#[test]
fn page_messaging_referrals() {
    let events: Vec<ReferralEvent> = only_values(
        read(
            &fixture!("page_messaging_referrals"),
            "page",
            "messaging_referrals",
        ),
        "referral",
    );
    assert_eq!(events[0].referral.reference.as_deref(), Some("flyer-2024"));
    assert_eq!(events[0].referral.source, Some(ReferralSource::Shortlink));
    assert_eq!(events[0].referral.kind, Some(ReferralType::OpenThread));

    let ad = &events[1].referral;
    assert_eq!(ad.ad_id.as_ref().unwrap(), "23850000000000002");
    let context = ad.ads_context_data.as_ref().unwrap();
    assert_eq!(context.ad_title.as_deref(), Some("Winter promo"));
    assert_eq!(
        context.video_url.as_deref(),
        Some("https://scontent.example.invalid/winter-thumb.jpg")
    );
    assert_eq!(
        context.post_id.as_ref().unwrap(),
        "100200300400500_555000222"
    );
    assert_eq!(context.flow_id.as_ref().unwrap(), "3300000000001");

    let plugin = &events[2];
    assert_eq!(
        plugin.sender.as_ref().unwrap().user_ref.as_deref(),
        Some("chatplugin-ref-9f2c")
    );
    assert_eq!(
        plugin.referral.source,
        Some(ReferralSource::CustomerChatPlugin)
    );
}

#[test]
fn page_message_reactions() {
    let events: Vec<ReactionEvent> = only_values(
        read(
            &fixture!("page_message_reactions"),
            "page",
            "message_reactions",
        ),
        "reaction",
    );
    let react = &events[0].reaction;
    assert_eq!(react.action, Some(ReactionAction::React));
    assert_eq!(react.reaction, Some(ReactionKind::Love));
    assert_eq!(react.emoji.as_deref(), Some("❤️"));
    assert_eq!(react.mid.as_deref(), Some("m_echo_0001"));
    assert_eq!(events[1].reaction.action, Some(ReactionAction::Unreact));
}

#[test]
fn page_messaging_account_linking() {
    let events: Vec<AccountLinkingEvent> = only_values(
        read(
            &fixture!("page_messaging_account_linking"),
            "page",
            "messaging_account_linking",
        ),
        "account_linking",
    );
    assert_eq!(
        events[0].account_linking.status,
        Some(AccountLinkingStatus::Linked)
    );
    assert_eq!(
        events[0].account_linking.authorization_code.as_deref(),
        Some("auth-code-8c41d2")
    );
    assert_eq!(
        events[1].account_linking.status,
        Some(AccountLinkingStatus::Unlinked)
    );
    assert_eq!(events[1].account_linking.authorization_code, None);
}

#[test]
fn page_messaging_handovers() {
    let pairs: Vec<(String, HandoverEvent)> = read(
        &fixture!("page_messaging_handovers"),
        "page",
        "messaging_handovers",
    );
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "pass_thread_control",
            "pass_thread_control",
            "take_thread_control",
            "request_thread_control",
            "app_roles"
        ]
    );
    let events: Vec<HandoverEvent> = pairs.into_iter().map(|(_, e)| e).collect();

    let pass = events[0].pass_thread_control.as_ref().unwrap();
    assert_eq!(
        pass.previous_owner_app_id.as_ref().unwrap(),
        "263902037430900"
    );
    assert_eq!(pass.new_owner_app_id.as_ref().unwrap(), "1517776481860111");
    assert_eq!(pass.metadata.as_deref(), Some("escalated by inbox"));
    assert!(events[0].take_thread_control.is_none());

    let from_idle = events[1].pass_thread_control.as_ref().unwrap();
    assert_eq!(
        from_idle.previous_owner_app_id, None,
        "null when the thread was idle"
    );

    let take = events[2].take_thread_control.as_ref().unwrap();
    assert_eq!(take.new_owner_app_id.as_ref().unwrap(), "263902037430900");
    assert_eq!(
        take.previous_owner_app_id.as_ref().unwrap(),
        "1517776481860111"
    );

    let request = events[3].request_thread_control.as_ref().unwrap();
    assert_eq!(
        request.requested_owner_app_id.as_ref().unwrap(),
        "123456789012345"
    );
    assert_eq!(
        request.metadata.as_deref(),
        Some("customer asked for a human")
    );

    let roles = events[4].app_roles.as_ref().unwrap();
    assert!(events[4].sender.is_none());
    assert_eq!(roles["1517776481860111"], [AppRole::PrimaryReceiver]);
    assert_eq!(roles["263902037430900"], [AppRole::SecondaryReceiver]);
}

#[test]
fn page_messaging_policy_enforcement() {
    let pairs: Vec<(String, PolicyEnforcementEvent)> = read(
        &fixture!("page_messaging_policy_enforcement"),
        "page",
        "messaging_policy_enforcement",
    );
    assert_eq!(
        pairs[2].0, "policy-enforcement",
        "the legacy key is routed too"
    );
    let events: Vec<PolicyEnforcementEvent> = pairs.into_iter().map(|(_, e)| e).collect();
    assert!(events.iter().all(|e| e.sender.is_none()));
    assert!(events.iter().all(|e| id(e.recipient.as_ref()) == PAGE));
    assert_eq!(
        events[0].policy_enforcement.action,
        Some(PolicyAction::Warning)
    );
    assert_eq!(
        events[1].policy_enforcement.action,
        Some(PolicyAction::Block)
    );
    assert!(
        events[1]
            .policy_enforcement
            .reason
            .as_deref()
            .unwrap()
            .contains("Messenger Platform policies")
    );
    assert_eq!(
        events[2].policy_enforcement.action,
        Some(PolicyAction::Unblock),
        "read from the hyphenated key"
    );
    assert_eq!(events[2].policy_enforcement.reason, None);
}

#[test]
fn page_message_edits() {
    let events: Vec<MessageEditEvent> = only_values(
        read(&fixture!("page_message_edits"), "page", "message_edits"),
        "message_edit",
    );
    let edit = &events[0].message_edit;
    assert_eq!(edit.mid.as_deref(), Some("m_txt_0001"));
    assert_eq!(edit.text.as_deref(), Some("Do you deliver to Lyon 3e?"));
    assert_eq!(edit.num_edit.as_ref().unwrap().as_u64(), Some(1));
}

#[test]
fn page_standby() {
    let pairs: Vec<(String, AnyEvent)> = read(&fixture!("page_standby"), "page", "standby");
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["message", "message", "postback", "read", "delivery"]);
    for (key, event) in &pairs {
        assert_eq!(event.kind(), key);
    }
    let events: Vec<AnyEvent> = pairs.into_iter().map(|(_, e)| e).collect();

    let message = events[0].message.as_ref().unwrap();
    assert_eq!(message.text.as_deref(), Some("Hello? Anyone there?"));
    assert!(!events[0].is_echo());
    assert!(events[1].is_echo());
    assert_eq!(
        events[1].message.as_ref().unwrap().app_id.as_ref().unwrap(),
        "263902037430900"
    );
    let postback = events[2].postback.as_ref().unwrap();
    assert_eq!(postback.title.as_deref(), Some("Talk to us"));
    assert_eq!(postback.payload, None, "standby postbacks carry no payload");
    assert_eq!(
        events[3].read.as_ref().unwrap().watermark.unwrap().raw(),
        1_732_801_400_200
    );
    assert_eq!(events[4].delivery.as_ref().unwrap().mids, ["m_sb_0002"]);
    assert!(events[4].timestamp.is_none());

    // A standby message is also readable as a `MessageEvent`.
    let body = fixture!("page_standby");
    let n = Notification::parse(&body).unwrap();
    let first = n.items().next().unwrap();
    let typed: MessageEvent = serde_json::from_str(first.value().get()).unwrap();
    assert_eq!(typed.message.mid.as_deref(), Some("m_sb_0001"));
}

#[test]
fn page_messaging_game_plays() {
    let events: Vec<GamePlayEvent> = only_values(
        read(
            &fixture!("page_messaging_game_plays"),
            "page",
            "messaging_game_plays",
        ),
        "game_play",
    );
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| id(e.recipient.as_ref()) == PAGE));

    let solo = &events[0];
    assert_eq!(id(solo.sender.as_ref()), "7001001001");
    assert_eq!(solo.timestamp.unwrap().raw(), 1_732_803_000_100);
    let play = &solo.game_play;
    assert_eq!(play.game_id.as_ref().unwrap(), "1850000000000001");
    assert_eq!(play.player_id.as_ref().unwrap(), "6300000000000001");
    assert_eq!(play.context_type.as_deref(), Some("SOLO"));
    assert_eq!(play.context_id, None, "no context id when solo");
    assert_eq!(play.score.as_ref().unwrap().as_u64(), Some(4200));
    assert_eq!(play.payload, None, "classic games carry no payload");
    assert_eq!(
        play.locale.as_deref(),
        Some("fr_FR"),
        "game_play.locale is read"
    );

    let thread = &events[1].game_play;
    assert_eq!(thread.context_type.as_deref(), Some("THREAD"));
    assert_eq!(thread.context_id.as_ref().unwrap(), "7400000000000001");
    assert_eq!(thread.score.as_ref().unwrap().as_u64(), Some(1250));

    let rich = &events[2].game_play;
    assert_eq!(rich.game_id.as_ref().unwrap(), "1850000000000002");
    assert_eq!(rich.context_type.as_deref(), Some("GROUP"));
    assert_eq!(rich.score, None, "rich games carry no score");
    let payload: serde_json::Value =
        serde_json::from_str(rich.payload.as_deref().unwrap()).unwrap();
    assert_eq!(payload, serde_json::json!({"level": 7, "lives": 2}));
}

#[test]
fn page_response_feedback() {
    let events: Vec<ResponseFeedbackEvent> = only_values(
        read(
            &fixture!("page_response_feedback"),
            "page",
            "response_feedback",
        ),
        "response_feedback",
    );
    assert_eq!(events.len(), 2);
    let good = &events[0];
    assert_eq!(id(good.sender.as_ref()), "7001001001");
    assert_eq!(id(good.recipient.as_ref()), PAGE);
    assert_eq!(good.timestamp.unwrap().unix_seconds(), 1_732_803_100);
    assert_eq!(
        good.response_feedback.feedback.as_deref(),
        Some("Good response")
    );
    assert_eq!(good.response_feedback.mid.as_deref(), Some("m_echo_0001"));
    let bad = &events[1].response_feedback;
    assert_eq!(bad.feedback.as_deref(), Some("Bad response"));
    assert_eq!(bad.mid.as_deref(), Some("m_echo_0002"));
}

// ---------------------------------------------------------------------------
// Instagram
// ---------------------------------------------------------------------------

#[test]
fn instagram_messages() {
    let events: Vec<MessageEvent> = only_values(
        read(&fixture!("instagram_messages"), "instagram", "messages"),
        "message",
    );
    assert_eq!(events.len(), 10);

    assert_eq!(id(events[0].sender.as_ref()), "5551234567890001");
    assert_eq!(id(events[0].recipient.as_ref()), IG);
    assert_eq!(
        events[0].message.text.as_deref(),
        Some("Hi! Is the tote bag back in stock?")
    );

    let echo = &events[1];
    assert!(
        echo.message.is_echo,
        "Instagram echoes come under `messages`"
    );
    assert_eq!(id(echo.sender.as_ref()), IG);
    assert_eq!(id(echo.recipient.as_ref()), "5551234567890001");
    assert_eq!(echo.message.app_id, None);

    let reply = events[2].message.reply_to.as_ref().unwrap();
    assert_eq!(
        reply.mid.as_deref(),
        events[1].message.mid.as_deref(),
        "a reply to the echo"
    );
    assert!(reply.story.is_none());

    let story_reply = events[3].message.reply_to.as_ref().unwrap();
    assert_eq!(story_reply.mid, None);
    let story = story_reply.story.as_ref().unwrap();
    assert_eq!(story.id.as_ref().unwrap(), "17900000000000003");
    assert_eq!(
        story.url.as_deref(),
        Some("https://lookaside.example.invalid/ig_messaging_cdn/story-1.jpg")
    );

    let mention = &events[4].message;
    assert_eq!(mention.text, None);
    assert_eq!(
        mention.attachments[0].kind,
        Some(AttachmentType::StoryMention)
    );
    assert_eq!(
        mention.attachments[0]
            .payload
            .as_ref()
            .unwrap()
            .url
            .as_deref(),
        Some("https://lookaside.example.invalid/ig_messaging_cdn/mention-1.mp4")
    );

    let shares = &events[5].message.attachments;
    assert_eq!(shares[0].kind, Some(AttachmentType::Share));
    assert_eq!(shares[1].kind, Some(AttachmentType::IgReel));
    let reel = shares[1].payload.as_ref().unwrap();
    assert_eq!(reel.reel_video_id.as_ref().unwrap(), "17990000000000004");
    assert_eq!(reel.title.as_deref(), Some("Packing orders"));
    assert_eq!(shares[2].kind, Some(AttachmentType::Image));

    let ad = events[6].message.referral.as_ref().unwrap();
    assert_eq!(ad.source, Some(ReferralSource::Ads));
    assert_eq!(ad.ad_id.as_ref().unwrap(), "23850000000000003");
    assert_eq!(
        ad.ads_context_data.as_ref().unwrap().ad_title.as_deref(),
        Some("The tote is back")
    );

    assert_eq!(
        events[7]
            .message
            .quick_reply
            .as_ref()
            .unwrap()
            .payload
            .as_deref(),
        Some("COLOUR_BLUE")
    );

    let deleted = &events[8].message;
    assert!(deleted.is_deleted);
    assert_eq!(deleted.text, None);
    assert_eq!(
        deleted.mid, events[2].message.mid,
        "the deleted message is the reply"
    );
    assert!(events[9].message.is_unsupported);
    assert!(!events[9].message.is_deleted);
}

#[test]
fn instagram_messaging_seen() {
    let events: Vec<ReadEvent> = only_values(
        read(
            &fixture!("instagram_messaging_seen"),
            "instagram",
            "messaging_seen",
        ),
        "read",
    );
    assert_eq!(
        events[0].read.mid.as_deref(),
        Some("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOjAwMg")
    );
    assert_eq!(
        events[0].read.watermark, None,
        "Instagram reads carry a mid, not a watermark"
    );
}

#[test]
fn instagram_message_reactions() {
    let events: Vec<ReactionEvent> = only_values(
        read(
            &fixture!("instagram_message_reactions"),
            "instagram",
            "message_reactions",
        ),
        "reaction",
    );
    assert_eq!(events[0].reaction.reaction, Some(ReactionKind::Love));
    assert_eq!(events[0].reaction.emoji.as_deref(), Some("❤️"));
    let unreact = &events[1].reaction;
    assert_eq!(unreact.action, Some(ReactionAction::Unreact));
    assert_eq!(
        (unreact.reaction.as_ref(), unreact.emoji.as_ref()),
        (None, None)
    );
}

#[test]
fn instagram_messaging_postbacks() {
    let events: Vec<PostbackEvent> = only_values(
        read(
            &fixture!("instagram_messaging_postbacks"),
            "instagram",
            "messaging_postbacks",
        ),
        "postback",
    );
    let icebreaker = &events[0].postback;
    assert_eq!(
        icebreaker.title.as_deref(),
        Some("What are your opening hours?")
    );
    assert_eq!(icebreaker.payload.as_deref(), Some("ICEBREAKER_HOURS"));
    let referral = icebreaker.referral.as_ref().unwrap();
    assert_eq!(referral.source, Some(ReferralSource::Shortlinks));
    assert_eq!(referral.reference.as_deref(), Some("bio_link"));
    assert_eq!(events[1].postback.payload.as_deref(), Some("TRACK_ORDER"));
    assert!(events[1].postback.mid.is_some());
}

#[test]
fn instagram_messaging_referral() {
    let events: Vec<ReferralEvent> = only_values(
        read(
            &fixture!("instagram_messaging_referral"),
            "instagram",
            "messaging_referral",
        ),
        "referral",
    );
    assert_eq!(
        events[0].referral.reference.as_deref(),
        Some("newsletter_dec")
    );
    assert_eq!(events[0].referral.source, Some(ReferralSource::Shortlinks));
    assert_eq!(events[0].referral.kind, Some(ReferralType::OpenThread));
}

#[test]
fn instagram_messaging_handover() {
    let pairs: Vec<(String, HandoverEvent)> = read(
        &fixture!("instagram_messaging_handover"),
        "instagram",
        "messaging_handover",
    );
    assert_eq!(pairs[0].0, "pass_thread_control");
    assert_eq!(pairs[1].0, "request_thread_control");
    let pass = pairs[0].1.pass_thread_control.as_ref().unwrap();
    assert_eq!(pass.new_owner_app_id.as_ref().unwrap(), "263902037430900");
    assert_eq!(pass.metadata.as_deref(), Some("handing over to the inbox"));
    let request = pairs[1].1.request_thread_control.as_ref().unwrap();
    assert_eq!(
        request.requested_owner_app_id.as_ref().unwrap(),
        "1517776481860111"
    );
}

#[test]
fn instagram_message_edit() {
    let events: Vec<MessageEditEvent> = only_values(
        read(
            &fixture!("instagram_message_edit"),
            "instagram",
            "message_edit",
        ),
        "message_edit",
    );
    let edit = &events[0].message_edit;
    assert_eq!(
        edit.text.as_deref(),
        Some("Hi! Is the large tote bag back in stock?")
    );
    assert_eq!(edit.num_edit.as_ref().unwrap().as_u64(), Some(2));
}

#[test]
fn instagram_messaging_optins() {
    let events: Vec<OptinEvent> = only_values(
        read(
            &fixture!("instagram_messaging_optins"),
            "instagram",
            "messaging_optins",
        ),
        "optin",
    );
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| id(e.recipient.as_ref()) == IG));

    let optin = &events[0];
    assert_eq!(id(optin.sender.as_ref()), "5551234567890001");
    assert_eq!(optin.timestamp.unwrap().raw(), 1_732_803_200_100);
    let optin = &optin.optin;
    assert_eq!(optin.kind, Some(OptinType::NotificationMessages));
    assert_eq!(optin.payload.as_deref(), Some("RESTOCK_ALERTS"));
    assert_eq!(optin.title.as_deref(), Some("Restock alerts"));
    assert_eq!(
        optin.notification_messages_token.as_deref(),
        Some("nmt_IgQrSt0123456789")
    );
    assert_eq!(
        optin.notification_messages_timezone.as_deref(),
        Some("Europe/Madrid")
    );
    assert_eq!(
        optin.token_expiry_timestamp.unwrap().unix_seconds(),
        1_764_339_200
    );
    assert_eq!(optin.user_token_status, Some(UserTokenStatus::Refreshed));
    assert_eq!(optin.notification_messages_status, None);
    assert_eq!(optin.reference, None);

    let resumed = &events[1];
    assert_eq!(id(resumed.sender.as_ref()), "5551234567890002");
    assert_eq!(
        resumed.optin.notification_messages_status,
        Some(NotificationStatus::ResumeNotifications)
    );
    assert_eq!(
        resumed.optin.notification_messages_token.as_deref(),
        Some("nmt_IgUvWx9876543210")
    );
    assert_eq!(resumed.optin.token_expiry_timestamp, None);
}

// ---------------------------------------------------------------------------
// Across fixtures, and tolerance
// ---------------------------------------------------------------------------

#[test]
fn any_event_reads_every_fixture_and_names_its_kind() {
    let mut seen = 0;
    for (name, body) in all_fixtures() {
        let n = Notification::parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        for item in n.items() {
            let key = event_key(item.kind());
            let expected = if key == "policy-enforcement" {
                "policy_enforcement"
            } else {
                key
            };
            let event: AnyEvent =
                serde_json::from_str(item.value().get()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(event.kind(), expected, "{name}: {}", item.value().get());
            assert!(
                event.recipient.is_some(),
                "{name}: every event has a recipient"
            );

            // Serialising and reading back gives the same value.
            let again: AnyEvent =
                serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
            assert_eq!(again, event, "{name}");
            seen += 1;
        }
    }
    assert_eq!(seen, 76);
}

#[test]
fn unknown_keys_are_ignored_at_every_level() {
    let raw = r#"{"sender":{"id":"7001","bsuid":"x-1"},"recipient":{"id":"100"},"timestamp":1700000000000,
        "hop_context":null,"future_flag":true,
        "message":{"mid":"m_1","text":"hi","nlp":{"entities":{}},"brand_new":[1,2,3],
            "attachments":[{"type":"image","payload":{"url":"https://x.invalid/a.jpg","is_reusable":false,"extra":{"k":"v"}},"caption":"c"}],
            "reply_to":{"mid":"m_0","future":1}}}"#;
    let event: MessageEvent = serde_json::from_str(raw).unwrap();
    assert_eq!(event.message.mid.as_deref(), Some("m_1"));
    assert_eq!(
        event.message.attachments[0]
            .payload
            .as_ref()
            .unwrap()
            .url
            .as_deref(),
        Some("https://x.invalid/a.jpg")
    );
    assert_eq!(event.message.reply_to.unwrap().mid.as_deref(), Some("m_0"));
    let any: AnyEvent = serde_json::from_str(raw).unwrap();
    assert_eq!(any.kind(), "message");
}

#[test]
fn string_timestamp_in_seconds_from_the_dashboard_test_form() {
    // The App Dashboard "Test" button: field/value in `changes[]`, entry id "0",
    // timestamps as strings of seconds.
    let body = br#"{"object":"page","entry":[{"id":"0","time":1527459824,"changes":[
        {"field":"messaging_postbacks","value":{"sender":{"user_ref":"test-user-ref"},"recipient":{"id":"0"},
            "timestamp":"1527459824","postback":{"title":"TITLE-FOR-THE-CTA","payload":"USER-DEFINED-PAYLOAD","mid":"m_test"}}},
        {"field":"messages","value":{"sender":{"id":"12334"},"recipient":{"id":"23245"},
            "timestamp":"1527459824","message":{"mid":"test_message_id","text":"test_message"}}}]}]}"#;
    let n = Notification::parse(body).unwrap();
    let items: Vec<_> = n.items().collect();
    assert_eq!(items[0].kind(), ItemKind::Change);
    assert_eq!(items[0].field(), Some("messaging_postbacks"));
    let postback: PostbackEvent = serde_json::from_str(items[0].value().get()).unwrap();
    assert_eq!(postback.timestamp.unwrap().raw(), 1_527_459_824);
    assert_eq!(postback.timestamp.unwrap().unix_seconds(), 1_527_459_824);
    assert_eq!(
        postback.postback.payload.as_deref(),
        Some("USER-DEFINED-PAYLOAD")
    );
    assert_eq!(
        postback.sender.unwrap().user_ref.as_deref(),
        Some("test-user-ref")
    );

    assert_eq!(items[1].field(), Some("messages"));
    let message: MessageEvent = serde_json::from_str(items[1].value().get()).unwrap();
    assert_eq!(message.timestamp.unwrap().unix_seconds(), 1_527_459_824);
    assert_eq!(message.message.text.as_deref(), Some("test_message"));
}

#[test]
fn app_id_as_a_number_or_a_string() {
    let number: MessageEvent =
        serde_json::from_str(r#"{"message":{"is_echo":true,"app_id":1517776481860111,"mid":"m"}}"#)
            .unwrap();
    let string: MessageEvent = serde_json::from_str(
        r#"{"message":{"is_echo":true,"app_id":"1517776481860111","mid":"m"}}"#,
    )
    .unwrap();
    assert_eq!(number.message.app_id, Some(Id("1517776481860111".into())));
    assert_eq!(number, string);
    assert!(number.sender.is_none() && number.timestamp.is_none());
}

#[test]
fn unknown_attachment_type_lands_in_other() {
    let event: MessageEvent = serde_json::from_str(
        r#"{"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":1,"message":{"mid":"m",
            "attachments":[{"type":"animated_image_share","payload":{"url":"https://x.invalid/a.gif"}}]}}"#,
    )
    .unwrap();
    let attachment = &event.message.attachments[0];
    assert_eq!(
        attachment.kind,
        Some(AttachmentType::Other("animated_image_share".into()))
    );
    assert_eq!(
        attachment.kind.as_ref().unwrap().as_str(),
        "animated_image_share"
    );
    assert_eq!(
        serde_json::to_value(attachment).unwrap()["type"],
        "animated_image_share"
    );
}

#[test]
fn unknown_event_keys_give_an_unknown_any_event() {
    let event: AnyEvent = serde_json::from_str(
        r#"{"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":1,"brand_new_event":{"x":1}}"#,
    )
    .unwrap();
    assert_eq!(event.kind(), "unknown");
    let game: AnyEvent = serde_json::from_str(
        r#"{"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":1,"game_play":{"game_id":"111","player_id":"222","context_type":"SOLO","score":120,"payload":"{}"}}"#,
    )
    .unwrap();
    assert_eq!(game.kind(), "game_play");
    assert_eq!(game.game_play.unwrap().score.unwrap().as_u64(), Some(120));
}

#[test]
fn with_raw_keeps_unknown_keys() {
    let body = fixture!("page_messages_quick_reply");
    let n = Notification::parse(&body).unwrap();
    let item = n.items().next().unwrap();
    // The same event with a key this crate does not know.
    let raw = item
        .value()
        .get()
        .replacen('{', r#"{"future_key":{"nested":[1,2]},"#, 1);
    let with_raw: WithRaw<MessageEvent> = serde_json::from_str(&raw).unwrap();
    assert_eq!(with_raw.message.text.as_deref(), Some("Large"));
    assert_eq!(with_raw.value.message.mid.as_deref(), Some("m_qr_0001"));
    assert!(
        with_raw
            .raw
            .get()
            .contains(r#""future_key":{"nested":[1,2]}"#)
    );
    assert_eq!(with_raw.raw.get(), raw);

    // The typed value drops it; the raw JSON is where it survives.
    let typed_again = serde_json::to_string(&with_raw.value).unwrap();
    assert!(!typed_again.contains("future_key"));
    let back: MessageEvent = serde_json::from_str(&typed_again).unwrap();
    assert_eq!(back, with_raw.value);
}

#[test]
fn flags_as_booleans_strings_or_zero_one() {
    let forms = [
        ("true", true),
        (r#""true""#, true),
        ("1", true),
        (r#""1""#, true),
        ("false", false),
        (r#""false""#, false),
        ("0", false),
        (r#""0""#, false),
        ("null", false),
    ];
    for (json, expected) in forms {
        let message: MessageEvent = serde_json::from_str(&format!(
            r#"{{"message":{{"mid":"m","is_echo":{json},"is_deleted":{json},"is_unsupported":{json},"is_self":{json},
                "reply_to":{{"mid":"m_0","is_self_reply":{json}}},
                "referral":{{"source":"CUSTOMER_CHAT_PLUGIN","is_guest_user":{json}}}}}}}"#
        ))
        .unwrap_or_else(|e| panic!("{json}: {e}"));
        let m = &message.message;
        assert_eq!(
            [m.is_echo, m.is_deleted, m.is_unsupported, m.is_self],
            [expected; 4],
            "{json}"
        );
        let optional = (json != "null").then_some(expected);
        assert_eq!(
            m.reply_to.as_ref().unwrap().is_self_reply,
            optional,
            "{json}"
        );
        assert_eq!(
            m.referral.as_ref().unwrap().is_guest_user,
            optional,
            "{json}"
        );
    }
    // Absent flags are false (or `None`), as before.
    let plain: MessageEvent = serde_json::from_str(r#"{"message":{"mid":"m"}}"#).unwrap();
    assert!(!plain.message.is_echo && !plain.message.is_deleted);
    // Anything else is refused rather than read as `false`.
    for bad in [r#""yes""#, "2", "-1", "1.0", "[true]"] {
        let json = format!(r#"{{"message":{{"mid":"m","is_echo":{bad}}}}}"#);
        assert!(
            serde_json::from_str::<MessageEvent>(&json).is_err(),
            "{json}"
        );
    }
}

#[test]
fn routing_and_the_typed_is_echo_agree_on_string_flags() {
    let body = br#"{"object":"page","entry":[{"id":"100200300400500","time":1732803300900,"messaging":[
        {"sender":{"id":"100200300400500"},"recipient":{"id":"7001001001"},"timestamp":1732803300100,"message":{"mid":"m_1","text":"a","is_echo":"true"}},
        {"sender":{"id":"100200300400500"},"recipient":{"id":"7001001001"},"timestamp":1732803300200,"message":{"mid":"m_2","text":"b","is_echo":1}},
        {"sender":{"id":"7001001001"},"recipient":{"id":"100200300400500"},"timestamp":1732803300300,"message":{"mid":"m_3","text":"c","is_echo":"false"}},
        {"sender":{"id":"7001001001"},"recipient":{"id":"100200300400500"},"timestamp":1732803300400,"message":{"mid":"m_4","text":"d","is_echo":0}}
    ]}]}"#;
    let n = Notification::parse(body).unwrap();
    let got: Vec<(&str, bool)> = n
        .items()
        .map(|item| {
            let event: MessageEvent = serde_json::from_str(item.value().get()).unwrap();
            (item.field().unwrap(), event.message.is_echo)
        })
        .collect();
    assert_eq!(
        got,
        [
            ("message_echoes", true),
            ("message_echoes", true),
            ("messages", false),
            ("messages", false)
        ]
    );
}

#[test]
fn coordinates_as_numbers_or_strings() {
    let location = |lat: &str, long: &str| -> MessageEvent {
        serde_json::from_str(&format!(
            r#"{{"message":{{"mid":"m","attachments":[{{"type":"location","payload":{{"coordinates":{{"lat":{lat},"long":{long}}}}}}}]}}}}"#
        ))
        .unwrap()
    };
    let coordinates = |event: &MessageEvent| {
        let c = event.message.attachments[0]
            .payload
            .as_ref()
            .unwrap()
            .coordinates
            .clone()
            .unwrap();
        (c.lat, c.long)
    };
    let numbers = location("45.764043", "4.835659");
    let strings = location(r#""45.764043""#, r#""4.835659""#);
    assert_eq!(coordinates(&numbers), (Some(45.764_043), Some(4.835_659)));
    assert_eq!(numbers, strings);
    assert_eq!(
        coordinates(&location(r#""-33.8688""#, r#""151.2093""#)),
        (Some(-33.8688), Some(151.2093))
    );
    // Text that is not a number gives `None` without losing the message.
    assert_eq!(coordinates(&location(r#""unknown""#, "null")), (None, None));
}

#[test]
fn dashboard_test_form_strings_for_game_plays_and_feedback() {
    // The App Dashboard "Test" form sends every property as a string.
    let body = br#"{"object":"page","entry":[{"id":"0","time":1732803400,"changes":[
        {"field":"messaging_game_plays","value":{"sender":{"id":"12334"},"recipient":{"id":"23245"},"timestamp":"1732803400",
            "game_play":{"game_id":"1850000000000001","player_id":"6300000000000001","context_type":"SOLO","score":"4200","payload":"{}"}}},
        {"field":"response_feedback","value":{"sender":{"id":"12334"},"recipient":{"id":"23245"},"timestamp":"1732803400",
            "response_feedback":{"feedback":"Good response","mid":"m_test"}}}]}]}"#;
    let n = Notification::parse(body).unwrap();
    let items: Vec<_> = n.items().collect();
    assert_eq!(items[0].field(), Some("messaging_game_plays"));
    let game: GamePlayEvent = serde_json::from_str(items[0].value().get()).unwrap();
    assert_eq!(game.timestamp.unwrap().unix_seconds(), 1_732_803_400);
    assert_eq!(game.game_play.score.unwrap().as_u64(), Some(4200));
    assert_eq!(game.game_play.payload.as_deref(), Some("{}"));
    assert_eq!(items[1].field(), Some("response_feedback"));
    let feedback: ResponseFeedbackEvent = serde_json::from_str(items[1].value().get()).unwrap();
    assert_eq!(
        feedback.response_feedback.feedback.as_deref(),
        Some("Good response")
    );

    // A payload sent as a JSON object rather than JSON-encoded text is kept as text.
    let object: GamePlayEvent =
        serde_json::from_str(r#"{"game_play":{"payload":{"level":7}}}"#).unwrap();
    assert_eq!(object.game_play.payload.as_deref(), Some(r#"{"level":7}"#));
}

/// Meta's `send_cart` reference
/// (<https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/send_cart>):
/// the event's key is `order`, and it arrives under the `send_cart` field, so a
/// handler on `(page, send_cart)` gets it.
#[test]
fn page_send_cart() {
    let events: Vec<SendCartEvent> = only_values(
        read(&fixture!("page_send_cart"), "page", "send_cart"),
        "order",
    );
    assert_eq!(events.len(), 2);
    let first = &events[0];
    assert_eq!(
        first.sender.as_ref().and_then(|s| s.id.as_ref()).unwrap(),
        "7001001001"
    );
    assert_eq!(first.order.note.as_deref(), Some("Sliced, please"));
    let products = &first.order.products;
    assert_eq!(products.len(), 2);
    assert_eq!(products[0].retailer_id.as_deref(), Some("SKU-RYE-800"));
    assert_eq!(products[0].quantity, Some(2));
    assert_eq!(
        products[0]
            .unit_price
            .as_ref()
            .and_then(webhook_core::fields::Number::as_f64),
        Some(6.5)
    );
    assert_eq!(products[1].currency.as_deref(), Some("EUR"));
    // Prices and quantities sent as strings are read alike; no note is `None`.
    let second = &events[1];
    assert_eq!(second.order.note, None);
    assert_eq!(second.order.products[0].quantity, Some(1));
    assert_eq!(
        second.order.products[0]
            .unit_price
            .as_ref()
            .and_then(webhook_core::fields::Number::as_f64),
        Some(4.9)
    );
    // AnyEvent names the key and keeps the cart.
    let any: AnyEvent = serde_json::from_str(
        Notification::parse(&fixture!("page_send_cart"))
            .unwrap()
            .items()
            .next()
            .unwrap()
            .value()
            .get(),
    )
    .unwrap();
    assert_eq!(any.kind(), "order");
    assert_eq!(any.order.unwrap().products.len(), 2);
}

// ---------------------------------------------------------------------------
// Feedback templates, payments (legacy), customer information, groups, calling
// ---------------------------------------------------------------------------

/// Meta's customer feedback template page: the answers, screen by screen.
#[test]
fn page_messaging_feedback() {
    let [event]: [MessagingFeedbackEvent; 1] = only_values(
        read(
            &fixture!("page_messaging_feedback"),
            "page",
            "messaging_feedback",
        ),
        "messaging_feedback",
    )
    .try_into()
    .unwrap();
    let screen = &event.messaging_feedback.feedback_screens[0];
    assert_eq!(
        screen
            .screen_id
            .as_ref()
            .and_then(webhook_core::fields::Number::as_u64),
        Some(0)
    );
    let answer = &screen.questions["delivery_rating"];
    assert_eq!(
        (answer.kind.as_deref(), answer.payload.as_deref()),
        (Some("csat"), Some("5"))
    );
    assert_eq!(
        answer.follow_up.as_ref().unwrap().payload.as_deref(),
        Some("Arrived warm, thank you!")
    );
}

/// Meta's Messenger payments references (legacy beta): checkout updates,
/// pre-checkouts and payments.
#[test]
fn page_checkout_updates_pre_checkouts_and_payments() {
    let [update]: [CheckoutUpdateEvent; 1] = only_values(
        read(
            &fixture!("page_messaging_checkout_updates"),
            "page",
            "messaging_checkout_updates",
        ),
        "checkout_update",
    )
    .try_into()
    .unwrap();
    assert_eq!(
        update.checkout_update.payload.as_deref(),
        Some("ORDER_7731")
    );
    assert_eq!(
        update.checkout_update.shipping_address.unwrap()["city"],
        "Bristol"
    );
    let [pre]: [PreCheckoutEvent; 1] = only_values(
        read(
            &fixture!("page_messaging_pre_checkouts"),
            "page",
            "messaging_pre_checkouts",
        ),
        "pre_checkout",
    )
    .try_into()
    .unwrap();
    assert_eq!(
        pre.pre_checkout.amount.unwrap().amount.as_deref(),
        Some("12.40")
    );
    let [paid]: [PaymentEvent; 1] = only_values(
        read(
            &fixture!("page_messaging_payments"),
            "page",
            "messaging_payments",
        ),
        "payment",
    )
    .try_into()
    .unwrap();
    let payment = paid.payment;
    assert_eq!(payment.shipping_option_id.as_deref(), Some("standard"));
    assert_eq!(
        payment.payment_credential.unwrap()["provider_type"],
        "stripe"
    );
    assert_eq!(payment.amount.unwrap().currency.as_deref(), Some("GBP"));
}

/// Meta's Messenger `group_feed` page: an element of `messaging[]` naming its
/// field, with no sender.
#[test]
fn page_group_feed() {
    let [post]: [GroupFeedEvent; 1] = only_values(
        read(&fixture!("page_group_feed"), "page", "group_feed"),
        "group_feed",
    )
    .try_into()
    .unwrap();
    assert_eq!(post.group_id.as_deref(), Some("GROUP-55501"));
    assert_eq!(
        (post.item.as_deref(), post.verb.as_deref()),
        (Some("comment"), Some("add"))
    );
    assert_eq!(post.from.unwrap().name.as_deref(), Some("Mira Okafor"));
    assert_eq!(post.message.as_deref(), Some("Do you deliver on Sundays?"));
}

/// The changes under `page` that Messenger documents as events or objects:
/// business integrity and customer information (Graph Page reference).
#[test]
fn page_business_integrity_and_customer_information() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../webhook-server/fixtures/typed/page/messenger_changes.json"
    ))
    .unwrap();
    let n = Notification::parse(&body).unwrap();
    let value = |field: &str| {
        n.items()
            .find(|i| i.field() == Some(field))
            .unwrap()
            .value()
            .get()
            .to_owned()
    };
    let integrity: BusinessIntegrity = serde_json::from_str(&value("business_integrity")).unwrap();
    assert_eq!(integrity.violations[0].kind.as_deref(), Some("SPAM"));
    assert_eq!(
        integrity.restrictions[0].feature.as_deref(),
        Some("MESSAGING")
    );
    let info: CustomerInformationEvent =
        serde_json::from_str(&value("messaging_customer_information")).unwrap();
    let response = &info.messaging_customer_information.screens[0].responses[0];
    assert_eq!(
        (response.key.as_deref(), response.value.as_deref()),
        (Some("email"), Some("ada@example.com"))
    );
}

/// Meta's Messenger Calling pages: call events and call settings sit on the entry.
#[test]
fn page_calls_and_call_settings_on_the_entry() {
    let read_entry = |name: &str| {
        std::fs::read(format!(
            "{}/../webhook-server/fixtures/typed/page/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let body = read_entry("calls");
    let n = Notification::parse(&body).unwrap();
    let item = n.items().next().unwrap();
    assert_eq!(
        (item.field(), item.kind()),
        (Some("calls"), ItemKind::EntryKey("calls"))
    );
    let call: Call = serde_json::from_str(item.value().get()).unwrap();
    assert_eq!(
        (call.id.as_deref(), call.event.as_deref()),
        (Some("c_EXAMPLECALL01"), Some("connect"))
    );
    assert_eq!(call.call_direction.as_deref(), Some("user_initiated"));
    let body = read_entry("call_settings");
    let n = Notification::parse(&body).unwrap();
    let item = n.items().next().unwrap();
    assert_eq!(item.field(), Some("call_settings_update"));
    let settings: CallSettings = serde_json::from_str(item.value().get()).unwrap();
    assert_eq!(settings.audio_enabled, Some(true));
    let body = read_entry("call_permission_reply");
    let n = Notification::parse(&body).unwrap();
    let item = n.items().next().unwrap();
    assert_eq!(item.kind(), ItemKind::EntryKey("call_permission_reply"));
    let reply: CallPermissionReplyEvent = serde_json::from_str(item.value().get()).unwrap();
    assert_eq!(id(reply.sender.as_ref()), "6100000000000001");
    assert_eq!(
        reply.call_permission_reply.response.as_deref(),
        Some("approve")
    );
    assert_eq!(
        reply
            .call_permission_reply
            .expiration_timestamp
            .unwrap()
            .unix_seconds(),
        1_767_832_600
    );
    let hours = settings.call_hours.unwrap();
    assert_eq!(
        hours.weekly_operating_hours[0].open_time.as_deref(),
        Some("0900")
    );
}
