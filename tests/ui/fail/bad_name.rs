use webhook_core::on;

#[on(object = "page", field = "Feed")]
async fn feed() {}

#[on(object = "whatsapp-business", field = "")]
async fn other() {}

fn main() {}
