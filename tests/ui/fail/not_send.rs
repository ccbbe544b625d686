use std::rc::Rc;

use webhook_core::on;

async fn elsewhere() {}

#[on(object = "page", field = "feed")]
async fn feed() {
    let local = Rc::new(1);
    elsewhere().await;
    drop(local);
}

fn main() {}
