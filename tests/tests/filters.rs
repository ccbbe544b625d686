//! Routing below the field: `key = "value"` filters and per-element `each`.

use std::sync::Mutex;

use webhook_core::{Dispatcher, Notification};

#[derive(Default)]
struct Calls(Mutex<Vec<String>>);

impl Calls {
    fn push(&self, call: String) {
        self.0.lock().unwrap().push(call);
    }
}

mod handlers {
    use webhook_core::{Payload, RawItem, State, on};

    use super::Calls;

    #[on(object = "page", field = "feed", when(item = "comment", verb = "add"))]
    async fn new_comment(Payload(v): Payload<serde_json::Value>, State(calls): State<Calls>) {
        calls.push(format!("new_comment {}", v["comment_id"]));
    }

    #[on(object = "page", field = "feed", when(item = "status"))]
    async fn any_status(Payload(v): Payload<serde_json::Value>, State(calls): State<Calls>) {
        calls.push(format!("any_status {}", v["verb"]));
    }

    #[on(object = "page", field = "feed", when(published = "1"))]
    async fn published(State(calls): State<Calls>) {
        calls.push("published".to_owned());
    }

    #[on(object = "page", field = "mention", when(item = "comment"))]
    async fn comment_mention(State(calls): State<Calls>) {
        calls.push("comment_mention".to_owned());
    }

    #[on(
        object = "page",
        field = "messaging_postbacks",
        when(payload = "GET_STARTED")
    )]
    async fn get_started(item: RawItem, State(calls): State<Calls>) {
        calls.push(format!("get_started {}", item.entry_id.unwrap()));
    }

    #[on(object = "whatsapp_business_account", field = "messages")]
    async fn whole_change(Payload(v): Payload<serde_json::Value>, State(calls): State<Calls>) {
        let n = |key: &str| v[key].as_array().map_or(0, Vec::len);
        calls.push(format!(
            "whole_change {} messages {} statuses",
            n("messages"),
            n("statuses")
        ));
    }

    #[on(
        object = "whatsapp_business_account",
        field = "messages",
        each = "messages",
        when(type = "text")
    )]
    async fn text_message(
        Payload(m): Payload<serde_json::Value>,
        item: RawItem,
        State(calls): State<Calls>,
    ) {
        let element = item.element.unwrap();
        calls.push(format!(
            "text #{} {} {}",
            element.index, element.key, m["text"]["body"]
        ));
    }

    #[on(
        object = "whatsapp_business_account",
        field = "messages",
        each = "statuses",
        when(status = "read")
    )]
    async fn read_status(Payload(s): Payload<serde_json::Value>, State(calls): State<Calls>) {
        calls.push(format!("read {}", s["id"]));
    }

    #[on(
        object = "whatsapp_business_account",
        field = "messages",
        each = "messages",
        when(type = "reaction")
    )]
    async fn typed_reaction(
        Payload(m): Payload<webhook_core::fields::whatsapp::Message>,
        cx: webhook_core::fields::whatsapp::ChangeContext,
        State(calls): State<Calls>,
    ) {
        let who = cx
            .contact
            .as_ref()
            .and_then(|c| c.name())
            .unwrap_or("?")
            .to_owned();
        let to = cx
            .metadata
            .and_then(|m| m.phone_number_id)
            .map(|id| id.0)
            .unwrap_or_default();
        let emoji = m.reaction.and_then(|r| r.emoji).unwrap_or_default();
        calls.push(format!("reaction {emoji} by {who} to {to}"));
    }

    #[on(catch_all)]
    async fn unselected(item: RawItem, State(calls): State<Calls>) {
        calls.push(format!("catch_all {}", item.field.unwrap()));
    }
}

async fn calls(body: &[u8]) -> (Vec<String>, webhook_core::DispatchReport) {
    let dispatcher = Dispatcher::builder()
        .registered_handlers()
        .state(Calls::default())
        .build()
        .unwrap();
    let report = dispatcher
        .dispatch(&Notification::parse(body).unwrap())
        .await;
    let calls = std::mem::take(&mut *dispatcher.state::<Calls>().unwrap().0.lock().unwrap());
    (calls, report)
}

