//! Realistic multi-entry batches through `#[on]` handlers registered across several
//! modules: exactly which handler received which item, and failures contained.

use std::sync::Mutex;

use webhook_core::{DispatchReport, Dispatcher, Notification, Outcome};

/// What each handler call saw: (handler, object, field, kind, entry id, detail).
#[derive(Default)]
struct Recorder(Mutex<Vec<Call>>);

type Call = (&'static str, String, Option<String>, String, String, String);

impl Recorder {
    fn push(&self, handler: &'static str, item: &webhook_core::RawItem, detail: impl Into<String>) {
        self.0.lock().unwrap().push((
            handler,
            item.object.clone(),
            item.field.clone(),
            item.kind.clone(),
            item.entry_id.clone().unwrap_or_default(),
            detail.into(),
        ));
    }
}

mod page {
    use serde::Deserialize;
    use webhook_core::{EntryMeta, Payload, RawItem, State, on};

    use super::Recorder;

    #[derive(Deserialize)]
    struct Feed {
        item: String,
        verb: String,
    }

    #[on(object = "page", field = "feed")]
    async fn feed(Payload(feed): Payload<Feed>, item: RawItem, State(rec): State<Recorder>) {
        rec.push("feed", &item, format!("{} {}", feed.item, feed.verb));
    }

    #[on(object = "page", field = "mention")]
    async fn mention(item: RawItem, meta: EntryMeta, rec: State<Recorder>) -> anyhow::Result<()> {
        rec.push(
            "mention",
            &item,
            format!("time {}", meta.time.unwrap_or_default()),
        );
        Ok(())
    }

    #[derive(Deserialize)]
    struct Rating {
        review_text: String,
        #[serde(default)]
        fail: bool,
        #[serde(default)]
        panic: bool,
    }

    /// Fails or panics on demand, after recording.
    #[on(object = "page", field = "ratings")]
    async fn ratings(
        Payload(r): Payload<Rating>,
        item: RawItem,
        State(rec): State<Recorder>,
    ) -> Result<(), std::io::Error> {
        rec.push("ratings", &item, r.review_text);
        assert!(!r.panic, "ratings handler exploded");
        if r.fail {
            Err(std::io::Error::other("ratings store unavailable"))
        } else {
            Ok(())
        }
    }

    #[on(object = "page")]
    async fn every_page_item(item: RawItem, State(rec): State<Recorder>) {
        rec.push("every_page_item", &item, "");
    }
}

mod messenger {
    use serde::Deserialize;
    use webhook_core::{Payload, RawItem, State, on};

    use super::Recorder;

    #[derive(Deserialize)]
    struct Event {
        message: Option<Message>,
    }
    #[derive(Deserialize)]
    struct Message {
        mid: String,
    }

    #[on(object = "page", field = "messages")]
    async fn messages(Payload(ev): Payload<Event>, item: RawItem, State(rec): State<Recorder>) {
        rec.push(
            "messages",
            &item,
            ev.message.map(|m| m.mid).unwrap_or_default(),
        );
    }

    #[on(object = "page", field = "message_echoes")]
    async fn echoes(item: RawItem, State(rec): State<Recorder>) {
        rec.push("echoes", &item, "");
    }

    #[on(object = "page", field = "messaging_postbacks")]
    async fn postbacks(item: RawItem, State(rec): State<Recorder>) {
        rec.push("postbacks", &item, "");
    }

    #[on(object = "page", field = "message_deliveries")]
    async fn deliveries(item: RawItem, State(rec): State<Recorder>) {
        rec.push("deliveries", &item, "");
    }

    #[on(object = "page", field = "message_reads")]
    async fn reads(item: RawItem, State(rec): State<Recorder>) {
        rec.push("reads", &item, "");
    }

    #[on(object = "page", field = "standby")]
    async fn standby(item: RawItem, State(rec): State<Recorder>) {
        rec.push("standby", &item, "");
    }
}

mod whatsapp {
    use serde::Deserialize;
    use webhook_core::{Payload, RawItem, State, on};

    use super::Recorder;

    #[derive(Deserialize)]
    struct Change {
        #[serde(default)]
        messages: Vec<serde_json::Value>,
        #[serde(default)]
        statuses: Vec<serde_json::Value>,
    }

    #[on(object = "whatsapp_business_account", field = "messages")]
    async fn messages(Payload(c): Payload<Change>, item: RawItem, State(rec): State<Recorder>) {
        rec.push(
            "wa_messages",
            &item,
            format!(
                "{} messages, {} statuses",
                c.messages.len(),
                c.statuses.len()
            ),
        );
    }
}

mod instagram {
    use webhook_core::{RawItem, State, on};

    use super::Recorder;

    #[on(object = "instagram", field = "comments")]
    async fn comments(item: RawItem, State(rec): State<Recorder>) {
        rec.push("ig_comments", &item, "");
    }

    #[on(object = "instagram", field = "messages")]
    async fn messages(item: RawItem, State(rec): State<Recorder>) {
        rec.push("ig_messages", &item, "");
    }

    #[on(object = "instagram", field = "messaging_seen")]
    async fn seen(item: RawItem, State(rec): State<Recorder>) {
        rec.push("ig_seen", &item, "");
    }
}

mod user {
    use webhook_core::{RawItem, State, on};

    use super::Recorder;

    /// Two attributes, two registrations.
    #[on(object = "user", field = "name")]
    #[on(object = "user", field = "picture")]
    async fn profile(item: RawItem, State(rec): State<Recorder>) {
        rec.push("user_profile", &item, "");
    }
}

mod fallback {
    use webhook_core::{RawItem, State, on};

    use super::Recorder;

    #[on(catch_all)]
    async fn unhandled(item: RawItem, State(rec): State<Recorder>) {
        rec.push(
            "catch_all",
            &item,
            item.value.get().chars().take(24).collect::<String>(),
        );
    }
}

async fn run(fixture: &str) -> (Vec<Call>, DispatchReport) {
    let body = std::fs::read(format!("{}/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    run_body(&body).await
}

async fn run_body(body: &[u8]) -> (Vec<Call>, DispatchReport) {
    let dispatcher = Dispatcher::builder()
        .registered_handlers()
        .state(Recorder::default())
        .build()
        .unwrap();
    let report = dispatcher
        .dispatch(&Notification::parse(body).unwrap())
        .await;
    let calls = std::mem::take(&mut *dispatcher.state::<Recorder>().unwrap().0.lock().unwrap());
    (calls, report)
}

fn c(
    handler: &'static str,
    object: &str,
    field: &str,
    kind: &str,
    entry: &str,
    detail: &str,
) -> Call {
    (
        handler,
        object.into(),
        Some(field.into()),
        kind.into(),
        entry.into(),
        detail.into(),
    )
}

#[tokio::test]
async fn page_feed_mention_and_ratings_across_entries() {
    let (calls, report) = run("page_batch.json").await;
    let (e1, e2) = ("100200300400500", "100200300400501");
    assert_eq!(
        calls,
        [
            c("feed", "page", "feed", "change", e1, "status add"),
            c("every_page_item", "page", "feed", "change", e1, ""),
            c(
                "mention",
                "page",
                "mention",
                "change",
                e1,
                "time 1732700000"
            ),
            c("every_page_item", "page", "mention", "change", e1, ""),
            c("ratings", "page", "ratings", "change", e2, "Great coffee"),
            c("every_page_item", "page", "ratings", "change", e2, ""),
            c("feed", "page", "feed", "change", e2, "comment add"),
            c("every_page_item", "page", "feed", "change", e2, ""),
        ]
    );
    assert!(report.is_success());
    assert_eq!(report.items().len(), 4);
    assert!(
        report
            .items()
            .iter()
            .all(|i| i.runs().len() == 2 && !i.to_catch_all)
    );
}

#[tokio::test]
async fn messenger_message_echo_postback_delivery_read_and_standby() {
    let (calls, report) = run("messenger_batch.json").await;
    let (e1, e2) = ("100200300400500", "100200300400600");
    let handlers: Vec<_> = calls
        .iter()
        .filter(|c| c.0 != "every_page_item")
        .cloned()
        .collect();
    assert_eq!(
        handlers,
        [
            c("messages", "page", "messages", "message", e1, "m_AAA1"),
            c("echoes", "page", "message_echoes", "message", e1, ""),
            c(
                "postbacks",
                "page",
                "messaging_postbacks",
                "postback",
                e1,
                ""
            ),
            c(
                "deliveries",
                "page",
                "message_deliveries",
                "delivery",
                e2,
                ""
            ),
            c("reads", "page", "message_reads", "read", e2, ""),
            c("standby", "page", "standby", "standby", e2, ""),
        ]
    );
    // The object-wide handler saw all six, in delivery order.
    let everything: Vec<_> = calls
        .iter()
        .filter(|c| c.0 == "every_page_item")
        .map(|c| c.2.clone().unwrap())
        .collect();
    assert_eq!(
        everything,
        [
            "messages",
            "message_echoes",
            "messaging_postbacks",
            "message_deliveries",
            "message_reads",
            "standby"
        ]
    );
    assert!(report.is_success());
}

#[tokio::test]
async fn whatsapp_changes_are_one_call_each_whatever_they_hold() {
    let (calls, _) = run("whatsapp_batch.json").await;
    let waba = "102290129340398";
    let field = "messages";
    assert_eq!(
        calls,
        [
            c(
                "wa_messages",
                "whatsapp_business_account",
                field,
                "change",
                waba,
                "2 messages, 0 statuses"
            ),
            c(
                "wa_messages",
                "whatsapp_business_account",
                field,
                "change",
                waba,
                "0 messages, 2 statuses"
            ),
        ]
    );
}

#[tokio::test]
async fn instagram_comments_messages_echo_and_seen() {
    let (calls, _) = run("instagram_batch.json").await;
    let ig = "17841405309211844";
    assert_eq!(
        calls,
        [
            c("ig_comments", "instagram", "comments", "change", ig, ""),
            c("ig_messages", "instagram", "messages", "message", ig, ""),
            c("ig_messages", "instagram", "messages", "message", ig, ""),
            c("ig_seen", "instagram", "messaging_seen", "read", ig, ""),
        ]
    );
}

#[tokio::test]
async fn user_changed_fields_with_stacked_attributes_and_the_catch_all() {
    let (calls, report) = run("user_changed_fields.json").await;
    assert_eq!(
        calls,
        [
            c(
                "user_profile",
                "user",
                "name",
                "changed_fields",
                "1335845740",
                ""
            ),
            c(
                "user_profile",
                "user",
                "picture",
                "changed_fields",
                "1335845740",
                ""
            ),
            c(
                "catch_all",
                "user",
                "friends",
                "changed_fields",
                "1234",
                "null"
            ),
        ]
    );
    assert!(report.items()[2].to_catch_all);
}

#[tokio::test]
async fn unknown_objects_and_keys_reach_the_catch_all() {
    let (calls, report) = run("unknown_object.json").await;
    assert_eq!(
        calls,
        [c(
            "catch_all",
            "brand_new_product",
            "brand_new_field",
            "change",
            "42",
            r#"{"anything":"goes","coun"#
        )]
    );
    assert!(report.is_success());
}

#[tokio::test]
async fn unknown_messaging_events_have_no_field_and_reach_the_catch_all() {
    let body = br#"{"object":"instagram","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1,"brand_new_event":{"x":1}}]}]}"#;
    let (calls, report) = run_body(body).await;
    assert_eq!(
        calls,
        [(
            "catch_all",
            "instagram".into(),
            None,
            "brand_new_event".into(),
            "1".into(),
            r#"{"sender":{"id":"2"},"re"#.into()
        )]
    );
    assert_eq!(report.items()[0].field(), None);
}

#[tokio::test]
async fn a_failing_or_panicking_handler_stops_nothing_else() {
    let body = br#"{"object":"page","entry":[
        {"id":"1","changes":[
            {"field":"ratings","value":{"review_text":"first","fail":true}},
            {"field":"ratings","value":{"review_text":"second","panic":true}},
            {"field":"ratings","value":{"review_text":"third"}},
            {"field":"ratings","value":{"no_review_text":true}}]},
        {"id":"2","changes":[{"field":"feed","value":{"item":"post","verb":"remove"}}]}]}"#;
    let (calls, report) = run_body(body).await;
    let ratings: Vec<_> = calls
        .iter()
        .filter(|c| c.0 == "ratings")
        .map(|c| c.5.as_str())
        .collect();
    assert_eq!(ratings, ["first", "second", "third"]);
    assert!(calls.contains(&c("feed", "page", "feed", "change", "2", "post remove")));
    assert_eq!(calls.iter().filter(|c| c.0 == "every_page_item").count(), 5);

    assert!(!report.is_success());
    let outcomes: Vec<_> = report
        .items()
        .iter()
        .map(|i| i.runs()[0].outcome.clone())
        .collect();
    assert_eq!(
        outcomes[0],
        Outcome::Failed("ratings store unavailable".into())
    );
    assert_eq!(
        outcomes[1],
        Outcome::Panicked("ratings handler exploded".into())
    );
    assert_eq!(outcomes[2], Outcome::Succeeded);
    let Outcome::Rejected(why) = &outcomes[3] else {
        panic!("{:?}", outcomes[3])
    };
    assert!(why.contains("missing field `review_text`"), "{why}");
    assert_eq!(outcomes[4], Outcome::Succeeded);
    assert_eq!(report.failures().count(), 3);
    assert!(
        report
            .items()
            .iter()
            .all(|i| i.runs()[1].outcome == Outcome::Succeeded),
        "object-wide handler ran for every item"
    );
}

#[test]
fn every_module_registration_is_collected() {
    let dispatcher = Dispatcher::builder()
        .registered_handlers()
        .state(Recorder::default())
        .build()
        .unwrap();
    let mut names: Vec<_> = dispatcher
        .handlers()
        .map(|(route, info)| {
            (
                route.object_name().map(str::to_owned),
                route.field_name().map(str::to_owned),
                info.name,
            )
        })
        .collect();
    names.sort();
    let expected = [
        (None, None, "unhandled"),
        (Some("instagram"), Some("comments"), "comments"),
        (Some("instagram"), Some("messages"), "messages"),
        (Some("instagram"), Some("messaging_seen"), "seen"),
        (Some("page"), None, "every_page_item"),
        (Some("page"), Some("feed"), "feed"),
        (Some("page"), Some("mention"), "mention"),
        (Some("page"), Some("message_deliveries"), "deliveries"),
        (Some("page"), Some("message_echoes"), "echoes"),
        (Some("page"), Some("message_reads"), "reads"),
        (Some("page"), Some("messages"), "messages"),
        (Some("page"), Some("messaging_postbacks"), "postbacks"),
        (Some("page"), Some("ratings"), "ratings"),
        (Some("page"), Some("standby"), "standby"),
        (Some("user"), Some("name"), "profile"),
        (Some("user"), Some("picture"), "profile"),
        (
            Some("whatsapp_business_account"),
            Some("messages"),
            "messages",
        ),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(o, f, n)| (o.map(str::to_owned), f.map(str::to_owned), *n))
        .collect();
    assert_eq!(names, expected);
    let feed = dispatcher
        .handlers()
        .find(|h| h.1.name == "feed")
        .unwrap()
        .1;
    assert!(feed.module.ends_with("dispatch::page"), "{}", feed.module);
    assert!(feed.file.ends_with("dispatch.rs"), "{}", feed.file);
}
