//! `meta-webhooks doctor`: why nothing arrives. Walks the chain from this
//! process's configuration to Meta's subscriptions and prints one line per check,
//! pass, fail (with the exact fix) or skipped (with why). Run from your own binary
//! (`webhook_server::cli::main()`) it knows the `(object, field)` pairs your
//! handlers need, and checks the subscriptions for each.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use serde_json::{Value, json};

use super::graph::configured;
use super::{FAILED, runtime};
use crate::graph::{DEFAULT_URL, DEFAULT_VERSION, Graph, Token};
use webhook_core::routing::is_messaging_field;
use webhook_core::signature::{self, Algorithm, AppSecret};

/// What the doctor looks at.
#[derive(Parser, Debug, Clone)]
#[command(name = "doctor")]
pub struct DoctorArgs {
    /// The callback URL registered with Meta (HTTPS, public).
    #[arg(long, env = "META_CALLBACK_URL")]
    callback_url: Option<String>,
    /// The app secret(s), comma-separated (to sign the test delivery).
    #[arg(long, env = "META_APP_SECRET", hide_env_values = true)]
    app_secret: Option<String>,
    /// The verify token (for the handshake).
    #[arg(long, env = "META_VERIFY_TOKEN", hide_env_values = true)]
    verify_token: Option<String>,
    /// The app's id.
    #[arg(long, env = "META_APP_ID")]
    app_id: Option<String>,
    /// An app access token (`<app-id>|<app-secret>`), to read the app's subscriptions.
    #[arg(long, env = "META_APP_ACCESS_TOKEN", hide_env_values = true)]
    app_token: Option<String>,
    /// Pages that should send webhooks (repeat the flag).
    #[arg(long = "page")]
    pages: Vec<String>,
    /// A Page access token for those Pages.
    #[arg(long, env = "META_PAGE_ACCESS_TOKEN", hide_env_values = true)]
    page_token: Option<String>,
    /// WhatsApp Business Accounts that should send webhooks (repeat the flag).
    #[arg(long = "waba")]
    wabas: Vec<String>,
    /// A token for those accounts (system user, `whatsapp_business_management`).
    #[arg(long, env = "META_WHATSAPP_TOKEN", hide_env_values = true)]
    waba_token: Option<String>,
    /// Instagram professional accounts (Instagram Login) that should send webhooks
    /// (repeat the flag).
    #[arg(long = "instagram")]
    instagrams: Vec<String>,
    /// An Instagram user access token for those accounts.
    #[arg(long, env = "META_INSTAGRAM_ACCESS_TOKEN", hide_env_values = true)]
    instagram_token: Option<String>,
    /// The Instagram Graph API's base URL.
    #[arg(
        long,
        env = "META_INSTAGRAM_GRAPH_URL",
        default_value = crate::graph::INSTAGRAM_URL
    )]
    instagram_graph_url: String,
    /// The running server's metrics listener (`http://127.0.0.1:9090`).
    #[arg(long, env = "META_DOCTOR_METRICS_URL")]
    metrics_url: Option<String>,
    /// The Graph API's base URL.
    #[arg(long, env = "META_GRAPH_URL", default_value = DEFAULT_URL)]
    graph_url: String,
    /// The Graph API version.
    #[arg(long, env = "META_GRAPH_VERSION", default_value = DEFAULT_VERSION)]
    graph_version: String,
    /// One JSON object per check, for machines.
    #[arg(long)]
    json: bool,
    /// A server on this machine, checked before it is exposed: the callback URL
    /// may be plain HTTP on a private address (the public-HTTPS check is skipped).
    #[arg(long)]
    local: bool,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It holds.
    Pass,
    /// It does not: see the fix.
    Fail,
    /// Not checked: see why.
    Skip,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "FAIL",
            Self::Skip => "skip",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// How it ended.
    pub status: Status,
    /// What was found (or, skipped, why).
    pub detail: String,
    /// For a failure, what to do.
    pub fix: Option<String>,
}

impl Check {
    fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            status: Status::Pass,
            detail: detail.into(),
            fix: None,
        }
    }

    fn fail(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            status: Status::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    fn skip(name: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            status: Status::Skip,
            detail: why.into(),
            fix: None,
        }
    }
}

/// The names in a list of fields: strings, or objects with a `name`.
fn names(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f["name"].as_str().or_else(|| f.as_str()))
        .map(str::to_owned)
        .collect()
}

