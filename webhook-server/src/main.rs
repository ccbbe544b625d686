//! `meta-webhooks`: the command-line tool of meta-webhooks (see
//! [`webhook_server::cli`]).

/// With the `mimalloc` feature, this binary (never the library) allocates with
/// mimalloc.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    webhook_server::cli::main()
}
