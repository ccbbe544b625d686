use webhook_core::{on, EntryMeta};

#[on(object = "page", field = "feed")]
async fn feed(meta: EntryMeta, flag: bool) {
    let _ = (meta, flag);
}

fn main() {}
