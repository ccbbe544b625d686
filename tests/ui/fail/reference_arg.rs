use webhook_core::{on, EntryMeta};

#[on(object = "page", field = "feed")]
async fn feed(meta: &EntryMeta) {
    let _ = meta;
}

fn main() {}
