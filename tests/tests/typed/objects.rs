//! Typed values of the Graph API objects other than WhatsApp and messaging (`page`,
//! `instagram`, `user`, `permissions`, `application`, `payments`,
//! `certificate_transparency`, Threads): every fixture under `webhook-server/fixtures/typed/<object>/`
//! is parsed as a whole notification, routed, and read into its type.

use serde::de::DeserializeOwned;
use webhook_core::Notification;
use webhook_core::fields::page::{self, Feed, FeedItem, ReactionType, Time, Verb};
use webhook_core::fields::{
    Id, Number, Timestamp, WithRaw, ad_account, application, catalog, certificate_transparency,
    instagram, permissions, threads, user,
};

macro_rules! fixture {
    ($path:literal) => {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../webhook-server/fixtures/typed/",
            $path
        ))
        .expect(concat!("cannot read fixture ", $path))
    };
}

/// The single routed item of `body`, checked for object, field and kind, read as `T`.
fn single<T: DeserializeOwned>(body: &[u8], object: &str, field: &str, kind: &str) -> T {
    let n = Notification::parse(body).expect("the fixture parses");
    let items: Vec<_> = n.items().collect();
    assert_eq!(items.len(), 1, "expected one item");
    let item = items[0];
    assert_eq!(item.object(), object);
    assert_eq!(item.field(), Some(field));
    assert_eq!(item.kind().name(), kind);
    read(item.value().get())
}

/// The item of `body` routed to `(object, field)` (one of several), read as `T`.
fn of_field<T: DeserializeOwned>(body: &[u8], object: &str, field: &str) -> T {
    let n = Notification::parse(body).expect("the fixture parses");
    let item = n
        .items()
        .find(|i| i.object() == object && i.field() == Some(field))
        .unwrap_or_else(|| panic!("no ({object}, {field}) item"));
    read(item.value().get())
}

/// The first item's keys beside `field`, through the `ChangeKeys` extractor as a
/// handler gets them.
async fn change_keys<T: DeserializeOwned + Send + 'static>(body: &[u8]) -> T {
    use std::sync::{Arc, Mutex};
    let got: Arc<Mutex<Option<T>>> = Arc::default();
    let sink = Arc::clone(&got);
    let dispatcher = webhook_core::Dispatcher::builder()
        .route(
            webhook_core::Route::object("page"),
            move |webhook_core::ChangeKeys(keys): webhook_core::ChangeKeys<T>| {
                let sink = Arc::clone(&sink);
                async move {
                    *sink.lock().unwrap() = Some(keys);
                }
            },
        )
        .build()
        .unwrap();
    let n = Notification::parse(body).unwrap();
    let report = dispatcher.dispatch(&n).await;
    assert!(report.failures().next().is_none(), "{report:?}");
    got.lock().unwrap().take().expect("the handler ran")
}

/// Every routed item of `body` as (object, field, kind, value JSON).
fn routed(body: &[u8]) -> Vec<(String, String, String, String)> {
    let n = Notification::parse(body).expect("the fixture parses");
    n.items()
        .map(|i| {
            (
                i.object().to_owned(),
                i.field().unwrap_or_default().to_owned(),
                i.kind().name().to_owned(),
                i.value().get().to_owned(),
            )
        })
        .collect()
}

fn read<T: DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| {
        panic!(
            "cannot read {} from {json}: {e}",
            std::any::type_name::<T>()
        )
    })
}

fn feed(body: &[u8]) -> Feed {
    single(body, "page", "feed", "change")
}

fn ids(ids: &[Id]) -> Vec<&str> {
    ids.iter().map(Id::as_str).collect()
}

#[test]
fn page_feed_statuses_and_posts() {
    let v = feed(&fixture!("page/feed_status_add.json"));
    assert_eq!(
        (v.item.clone(), v.verb.clone()),
        (FeedItem::Status, Verb::Add)
    );
    let from = v.from.as_ref().unwrap();
    assert_eq!(
        (from.id.as_str(), from.name.as_deref()),
        ("108374920175532", Some("Harbour Lane Bakery"))
    );
    assert_eq!(
        v.post_id.as_deref(),
        Some("108374920175532_122105873456001234")
    );
    assert_eq!(v.created_time, Some(Timestamp(1_732_699_990)));
    assert_eq!(v.published, Some(1));
    assert!(v.message.as_deref().unwrap().starts_with("New this week"));
    assert_eq!(v.author_id().map(Id::as_str), Some("108374920175532"));

    let v = feed(&fixture!("page/feed_status_edited.json"));
    assert_eq!((v.item, v.verb), (FeedItem::Status, Verb::Edited));

    let v = feed(&fixture!("page/feed_status_photos_add.json"));
    assert_eq!(v.photos.len(), 3);
    assert_eq!(v.link.as_deref(), Some(v.photos[0].as_str()));

    let v = feed(&fixture!("page/feed_post_remove.json"));
    assert_eq!(
        (v.item.clone(), v.verb.clone()),
        (FeedItem::Post, Verb::Remove)
    );
    assert_eq!(
        v.from.as_ref().unwrap().name,
        None,
        "`from.name` is missing on removals"
    );
    assert_eq!(v.author_name(), None);
    assert_eq!(v.recipient_id.as_deref(), Some("108374920175532"));
    assert_eq!(v.message, None);

    let v = feed(&fixture!("page/feed_share_add.json"));
    assert_eq!((v.item, v.verb), (FeedItem::Share, Verb::Add));
    assert_eq!(v.share_id.as_deref(), Some("122106200033445566"));
    assert_eq!(
        v.link.as_deref(),
        Some("https://harbourlane.example/blog/cardamom-buns")
    );

    let v = feed(&fixture!("page/feed_event_add.json"));
    assert_eq!((v.item.clone(), v.from.clone()), (FeedItem::Event, None));
    assert_eq!(v.event_id.as_deref(), Some("1944041199140689"));
    assert_eq!(
        v.story.as_deref(),
        Some("Harbour Lane Bakery added an event.")
    );
}

