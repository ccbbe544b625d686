//! The `meta-webhooks` command: serve, send, sign, verify, handshake, manage
//! subscriptions, explain bodies and inspect the durable store.
//!
//! Handlers are compiled into the binary that serves them, so the bundled
//! `meta-webhooks serve` runs only handlers linked into it. Your own binary gets
//! every subcommand, with your `#[on]` handlers behind `serve`, in one line:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     webhook_server::cli::main()
//! }
//! ```
//!
//! Exit codes: `0` success; `1` the check failed or the server refused (non-2xx,
//! Graph API error, signature mismatch, failed handshake); `2` bad usage or input
//! (unreadable file, missing secret or token); `3` the server could not be reached.
//! Every error is one line on standard error naming the cause and the fix; `--help`
//! works on every subcommand.

pub mod doctor;
mod graph;
mod tools;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `serve --help`: every environment variable, from the configuration's one
/// declaration of them.
fn serve_help() -> String {
    use std::fmt::Write as _;
    let mut text = String::from("Environment variables:\n");
    for variable in crate::Config::variables() {
        let _ = writeln!(
            text,
            "  {}\n      {} (default: {})",
            variable.name,
            variable.meaning.replace('`', ""),
            variable.default.replace('`', "")
        );
    }
    text
}

/// The check failed or the server refused.
const FAILED: u8 = 1;
/// Bad usage or input.
const USAGE: u8 = 2;
/// The server could not be reached.
const UNREACHABLE: u8 = 3;

#[derive(Parser)]
#[command(
    name = "meta-webhooks",
    version,
    about = "Tools for receiving Meta webhooks",
    after_help = "Exit codes: 0 success, 1 check failed or refused, 2 bad usage or input, 3 unreachable."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bundled server from the META_* environment variables (the handlers
    /// linked into this binary).
    #[command(after_long_help = serve_help())]
    Serve,
    /// Sign a body and POST it to a webhook URL, as Meta does.
    Send(tools::SendArgs),
    /// Print the signature header Meta would send for a body.
    Sign(tools::SignArgs),
    /// Check a captured body and signature header against the app secret, and say
    /// why they do not match.
    Verify(tools::VerifyArgs),
    /// Perform Meta's verification handshake against a URL and say whether it
    /// would pass.
    Handshake(tools::HandshakeArgs),
    /// List, add or remove the app's webhook subscriptions (Graph API
    /// `/{app-id}/subscriptions`).
    Subscriptions(graph::SubscriptionsArgs),
    /// List, add or remove this app's subscription to a Page, a WhatsApp Business
    /// Account or an Instagram account (Graph API `/{id}/subscribed_apps`): without
    /// it, nothing of that asset arrives.
    Assets(graph::AssetsArgs),
    /// Why nothing arrives: check the configuration, the callback URL, the
    /// handshake, a signed delivery, the app's and the assets' subscriptions
    /// against the fields the handlers need, and the running server; one line per
    /// check with the fix. Exit 0 when none fails, 1 otherwise.
    Doctor(doctor::DoctorArgs),
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

#[derive(Subcommand, Clone)]
enum DeliveriesCommand {
    /// List deliveries, newest first (read-only: never blocks a running server).
    List {
        #[command(flatten)]
        select: Select,
        /// At most this many (the last line names the next page's `--before`).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only ids below this one: the next page.
        #[arg(long)]
        before: Option<i64>,
        /// One JSON document: `{"deliveries": [..], "next_before": id or null}`.
        #[arg(long)]
        json: bool,
    },
    /// Show one delivery: state, attempts, history, items, raw body (read-only).
    Show {
        /// Its id.
        id: i64,
        /// As one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// Make deliveries pending again, with their attempts reset (a running server
    /// handles them at once): one by id, or every one matching `--state` and the
    /// other filters (`replay --state dead --since 2h` after a fix).
    Replay {
        /// Its id.
        #[arg(required_unless_present = "state")]
        id: Option<i64>,
        #[command(flatten)]
        select: Select,
    },
    /// Delete a delivery.
    Discard {
        /// Its id.
        id: i64,
    },
}

/// Which deliveries.
#[derive(clap::Args, Clone, Default)]
struct Select {
    /// By state.
    #[arg(long, value_enum)]
    state: Option<StateArg>,
    /// Only notifications of this object (`page`, `instagram`, ...).
    #[arg(long)]
    object: Option<String>,
    /// Only notifications with an item of this field (`feed`, `messages`, ...).
    /// Handled deliveries keep no body, so they never match `--object` or `--field`.
    #[arg(long)]
    field: Option<String>,
    /// Only notifications with an item of this entry (a Page, account or WABA id).
    #[arg(long)]
    entry: Option<String>,
    /// Only deliveries this handler succeeded or failed on.
    #[arg(long)]
    handler: Option<String>,
    /// Received at or after: an RFC 3339 time, or a duration ago (`2h`, `3days`).
    #[arg(long, value_parser = instant)]
    since: Option<u64>,
    /// Received before: an RFC 3339 time, or a duration ago.
    #[arg(long, value_parser = instant)]
    until: Option<u64>,
}

impl Select {
    fn query(&self, limit: usize, before: Option<i64>) -> crate::delivery::Query {
        use crate::delivery::ListFilter;
        let state = match self.state.unwrap_or(StateArg::All) {
            StateArg::All => ListFilter::All,
            StateArg::Pending => ListFilter::Pending,
            StateArg::Failed => ListFilter::Failed,
            StateArg::Dead => ListFilter::Dead,
            StateArg::Done => ListFilter::Done,
        };
        crate::delivery::Query {
            before: before.map(crate::delivery::DeliveryId),
            since: self.since,
            until: self.until,
            ..crate::delivery::Query::new(state, limit)
        }
    }

    fn filter(&self) -> crate::deliveries::Filter {
        crate::deliveries::Filter {
            object: self.object.clone(),
            field: self.field.clone(),
            entry: self.entry.clone(),
            handler: self.handler.clone(),
        }
    }
}

/// Parses `--since`/`--until`: an RFC 3339 time or a duration before now, as Unix ms.
fn instant(text: &str) -> Result<u64, String> {
    crate::deliveries::instant(text)
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum StateArg {
    All,
    Pending,
    Failed,
    Dead,
    Done,
}

/// Runs the command line: parses the arguments and runs the subcommand.
#[must_use]
pub fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve => serve(),
        Command::Send(args) => tools::send(&args),
        Command::Sign(args) => tools::sign(&args),
        Command::Verify(args) => tools::verify(&args),
        Command::Handshake(args) => tools::handshake(&args),
        Command::Subscriptions(args) => graph::subscriptions(&args),
        Command::Assets(args) => graph::assets(&args),
        Command::Doctor(args) => doctor::doctor(&args),
        Command::Deliveries { db, command } => deliveries(&db, command),
        Command::Explain { file, typed } => explain(&file, typed),
    }
}

fn serve() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        crate::logging::init();
        let served = match crate::Server::from_env() {
            Ok(server) => server.serve().await,
            Err(e) => Err(e),
        };
        match served {
            Ok(()) => ExitCode::SUCCESS,
            // Serving failed after start-up.
            Err(e @ crate::ServerError::Io(_)) => {
                eprintln!("meta-webhooks serve: {e}");
                ExitCode::from(FAILED)
            }
            // Configuration, handlers, store, TLS files, address: fix and restart.
            Err(e) => {
                eprintln!("meta-webhooks serve: {e}");
                ExitCode::from(USAGE)
            }
        }
    })
}

