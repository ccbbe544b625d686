use webhook_core::on;

#[on(object = "whatsapp_business_account", each = "messages")]
async fn each_message() {}

fn main() {}
