//! `meta-webhooks`: the command-line tool of meta-webhooks (see
//! [`webhook_server::cli`]).

fn main() -> std::process::ExitCode {
    webhook_server::cli::main()
}
