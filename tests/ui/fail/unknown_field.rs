use webhook_core::on;

#[on(object = "page", field = "fead")]
async fn feed() {}

#[on(object = "whatsapp_business_account", field = "message")]
async fn message() {}

fn main() {}
