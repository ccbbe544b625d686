use webhook_core::fields::{WithRaw, page};
use webhook_core::{on, Rejection, Payload};

#[on(object = "instagram", field = "comments")]
async fn comments(Payload(_feed): Payload<WithRaw<page::Feed>>) {}

#[on(object = "instagram", field = "mentions")]
async fn mentions(_feed: Result<Payload<page::Feed>, Rejection>) {}

fn main() {}
