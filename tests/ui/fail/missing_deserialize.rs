use webhook_core::{on, Payload};

struct Feed {
    item: String,
}

#[on(object = "page", field = "feed")]
async fn feed(Payload(feed): Payload<Feed>) {
    let _ = feed.item;
}

fn main() {}