/// Pass when `has` holds every field of `want`, else fail naming the missing ones.
fn subscribed(name: String, has: &BTreeSet<String>, want: &BTreeSet<String>, fix: String) -> Check {
    let missing: Vec<&str> = want
        .iter()
        .filter(|f| !has.contains(*f))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        Check::pass(name, "subscribed")
    } else {
        Check::fail(name, format!("missing field(s) {}", missing.join(",")), fix)
    }
}

/// The `(object, field)` pairs this binary's `#[on]` handlers need, by object
/// (an object-wide handler needs the object, with no particular field). Read from
/// the registrations, not a built dispatcher: handlers that take state the doctor
/// does not have count too.
fn needed() -> BTreeMap<String, BTreeSet<String>> {
    use webhook_core::registry::{Target, registrations};
    let mut needed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for registration in registrations() {
        match registration.target() {
            Target::Field(object, field) => {
                needed
                    .entry(object.to_owned())
                    .or_default()
                    .insert(field.to_owned());
            }
            Target::Object(object) => {
                needed.entry(object.to_owned()).or_default();
            }
            _ => {}
        }
    }
    needed
}

/// Runs every check.
///
/// # Errors
/// When the arguments do not parse (clap's error, with the usage).
pub async fn diagnose<I, T>(args: I) -> Result<Vec<Check>, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = DoctorArgs::try_parse_from(args)?;
    Ok(run(&args).await)
}

async fn run(args: &DoctorArgs) -> Vec<Check> {
    let graph = Graph::with(
        &args.graph_url,
        &args.graph_version,
        Duration::from_secs(10),
    )
    .retries(1, Duration::from_millis(200));
    let needed = needed();
    let mut checks = vec![configuration(args), handlers(&needed)];
    checks.push(callback_url(args).await);
    checks.push(handshake(args).await);
    checks.push(signed_delivery(args).await);
    checks.extend(app_subscriptions(args, &graph, &needed).await);
    checks.extend(assets(args, &graph, &needed).await);
    checks.extend(instagram(args, &needed).await);
    checks.extend(tokens(args, &graph, &needed).await);
    checks.push(Check::skip(
        "app mode",
        "the Graph API does not tell an app's mode: in development mode only people with a \
         role on the app generate events (App Dashboard, the App Mode switch at the top)",
    ));
    checks.push(metrics(args).await);
    checks
}

fn configuration(args: &DoctorArgs) -> Check {
    let missing: Vec<&str> = [
        ("META_APP_SECRET", &args.app_secret),
        ("META_VERIFY_TOKEN", &args.verify_token),
    ]
    .into_iter()
    .filter(|(_, v)| v.as_deref().is_none_or(|v| v.trim().is_empty()))
    .map(|(name, _)| name)
    .collect();
    if missing.is_empty() {
        Check::pass(
            "configuration",
            "META_APP_SECRET and META_VERIFY_TOKEN are set",
        )
    } else {
        Check::fail(
            "configuration",
            format!("{} not set", missing.join(" and ")),
            "set META_APP_SECRET to the app secret (App Dashboard > App settings > Basic) and \
             META_VERIFY_TOKEN to the token typed into the webhook's settings",
        )
    }
}

fn handlers(needed: &BTreeMap<String, BTreeSet<String>>) -> Check {
    if needed.is_empty() {
        return Check::skip(
            "handlers",
            "this binary has no #[on] handlers (the bundled `meta-webhooks`): run the doctor from \
             your own binary (`webhook_server::cli::main()`) to check the fields they need",
        );
    }
    let pairs: Vec<String> = needed
        .iter()
        .map(|(object, fields)| {
            if fields.is_empty() {
                object.clone()
            } else {
                format!(
                    "{object}: {}",
                    fields.iter().cloned().collect::<Vec<_>>().join(",")
                )
            }
        })
        .collect();
    Check::pass("handlers", format!("they need {}", pairs.join("; ")))
}

fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

