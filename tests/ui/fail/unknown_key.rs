use webhook_core::on;

#[on(object = "page", fild = "feed")]
async fn feed() {}

fn main() {}
