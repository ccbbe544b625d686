use webhook_core::on;

#[on(object = "page", field = "feed")]
struct Feed;

fn main() {}