async fn callback_url(args: &DoctorArgs) -> Check {
    const NAME: &str = "callback URL";
    let Some(url) = &args.callback_url else {
        return Check::skip(NAME, "no --callback-url (META_CALLBACK_URL) given");
    };
    if args.local {
        return Check::skip(
            NAME,
            "--local: a server on this machine, not yet exposed to Meta",
        );
    }
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Check::fail(
            NAME,
            format!("`{url}` is not a URL"),
            "give the full URL: https://example.com/webhook",
        );
    };
    if parsed.scheme() != "https" {
        return Check::fail(
            NAME,
            format!("{url} is not HTTPS"),
            "Meta calls HTTPS callbacks with a certificate from a public CA only: serve HTTPS \
             (META_WEBHOOK_TLS_CERT/KEY) or put a TLS proxy in front",
        );
    }
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match tokio::net::lookup_host((host.as_str(), port)).await {
        Ok(found) => found.map(|a| a.ip()).collect(),
        Err(e) => {
            return Check::fail(
                NAME,
                format!("{host} does not resolve: {e}"),
                "publish a DNS record for it",
            );
        }
    };
    if let Some(ip) = addresses.iter().find(|ip| private(**ip)) {
        return Check::fail(
            NAME,
            format!("{host} resolves to {ip}, a private or loopback address Meta cannot reach"),
            "expose the server on a public address (or a tunnel) and register that URL",
        );
    }
    Check::pass(NAME, format!("{url} is HTTPS on a public address"))
}

async fn handshake(args: &DoctorArgs) -> Check {
    const NAME: &str = "handshake";
    let (Some(url), Some(token)) = (&args.callback_url, &args.verify_token) else {
        return Check::skip(NAME, "needs the callback URL and META_VERIFY_TOKEN");
    };
    let challenge = format!("doctor-{}", webhook_core::delivery::now_ms());
    let client = reqwest::Client::new();
    let answer = client
        .get(url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", token.as_str()),
            ("hub.challenge", challenge.as_str()),
        ])
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    match answer {
        Err(e) => Check::fail(
            NAME,
            format!("no answer from {url}: {}", e.without_url()),
            "start the server, and check the URL and its firewall",
        ),
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            if status == 200 && body == challenge {
                Check::pass(NAME, "answered Meta's verification with the challenge")
            } else if status == 403 {
                Check::fail(
                    NAME,
                    "refused (403): the server's verify token differs",
                    "set the same META_VERIFY_TOKEN on the server and in the App Dashboard",
                )
            } else {
                Check::fail(
                    NAME,
                    format!("answered {status} {body:?}, not 200 with the challenge"),
                    format!("check that {url} is the webhook path (META_WEBHOOK_PATH)"),
                )
            }
        }
    }
}

async fn signed_delivery(args: &DoctorArgs) -> Check {
    const NAME: &str = "signed delivery";
    let (Some(url), Some(secrets)) = (&args.callback_url, &args.app_secret) else {
        return Check::skip(NAME, "needs the callback URL and META_APP_SECRET");
    };
    let Some(secret) = secrets
        .split(',')
        .next()
        .and_then(|s| AppSecret::new(s.trim()).ok())
    else {
        return Check::skip(NAME, "META_APP_SECRET is empty");
    };
    // No entries: every receiver accepts it, no handler runs.
    let body = br#"{"object":"page","entry":[]}"#;
    let header = signature::sign(Algorithm::Sha256, &secret, body);
    let answer = reqwest::Client::new()
        .post(url)
        .header("x-hub-signature-256", header)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    match answer.map(|r| r.status().as_u16()) {
        Ok(200) => Check::pass(
            NAME,
            "a delivery signed with this app's secret was accepted",
        ),
        Ok(403) => Check::fail(
            NAME,
            "refused (403): the server holds another app's secret",
            "set the server's META_APP_SECRET to this app's secret (App Dashboard > App settings > Basic)",
        ),
        Ok(status) => Check::fail(
            NAME,
            format!("answered {status}"),
            "read the server's log: it says why it refused",
        ),
        Err(e) => Check::fail(
            NAME,
            format!("no answer: {}", e.without_url()),
            "start the server",
        ),
    }
}

