use webhook_core::on;

#[on(field = "feed")]
async fn feed() {}

fn main() {}