#[test]
fn page_feed_comments() {
    let v = feed(&fixture!("page/feed_comment_add.json"));
    assert_eq!(
        (v.item.clone(), v.verb.clone()),
        (FeedItem::Comment, Verb::Add)
    );
    assert_eq!(
        v.comment_id.as_deref(),
        Some("122105873456001234_1093384712288456")
    );
    assert_eq!(
        v.parent_id, v.post_id,
        "a top-level comment's parent is the post"
    );
    assert_eq!(
        v.message.as_deref(),
        Some("Are they vegan? Asking for my sister \u{2764}\u{fe0f}")
    );
    let post = v.post.as_ref().unwrap();
    assert_eq!(post.is_published, Some(true));
    assert_eq!(post.status_type.as_deref(), Some("mobile_status_update"));
    assert_eq!(
        post.updated_time,
        Some(Time::Text("2024-11-27T09:40:12+0000".into()))
    );
    assert_eq!(post.id, v.post_id);

    let v = feed(&fixture!("page/feed_comment_reply_add.json"));
    assert_eq!(
        v.parent_id.as_deref(),
        Some("122105873456001234_1093384712288456")
    );
    assert_ne!(v.parent_id, v.post_id, "a reply's parent is the comment");

    let v = feed(&fixture!("page/feed_comment_edited.json"));
    assert_eq!(v.verb, Verb::Edited);
    let edited = v.edited_time.as_ref().unwrap();
    assert_eq!(
        (edited.as_text(), edited.unix_seconds()),
        (Some("2024-11-27T10:05:41+0000"), None)
    );

    let v = feed(&fixture!("page/feed_comment_photo_add.json"));
    assert_eq!(v.message, None, "a photo-only comment has no message");
    assert!(v.photo.as_deref().unwrap().ends_with("470155_n.jpg"));

    let v = feed(&fixture!("page/feed_comment_remove.json"));
    assert_eq!(
        (v.item.clone(), v.verb.clone()),
        (FeedItem::Comment, Verb::Remove)
    );
    assert_eq!(v.author_id().map(Id::as_str), Some("7392018465520173"));
    assert_eq!(
        (v.author_name(), v.message.as_deref(), v.post.as_ref()),
        (None, None, None)
    );

    let v = feed(&fixture!("page/feed_comment_hide.json"));
    assert_eq!((v.verb.clone(), v.is_hidden), (Verb::Hide, Some(true)));
    assert_eq!(v.author_name(), Some("Deals Daily Bot"));

    let v = feed(&fixture!("page/feed_comment_legacy_sender.json"));
    assert_eq!(v.from, None);
    assert_eq!(
        v.sender_id.as_deref(),
        Some("7392018465520173"),
        "a numeric sender_id"
    );
    assert_eq!(v.author_id().map(Id::as_str), Some("7392018465520173"));
    assert_eq!(v.author_name(), Some("Maren Olsby"));
}

#[test]
fn page_feed_reactions_likes_and_media() {
    let v = feed(&fixture!("page/feed_reaction_add.json"));
    assert_eq!(
        (v.item.clone(), v.verb.clone()),
        (FeedItem::Reaction, Verb::Add)
    );
    assert_eq!(v.reaction_type, Some(ReactionType::Love));
    assert_eq!(
        v.comment_id.as_deref(),
        Some("122105873456001234_583920174466102")
    );
    assert_eq!(
        v.parent_id, v.comment_id,
        "a reaction to a comment has the comment as parent"
    );

    let v = feed(&fixture!("page/feed_reaction_edit.json"));
    assert_eq!(
        (v.verb.clone(), v.reaction_type.clone()),
        (Verb::Edit, Some(ReactionType::Wow))
    );
    assert_eq!(v.comment_id, None);

    let v = feed(&fixture!("page/feed_like_add.json"));
    assert_eq!(
        (v.item.clone(), v.verb.clone()),
        (FeedItem::Like, Verb::Add)
    );
    assert_eq!(v.user_id.as_deref(), Some("10201978818232600"));
    assert_eq!((v.from, v.post_id, v.created_time), (None, None, None));

    let v = feed(&fixture!("page/feed_photo_add.json"));
    assert_eq!((v.item.clone(), v.published), (FeedItem::Photo, Some(1)));
    assert_eq!(v.photo_id.as_deref(), Some("122106009988776655"));
    assert!(v.link.as_deref().unwrap().starts_with("https://scontent."));

    let v = feed(&fixture!("page/feed_album_add.json"));
    assert_eq!(v.item, FeedItem::Album);
    assert_eq!(v.album_id.as_deref(), Some("122106055511223344"));
    assert_eq!(
        ids(&v.photo_ids),
        ["122106055511223345", "122106055511223346"]
    );
    assert_eq!(v.published, Some(1), "`published: true` reads as 1");

    let v = feed(&fixture!("page/feed_video_add.json"));
    assert_eq!(
        (v.item.clone(), v.verb.clone()),
        (FeedItem::Video, Verb::Add)
    );
    assert_eq!(v.video_id.as_deref(), Some("1285530044118890"));

    let v = feed(&fixture!("page/feed_video_block.json"));
    assert_eq!(
        (v.item.clone(), v.verb.clone()),
        (FeedItem::Video, Verb::Block)
    );
    assert_eq!(
        v.video_flag_reason.as_ref().and_then(Number::as_u64),
        Some(1)
    );
    assert_eq!((v.from, v.created_time), (None, None));
}

