//! `subscriptions list|add|remove`: the app's webhook subscriptions through the
//! Graph API edge `/{app-id}/subscriptions`, with an app access token.

use std::process::ExitCode;

use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::{FAILED, UNREACHABLE, USAGE, runtime};
use crate::graph::{ApiError, DEFAULT_VERSION as DEFAULT_GRAPH_VERSION, Graph, GraphError, Token};

#[derive(Args, Debug)]
pub(super) struct SubscriptionsArgs {
    /// The app's id (App Dashboard).
    #[arg(long, env = "META_APP_ID")]
    app_id: String,
    /// An app access token: `<app-id>|<app-secret>`, or one from the Graph API.
    #[arg(long, env = "META_APP_ACCESS_TOKEN", hide_env_values = true)]
    access_token: Option<String>,
    /// The Graph API's base URL.
    #[arg(
        long,
        env = "META_GRAPH_URL",
        default_value = crate::graph::DEFAULT_URL
    )]
    graph_url: String,
    /// The Graph API version.
    #[arg(long, env = "META_GRAPH_VERSION", default_value = DEFAULT_GRAPH_VERSION)]
    graph_version: String,
    #[command(subcommand)]
    command: SubscriptionsCommand,
}

#[derive(Subcommand, Debug)]
enum SubscriptionsCommand {
    /// Print the app's subscriptions: object, callback URL, active, fields.
    List,
    /// Subscribe the app to fields of an object (Meta verifies the callback URL
    /// with a handshake first).
    Add {
        /// The object: `page`, `instagram`, `user`, `permissions`,
        /// `whatsapp_business_account`, ...
        #[arg(long)]
        object: String,
        /// The callback URL Meta will call (HTTPS).
        #[arg(long)]
        callback_url: String,
        /// Fields, comma-separated (`feed,mention`).
        #[arg(long, value_delimiter = ',', required = true)]
        fields: Vec<String>,
        /// The verify token the callback URL expects.
        #[arg(long, env = "META_VERIFY_TOKEN", hide_env_values = true)]
        verify_token: String,
        /// Ask Meta to include changed values in notifications (where supported).
        #[arg(long)]
        include_values: bool,
    },
    /// Unsubscribe the app from an object, or only from some of its fields.
    Remove {
        /// The object.
        #[arg(long)]
        object: String,
        /// Only these fields, comma-separated (default: the whole object).
        #[arg(long, value_delimiter = ',')]
        fields: Vec<String>,
    },
}

/// A token setting, when it is set and not blank.
pub(super) fn configured(token: Option<&str>) -> Option<Token> {
    token.map(Token::new).filter(|t| !t.is_empty())
}

pub(super) fn subscriptions(args: &SubscriptionsArgs) -> ExitCode {
    let Some(token) = configured(args.access_token.as_deref()) else {
        eprintln!(
            "meta-webhooks subscriptions: no app access token: set META_APP_ACCESS_TOKEN \
             (or --access-token) to `<app-id>|<app-secret>`"
        );
        return ExitCode::from(USAGE);
    };
    let graph = client(&args.graph_url, &args.graph_version);
    let path = format!("{}/subscriptions", args.app_id);
    runtime().block_on(async {
        let answer = match &args.command {
            SubscriptionsCommand::List => graph.get(&path, &token, &[]).await,
            SubscriptionsCommand::Add {
                object,
                callback_url,
                fields,
                verify_token,
                include_values,
            } => {
                let fields = fields.join(",");
                let form = [
                    ("object", object.as_str()),
                    ("callback_url", callback_url),
                    ("fields", &fields),
                    ("verify_token", verify_token),
                    (
                        "include_values",
                        if *include_values { "true" } else { "false" },
                    ),
                ];
                graph.post(&path, &token, &form).await
            }
            SubscriptionsCommand::Remove { object, fields } => {
                let fields = fields.join(",");
                let mut query = vec![("object", object.as_str())];
                if !fields.is_empty() {
                    query.push(("fields", &fields));
                }
                graph.delete(&path, &token, &query).await
            }
        };
        let body = match answer {
            Ok(body) => body,
            Err(e) => return failed("subscriptions", &e, "META_APP_ACCESS_TOKEN"),
        };
        match &args.command {
            SubscriptionsCommand::List => print_list(&body),
            SubscriptionsCommand::Add { object, fields, .. } => {
                println!("subscribed to {object}: {}", fields.join(", "));
            }
            SubscriptionsCommand::Remove { object, fields } if fields.is_empty() => {
                println!("unsubscribed from {object}");
            }
            SubscriptionsCommand::Remove { object, fields } => {
                println!("unsubscribed from {object}: {}", fields.join(", "));
            }
        }
        ExitCode::SUCCESS
    })
}

