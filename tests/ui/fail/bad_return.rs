use webhook_core::on;

#[on(object = "page", field = "feed")]
async fn feed() -> i32 {
    1
}

fn main() {}