async fn app_subscriptions(
    args: &DoctorArgs,
    graph: &Graph,
    needed: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Check> {
    const NAME: &str = "app subscriptions";
    let (Some(app), Some(token)) = (&args.app_id, args.app_token.as_deref().map(Token::new)) else {
        return vec![Check::skip(
            NAME,
            "needs META_APP_ID and META_APP_ACCESS_TOKEN",
        )];
    };
    let body = match graph
        .get(&format!("{app}/subscriptions"), &token, &[])
        .await
    {
        Ok(body) => body,
        Err(e) => {
            return vec![Check::fail(
                NAME,
                e.to_string(),
                "check META_APP_ID and META_APP_ACCESS_TOKEN (`<app-id>|<app-secret>`)",
            )];
        }
    };
    let subscriptions = body["data"].as_array().cloned().unwrap_or_default();
    if needed.is_empty() {
        let objects: Vec<&str> = subscriptions
            .iter()
            .filter_map(|s| s["object"].as_str())
            .collect();
        return vec![Check::pass(
            NAME,
            format!("subscribed to {}", objects.join(", ")),
        )];
    }
    needed
        .iter()
        .map(|(object, fields)| {
            let name = format!("app subscription to {object}");
            let Some(subscription) = subscriptions.iter().find(|s| s["object"] == **object) else {
                return Check::fail(
                    name,
                    "none",
                    format!(
                        "meta-webhooks subscriptions add --object {object} --callback-url <url> --fields {}",
                        fields.iter().cloned().collect::<Vec<_>>().join(",")
                    ),
                );
            };
            let has = names(&subscription["fields"]);
            let missing: Vec<&str> = fields
                .iter()
                .filter(|f| !has.contains(*f))
                .map(String::as_str)
                .collect();
            let callback = subscription["callback_url"].as_str().unwrap_or_default();
            if !subscription["active"].as_bool().unwrap_or(true) {
                return Check::fail(name, "inactive", "subscribe again: meta-webhooks subscriptions add ..");
            }
            if let Some(url) = &args.callback_url
                && callback != url
            {
                return Check::fail(
                    name,
                    format!("its callback URL is {callback}, not {url}"),
                    format!("meta-webhooks subscriptions add --object {object} --callback-url {url} --fields ..."),
                );
            }
            if !missing.is_empty() {
                let all: Vec<&str> = has.iter().map(String::as_str).chain(missing.iter().copied()).collect();
                return Check::fail(
                    name,
                    format!("missing field(s) {} that handlers need", missing.join(",")),
                    format!(
                        "meta-webhooks subscriptions add --object {object} --callback-url {callback} --fields {}",
                        all.join(",")
                    ),
                );
            }
            Check::pass(name, format!("active, {callback}, every field the handlers need"))
        })
        .collect()
}

async fn assets(
    args: &DoctorArgs,
    graph: &Graph,
    needed: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let app = args.app_id.clone().unwrap_or_default();
    for (kind, ids, token, variable) in [
        (
            "page",
            &args.pages,
            &args.page_token,
            "META_PAGE_ACCESS_TOKEN",
        ),
        ("waba", &args.wabas, &args.waba_token, "META_WHATSAPP_TOKEN"),
    ] {
        for id in ids {
            let name = format!("{kind} {id} subscribed to the app");
            let Some(token) = configured(token.as_deref()) else {
                checks.push(Check::skip(name, format!("needs {variable}")));
                continue;
            };
            let body = match graph
                .get(&format!("{id}/subscribed_apps"), &token, &[])
                .await
            {
                Ok(body) => body,
                Err(e) => {
                    checks.push(Check::fail(
                        name,
                        e.to_string(),
                        format!("check {variable} and the id"),
                    ));
                    continue;
                }
            };
            let apps = body["data"].as_array().cloned().unwrap_or_default();
            let ours = apps.iter().find(|a| {
                a["id"].as_str() == Some(app.as_str())
                    || a["whatsapp_business_api_data"]["id"].as_str() == Some(app.as_str())
            });
            let object = if kind == "page" {
                "page"
            } else {
                "whatsapp_business_account"
            };
            // A WhatsApp Business Account takes the app's fields: only Pages list theirs.
            let want: BTreeSet<String> = if kind == "page" {
                needed.get(object).cloned().unwrap_or_default()
            } else {
                BTreeSet::new()
            };
            let fix = if kind == "page" {
                format!(
                    "META_ASSET_ACCESS_TOKEN=<page token> meta-webhooks assets --page {id} add --fields {}",
                    want.iter().cloned().collect::<Vec<_>>().join(",")
                )
            } else {
                format!("META_ASSET_ACCESS_TOKEN=<token> meta-webhooks assets --waba {id} add")
            };
            let Some(ours) = ours else {
                checks.push(Check::fail(
                    name,
                    "this app is not among its subscribed apps: nothing of it arrives",
                    fix,
                ));
                continue;
            };
            // A WhatsApp Business Account may send its webhooks elsewhere than the
            // app's callback URL (`override_callback_uri`).
            if let (Some(overridden), Some(url)) = (
                ours["override_callback_uri"].as_str(),
                args.callback_url.as_deref(),
            ) && overridden != url
            {
                checks.push(Check::fail(
                    name,
                    format!("its webhooks go to {overridden} (a callback override), not {url}"),
                    format!(
                        "META_ASSET_ACCESS_TOKEN=<token> meta-webhooks assets --waba {id} add \
                         --override-callback-uri {url} (or `add` without it: the app's \
                         callback URL)"
                    ),
                ));
                continue;
            }
            checks.push(subscribed(
                name,
                &names(&ours["subscribed_fields"]),
                &want,
                fix,
            ));
        }
    }
    checks
}

/// Each Instagram account (Instagram Login) subscribed to the app with the
/// fields the `instagram` handlers need.
async fn instagram(args: &DoctorArgs, needed: &BTreeMap<String, BTreeSet<String>>) -> Vec<Check> {
    let graph = Graph::with(
        &args.instagram_graph_url,
        &args.graph_version,
        Duration::from_secs(10),
    )
    .retries(1, Duration::from_millis(200));
    let want: BTreeSet<String> = needed.get("instagram").cloned().unwrap_or_default();
    let mut checks = Vec::new();
    let token = configured(args.instagram_token.as_deref());
    // The token itself: Instagram Login tokens are not read by `debug_token`, but
    // `me` answers only to a valid one.
    if let Some(token) = &token {
        checks.push(
            match graph
                .get("me", token, &[("fields", "user_id,username")])
                .await
            {
                Ok(me) => Check::pass(
                    "Instagram token",
                    format!("valid, for @{}", me["username"].as_str().unwrap_or("?")),
                ),
                Err(e) => Check::fail(
                    "Instagram token",
                    e.to_string(),
                    "generate a new Instagram user token (App Dashboard > Instagram > API setup) \
                 and set META_INSTAGRAM_ACCESS_TOKEN",
                ),
            },
        );
    }
    for id in &args.instagrams {
        let name = format!("instagram {id} subscribed to the app");
        let Some(token) = &token else {
            checks.push(Check::skip(name, "needs META_INSTAGRAM_ACCESS_TOKEN"));
            continue;
        };
        let fix = format!(
            "META_ASSET_ACCESS_TOKEN=<instagram token> meta-webhooks assets --instagram {id} add --fields {}",
            want.iter().cloned().collect::<Vec<_>>().join(",")
        );
        let body = match graph
            .get(&format!("{id}/subscribed_apps"), token, &[])
            .await
        {
            Ok(body) => body,
            Err(e) => {
                checks.push(Check::fail(
                    name,
                    e.to_string(),
                    "check META_INSTAGRAM_ACCESS_TOKEN and the id",
                ));
                continue;
            }
        };
        let Some(apps) = body["data"].as_array().filter(|a| !a.is_empty()) else {
            checks.push(Check::fail(
                name,
                "not subscribed: nothing of it arrives",
                fix,
            ));
            continue;
        };
        // The token is this app's: any subscription listed is this app's.
        let has: BTreeSet<String> = apps
            .iter()
            .flat_map(|a| names(&a["subscribed_fields"]))
            .collect();
        checks.push(subscribed(name, &has, &want, fix));
    }
    checks
}

/// The permissions a token needs for an object's webhooks, from Meta's reference
/// pages: a Page's `subscribed_apps` edge needs `pages_manage_metadata` and
/// `pages_show_list` ("Webhooks for Pages"), its messaging fields
/// `pages_messaging` (same page, "for the messages related fields only"), Lead
/// Ads `leads_retrieval`; Instagram messaging `instagram_manage_messages`, its
/// comments and mentions `instagram_manage_comments`; a WhatsApp Business
/// Account's `subscribed_apps` `whatsapp_business_management`. A field of
/// `None` is every field of the object; [`MESSAGING`] stands for every field
/// delivered as messaging events ([`is_messaging_field`]).
pub const PERMISSIONS: &[(&str, Option<&str>, &str)] = &[
    ("page", None, "pages_manage_metadata"),
    ("page", None, "pages_show_list"),
    ("page", Some(MESSAGING), "pages_messaging"),
    ("page", Some("leadgen"), "leads_retrieval"),
    ("instagram", Some(MESSAGING), "instagram_manage_messages"),
    ("instagram", Some("comments"), "instagram_manage_comments"),
    ("instagram", Some("mentions"), "instagram_manage_comments"),
    (
        "whatsapp_business_account",
        None,
        "whatsapp_business_management",
    ),
];

/// In [`PERMISSIONS`], every field Messenger or Instagram delivers as a
/// messaging event (`messages`, `messaging_postbacks`, `message_reads`, ...).
pub const MESSAGING: &str = "<messaging events>";

/// The permissions `fields` of `object` need.
fn permissions_for(object: &str, fields: &BTreeSet<String>) -> BTreeSet<&'static str> {
    PERMISSIONS
        .iter()
        .filter(|(o, field, _)| {
            *o == object
                && match field {
                    None => true,
                    Some(MESSAGING) => fields.iter().any(|f| is_messaging_field(object, f)),
                    Some(field) => fields.contains(*field),
                }
        })
        .map(|(_, _, permission)| *permission)
        .collect()
}

