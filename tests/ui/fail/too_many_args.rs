use webhook_core::{on, EntryMeta};

#[on(object = "page", field = "feed")]
async fn feed(
    _a: EntryMeta,
    _b: EntryMeta,
    _c: EntryMeta,
    _d: EntryMeta,
    _e: EntryMeta,
    _f: EntryMeta,
    _g: EntryMeta,
    _h: EntryMeta,
    _i: EntryMeta,
) {
}

fn main() {}