#[test]
fn page_mention_ratings_and_leadgen() {
    let body = fixture!("page/mention.json");
    let v: page::Mention = single(&body, "page", "mention", "change");
    assert_eq!((v.item, v.verb), (Some(FeedItem::Post), Some(Verb::Add)));
    assert_eq!(v.sender_id.as_deref(), Some("6013347720945812"));
    assert_eq!(v.sender_name.as_deref(), Some("Oskar Berg"));
    assert_eq!(v.created_time, Some(Timestamp(1_732_707_000)));

    let body = fixture!("page/mention_comment.json");
    let v: page::Mention = single(&body, "page", "mention", "change");
    assert_eq!(v.item, Some(FeedItem::Comment));
    assert_eq!(
        v.comment_id.as_deref(),
        Some("122110000011223344_1177320098765432")
    );
    assert_eq!((v.sender_id, v.from), (None, None));

    let body = fixture!("page/ratings.json");
    let v: page::Rating = single(&body, "page", "ratings", "change");
    assert_eq!((v.item, v.verb), (Some(FeedItem::Rating), Some(Verb::Add)));
    assert_eq!(
        v.recommendation_type,
        Some(page::RecommendationType::Positive)
    );
    assert_eq!(v.rating, None, "recommendations have no star rating");
    assert_eq!(v.reviewer_name.as_deref(), Some("Oskar Berg"));
    assert_eq!(v.open_graph_story_id.as_deref(), Some("1029384756647382"));
    assert!(v.review_text.unwrap().contains("great coffee"));

    let body = fixture!("page/ratings_comment.json");
    let v: page::Rating = single(&body, "page", "ratings", "change");
    assert_eq!(v.item, Some(FeedItem::Comment));
    assert_eq!(
        v.sender_id.as_deref(),
        Some("108374920175532"),
        "a numeric sender_id"
    );
    assert_eq!(v.message.as_deref(), Some("Thank you Oskar, see you soon!"));

    // Meta's leadgen sample sends every id as a JSON number, `entry[].id` included.
    let body = fixture!("page/leadgen.json");
    let n = Notification::parse(&body).unwrap();
    assert_eq!(n.entries()[0].id(), Some("108374920175532"));
    let v: page::Leadgen = single(&body, "page", "leadgen", "change");
    assert_eq!(v.leadgen_id.as_deref(), Some("2345678901234567"));
    assert_eq!(v.page_id.as_deref(), Some("108374920175532"));
    assert_eq!(v.form_id.as_deref(), Some("1187654321098765"));
    assert_eq!(
        v.ad_id.as_deref(),
        Some("120210456789012345"),
        "above 2^53, every digit kept"
    );
    assert_eq!(v.adgroup_id, v.ad_id);
    assert_eq!(
        v.created_time.map(Timestamp::unix_seconds),
        Some(1_732_707_990)
    );
}

