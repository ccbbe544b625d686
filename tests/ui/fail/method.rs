use webhook_core::on;

struct Bot;

impl Bot {
    #[on(object = "page", field = "feed")]
    async fn feed(&self) {}
}

fn main() {}
