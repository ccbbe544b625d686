//! Extension point: a field type of your own.
//!
//! Any `serde::Deserialize` type reads an item's value through `Payload<T>`. This
//! one covers `(page, messaging_appointments)`, a field this crate has no type for,
//! keeps the raw JSON beside it with `WithRaw`, and opts into the compile-time
//! field check, so that taking it from another field is a compile error as it is
//! for the crate's own types.
//!
//! ```sh
//! META_APP_SECRET=dev-secret META_VERIFY_TOKEN=dev-token META_WEBHOOK_MODE=inline cargo run --example own_field_type
//! ```

use serde::Deserialize;
use webhook_server::field_check::{TypedValue, ValueOf};
use webhook_server::fields::WithRaw;
use webhook_server::names::fields::page;
use webhook_server::{EntryMeta, Payload, on};

/// An appointment booked in a Messenger conversation. Unknown keys are ignored, so
/// a key Meta adds later never rejects a delivery; `Option` for every key Meta may
/// leave out.
#[derive(Debug, Deserialize)]
pub struct Appointment {
    /// The person, by Page-scoped id.
    pub customer_id: Option<String>,
    /// `scheduled`, `cancelled`, ...
    pub status: Option<String>,
    /// Start time, Unix seconds.
    pub start_time: Option<u64>,
}

// The opt-in: `Appointment` is the value of (page, messaging_appointments) only.
impl TypedValue for Appointment {}
impl ValueOf<page::messaging_appointments> for Appointment {}

#[on(object = "page", field = "messaging_appointments")]
async fn appointment(Payload(booked): Payload<WithRaw<Appointment>>, meta: EntryMeta) {
    tracing::info!(
        "page {}: appointment {:?} for {:?} at {:?} ({} bytes of JSON)",
        meta.id,
        booked.status,
        booked.customer_id,
        booked.start_time,
        booked.raw.get().len()
    );
}

#[tokio::main]
async fn main() -> Result<(), webhook_server::ServerError> {
    webhook_server::logging::init();
    webhook_server::Server::from_env()?.serve().await
}

#[cfg(test)]
mod tests {
    use webhook_server::testing::{self, TestClient};

    #[tokio::test]
    async fn the_handler_reads_the_appointment() {
        let client = TestClient::new(testing::server()).unwrap();
        let body = br#"{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"messaging_appointments",
            "value":{"customer_id":"42","status":"scheduled","start_time":1767225600,"added_later":true}}]}]}"#;
        let response = client.deliver(body).await;
        assert_eq!(response.status(), 200);
        response.assert_items_handled_by(&[&["appointment"]]);
    }
}