#[tokio::test]
async fn page_other_fields() {
    let v: page::Video = single(&fixture!("page/videos.json"), "page", "videos", "change");
    assert_eq!(v.id.as_deref(), Some("1285530044118890"));
    assert_eq!(v.status.unwrap().video_status.as_deref(), Some("ready"));

    let v: page::LiveVideo = single(
        &fixture!("page/live_videos.json"),
        "page",
        "live_videos",
        "change",
    );
    assert_eq!(v.status, Some(page::LiveVideoStatus::LiveStopped));

    let body = fixture!("page/page_upcoming_change.json");
    let v: page::UpcomingChange = single(&body, "page", "page_upcoming_change", "change");
    assert_eq!(v.page.unwrap().name.as_deref(), Some("Harbour Lane Bakery"));
    assert_eq!(v.timer_status.as_deref(), Some("active"));
    let proposal = v.proposal.unwrap();
    assert_eq!(
        proposal.acceptance_status,
        Some(page::AcceptanceStatus::Pending)
    );
    assert_eq!(proposal.category.as_deref(), Some("place_scraped_menu"));
    assert_eq!(
        proposal.proposed_value,
        Some("https://harbourlane.example/menu".into())
    );

    // The Page reference's `action` sits beside `field`, not in the value.
    let action = |body: &[u8]| {
        let n = Notification::parse(body).unwrap();
        let item = n.items().next().unwrap();
        item.change_key("action").map(|v| v.get().to_owned())
    };
    assert_eq!(action(&body).as_deref(), Some(r#""pending""#));
    assert_eq!(
        change_keys::<page::ProposalKeys>(&body).await.action,
        Some(page::ChangeAction::Pending)
    );

    let body = fixture!("page/page_change_proposal.json");
    assert_eq!(action(&body).as_deref(), Some(r#""created""#));
    assert_eq!(
        change_keys::<page::ProposalKeys>(&body).await.action,
        Some(page::ChangeAction::Created)
    );
    let v: page::ChangeProposal = single(&body, "page", "page_change_proposal", "change");
    assert_eq!(
        v.proposed_value.unwrap()["street"],
        "14 Harbour Lane",
        "addresses are objects"
    );

    let body = fixture!("page/conversations.json");
    let v: page::Conversation = single(&body, "page", "conversations", "change");
    assert_eq!(v.page_id.as_deref(), Some("108374920175532"));
    assert_eq!(v.thread_id.as_deref(), Some("t_10161234567890123"));

    // Profile fields in the names-only form.
    let items = routed(&fixture!("page/name_changed_fields.json"));
    let names: Vec<_> = items
        .iter()
        .map(|(o, f, k, v)| (o.as_str(), f.as_str(), k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("page", "name", "changed_fields", "null"),
            ("page", "picture", "changed_fields", "null")
        ]
    );
}

#[test]
fn instagram_comments_mentions_and_insights() {
    let body = fixture!("instagram/comments.json");
    let v: instagram::Comment = single(&body, "instagram", "comments", "change");
    assert_eq!(v.resolved_id().map(Id::as_str), Some("17892257463012345"));
    let from = v.from.unwrap();
    assert_eq!(from.username.as_deref(), Some("maren.bakes"));
    assert_eq!(from.self_ig_scoped_id.as_deref(), Some("6720019988776655"));
    let media = v.media.unwrap();
    assert_eq!(
        media.media_product_type,
        Some(instagram::MediaProductType::Feed)
    );
    assert_eq!((v.parent_id, media.ad_id), (None, None));
    assert_eq!(
        v.text.as_deref(),
        Some("That crumb! What flour do you use?")
    );

    let body = fixture!("instagram/comments_reply_ad.json");
    let v: instagram::Comment = single(&body, "instagram", "comments", "change");
    assert_eq!(v.parent_id.as_deref(), Some("17892257463012345"));
    let media = v.media.unwrap();
    assert_eq!(
        media.media_product_type,
        Some(instagram::MediaProductType::Ad)
    );
    assert_eq!(media.ad_id.as_deref(), Some("120210456789012345"));
    assert_eq!(media.ad_title.as_deref(), Some("Winter buns campaign"));
    assert_eq!(
        media.original_media_id.as_deref(),
        Some("18023345989012587")
    );

    // Business Login for Instagram: the flat `entry.field` + `entry.value` form.
    let body = fixture!("instagram/comments_flat.json");
    let v: instagram::Comment = single(&body, "instagram", "comments", "entry_field");
    assert_eq!(
        v.text.as_deref(),
        Some("Ordered for Friday \u{1f389}"),
        "escaped surrogate pair"
    );
    assert_eq!(
        v.media.unwrap().media_product_type,
        Some(instagram::MediaProductType::Reels)
    );

    let body = fixture!("instagram/live_comments.json");
    let v: instagram::Comment = single(&body, "instagram", "live_comments", "change");
    assert_eq!(v.text.as_deref(), Some("Hello from Bergen!"));

    let items = routed(&fixture!("instagram/mentions.json"));
    assert_eq!(items.len(), 2);
    let caption: instagram::Mention = read(&items[0].3);
    let comment: instagram::Mention = read(&items[1].3);
    assert_eq!(
        (caption.media_id.as_deref(), caption.comment_id),
        (Some("17918195224117851"), None)
    );
    assert_eq!(comment.comment_id.as_deref(), Some("17894227972186120"));
    assert!(
        items
            .iter()
            .all(|(o, f, k, _)| (o.as_str(), f.as_str(), k.as_str())
                == ("instagram", "mentions", "change"))
    );

    let body = fixture!("instagram/story_insights.json");
    let v: instagram::StoryInsights = single(&body, "instagram", "story_insights", "change");
    assert_eq!(v.media_id.as_deref(), Some("18023345989012999"));
    assert_eq!(
        (v.reach, v.impressions, v.taps_forward),
        (Some(412), Some(530), Some(127))
    );
    assert_eq!(v.replies, Some(-1), "counts under the threshold are -1");
}

#[test]
fn user_changes() {
    let body = fixture!("user/user_changes.json");
    let n = Notification::parse(&body).unwrap();
    assert_eq!(
        (n.entries()[0].id(), n.entries()[0].uid()),
        (Some("10210299214172187"), Some("10210299214172187"))
    );
    let items = routed(&body);
    let fields: Vec<_> = items
        .iter()
        .map(|(_, f, k, _)| (f.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("email", "change"),
            ("about", "change"),
            ("photos", "change"),
            ("hometown", "change")
        ]
    );
    // Simple profile fields carry the new value as a plain string.
    let email: user::Text = read(&items[0].3);
    assert_eq!(email, "ada.lovelace@example.com");
    let about: String = read(&items[1].3);
    assert_eq!(about, "Baker, runner, amateur astronomer.");
    let photos: user::UserChange = read(&items[2].3);
    assert_eq!(
        (photos.verb, photos.object_id.as_deref()),
        (Some(Verb::Update), Some("10211885744794461"))
    );
    let hometown: user::UserChange = read(&items[3].3);
    assert_eq!(
        (hometown.verb, hometown.page.as_deref()),
        (Some(Verb::Add), Some("112233445566778"))
    );

    // Names only, including the legacy Real-time Updates entry (numeric `uid`, no `id`).
    let body = fixture!("user/user_changed_fields.json");
    let n = Notification::parse(&body).unwrap();
    assert_eq!(
        n.entries()[0].id(),
        Some("1335845740"),
        "falls back to `uid`"
    );
    let fields: Vec<_> = routed(&body)
        .into_iter()
        .map(|(_, f, k, _)| (f, k))
        .collect();
    assert_eq!(fields.len(), 3);
    assert!(fields.iter().all(|(_, k)| k == "changed_fields"));
    assert_eq!(fields[2].0, "friends");

    let body = fixture!("user/fbe_install.json");
    let v: user::FbeInstall = single(&body, "user", "fbe_install", "change");
    assert_eq!(ids(&v.pages), ["108374920175532"]);
    assert_eq!(ids(&v.instagram_profiles), ["17841405309211844"]);
    assert_eq!(v.install_time, Some(Timestamp(1_732_730_990)));
    assert_eq!(v.fbe_event.as_deref(), Some("INSTALL"));
}

#[test]
fn permissions_granted_and_revoked() {
    let items = routed(&fixture!("permissions/permissions.json"));
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0].0.as_str(), items[0].1.as_str()),
        ("permissions", "pages_show_list")
    );
    let granted: permissions::Permission = read(&items[0].3);
    assert_eq!(granted.verb, permissions::PermissionVerb::Granted);
    assert_eq!(
        ids(&granted.target_ids),
        ["108374920175532", "100094412276230"]
    );
    assert_eq!(items[1].1, "email");
    let revoked: permissions::Permission = read(&items[1].3);
    assert_eq!(revoked.verb, permissions::PermissionVerb::Revoked);
    assert!(revoked.target_ids.is_empty());
}

#[test]
fn application_fields() {
    let body = fixture!("application/plugin_comment.json");
    let v: application::PluginComment = single(&body, "application", "plugin_comment", "change");
    assert_eq!(v.from.unwrap().name.as_deref(), Some("Ingrid Solheim"));
    assert_eq!(
        v.created_time.as_ref().and_then(Time::as_text),
        Some("2024-11-27T16:40:05+0000")
    );
    assert_eq!(v.parent, None);

    let body = fixture!("application/plugin_comment_reply.json");
    let v: application::PluginComment =
        single(&body, "application", "plugin_comment_reply", "change");
    assert_eq!(v.message.as_deref(), Some("Did you use fresh yeast?"));
    let parent = v.parent.unwrap();
    assert_eq!(
        parent.id.as_deref(),
        Some("8833771122004455_8833771122009999")
    );
    assert_eq!(
        parent.message.as_deref(),
        Some("Tried the recipe, worked perfectly.")
    );

    let body = fixture!("application/ad_account.json");
    let v: application::AdAccount = single(&body, "application", "ad_account", "change");
    assert_eq!((v.account_status, v.disable_reason), (Some(2), Some(3)));
    assert_eq!(v.business.as_deref(), Some("991122334455667"));

    let body = fixture!("application/ads_rules_engine.json");
    let v: application::AdsRulesEngine = single(&body, "application", "ads_rules_engine", "change");
    assert_eq!(v.object_type, Some(application::AdObjectType::AdSet));
    assert_eq!(
        v.trigger_type,
        Some(application::RuleTriggerType::StatsChange)
    );
    assert_eq!(v.current_value.as_deref(), Some("12.40"));

    let body = fixture!("application/async_requests.json");
    let v: application::AsyncRequest = single(&body, "application", "async_requests", "change");
    assert_eq!(v.verb, Some(application::AsyncVerb::Complete));
    assert_eq!(v.report_id.as_deref(), Some("6034512398765"));

    let body = fixture!("application/group_install.json");
    let v: application::GroupInstall = single(&body, "application", "group_install", "change");
    assert_eq!(
        (v.verb, v.group_id.as_deref()),
        (Some(Verb::Add), Some("2233445566778899"))
    );
}

#[test]
fn payments_and_certificate_transparency() {
    let body = fixture!("payments/payments.json");
    let n = Notification::parse(&body).unwrap();
    let items: Vec<_> = n
        .items()
        .map(|i| (i.entry().id(), i.field(), i.kind().name(), i.value().get()))
        .collect();
    assert_eq!(
        items,
        [
            (
                Some("296989303750203"),
                Some("actions"),
                "changed_fields",
                "null"
            ),
            (
                Some("296989303750999"),
                Some("disputes"),
                "changed_fields",
                "null"
            ),
        ]
    );

    let body = fixture!("certificate_transparency/certificate.json");
    let items = routed(&body);
    assert_eq!(items.len(), 1);
    assert_eq!(
        (
            items[0].0.as_str(),
            items[0].1.as_str(),
            items[0].2.as_str()
        ),
        ("certificate_transparency", "certificate", "changed_fields")
    );

    let body = fixture!("certificate_transparency/phishing.json");
    let v: certificate_transparency::Phishing =
        single(&body, "certificate_transparency", "phishing", "change");
    assert_eq!(v.phished_domain.as_deref(), Some("harbourlane.example"));
    assert_eq!(v.phishing_domains.len(), 2);
    let cert = v.ct_cert.unwrap();
    assert_eq!(cert.id.as_deref(), Some("5566778899001122"));
    assert!(
        cert.certificate_pem
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert_eq!(cert.cert_hash_sha256.map(|h| h.len()), Some(64));
}

#[test]
fn threads_values() {
    let body = fixture!("threads/threads_replies.json");
    let n = Notification::parse(&body).unwrap();
    assert!(n.is_threads());
    assert_eq!(
        n.entries()[0].id(),
        Some("18049876543210987"),
        "target_id is the entry id"
    );
    let v: threads::Media = single(&body, "moderate", "replies", "threads");
    assert_eq!(v.username.as_deref(), Some("maren.bakes"));
    assert_eq!(v.media_type, Some(threads::MediaType::TextPost));
    assert_eq!(
        v.replied_to.unwrap().id.as_deref(),
        Some("18049876543210987")
    );
    let root = v.root_post.unwrap();
    assert_eq!(
        (root.owner_id.as_deref(), root.username.as_deref()),
        (Some("26011223344556677"), Some("harbourlane.bakery"))
    );
    assert_eq!(v.timestamp.as_deref(), Some("2024-11-28T07:46:40+0000"));
    assert_eq!(v.is_verified, Some(false));

    let body = fixture!("threads/threads_mentions.json");
    let v: threads::Media = single(&body, "interaction", "mentions", "threads");
    assert_eq!(
        (v.has_replies, v.is_reply, v.is_quote_post),
        (Some(true), Some(false), Some(false))
    );
    assert_eq!(v.media_product_type.as_deref(), Some("THREADS"));
    assert_eq!(
        v.text.as_deref(),
        Some("Morning fuel from @harbourlane.bakery")
    );
    assert_eq!(v.root_post, None);

    let body = fixture!("threads/threads_publish.json");
    let v: threads::Media = single(&body, "interaction", "publish", "threads");
    assert_eq!(v.media_type, Some(threads::MediaType::Image));
    assert_eq!(v.text, None);

    let body = fixture!("threads/threads_delete.json");
    let v: threads::Deleted = single(&body, "moderate", "delete", "threads");
    assert_eq!(
        v.owner.unwrap().owner_id.as_deref(),
        Some("26011223344556677")
    );
    assert_eq!(v.deleted_at.as_deref(), Some("2024-11-28T09:15:27+0000"));
}

#[test]
fn unknown_keys_are_ignored() {
    let v: Feed = read(
        r#"{"item":"status","verb":"add","from":{"id":"1","name":"A","avatar":{"x":1}},
            "post_id":"1_2","sparkle_level":9,"future":[1,{"deep":true}],"post":{"id":"1_2","brand_new":null}}"#,
    );
    assert_eq!(
        (v.item, v.post_id.as_deref()),
        (FeedItem::Status, Some("1_2"))
    );
    let v: instagram::Comment =
        read(r#"{"id":"5","text":"hi","media":{"id":"6","shiny":1},"reactions":3}"#);
    assert_eq!(v.media.unwrap().id.as_deref(), Some("6"));
    let v: threads::Media = read(r#"{"id":"7","topic_tag":"bread","media_type":"TEXT_POST"}"#);
    assert_eq!(v.id.as_deref(), Some("7"));
}

#[test]
fn ids_and_times_as_numbers_or_strings() {
    let v: Feed = read(
        r#"{"item":"photo","verb":"add","post_id":1234567890321,"photo_id":900767076685784,
            "sender_id":"42","created_time":"1732700000","edited_time":1732700100,"published":"1"}"#,
    );
    assert_eq!(v.post_id.as_deref(), Some("1234567890321"));
    assert_eq!(v.photo_id.as_deref(), Some("900767076685784"));
    assert_eq!(v.created_time, Some(Timestamp(1_732_700_000)));
    assert_eq!(
        v.edited_time.as_ref().and_then(Time::unix_seconds),
        Some(1_732_700_100)
    );
    assert_eq!(v.published, Some(1));
    let times: Vec<Time> = read(r#"[1732700000, "1732700000", "2024-11-27T10:05:41+0000"]"#);
    assert_eq!(times[0], times[1]);
    assert_eq!(times[2].to_string(), "2024-11-27T10:05:41+0000");
    assert_eq!(
        serde_json::to_string(&times).unwrap(),
        r#"[1732700000,1732700000,"2024-11-27T10:05:41+0000"]"#
    );
}

#[test]
fn page_numbers_and_flags_as_strings() {
    // The App Dashboard "Test" form sends every property as a string.
    let body = br#"{"object":"page","entry":[{"id":"0","time":1732700000,"changes":[{"field":"ratings",
        "value":{"item":"rating","verb":"add","rating":"4","reviewer_id":"6013347720945812",
            "reviewer_name":"Oskar Berg","created_time":"1732700000","open_graph_story_id":"1029384756647382"}}]}]}"#;
    let v: page::Rating = single(body, "page", "ratings", "change");
    assert_eq!(v.rating, Some(4));
    assert_eq!(v.created_time, Some(Timestamp(1_732_700_000)));
    let number: page::Rating = read(r#"{"rating":5}"#);
    assert_eq!(number.rating, Some(5));
    let bad: page::Rating = read(r#"{"rating":"five"}"#);
    assert_eq!(bad.rating, None, "text that is not a number gives None");

    let v: page::Mention = read(
        r#"{"item":"post","verb":"add","message":"Thanks Harbour Lane Bakery!",
            "message_tags":[{"id":"108374920175532","name":"Harbour Lane Bakery","offset":"7","length":"19","type":"page"},
                            {"id":"6013347720945812","name":"Oskar","offset":0,"length":5,"type":"user"}]}"#,
    );
    let tags: Vec<_> = v
        .message_tags
        .iter()
        .map(|t| (t.offset, t.length))
        .collect();
    assert_eq!(tags, [(Some(7), Some(19)), (Some(0), Some(5))]);
    assert_eq!(v.message_tags[0].kind, Some(page::TagType::Page));

    let v: Feed = read(
        r#"{"item":"comment","verb":"hide","is_hidden":"true","published":"1",
            "post":{"id":"1_2","is_published":"1","status_type":"added_photos"}}"#,
    );
    assert_eq!(v.is_hidden, Some(true));
    assert_eq!(v.published, Some(1));
    assert_eq!(v.post.unwrap().is_published, Some(true));
    let v: Feed =
        read(r#"{"item":"comment","verb":"unhide","is_hidden":0,"post":{"is_published":false}}"#);
    assert_eq!(v.is_hidden, Some(false));
    assert_eq!(v.post.unwrap().is_published, Some(false));
}

