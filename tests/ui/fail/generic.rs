use webhook_core::{on, FromItem};

#[on(object = "page", field = "feed")]
async fn feed<T: FromItem>(_arg: T) {}

fn main() {}
