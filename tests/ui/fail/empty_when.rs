use webhook_core::on;

#[on(object = "page", field = "feed", when())]
async fn feed() {}

fn main() {}
