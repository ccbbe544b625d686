use webhook_core::fields::{WithRaw, page};
use webhook_core::{on, Rejection, Value};

#[on(object = "instagram", field = "comments")]
async fn comments(Value(_feed): Value<WithRaw<page::Feed>>) {}

#[on(object = "instagram", field = "mentions")]
async fn mentions(_feed: Result<Value<page::Feed>, Rejection>) {}

fn main() {}
