use webhook_core::on;

#[on(object = "whatsapp_business_account", field = "messages", each = "mesages")]
async fn each_message() {}

fn main() {}
