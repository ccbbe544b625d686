use webhook_core::{on, FromItem};

#[on(object = "page", field = "feed")]
async fn feed(_arg: impl FromItem) {}

fn main() {}
