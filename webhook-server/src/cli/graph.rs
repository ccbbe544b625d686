//! `subscriptions list|add|remove`: the app's webhook subscriptions through the
//! Graph API edge `/{app-id}/subscriptions`, with an app access token.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::tools::unreachable;
use super::{FAILED, UNREACHABLE, USAGE, runtime};

/// The Graph API version used unless `--graph-version` says otherwise.
pub(super) const DEFAULT_GRAPH_VERSION: &str = "v23.0";

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
        default_value = "https://graph.facebook.com"
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

pub(super) fn subscriptions(args: &SubscriptionsArgs) -> ExitCode {
    let Some(token) = args
        .access_token
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    else {
        eprintln!(
            "meta-webhooks subscriptions: no app access token: set META_APP_ACCESS_TOKEN \
             (or --access-token) to `<app-id>|<app-secret>`"
        );
        return ExitCode::from(USAGE);
    };
    let url = format!(
        "{}/{}/{}/subscriptions",
        args.graph_url.trim_end_matches('/'),
        args.graph_version,
        args.app_id
    );
    let client = reqwest::Client::new();
    let request = match &args.command {
        SubscriptionsCommand::List => client.get(&url).query(&[("access_token", token)]),
        SubscriptionsCommand::Add {
            object,
            callback_url,
            fields,
            verify_token,
            include_values,
        } => client.post(&url).form(&[
            ("object", object.as_str()),
            ("callback_url", callback_url),
            ("fields", &fields.join(",")),
            ("verify_token", verify_token),
            (
                "include_values",
                if *include_values { "true" } else { "false" },
            ),
            ("access_token", token),
        ]),
        SubscriptionsCommand::Remove { object, fields } => {
            let mut query = vec![
                ("object", object.clone()),
                ("access_token", token.to_owned()),
            ];
            if !fields.is_empty() {
                query.push(("fields", fields.join(",")));
            }
            client.delete(&url).query(&query)
        }
    };
    runtime().block_on(async {
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                let shown = format!(
                    "{}/{}/{}/subscriptions",
                    args.graph_url, args.graph_version, args.app_id
                );
                eprintln!("meta-webhooks subscriptions: {}", unreachable(&shown, e));
                return ExitCode::from(UNREACHABLE);
            }
        };
        let status = response.status();
        let Ok(Ok(body)) = response
            .bytes()
            .await
            .map(|b| serde_json::from_slice::<Value>(&b))
        else {
            eprintln!("meta-webhooks subscriptions: the Graph API answered {status} without JSON");
            return ExitCode::from(FAILED);
        };
        if let Some(error) = body.get("error") {
            eprintln!("meta-webhooks subscriptions: {}", graph_error(error));
            return ExitCode::from(FAILED);
        }
        if !status.is_success() {
            eprintln!("meta-webhooks subscriptions: the Graph API answered {status}: {body}");
            return ExitCode::from(FAILED);
        }
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

/// One line for a Graph API error, with the fix for the common ones.
fn graph_error(error: &Value) -> String {
    let code = error["code"].as_i64().unwrap_or_default();
    let message = error["message"].as_str().unwrap_or("no message");
    let kind = error["type"].as_str().unwrap_or("error");
    let hint = match code {
        190 => {
            " (the access token is invalid: META_APP_ACCESS_TOKEN should be `<app-id>|<app-secret>` of this app)"
        }
        100 => {
            " (a parameter is wrong: check the object and field names, and that the callback URL is HTTPS)"
        }
        2200 => {
            " (Meta could not verify the callback URL: run `meta-webhooks handshake <url> --token <token>`)"
        }
        _ => "",
    };
    format!("Graph API error {code} ({kind}): {message}{hint}")
}
