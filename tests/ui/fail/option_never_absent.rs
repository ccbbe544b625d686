use webhook_core::{on, EntryMeta};

#[on(object = "page", field = "feed")]
async fn feed(meta: Option<EntryMeta>) {
    let _ = meta;
}

fn main() {}
