//! The baseline of the load benchmark: the hand-written receiver
//! ([`meta_webhooks_benches::handwritten`]).

#[tokio::main]
async fn main() {
    meta_webhooks_benches::serve(meta_webhooks_benches::handwritten()).await;
}