#[tokio::test]
async fn feed_changes_reach_only_the_handlers_whose_filters_match() {
    let body = br#"{"object":"page","entry":[{"id":"1","changes":[
        {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"c1"}},
        {"field":"feed","value":{"item":"comment","verb":"remove","comment_id":"c2"}},
        {"field":"feed","value":{"item":"status","verb":"edited","published":1}},
        {"field":"feed","value":{"item":"reaction","verb":"add"}},
        {"field":"mention","value":{"item":"comment"}},
        {"field":"mention","value":{"item":"post"}}]}]}"#;
    let (calls, report) = calls(body).await;
    assert_eq!(
        calls,
        [
            r#"new_comment "c1""#,
            "catch_all feed",
            r#"any_status "edited""#,
            "published",
            "catch_all feed",
            "comment_mention",
            "catch_all mention",
        ]
    );
    let to_catch_all: Vec<_> = report.items().iter().map(|i| i.to_catch_all).collect();
    assert_eq!(to_catch_all, [false, true, false, true, false, true]);
}

#[tokio::test]
async fn messaging_filters_look_at_the_event_payload() {
    let body = br#"{"object":"page","entry":[{"id":"9","messaging":[
        {"sender":{"id":"1"},"recipient":{"id":"9"},"timestamp":1,"postback":{"title":"Start","payload":"GET_STARTED"}},
        {"sender":{"id":"1"},"recipient":{"id":"9"},"timestamp":2,"postback":{"title":"Menu","payload":"MENU"}}]}]}"#;
    let (calls, _) = calls(body).await;
    assert_eq!(calls, ["get_started 9", "catch_all messaging_postbacks"]);
}

#[tokio::test]
async fn whatsapp_each_calls_once_per_matching_element_and_the_change_once() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"w","changes":[
        {"field":"messages","value":{"metadata":{"phone_number_id":"1"},
            "messages":[{"id":"m0","type":"text","text":{"body":"hi"}},{"id":"m1","type":"image"},{"id":"m2","type":"text","text":{"body":"there"}}],
            "statuses":[{"id":"s0","status":"delivered"},{"id":"s1","status":"read"}]}}]}]}"#;
    let (calls, report) = calls(body).await;
    assert_eq!(
        calls,
        [
            "whole_change 3 messages 2 statuses",
            r#"text #0 messages "hi""#,
            r#"text #2 messages "there""#,
            r#"read "s1""#,
        ]
    );
    let elements: Vec<_> = report
        .runs()
        .map(|(_, run)| (run.handler.name, run.element))
        .collect();
    assert_eq!(
        elements,
        [
            ("whole_change", None),
            ("text_message", Some(0)),
            ("text_message", Some(2)),
            ("read_status", Some(1))
        ]
    );
}

#[tokio::test]
async fn a_change_with_no_matching_element_goes_to_the_catch_all_only_if_nothing_else_ran() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"w","changes":[
        {"field":"messages","value":{"statuses":[{"id":"s0","status":"sent"}]}}]}]}"#;
    let (calls, _) = calls(body).await;
    assert_eq!(
        calls,
        ["whole_change 0 messages 1 statuses"],
        "the whole-change handler ran, so no catch-all"
    );
}

#[tokio::test]
async fn per_message_handlers_get_the_typed_message_with_its_metadata_and_contact() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"w","changes":[{"field":"messages","value":{
        "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"106540352242922"},
        "contacts":[{"profile":{"name":"Ana"},"wa_id":"16505550001"},{"profile":{"name":"Ben"},"wa_id":"16505550002"}],
        "messages":[
            {"from":"16505550002","id":"wamid.r1","timestamp":"1","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"\ud83d\udc4d"}},
            {"from":"16505550001","id":"wamid.r2","timestamp":"2","type":"reaction","reaction":{"message_id":"wamid.y","emoji":"\u2764"}}]}}]}]}"#;
    let (calls, _) = calls(body).await;
    assert_eq!(
        calls,
        [
            "whole_change 2 messages 0 statuses",
            "reaction \u{1f44d} by Ben to 106540352242922",
            "reaction \u{2764} by Ana to 106540352242922",
        ]
    );
}
