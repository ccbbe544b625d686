use webhook_core::on;

// `fields` is not a filter on a payload key: it is a near miss of `field`.
#[on(object = "page", fields = "feed")]
async fn feed() {}

fn main() {}