/// Each asset token: valid, this app's, of the right type, not about to expire,
/// with the permissions the handlers' fields need (`debug_token`, with the app
/// token).
async fn tokens(
    args: &DoctorArgs,
    graph: &Graph,
    needed: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(app_token) = configured(args.app_token.as_deref()) {
        checks.push(app_token_check(args, graph, &app_token).await);
    }
    for (object, kind, token, variable, types) in [
        (
            "page",
            "Page",
            &args.page_token,
            "META_PAGE_ACCESS_TOKEN",
            &["PAGE"][..],
        ),
        (
            "whatsapp_business_account",
            "WhatsApp",
            &args.waba_token,
            "META_WHATSAPP_TOKEN",
            &["SYSTEM_USER", "USER"][..],
        ),
    ] {
        let name = format!("{kind} token");
        let Some(input) = token.as_deref().filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let Some(app_token) = args.app_token.as_deref().map(Token::new) else {
            checks.push(Check::skip(name, "debug_token needs META_APP_ACCESS_TOKEN"));
            continue;
        };
        let data = match graph
            .get("debug_token", &app_token, &[("input_token", input)])
            .await
        {
            Ok(body) => body["data"].clone(),
            Err(e) => {
                checks.push(Check::fail(
                    name,
                    e.to_string(),
                    "check META_APP_ACCESS_TOKEN",
                ));
                continue;
            }
        };
        let want = needed
            .get(object)
            .map(|fields| permissions_for(object, fields))
            .unwrap_or_default();
        let fix = format!(
            "generate a new {kind} token with the permissions listed (Graph API Explorer, or a \
             system user in Business Settings) and set {variable}"
        );
        checks.push(judge_token(
            name,
            &data,
            args.app_id.as_deref(),
            types,
            &want,
            fix,
        ));
    }
    checks
}

