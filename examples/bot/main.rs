//! The example bot: handlers for Page feed, Messenger, Instagram comments and
//! WhatsApp, spread over modules, sharing an in-memory store; it answers text
//! messages on each channel whose token is configured (see `replies.rs`).
//!
//! ```sh
//! META_APP_SECRET=dev-secret META_VERIFY_TOKEN=dev-token cargo run --example bot
//! ```

mod instagram;
mod messenger;
mod page;
mod replies;
mod store;
mod whatsapp;

use webhook_server::{Server, ServerError};

#[tokio::main]
async fn main() -> Result<(), ServerError> {
    // Log lines to standard error (`RUST_LOG`, `META_LOG_FORMAT=json`).
    webhook_server::logging::init();
    // Every #[on] function in this program is registered; `Store` is the shared
    // state they take as `State<Store>`.
    Server::from_env()?
        .state(store::Store::default())
        .state(replies::Replies::from_env())
        .serve()
        .await
}
