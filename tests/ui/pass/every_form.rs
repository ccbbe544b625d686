//! Every accepted form compiles, and the function stays callable.

use webhook_core::{on, EntryMeta, Object, RawEntry, RawItem, Rejection, State, Payload};

struct Db;

#[derive(serde::Deserialize)]
struct Feed {
    item: String,
}

#[on(object = "page", field = "feed")]
async fn eight(
    Payload(feed): Payload<Feed>,
    _raw: RawItem,
    _meta: EntryMeta,
    _entry: RawEntry,
    State(_db): State<Db>,
    Object(_object): Object,
    _maybe: Option<Payload<u32>>,
    _checked: Result<Payload<String>, Rejection>,
) -> Result<(), std::io::Error> {
    let _ = feed.item;
    Ok(())
}

#[on(object = "instagram")]
async fn whole_object() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Ok(())
}

#[on(catch_all)]
async fn fallback() {}

#[on(object = "page", field = "messages", crate = ::webhook_core)]
#[on(object = "page", field = "message_echoes", crate = "webhook_core")]
pub async fn twice() {}

#[on(object = "page", field = "a_field_meta_added_later", unchecked)]
#[on(object = "a_new_object", unchecked)]
async fn unchecked_names() {}

#[on(object = "page", field = "feed", when(item = "comment", verb = "add"))]
#[on(object = "whatsapp_business_account", field = "messages", each = "messages", when(type = "text"))]
async fn filtered(Payload(_v): Payload<serde_json::Value>) {}

#[on(object = "page", field = "feed")]
async fn typed_feed(Payload(_feed): Payload<webhook_core::fields::page::Feed>, _own: Option<Payload<Feed>>) {}

#[on(object = "whatsapp_business_account", field = "messages", each = "messages")]
async fn typed_message(Payload(_m): Payload<webhook_core::fields::whatsapp::Message>) {}

#[on(object = "permissions", field = "instagram_manage_comments")]
async fn any_permission(Payload(_p): Payload<webhook_core::fields::permissions::Permission>) {}

#[on(object = "instagram", field = "story_insights", when(reach = "-1"))]
async fn a_filter_named_like_an_argument() {}

#[on(object = "whatsapp_business_account", field = "messages", each = "messages", when(r#type = "text"), idempotent)]
async fn raw_keys_and_idempotency(Payload(_raw): Payload<webhook_core::fields::WithRaw<webhook_core::fields::whatsapp::Message>>) {}

fn main() {
    let _future = twice();
}

#[on(object = "page", field = "feed", timeout = "500ms")]
#[on(catch_all, timeout = "2m")]
async fn bounded_in_time() {}