/// The app token itself: `debug_token` reads it with itself, and it must be an
/// app token of this app (a user token of the app's admin reads the
/// subscriptions too, until it expires).
async fn app_token_check(args: &DoctorArgs, graph: &Graph, app_token: &Token) -> Check {
    const NAME: &str = "app token";
    let fix = "set META_APP_ACCESS_TOKEN to `<app-id>|<app-secret>` (App Dashboard > \
               App settings > Basic)";
    match graph
        .get(
            "debug_token",
            app_token,
            &[("input_token", app_token.secret())],
        )
        .await
    {
        Ok(body) => judge_token(
            NAME.to_owned(),
            &body["data"],
            args.app_id.as_deref(),
            &["APP"],
            &BTreeSet::new(),
            fix.to_owned(),
        ),
        Err(e) => Check::fail(NAME, e.to_string(), fix),
    }
}

/// A token as `debug_token` describes it (`data`), against what it must be.
fn judge_token(
    name: String,
    data: &Value,
    app: Option<&str>,
    types: &[&str],
    want: &BTreeSet<&'static str>,
    fix: String,
) -> Check {
    if !data["is_valid"].as_bool().unwrap_or(false) {
        let why = data["error"]["message"]
            .as_str()
            .unwrap_or("Meta says it is not valid");
        return Check::fail(name, format!("invalid: {why}"), fix);
    }
    if let Some(app) = app
        && data["app_id"].as_str().is_some_and(|id| id != app)
    {
        return Check::fail(
            name,
            format!("made for app {}, not {app}", data["app_id"]),
            fix,
        );
    }
    let kind_found = data["type"].as_str().unwrap_or("?");
    if !types.contains(&kind_found) {
        return Check::fail(
            name,
            format!("a {kind_found} token, not a {}", types.join(" or ")),
            fix,
        );
    }
    let expires = data["expires_at"].as_u64().unwrap_or(0);
    let now = webhook_core::delivery::now_ms() / 1000;
    if expires != 0 && expires < now + 24 * 3600 {
        let left = expires.saturating_sub(now) / 3600;
        return Check::fail(name, format!("expires within a day ({left} h left)"), fix);
    }
    let scopes: BTreeSet<&str> = data["scopes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let missing: Vec<&str> = want
        .iter()
        .copied()
        .filter(|p| !scopes.contains(p))
        .collect();
    if !missing.is_empty() {
        return Check::fail(
            name,
            format!(
                "lacks {} (the handlers' fields need them)",
                missing.join(", ")
            ),
            fix,
        );
    }
    let until = if expires == 0 {
        "never expires".to_owned()
    } else {
        format!("valid {} more days", (expires - now) / 86_400)
    };
    let with: Vec<&str> = want.iter().copied().collect();
    let with = if with.is_empty() {
        String::new()
    } else {
        format!(", with {}", with.join(", "))
    };
    Check::pass(name, format!("valid, {kind_found}, {until}{with}"))
}

async fn metrics(args: &DoctorArgs) -> Check {
    const NAME: &str = "server";
    let Some(url) = &args.metrics_url else {
        return Check::skip(
            NAME,
            "no --metrics-url given (the server's META_WEBHOOK_METRICS_BIND)",
        );
    };
    let scraped = async {
        let text = reqwest::get(format!("{}/metrics", url.trim_end_matches('/')))
            .await?
            .text()
            .await?;
        Ok::<_, reqwest::Error>(text)
    };
    let text = match scraped.await {
        Ok(text) => text,
        Err(e) => {
            return Check::fail(
                NAME,
                format!("no metrics: {}", e.without_url()),
                "check --metrics-url",
            );
        }
    };
    let sample = |name: &str| {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .find(|l| l.split([' ', '{']).next() == Some(name))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
    };
    let streak = sample("webhook_non_200_streak").unwrap_or(0.0);
    let last = sample("webhook_last_200_timestamp_seconds");
    let last = last.map_or_else(
        || "no delivery answered 200 yet".to_owned(),
        |at| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs_f64();
            let ago = (now - at).max(0.0);
            format!("last 200 {ago:.0} s ago")
        },
    );
    if streak > 0.0 {
        Check::fail(
            NAME,
            format!("{streak} signed deliveries in a row were refused; {last}"),
            "read the server's log for the refusals: Messenger unsubscribes an app after about an hour of them",
        )
    } else {
        Check::pass(NAME, last)
    }
}

