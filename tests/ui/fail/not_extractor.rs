use webhook_core::{on, EntryMeta};

struct Flag;

#[on(object = "page", field = "feed")]
async fn feed(meta: EntryMeta, flag: Flag) {
    let _ = (meta, flag);
}

fn main() {}
