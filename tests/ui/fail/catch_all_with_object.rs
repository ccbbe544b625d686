use webhook_core::on;

#[on(catch_all, object = "page")]
async fn everything() {}

fn main() {}