/// `meta-webhooks doctor`: prints the checks; exit 0 when none failed.
pub(super) fn doctor(parsed: &DoctorArgs) -> ExitCode {
    let checks = runtime().block_on(run(parsed));
    for check in &checks {
        if parsed.json {
            let line = json!({
                "check": check.name,
                "status": check.status.as_str().to_lowercase(),
                "detail": check.detail,
                "fix": check.fix,
            });
            println!("{line}");
        } else {
            let fix = check
                .fix
                .as_deref()
                .map(|f| format!("\n      fix: {f}"))
                .unwrap_or_default();
            println!(
                "{}  {}: {}{fix}",
                check.status.as_str(),
                check.name,
                check.detail
            );
        }
    }
    if checks.iter().any(|c| c.status == Status::Fail) {
        ExitCode::from(FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn messaging_fields_need_the_messaging_permission_and_changes_do_not() {
        let feed = permissions_for("page", &fields(&["feed"]));
        assert_eq!(
            feed.into_iter().collect::<Vec<_>>(),
            ["pages_manage_metadata", "pages_show_list"]
        );
        let postbacks = permissions_for("page", &fields(&["feed", "messaging_postbacks"]));
        assert!(postbacks.contains("pages_messaging"), "{postbacks:?}");
        let leads = permissions_for("page", &fields(&["leadgen"]));
        assert!(leads.contains("leads_retrieval") && !leads.contains("pages_messaging"));
        let seen = permissions_for("instagram", &fields(&["messaging_seen"]));
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            ["instagram_manage_messages"]
        );
        let waba = permissions_for("whatsapp_business_account", &fields(&["messages"]));
        assert_eq!(
            waba.into_iter().collect::<Vec<_>>(),
            ["whatsapp_business_management"]
        );
    }
}
