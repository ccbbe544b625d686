use webhook_core::on;

#[on(object = "page", field = "feed", verb = "add", verb = "remove")]
async fn feed() {}

fn main() {}
