//! A user's crate with one no-op `#[on]` handler for Page feed changes taking
//! the raw item, on the bundled server (`META_*`): a receiver of the load
//! benchmark.

include!("../user_crate/raw.rs");
