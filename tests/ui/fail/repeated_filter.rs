use webhook_core::on;

#[on(object = "page", field = "feed", when(verb = "add", verb = "remove"))]
async fn feed() {}

fn main() {}
