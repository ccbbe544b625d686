use webhook_core::on;

#[on(object = "page", field = "feed")]
fn feed() {}

fn main() {}
