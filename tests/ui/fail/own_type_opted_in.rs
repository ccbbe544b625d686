use webhook_core::field_check::{TypedValue, ValueOf};
use webhook_core::names::fields::page;
use webhook_core::{on, Payload};

// An application's own type, opted into the field check for (page, feed).
#[derive(serde::Deserialize)]
struct Post {
    post_id: String,
}

impl TypedValue for Post {}
impl ValueOf<page::feed> for Post {}

#[on(object = "page", field = "ratings")]
async fn ratings(Payload(post): Payload<Post>) {
    let _ = post.post_id;
}

fn main() {}
