//! The performance budget's allocation rules, counted by a global allocator: parsing
//! and dispatching a delivery allocates per delivery, not per item, beyond what each
//! handler call needs (its boxed future and its own arguments); items of fields no
//! handler is registered for are not deserialised beyond routing.

use webhook_core::{Dispatcher, RawItem, Route};

// dhat counts every allocation of the process while its profiler runs: one test in
// this binary, so that nothing else allocates meanwhile.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// A Page feed body: `routed` feed changes, then `other` changes of a field no
/// handler takes.
fn body(routed: usize, other: usize) -> Vec<u8> {
    let feed = r#"{"field":"feed","value":{"item":"comment","verb":"add","post_id":"1_2","comment_id":"2_3","from":{"id":"4","name":"Ann"},"message":"hello","created_time":1732700000}}"#;
    let ratings = r#"{"field":"ratings","value":{"item":"rating","verb":"add","review_text":"fine","rating":5,"reviewer_id":"7"}}"#;
    let changes: Vec<&str> = std::iter::repeat_n(feed, routed)
        .chain(std::iter::repeat_n(ratings, other))
        .collect();
    format!(
        r#"{{"object":"page","entry":[{{"id":"1","time":1732700000,"changes":[{}]}}]}}"#,
        changes.join(",")
    )
    .into_bytes()
}

/// Allocations made by parsing and dispatching `body`.
fn allocations(dispatcher: &Dispatcher, body: &[u8]) -> u64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    // Once to warm up anything lazily initialised (tracing's callsites).
    let report = runtime.block_on(dispatcher.dispatch_body(body)).unwrap();
    assert!(report.is_success());
    let before = dhat::HeapStats::get().total_blocks;
    let report = runtime.block_on(dispatcher.dispatch_body(body)).unwrap();
    let counted = dhat::HeapStats::get().total_blocks - before;
    assert!(report.is_success());
    counted
}

/// Vectors of a delivery grow by doubling: a few reallocations, not one per item.
const GROWTH: u64 = 8;

#[test]
fn allocations_are_per_delivery_and_per_call_never_per_routed_item() {
    let _profiler = dhat::Profiler::builder().testing().build();
    a_no_argument_handler_costs_one_allocation_per_item_its_boxed_future();
    a_raw_item_handler_costs_only_its_argument_and_its_future();
    items_no_handler_takes_are_routed_without_allocating();
}

/// Asserts that each of 300 more items costs `per_item` allocations.
fn assert_per_item(dispatcher: &Dispatcher, per_item: u64) {
    let small = allocations(dispatcher, &body(100, 0));
    let large = allocations(dispatcher, &body(400, 0));
    let per_300_items = large - small;
    assert!(
        (300 * per_item..=300 * per_item + GROWTH).contains(&per_300_items),
        "300 more items cost {per_300_items} allocations, expected {per_item} each \
         (100 items: {small}, 400: {large})"
    );
}

fn a_no_argument_handler_costs_one_allocation_per_item_its_boxed_future() {
    let dispatcher = Dispatcher::builder()
        .route(Route::field("page", "feed"), async || {})
        .build()
        .unwrap();
    assert_per_item(&dispatcher, 1);
}

fn a_raw_item_handler_costs_only_its_argument_and_its_future() {
    let dispatcher = Dispatcher::builder()
        .route(Route::field("page", "feed"), async |item: RawItem| {
            std::hint::black_box(item);
        })
        .build()
        .unwrap();
    // RawItem owns object, field, kind, entry id and value: five; the future: one.
    assert_per_item(&dispatcher, 6);
}

fn items_no_handler_takes_are_routed_without_allocating() {
    let dispatcher = Dispatcher::builder()
        .route(Route::field("page", "feed"), async || {})
        .build()
        .unwrap();
    let alone = allocations(&dispatcher, &body(1, 0));
    let with_others = allocations(&dispatcher, &body(1, 1000));
    assert!(
        with_others - alone <= 2 * GROWTH,
        "1000 unhandled items cost {} allocations ({alone} without them)",
        with_others - alone
    );
}
