use webhook_core::on;

#[on(object = "page", Field = "feed")]
async fn feed() {}

fn main() {}
