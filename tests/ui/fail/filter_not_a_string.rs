use webhook_core::on;

#[on(object = "page", field = "feed", when(published = 1))]
async fn feed() {}

fn main() {}
