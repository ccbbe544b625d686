//! Compile-time diagnostics of `#[on]`, locked in by trybuild.
//!
//! The `.stderr` files match one compiler version; the test is skipped on any
//! other, until someone re-blesses them with `TRYBUILD=overwrite cargo test -p
//! meta-webhooks-tests --test ui`.

#[rustversion::attr(not(stable(1.95)), ignore = "diagnostics are blessed for rustc 1.95")]
#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}
