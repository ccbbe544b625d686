use webhook_core::fields::whatsapp;
use webhook_core::{on, Payload};

#[on(object = "page", field = "feed")]
async fn feed(Payload(_change): Payload<whatsapp::Change>) {}

fn main() {}
