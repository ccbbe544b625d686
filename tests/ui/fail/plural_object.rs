use webhook_core::on;

#[on(objects = "page", field = "feed")]
async fn feed() {}

fn main() {}