/// A client for the command's `--graph-url` and `--graph-version`: one try per
/// request and a short pause, as a person is waiting.
fn client(url: &str, version: &str) -> Graph {
    Graph::with(url, version, Duration::from_secs(20)).retries(1, Duration::from_millis(500))
}

/// Prints a failed request as one line and returns its exit code: `3` when the
/// Graph API could not be reached, `1` when it refused.
fn failed(command: &str, e: &GraphError, token_variable: &str) -> ExitCode {
    match e {
        GraphError::Api(error) => {
            eprintln!(
                "meta-webhooks {command}: {error}{}",
                hint(error, token_variable)
            );
            ExitCode::from(FAILED)
        }
        GraphError::Unreachable { .. } => {
            eprintln!("meta-webhooks {command}: {e} (is the URL right, and the network up?)");
            ExitCode::from(UNREACHABLE)
        }
        _ => {
            eprintln!("meta-webhooks {command}: {e}");
            ExitCode::from(FAILED)
        }
    }
}

fn print_list(body: &Value) {
    let subscriptions = body["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if subscriptions.is_empty() {
        println!("no subscriptions");
    }
    for subscription in subscriptions {
        let fields: Vec<&str> = subscription["fields"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f["name"].as_str().or_else(|| f.as_str()))
            .collect();
        println!(
            "{}\t{}\t{}\t{}",
            subscription["object"].as_str().unwrap_or("?"),
            subscription["callback_url"].as_str().unwrap_or("?"),
            if subscription["active"].as_bool().unwrap_or(false) {
                "active"
            } else {
                "inactive"
            },
            fields.join(",")
        );
    }
}

/// The fix for the common Graph API errors.
fn hint(error: &ApiError, token_variable: &str) -> String {
    match (error.code, error.subcode) {
        (190, Some(463)) => format!(" (the token expired: get a new one into {token_variable})"),
        (190, _) => format!(
            " (the access token is invalid: check {token_variable}; an app token is \
             `<app-id>|<app-secret>` of this app)"
        ),
        (10 | 200..=299, _) => format!(
            " (the token lacks a permission this needs: check its scopes with the Access Token \
             Debugger, then set {token_variable} to one that has them)"
        ),
        (100, _) => " (a parameter is wrong: check the ids, object and field names, and that \
                     the callback URL is HTTPS)"
            .to_owned(),
        (2200, _) => " (Meta could not verify the callback URL: run `meta-webhooks handshake \
                      <url> --token <token>`)"
            .to_owned(),
        _ => String::new(),
    }
}

/// Which asset: exactly one.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub(super) struct Asset {
    /// A Facebook Page (its id), with a Page access token.
    #[arg(long)]
    page: Option<String>,
    /// A WhatsApp Business Account (its id), with a system user or business token.
    #[arg(long)]
    waba: Option<String>,
    /// An Instagram professional account (its id), with an Instagram user token
    /// (Instagram API with Instagram Login; the Graph URL defaults to
    /// `https://graph.instagram.com`). With Facebook Login, Instagram's webhooks
    /// come through the connected Page's subscription instead.
    #[arg(long)]
    instagram: Option<String>,
}

#[derive(Args, Debug)]
pub(super) struct AssetsArgs {
    #[command(flatten)]
    asset: Asset,
    /// The asset's access token (never printed).
    #[arg(long, env = "META_ASSET_ACCESS_TOKEN", hide_env_values = true)]
    access_token: Option<String>,
    /// The Graph API's base URL (default `https://graph.facebook.com`, or
    /// `https://graph.instagram.com` for `--instagram`).
    #[arg(long, env = "META_GRAPH_URL")]
    graph_url: Option<String>,
    /// The Graph API version.
    #[arg(long, env = "META_GRAPH_VERSION", default_value = DEFAULT_GRAPH_VERSION)]
    graph_version: String,
    #[command(subcommand)]
    command: AssetsCommand,
}

#[derive(Subcommand, Debug)]
enum AssetsCommand {
    /// Print the apps the asset is subscribed to, with their fields (Page,
    /// Instagram) or callback override (WhatsApp).
    List,
    /// Subscribe this app to the asset's webhooks. Without it, nothing arrives for
    /// the asset even though the app's subscription verified.
    Add {
        /// Fields, comma-separated (`feed,messages`): required for a Page or an
        /// Instagram account; a WhatsApp Business Account takes the app's fields.
        #[arg(long, value_delimiter = ',')]
        fields: Vec<String>,
        /// WhatsApp only: deliver this account's webhooks to another callback URL.
        #[arg(long, requires = "verify_token")]
        override_callback_uri: Option<String>,
        /// WhatsApp only: the verify token that callback URL expects.
        #[arg(long, env = "META_VERIFY_TOKEN", hide_env_values = true)]
        verify_token: Option<String>,
    },
    /// Unsubscribe this app from the asset.
    Remove,
}

