//! Log output: `tracing` to standard error, filtered by `RUST_LOG` (default
//! `info`), as text or, with `META_LOG_FORMAT=json`, one JSON object per line
//! (with the enclosing spans: delivery, item, handler).

use tracing_subscriber::EnvFilter;

/// Installs this subscriber as the program's global default, unless the program
/// already installed one (then it does nothing). A library never calls it for you:
/// call it first thing in `main`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json =
        std::env::var("META_LOG_FORMAT").is_ok_and(|f| f.trim().eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init()
    } else {
        builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init()
    };
}
