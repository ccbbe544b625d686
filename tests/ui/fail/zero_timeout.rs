use webhook_core::on;

#[on(object = "page", field = "feed", timeout = "0s")]
async fn feed() {}

fn main() {}
