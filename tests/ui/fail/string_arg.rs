use webhook_core::on;

#[on(object = "page", field = "feed")]
async fn feed(text: String) {
    let _ = text;
}

fn main() {}