#[test]
fn story_insights_as_strings() {
    let body = br#"{"object":"instagram","entry":[{"id":"0","time":1732725000,"changes":[{"field":"story_insights",
        "value":{"media_id":"18023345989012999","exits":"3","replies":"-1","reach":"412",
            "taps_forward":"127","taps_back":"9","impressions":"530"}}]}]}"#;
    let strings: instagram::StoryInsights = single(body, "instagram", "story_insights", "change");
    assert_eq!(
        (
            strings.impressions,
            strings.reach,
            strings.taps_forward,
            strings.taps_back,
            strings.exits,
            strings.replies
        ),
        (Some(530), Some(412), Some(127), Some(9), Some(3), Some(-1))
    );
    let numbers: instagram::StoryInsights = single(
        &fixture!("instagram/story_insights.json"),
        "instagram",
        "story_insights",
        "change",
    );
    assert_eq!(strings, numbers, "the same values either way");
    let odd: instagram::StoryInsights = read(r#"{"reach":null,"exits":"n/a"}"#);
    assert_eq!((odd.reach, odd.exits), (None, None));
}

#[test]
fn application_numbers_as_strings_and_values_as_numbers() {
    let body = br#"{"object":"application","entry":[{"id":"0","time":1732750200,"changes":[{"field":"ad_account",
        "value":{"id":"act_334455667788990","account_status":"1","disable_reason":"0","business":"991122334455667"}}]}]}"#;
    let v: application::AdAccount = single(body, "application", "ad_account", "change");
    assert_eq!((v.account_status, v.disable_reason), (Some(1), Some(0)));
    assert_eq!(v.id.as_deref(), Some("act_334455667788990"));

    let v: application::AdsRulesEngine = read(
        r#"{"rule_id":23851234567890123,"object_type":"AD","trigger_type":"STATS_MILESTONE",
            "trigger_field":"impressions","current_value":1000}"#,
    );
    assert_eq!(v.current_value.as_deref(), Some("1000"));
    assert_eq!(v.rule_id.as_deref(), Some("23851234567890123"));
    let v: application::AdsRulesEngine = read(r#"{"current_value":12.4}"#);
    assert_eq!(v.current_value.as_deref(), Some("12.4"));
    let v: application::AdsRulesEngine = read(r#"{"current_value":"12.40"}"#);
    assert_eq!(
        v.current_value.as_deref(),
        Some("12.40"),
        "strings kept as sent"
    );
    let v: application::AdsRulesEngine = read(r#"{"current_value":null}"#);
    assert_eq!(v.current_value, None);
}

#[test]
fn unknown_item_and_verb_land_in_other() {
    let v: Feed = read(r#"{"item":"hologram","verb":"teleport","reaction_type":"pride"}"#);
    assert_eq!(v.item, FeedItem::Other("hologram".into()));
    assert_eq!(v.verb, Verb::Other("teleport".into()));
    assert_eq!(v.reaction_type, Some(ReactionType::Other("pride".into())));
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(
        (json["item"].as_str(), json["verb"].as_str()),
        (Some("hologram"), Some("teleport"))
    );
    // Meta's spellings with a space or a dash are known variants.
    let items: Vec<FeedItem> = read(r#"["timeline cover","platform-story","group_message"]"#);
    assert_eq!(
        items,
        [
            FeedItem::TimelineCover,
            FeedItem::PlatformStory,
            FeedItem::GroupMessage
        ]
    );
    let p: permissions::Permission = read(r#"{"verb":"connected"}"#);
    assert_eq!(
        p.verb,
        permissions::PermissionVerb::Other("connected".into())
    );
}

#[test]
fn with_raw_keeps_unknown_keys() {
    let body =
        br#"{"object":"page","entry":[{"id":"1","time":1732700000,"changes":[{"field":"feed",
        "value":{"item":"status","verb":"add","post_id":"1_2","sparkle_level":9}}]}]}"#;
    let n = Notification::parse(body).unwrap();
    let item = n.items().next().unwrap();
    let w: WithRaw<Feed> = read(item.value().get());
    assert_eq!(
        (w.item.clone(), w.value.post_id.as_deref()),
        (FeedItem::Status, Some("1_2"))
    );
    let raw: serde_json::Value = serde_json::from_str(w.raw.get()).unwrap();
    assert_eq!(raw["sparkle_level"], 9);
}

