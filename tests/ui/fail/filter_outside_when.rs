use webhook_core::on;

// Filters on payload keys go in `when(..)`; a bare key is never read as one.
#[on(object = "page", field = "feed", item_ = "comment")]
async fn feed() {}

fn main() {}
