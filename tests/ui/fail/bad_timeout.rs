use webhook_core::on;

#[on(object = "page", field = "feed", timeout = "soon")]
async fn feed() {}

fn main() {}