/// Reads a file, or standard input for `-`.
fn read_input(file: &Path) -> Result<Vec<u8>, String> {
    let read = if file.as_os_str() == "-" {
        let mut body = Vec::new();
        std::io::stdin().read_to_end(&mut body).map(|_| body)
    } else {
        std::fs::read(file)
    };
    read.map_err(|e| format!("cannot read {}: {e}", file.display()))
}

/// A current-thread runtime for one subcommand.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

fn explain(file: &Path, typed: bool) -> ExitCode {
    let body = match read_input(file) {
        Ok(body) => body,
        Err(e) => {
            eprintln!("meta-webhooks explain: {e}");
            return ExitCode::from(USAGE);
        }
    };
    let options = crate::explain::ExplainOptions { typed };
    match crate::explain::explain(&body, options, &mut std::io::stdout().lock()) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("meta-webhooks explain: {}: {e}", file.display());
            ExitCode::FAILURE
        }
    }
}

fn deliveries(db: &Path, command: DeliveriesCommand) -> ExitCode {
    use crate::deliveries;

    runtime().block_on(async {
        let opened = match command {
            DeliveriesCommand::List { .. } | DeliveriesCommand::Show { .. } => {
                deliveries::open_read_only(db)
            }
            _ => deliveries::open(db),
        };
        let store = match opened {
            Ok(store) => store,
            Err(e) => {
                eprintln!("meta-webhooks deliveries: {e}");
                return ExitCode::from(USAGE);
            }
        };
        let mut out = std::io::stdout().lock();
        let (found, what, id) = match command {
            DeliveriesCommand::List {
                select,
                limit,
                before,
                json,
            } => {
                let query = select.query(limit, before);
                let listed =
                    deliveries::list(&store, query, &select.filter(), json, &mut out).await;
                return match listed {
                    Ok(_) => ExitCode::SUCCESS,
                    Err(e) => fail(&e),
                };
            }
            DeliveriesCommand::Show { id, json } => (
                deliveries::show(&store, id, json, &mut out)
                    .await
                    .map_err(|e| e.to_string()),
                "",
                id,
            ),
            DeliveriesCommand::Replay { id: None, select } => {
                let query = select.query(usize::MAX, None);
                return match deliveries::replay_matching(&store, query, &select.filter()).await {
                    Ok(ids) => {
                        match ids.len() {
                            1 => println!("1 delivery is pending again"),
                            n => println!("{n} deliveries are pending again"),
                        }
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail(&e),
                };
            }
            DeliveriesCommand::Replay { id: Some(id), .. } => (
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
