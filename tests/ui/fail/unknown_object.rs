use webhook_core::on;

#[on(object = "pgae", field = "feed")]
async fn feed() {}

#[on(object = "something_else")]
async fn other() {}

fn main() {}
