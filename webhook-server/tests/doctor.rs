//! `doctor` against a real server on loopback and a Graph API stand-in: the whole
//! chain passing, then every check failing one at a time, each with its fix. Run
//! in-process (`cli::doctor::diagnose`), so it sees this test's handlers as a
//! user's binary would see its own.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State as AxumState};
use serde_json::{Value, json};
use webhook_server::cli::doctor::{Check, Status, diagnose};
use webhook_server::testing;
use webhook_server::{Config, Server, State, on};

const SECRET: &str = "doctor-secret";
const TOKEN: &str = "doctor-token";

#[on(object = "page", field = "feed")]
async fn feed() {}

/// Takes state the doctor does not have: it still counts.
#[on(object = "page", field = "messages")]
async fn messages(State(_seen): State<Mutex<Vec<String>>>) {}

#[on(object = "whatsapp_business_account", field = "messages")]
async fn whatsapp() {}

#[on(object = "instagram", field = "comments")]
async fn comments() {}

/// What the stand-ins answer: the app's subscriptions, each asset's subscribed
/// apps, and the server's metrics.
#[derive(Clone)]
struct Meta {
    /// `debug_token`'s answer for the Page token.
    page_token: Arc<Mutex<Value>>,
    /// `debug_token`'s answer for the app token.
    app_token: Arc<Mutex<Value>>,
    waba_apps: Arc<Mutex<Value>>,
    instagram_apps: Arc<Mutex<Value>>,
    instagram_token_valid: Arc<Mutex<bool>>,
    subscriptions: Arc<Mutex<Value>>,
    page_apps: Arc<Mutex<Value>>,
    metrics: Arc<Mutex<String>>,
}

