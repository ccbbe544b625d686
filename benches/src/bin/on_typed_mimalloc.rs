//! `on_typed` with mimalloc as the global allocator, as the bundled binary's
//! `mimalloc` feature sets it: the load benchmark measures the difference.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

include!("../user_crate/typed.rs");