/// Messenger's custom labels page
/// (<https://developers.facebook.com/docs/messenger-platform/identity/custom-labels>).
#[test]
fn page_inbox_labels() {
    let label: page::InboxLabel = single(
        &fixture!("page/inbox_labels.json"),
        "page",
        "inbox_labels",
        "change",
    );
    assert_eq!(label.user.unwrap().id, "6100000000000001");
    assert_eq!(label.action, Some(page::LabelAction::Add));
    let named = label.label.unwrap();
    assert_eq!(
        (named.id.unwrap().as_str(), named.page_label_name.as_deref()),
        ("880011223344", Some("Wholesale"))
    );
}

/// Meta's ad account webhooks reference
/// (<https://developers.facebook.com/docs/graph-api/webhooks/reference/ad-account/>),
/// which documents the two values by their fields (it shows no example body).
#[test]
fn ad_account_objects_with_issues_and_in_process() {
    let issue: ad_account::AdObjectWithIssues = single(
        &fixture!("ad_account/with_issues_ad_objects.json"),
        "ad_account",
        "with_issues_ad_objects",
        "change",
    );
    assert_eq!(issue.level, Some(ad_account::AdObjectLevel::Ad));
    assert_eq!(issue.error_code.unwrap(), "1487390");
    assert_eq!(issue.error_summary.as_deref(), Some("Ad creative rejected"));
    let done: ad_account::AdObjectInProcess = single(
        &fixture!("ad_account/in_process_ad_objects.json"),
        "ad_account",
        "in_process_ad_objects",
        "change",
    );
    assert_eq!(done.level, Some(ad_account::AdObjectLevel::AdSet));
    assert_eq!(done.status_name.as_deref(), Some("ACTIVE"));
}