async fn stand_ins(callback: &str) -> (String, Meta) {
    let meta = Meta {
        page_token: Arc::new(Mutex::new(json!({"data": {
            "app_id": "123", "type": "PAGE", "is_valid": true, "expires_at": 0,
            "scopes": ["pages_show_list", "pages_manage_metadata", "pages_messaging"]
        }}))),
        app_token: Arc::new(Mutex::new(json!({"data": {
            "app_id": "123", "type": "APP", "application": "My bot", "is_valid": true,
            "expires_at": 0, "scopes": []
        }}))),
        waba_apps: Arc::new(Mutex::new(json!({"data": [
            {"whatsapp_business_api_data": {"id": "123", "name": "My bot"}}
        ]}))),
        instagram_token_valid: Arc::new(Mutex::new(true)),
        instagram_apps: Arc::new(Mutex::new(
            json!({"data": [{"subscribed_fields": ["comments", "messages"]}]}),
        )),
        subscriptions: Arc::new(Mutex::new(json!({"data": [
            {"object": "page", "callback_url": callback, "active": true,
             "fields": [{"name": "feed"}, {"name": "messages"}]},
            {"object": "whatsapp_business_account", "callback_url": callback, "active": true,
             "fields": [{"name": "messages"}]},
            {"object": "instagram", "callback_url": callback, "active": true,
             "fields": [{"name": "comments"}]}
        ]}))),
        page_apps: Arc::new(Mutex::new(json!({"data": [
            {"id": "123", "name": "My bot", "subscribed_fields": ["feed", "messages"]}
        ]}))),
        metrics: Arc::new(Mutex::new(format!(
            "webhook_non_200_streak 0\nwebhook_last_200_timestamp_seconds {}\n",
            webhook_core::delivery::now_ms() / 1000
        ))),
    };
    let app = axum::Router::new()
        .route(
            "/{version}/debug_token",
            axum::routing::get(
                |AxumState(meta): AxumState<Meta>,
                 axum::extract::RawQuery(query): axum::extract::RawQuery| async move {
                    let query = query.unwrap_or_default();
                    let body = if query.contains("input_token=page-token") {
                        meta.page_token.lock().unwrap().clone()
                    } else if query.contains("input_token=123%7Csecret") {
                        meta.app_token.lock().unwrap().clone()
                    } else {
                        json!({"data": {"app_id": "123", "type": "SYSTEM_USER", "is_valid": true, "expires_at": 0,
                            "scopes": ["whatsapp_business_management", "whatsapp_business_messaging"]}})
                    };
                    ([("content-type", "application/json")], body.to_string())
                },
            ),
        )
        .route(
            "/{version}/{id}/{edge}",
            axum::routing::get(
                |AxumState(meta): AxumState<Meta>, Path((_, id, edge)): Path<(String, String, String)>| async move {
                    let body = match (id.as_str(), edge.as_str()) {
                        ("123", "subscriptions") => meta.subscriptions.lock().unwrap().clone(),
                        ("p1", "subscribed_apps") => meta.page_apps.lock().unwrap().clone(),
                        ("w1", "subscribed_apps") => meta.waba_apps.lock().unwrap().clone(),
                        ("ig1", "subscribed_apps") => meta.instagram_apps.lock().unwrap().clone(),
                        _ => json!({"error": {"message": "Unsupported get request.", "type": "GraphMethodException", "code": 100, "fbtrace_id": "Tr4ce"}}),
                    };
                    ([("content-type", "application/json")], body.to_string())
                },
            ),
        )
        .route(
            "/{version}/me",
            axum::routing::get(
                |AxumState(meta): AxumState<Meta>, headers: axum::http::HeaderMap| async move {
                    let valid = headers["authorization"] == "Bearer ig-token"
                        && *meta.instagram_token_valid.lock().unwrap();
                    let body = if valid {
                        json!({"user_id": "17841", "username": "mybrand"})
                    } else {
                        json!({"error": {"message": "Error validating access token: Session has expired", "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "Ig1"}})
                    };
                    ([("content-type", "application/json")], body.to_string())
                },
            ),
        )
        .route(
            "/metrics",
            axum::routing::get(|AxumState(meta): AxumState<Meta>| async move {
                meta.metrics.lock().unwrap().clone()
            }),
        )
        .with_state(meta.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, meta)
}

fn find<'a>(checks: &'a [Check], name: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name:?} in {checks:#?}"))
}

/// A server on loopback and the stand-ins, with the arguments of a healthy chain.
struct Setup {
    server: testing::RunningServer,
    callback: String,
    stand_in: String,
    meta: Meta,
}

impl Setup {
    async fn start() -> Self {
        let config = Config::builder()
            .app_secret(SECRET)
            .verify_token(TOKEN)
            .inline()
            .build()
            .unwrap();
        let server = Server::new(config).state(Mutex::<Vec<String>>::default());
        let server = testing::spawn(server).await;
        let callback = server.url().to_owned();
        let (stand_in, meta) = stand_ins(&callback).await;
        Self {
            server,
            callback,
            stand_in,
            meta,
        }
    }

    /// The arguments, with `changes` (an empty value removes the flag).
    fn args(&self, changes: &[(&str, &str)]) -> Vec<String> {
        let mut args: Vec<(String, String)> = [
            ("--callback-url", self.callback.as_str()),
            ("--app-secret", SECRET),
            ("--verify-token", TOKEN),
            ("--app-id", "123"),
            ("--app-token", "123|secret"),
            ("--page", "p1"),
            ("--page-token", "page-token"),
            ("--waba", "w1"),
            ("--waba-token", "wa-token"),
            ("--instagram", "ig1"),
            ("--instagram-token", "ig-token"),
            ("--instagram-graph-url", self.stand_in.as_str()),
            ("--metrics-url", self.stand_in.as_str()),
            ("--graph-url", self.stand_in.as_str()),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (key, value) in changes {
            args.retain(|(k, _)| k != key);
            if !value.is_empty() {
                args.push(((*key).to_owned(), (*value).to_owned()));
            }
        }
        let mut flat = vec!["doctor".to_owned(), "--local".to_owned()];
        for (k, v) in args {
            flat.push(k);
            flat.push(v);
        }
        flat
    }

    /// Runs the doctor with `changes`: `name` alone fails, its fix naming `fix`.
    async fn fails(&self, changes: &[(&str, &str)], name: &str, fix: &str) {
        let checks = diagnose(self.args(changes)).await.unwrap();
        let check = find(&checks, name);
        assert_eq!(
            check.status,
            Status::Fail,
            "{name} after {changes:?}: {check:#?}"
        );
        let found = check.fix.clone().unwrap_or_default();
        assert!(found.contains(fix), "{name}: fix {found:?} lacks {fix:?}");
        assert_eq!(
            checks.iter().filter(|c| c.status == Status::Fail).count(),
            1,
            "only {name} fails: {checks:#?}"
        );
    }

    fn subscriptions(&self, page_fields: &[&str], page_callback: &str, waba: bool) {
        let fields: Vec<Value> = page_fields.iter().map(|f| json!({"name": f})).collect();
        let mut data = vec![
            json!({"object": "page", "callback_url": page_callback, "active": true, "fields": fields}),
        ];
        if waba {
            data.push(json!({"object": "whatsapp_business_account", "callback_url": self.callback, "active": true, "fields": [{"name": "messages"}]}));
        }
        data.push(json!({"object": "instagram", "callback_url": self.callback, "active": true, "fields": [{"name": "comments"}]}));
        *self.meta.subscriptions.lock().unwrap() = json!({ "data": data });
    }
}

#[tokio::test]
async fn the_whole_chain_passes() {
    let setup = Setup::start().await;
    let checks = diagnose(setup.args(&[])).await.unwrap();
    let failed: Vec<_> = checks.iter().filter(|c| c.status == Status::Fail).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(
        find(&checks, "handlers").detail,
        "they need instagram: comments; page: feed,messages; whatsapp_business_account: messages"
    );
    for name in [
        "configuration",
        "handshake",
        "signed delivery",
        "app subscription to page",
        "app subscription to whatsapp_business_account",
        "page p1 subscribed to the app",
        "waba w1 subscribed to the app",
        "instagram ig1 subscribed to the app",
        "app subscription to instagram",
        "Instagram token",
        "app token",
        "Page token",
        "WhatsApp token",
        "server",
    ] {
        assert_eq!(
            find(&checks, name).status,
            Status::Pass,
            "{name}: {checks:#?}"
        );
    }
    assert_eq!(find(&checks, "callback URL").status, Status::Skip);
    setup.server.stop().await.unwrap();
}

#[tokio::test]
async fn each_link_fails_alone_with_its_fix() {
    let setup = Setup::start().await;
    let callback = setup.callback.clone();
    setup
        .fails(
            &[("--verify-token", "other")],
            "handshake",
            "same META_VERIFY_TOKEN",
        )
        .await;
    setup
        .fails(
            &[("--app-secret", "another-apps-secret")],
            "signed delivery",
            "this app's secret",
        )
        .await;
    setup
        .fails(&[("--app-secret", "")], "configuration", "META_APP_SECRET")
        .await;

    setup.subscriptions(&["feed"], &callback, true);
    setup
        .fails(&[], "app subscription to page", "--fields feed,messages")
        .await;
    setup.subscriptions(&["feed", "messages"], &callback, false);
    setup
        .fails(
            &[],
            "app subscription to whatsapp_business_account",
            "subscriptions add --object whatsapp_business_account",
        )
        .await;
    setup.subscriptions(
        &["feed", "messages"],
        "https://old.example.com/webhook",
        true,
    );
    setup
        .fails(
            &[],
            "app subscription to page",
            &format!("--callback-url {callback}"),
        )
        .await;
    setup.subscriptions(&["feed", "messages"], &callback, true);

    let apps = &setup.meta.page_apps;
    *apps.lock().unwrap() = json!({"data": []});
    setup
        .fails(
            &[],
            "page p1 subscribed to the app",
            "assets --page p1 add --fields feed,messages",
        )
        .await;
    *apps.lock().unwrap() = json!({"data": [{"id": "123", "subscribed_fields": ["feed"]}]});
    setup
        .fails(
            &[],
            "page p1 subscribed to the app",
            "--fields feed,messages",
        )
        .await;
    *apps.lock().unwrap() =
        json!({"data": [{"id": "123", "subscribed_fields": ["feed", "messages"]}]});

    let instagram = &setup.meta.instagram_apps;
    *instagram.lock().unwrap() = json!({"data": []});
    setup
        .fails(
            &[],
            "instagram ig1 subscribed to the app",
            "assets --instagram ig1 add --fields comments",
        )
        .await;
    *instagram.lock().unwrap() = json!({"data": [{"subscribed_fields": ["messages"]}]});
    setup
        .fails(
            &[],
            "instagram ig1 subscribed to the app",
            "--fields comments",
        )
        .await;
    *instagram.lock().unwrap() = json!({"data": [{"subscribed_fields": ["comments"]}]});

    let waba = &setup.meta.waba_apps;
    let healthy = waba.lock().unwrap().clone();
    *waba.lock().unwrap() = json!({"data": [{
        "whatsapp_business_api_data": {"id": "123", "name": "My bot"},
        "override_callback_uri": "https://old.example.com/whatsapp"
    }]});
    setup
        .fails(
            &[],
            "waba w1 subscribed to the app",
            &format!("assets --waba w1 add --override-callback-uri {callback}"),
        )
        .await;
    *waba.lock().unwrap() = healthy;

    *setup.meta.metrics.lock().unwrap() = "webhook_non_200_streak 3\n".to_owned();
    setup.fails(&[], "server", "Messenger unsubscribes").await;
    setup.server.stop().await.unwrap();
}

/// An asset token that cannot serve the handlers fails, each way with its fix.
#[tokio::test]
async fn a_token_that_cannot_serve_fails() {
    let setup = Setup::start().await;
    let token = &setup.meta.page_token;
    let healthy = token.lock().unwrap().clone();
    let mut without = healthy.clone();
    without["data"]["scopes"] = json!(["pages_show_list", "pages_manage_metadata"]);
    *token.lock().unwrap() = without;
    setup
        .fails(&[], "Page token", "with the permissions listed")
        .await;
    let mut expiring = healthy.clone();
    expiring["data"]["expires_at"] = json!(webhook_core::delivery::now_ms() / 1000 + 3600);
    *token.lock().unwrap() = expiring;
    setup
        .fails(&[], "Page token", "META_PAGE_ACCESS_TOKEN")
        .await;
    let mut user = healthy.clone();
    user["data"]["type"] = json!("USER");
    *token.lock().unwrap() = user;
    setup
        .fails(&[], "Page token", "generate a new Page token")
        .await;
    let mut invalid = healthy.clone();
    invalid["data"] = json!({"is_valid": false, "error": {"message": "Session has expired"}});
    *token.lock().unwrap() = invalid;
    setup
        .fails(&[], "Page token", "META_PAGE_ACCESS_TOKEN")
        .await;
    *token.lock().unwrap() = healthy;

    let app = &setup.meta.app_token;
    let healthy = app.lock().unwrap().clone();
    let mut user = healthy.clone();
    user["data"]["type"] = json!("USER");
    *app.lock().unwrap() = user;
    setup
        .fails(&[], "app token", "`<app-id>|<app-secret>`")
        .await;
    let mut other = healthy.clone();
    other["data"]["app_id"] = json!("999");
    *app.lock().unwrap() = other;
    setup.fails(&[], "app token", "META_APP_ACCESS_TOKEN").await;
    *app.lock().unwrap() = healthy;

    *setup.meta.instagram_token_valid.lock().unwrap() = false;
    setup
        .fails(&[], "Instagram token", "META_INSTAGRAM_ACCESS_TOKEN")
        .await;
    *setup.meta.instagram_token_valid.lock().unwrap() = true;
    setup.server.stop().await.unwrap();
}

/// Off this machine, the callback URL must be HTTPS on a public address.
#[tokio::test]
async fn a_callback_meta_cannot_reach_fails() {
    let setup = Setup::start().await;
    let mut public = setup.args(&[]);
    public.retain(|a| a != "--local");
    let checks = diagnose(public.clone()).await.unwrap();
    let check = find(&checks, "callback URL");
    assert_eq!(check.status, Status::Fail);
    assert!(check.detail.contains("is not HTTPS"), "{check:#?}");
    let position = public.iter().position(|a| a == "--callback-url").unwrap();
    public[position + 1] = "https://127.0.0.1:8443/webhook".to_owned();
    let checks = diagnose(public).await.unwrap();
    let check = find(&checks, "callback URL");
    assert!(check.detail.contains("private or loopback"), "{check:#?}");
    setup.server.stop().await.unwrap();
}
