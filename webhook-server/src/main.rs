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
        /// Also print each value as this crate's type for its field parses it.
        #[arg(long)]
        typed: bool,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Explain { file, typed } => explain(&file, typed),
    }
}

fn explain(file: &PathBuf, typed: bool) -> ExitCode {
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
    let options = webhook_server::explain::ExplainOptions { typed };
    match webhook_server::explain::explain(&body, options, &mut std::io::stdout().lock()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("meta-webhooks explain: {}: {e}", file.display());
            ExitCode::FAILURE
        }
    }
}
