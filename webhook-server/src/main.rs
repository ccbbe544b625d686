//! `meta-webhooks`: the command-line tool of meta-webhooks.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "meta-webhooks",
    version,
    about = "Tools for receiving Meta webhooks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print one JSON line per routed item of a notification body, in delivery
    /// order, with its object, field, entry id and kind.
    Explain {
        /// The body: a file, or `-` for standard input.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Explain { file } => explain(&file),
    }
}

fn explain(file: &PathBuf) -> ExitCode {
    let body = if file.as_os_str() == "-" {
        let mut body = Vec::new();
        std::io::stdin().read_to_end(&mut body).map(|_| body)
    } else {
        std::fs::read(file)
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            eprintln!("meta-webhooks explain: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    match webhook_server::explain::explain(&body, &mut std::io::stdout().lock()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("meta-webhooks explain: {}: {e}", file.display());
            ExitCode::FAILURE
        }
    }
}
