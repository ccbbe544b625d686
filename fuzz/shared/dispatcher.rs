// The dispatcher of the `notification` fuzz target, included (`include!`) by the
// target and by `webhook-core/tests/properties.rs`, which replays the seeds and
// regressions through it: the same path on both sides.

/// Takes everything an item offers, and reads it as our type for its field.
async fn greedy(
    item: webhook_core::RawItem,
    _value: Option<webhook_core::Value<serde_json::Value>>,
    _meta: webhook_core::EntryMeta,
    _entry: webhook_core::RawEntry,
) {
    if let Some(field) = &item.field {
        let _ = webhook_core::fields::typed_json(&item.object, field, &item.value);
    }
}

/// Object-wide, `each` and catch-all routes, all to [`greedy`].
pub(crate) fn fuzz_dispatcher() -> webhook_core::Dispatcher {
    use webhook_core::select::Filter;
    webhook_core::Dispatcher::empty_builder()
        .route_object("page", greedy)
        .route_object("instagram", greedy)
        .route_filtered(
            "whatsapp_business_account",
            "messages",
            Filter::new().each("messages"),
            greedy,
        )
        .route_filtered(
            "whatsapp_business_account",
            "messages",
            Filter::new().each("statuses"),
            greedy,
        )
        .route_object("whatsapp_business_account", greedy)
        .catch_all(greedy)
        .build()
        .expect("the dispatcher builds")
}