/// Meta's ad account webhooks reference: recommendations, creative fatigue,
/// product set issues and asynchronous creation requests.
#[test]
fn ad_account_recommendations_fatigue_issues_and_async_requests() {
    let body = fixture!("ad_account/recommendations.json");
    let recommendation: ad_account::AdRecommendation =
        of_field(&body, "ad_account", "ad_recommendations");
    assert_eq!(recommendation.ad_object_ids[0].as_str(), "120000001");
    assert_eq!(
        recommendation.recommendation_type.as_deref(),
        Some("BUDGET_LIMITED")
    );
    let fatigue: ad_account::CreativeFatigue = of_field(&body, "ad_account", "creative_fatigue");
    assert_eq!(fatigue.adgroup_id.unwrap().as_str(), "120000002");
    assert_eq!(fatigue.creative_fatigue_level.as_deref(), Some("HIGH"));
    let request: ad_account::AdsAsyncCreationRequest =
        of_field(&body, "ad_account", "ads_async_creation_request");
    assert_eq!(request.status.as_deref(), Some("SUCCESS"));
    assert_eq!(
        request.result.unwrap().result_id.unwrap().as_str(),
        "120000003"
    );
    let issue: ad_account::ProductSetIssue = single(
        &fixture!("ad_account/product_set_issue.json"),
        "ad_account",
        "product_set_issue",
        "change",
    );
    assert_eq!(issue.kind.as_deref(), Some("EMPTY_PRODUCT_SET"));
    assert_eq!(issue.product_set_id.unwrap().as_str(), "777000111");
}