/// `assets list|add|remove`: the asset's `/{id}/subscribed_apps` edge.
pub(super) fn assets(args: &AssetsArgs) -> ExitCode {
    let (kind, id, default_url) = match &args.asset {
        Asset { page: Some(id), .. } => ("page", id, crate::graph::DEFAULT_URL),
        Asset { waba: Some(id), .. } => ("waba", id, crate::graph::DEFAULT_URL),
        Asset {
            instagram: Some(id),
            ..
        } => ("instagram", id, crate::graph::INSTAGRAM_URL),
        _ => return usage("give --page, --waba or --instagram"),
    };
    let Some(token) = configured(args.access_token.as_deref()) else {
        return usage(match kind {
            "page" => {
                "no access token: set META_ASSET_ACCESS_TOKEN (or --access-token) to a Page access token of this Page"
            }
            "waba" => {
                "no access token: set META_ASSET_ACCESS_TOKEN (or --access-token) to a system user token with whatsapp_business_management"
            }
            _ => {
                "no access token: set META_ASSET_ACCESS_TOKEN (or --access-token) to an Instagram user access token"
            }
        });
    };
    if let AssetsCommand::Add {
        fields,
        override_callback_uri,
        ..
    } = &args.command
    {
        match kind {
            "waba" if !fields.is_empty() => {
                return usage(
                    "a WhatsApp Business Account takes the app's fields (`meta-webhooks \
                     subscriptions add --object whatsapp_business_account --fields ..`): drop --fields",
                );
            }
            "page" | "instagram" if fields.is_empty() => {
                return usage(
                    "--fields is required: the fields this asset should send (`feed,messages`)",
                );
            }
            "page" | "instagram" if override_callback_uri.is_some() => {
                return usage("--override-callback-uri is for a WhatsApp Business Account only");
            }
            _ => {}
        }
    }
    let url = args.graph_url.as_deref().unwrap_or(default_url);
    let graph = client(url, &args.graph_version);
    let path = format!("{id}/subscribed_apps");
    runtime().block_on(async {
        let answer = match &args.command {
            AssetsCommand::List => graph.get(&path, &token, &[]).await,
            AssetsCommand::Add {
                fields,
                override_callback_uri,
                verify_token,
            } => {
                let fields = fields.join(",");
                let mut form = Vec::new();
                if !fields.is_empty() {
                    form.push(("subscribed_fields", fields.as_str()));
                }
                if let (Some(uri), Some(token)) = (override_callback_uri, verify_token) {
                    form.push(("override_callback_uri", uri.as_str()));
                    form.push(("verify_token", token.as_str()));
                }
                graph.post(&path, &token, &form).await
            }
            AssetsCommand::Remove => graph.delete(&path, &token, &[]).await,
        };
        let body = match answer {
            Ok(body) => body,
            Err(e) => return failed("assets", &e, "META_ASSET_ACCESS_TOKEN"),
        };
        match &args.command {
            AssetsCommand::List => print_apps(&body),
            AssetsCommand::Add { fields, .. } if fields.is_empty() => {
                println!("{kind} {id}: subscribed");
            }
            AssetsCommand::Add { fields, .. } => {
                println!("{kind} {id}: subscribed to {}", fields.join(", "));
            }
            AssetsCommand::Remove => println!("{kind} {id}: unsubscribed"),
        }
        ExitCode::SUCCESS
    })
}

fn usage(why: &str) -> ExitCode {
    eprintln!("meta-webhooks assets: {why}");
    ExitCode::from(USAGE)
}

/// One line per subscribed app: its id (or name), fields, callback override.
fn print_apps(body: &Value) {
    let apps = body["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if apps.is_empty() {
        println!("no apps subscribed");
    }
    for app in apps {
        let whatsapp = &app["whatsapp_business_api_data"];
        let id = app["id"]
            .as_str()
            .or_else(|| whatsapp["id"].as_str())
            .unwrap_or("?");
        let name = app["name"]
            .as_str()
            .or_else(|| whatsapp["name"].as_str())
            .unwrap_or("");
        let fields: Vec<&str> = app["subscribed_fields"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let fields = if fields.is_empty() {
            "-".to_owned()
        } else {
            fields.join(",")
        };
        let callback = app["override_callback_uri"].as_str().unwrap_or("-");
        println!("{id}\t{name}\t{fields}\t{callback}");
    }
}
