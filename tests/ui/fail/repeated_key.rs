use webhook_core::on;

#[on(object = "page", field = "feed", field = "mention")]
async fn feed() {}

fn main() {}
