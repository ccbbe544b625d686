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
    /// Inspect the durable store: list, show, replay or discard deliveries.
    Deliveries {
        /// The store's SQLite file.
        #[arg(long, env = "META_WEBHOOK_DB", default_value = "./meta-webhooks.db")]
        db: PathBuf,
        #[command(subcommand)]
        command: DeliveriesCommand,
    },
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

#[derive(Subcommand, Clone, Copy)]
enum DeliveriesCommand {
    /// List deliveries, newest first.
    List {
        /// Which deliveries.
        #[arg(long, value_enum, default_value = "all")]
        state: StateArg,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Show one delivery: state, attempts, errors, items, raw body.
    Show {
        /// Its id.
        id: i64,
    },
    /// Make a delivery pending again (a running server handles it at once).
    Replay {
        /// Its id.
        id: i64,
    },
    /// Delete a delivery.
    Discard {
        /// Its id.
        id: i64,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum StateArg {
    All,
    Pending,
    Failed,
    Dead,
    Done,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Deliveries { db, command } => deliveries(&db, command),
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

fn deliveries(db: &std::path::Path, command: DeliveriesCommand) -> ExitCode {
    use webhook_server::deliveries;
    use webhook_server::delivery::ListFilter;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        let store = match deliveries::open(db) {
            Ok(store) => store,
            Err(e) => {
                eprintln!("meta-webhooks deliveries: {e}");
                return ExitCode::from(2);
            }
        };
        let mut out = std::io::stdout().lock();
        let (found, what, id) = match command {
            DeliveriesCommand::List { state, limit } => {
                let filter = match state {
                    StateArg::All => ListFilter::All,
                    StateArg::Pending => ListFilter::Pending,
                    StateArg::Failed => ListFilter::Failed,
                    StateArg::Dead => ListFilter::Dead,
                    StateArg::Done => ListFilter::Done,
                };
                return match deliveries::list(&store, filter, limit, &mut out).await {
                    Ok(_) => ExitCode::SUCCESS,
                    Err(e) => fail(&e),
                };
            }
            DeliveriesCommand::Show { id } => (
                deliveries::show(&store, id, &mut out)
                    .await
                    .map_err(|e| e.to_string()),
                "",
                id,
            ),
            DeliveriesCommand::Replay { id } => (
                deliveries::replay(&store, id)
                    .await
                    .map_err(|e| e.to_string()),
                "is pending again",
                id,
            ),
            DeliveriesCommand::Discard { id } => (
                deliveries::discard(&store, id)
                    .await
                    .map_err(|e| e.to_string()),
                "was discarded",
                id,
            ),
        };
        match found {
            Ok(true) => {
                if !what.is_empty() {
                    println!("delivery {id} {what}");
                }
                ExitCode::SUCCESS
            }
            Ok(false) => {
                eprintln!(
                    "meta-webhooks deliveries: no delivery {id} in {}",
                    db.display()
                );
                ExitCode::FAILURE
            }
            Err(e) => fail(&e),
        }
    })
}

fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("meta-webhooks deliveries: {e}");
    ExitCode::FAILURE
}
