use webhook_core::fields::whatsapp;
use webhook_core::{on, Value};

#[on(object = "page", field = "feed")]
async fn feed(Value(_change): Value<whatsapp::Change>) {}

fn main() {}
