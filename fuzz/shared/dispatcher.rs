// The dispatcher of the `notification` fuzz target, included (`include!`) by the
// target and by `webhook-core/tests/properties.rs`, which replays the seeds and
// regressions through it: the same path on both sides.

/// Takes everything an item offers, and reads it as our type for its field.
async fn greedy(
    item: webhook_core::RawItem,
    _value: Option<webhook_core::Payload<serde_json::Value>>,
    _meta: webhook_core::EntryMeta,
    _entry: webhook_core::RawEntry,
) {
    if let Some(field) = &item.field {
        let _ = webhook_core::fields::typed_json(&item.object, field, &item.value);
    }
}

/// Object-wide, `each` and catch-all routes, all to [`greedy`].
pub(crate) fn fuzz_dispatcher() -> webhook_core::Dispatcher {
    use webhook_core::Route;
    webhook_core::Dispatcher::builder()
        .route(Route::object("page"), greedy)
        .route(Route::object("instagram"), greedy)
        .route(Route::field("whatsapp_business_account", "messages").each("messages"),
            greedy,
        )
        .route(Route::field("whatsapp_business_account", "messages").each("statuses"),
            greedy,
        )
        .route(Route::object("whatsapp_business_account"), greedy)
        .route(Route::catch_all(), greedy)
        .build()
        .expect("the dispatcher builds")
}
