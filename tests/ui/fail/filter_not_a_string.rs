use webhook_core::on;

#[on(object = "page", field = "feed", published = 1)]
async fn feed() {}

fn main() {}