/// Meta's application reference (`dev_alerts`,
/// `oe_reseller_onboarding_request_created`) and Facebook Login for Business's
/// integration webhooks page.
#[test]
fn application_alerts_resellers_and_business_integrations() {
    let alert: application::DevAlert = single(
        &fixture!("application/dev_alerts.json"),
        "application",
        "dev_alerts",
        "change",
    );
    assert_eq!(alert.notification_id.unwrap().as_str(), "9900001");
    assert_eq!(alert.header.as_deref(), Some("Action needed"));
    let reseller: application::ResellerOnboardingRequest = of_field(
        &fixture!("application/app_fields.json"),
        "application",
        "oe_reseller_onboarding_request_created",
    );
    assert_eq!(reseller.id.unwrap().as_str(), "4400001");
    let installed: application::BusinessIntegration = single(
        &fixture!("application/business_integration_install.json"),
        "application",
        "business_integration_install",
        "change",
    );
    assert_eq!(
        installed.business_manager_id.unwrap().as_str(),
        "5150000001"
    );
    let body = fixture!("application/business_integration.json");
    for field in [
        "business_integration_uninstall",
        "business_integration_update",
    ] {
        let integration: application::BusinessIntegration = of_field(&body, "application", field);
        assert_eq!(integration.tp_config_id.unwrap().as_str(), "8810000001");
    }
}

/// Meta's catalog webhooks reference: batch uploads and product feeds.
#[test]
fn catalog_batches_and_feeds() {
    let body = fixture!("catalog/catalog.json");
    let batch: catalog::ItemsBatch = of_field(&body, "catalog", "items_batch");
    assert_eq!(
        (batch.handle.as_deref(), batch.status.as_deref()),
        (Some("batch-1"), Some("finished"))
    );
    let feed: catalog::ProductFeed = of_field(&body, "catalog", "product_feed");
    assert_eq!(feed.product_feed_id.unwrap().as_str(), "555000222");
}

/// Meta's in-app purchase webhooks page: the keys sit beside `field` with no
/// `value`, so the item's value is the whole change, and filters and typed values
/// read those keys.
#[test]
fn in_app_purchase_keys_beside_the_field() {
    let body = fixture!("application/in_app_purchase.json");
    let n = Notification::parse(&body).unwrap();
    let item = n.items().next().unwrap();
    assert_eq!(item.field(), Some("in_app_purchase"));
    assert_eq!(
        item.change_key("payment_action_type")
            .map(serde_json::value::RawValue::get),
        Some(r#""PURCHASE_SUCCESS""#)
    );
    let purchase: application::InAppPurchase = read(item.value().get());
    assert_eq!(purchase.product_id.as_deref(), Some("gems_250"));
    assert_eq!(
        purchase.purchase_price_amount.and_then(|n| n.as_u64()),
        Some(499)
    );
    assert_eq!(purchase.user_id.unwrap().as_str(), "10200000000000001");
    assert_eq!(purchase.env.as_deref(), Some("PROD"));
}
