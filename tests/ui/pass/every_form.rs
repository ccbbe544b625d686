//! Every accepted form compiles, and the function stays callable.

use webhook_core::{on, EntryMeta, Object, RawEntry, RawItem, Rejection, State, Value};

struct Db;

#[derive(serde::Deserialize)]
struct Feed {
    item: String,
}

#[on(object = "page", field = "feed")]
async fn eight(
    Value(feed): Value<Feed>,
    _raw: RawItem,
    _meta: EntryMeta,
    _entry: RawEntry,
    State(_db): State<Db>,
    Object(_object): Object,
    _maybe: Option<Value<u32>>,
    _checked: Result<Value<String>, Rejection>,
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

fn main() {
    let _future = twice();
}
