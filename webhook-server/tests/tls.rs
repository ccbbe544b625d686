//! HTTPS and Meta's mutual TLS over real TLS on loopback, with a CA, server and
//! client certificates generated at test time: a valid client, no client
//! certificate, a certificate from another CA, one for another name, and a server
//! certificate swapped on disk while a connection stays open.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use tokio::net::TcpListener;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::testing::{self, RunningServer};
use webhook_server::{Config, ConfigBuilder, Server, State, on};

const SECRET: &str = "tls-secret";
const META_CLIENT: &str = "client.webhooks.fbclientcerts.com";
const BODY: &[u8] =
    br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{}}]}]}"#;

#[on(object = "page", field = "feed")]
async fn feed(State(count): State<AtomicUsize>) {
    count.fetch_add(1, Ordering::SeqCst);
}

struct Ca(CertifiedIssuer<'static, KeyPair>);

impl Ca {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        Self(CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap())
    }

    /// A leaf certificate for `names`, as PEM (certificate, key).
    fn issue(&self, names: &[&str], client: bool) -> (String, String) {
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        params.extended_key_usages = vec![if client {
            ExtendedKeyUsagePurpose::ClientAuth
        } else {
            ExtendedKeyUsagePurpose::ServerAuth
        }];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.0).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn pem(&self) -> String {
        self.0.pem()
    }
}

struct Running {
    url: String,
    count: Arc<AtomicUsize>,
    server: RunningServer,
}

async fn start(configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Running {
    let config = configure(
        Config::builder()
            .app_secret(SECRET)
            .verify_token("t")
            .inline(),
    )
    .build()
    .unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let server = Server::new(config).dispatcher(|b| b.state_arc(Arc::clone(&count)));
    let server = testing::spawn(server).await;
    Running {
        url: format!("https://localhost:{}/webhook", server.addr().port()),
        count,
        server,
    }
}

/// A client trusting `ca`, presenting `identity` (certificate and key PEM) if any.
fn client(ca: &str, identity: Option<&(String, String)>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .resolve("localhost", "127.0.0.1:0".parse().unwrap());
    if let Some((cert, key)) = identity {
        builder = builder
            .identity(reqwest::Identity::from_pem(format!("{cert}{key}").as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

async fn deliver(client: &reqwest::Client, url: &str) -> Result<u16, String> {
    let header = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), BODY);
    client
        .post(url)
        .header("x-hub-signature-256", header)
        .body(BODY.to_vec())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| format!("{e:?}"))
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn https_serves_signed_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("Test server CA");
    let (cert, key) = ca.issue(&["localhost"], false);
    let (cert, key) = (
        write(dir.path(), "cert.pem", &cert),
        write(dir.path(), "key.pem", &key),
    );
    let app = start(|c| c.tls(&cert, &key)).await;

    assert_eq!(deliver(&client(&ca.pem(), None), &app.url).await, Ok(200));
    assert_eq!(app.count.load(Ordering::SeqCst), 1);
    // Plain HTTP on the HTTPS port is not served.
    let plain = reqwest::Client::new()
        .post(app.url.replace("https://localhost", "http://127.0.0.1"))
        .body(BODY.to_vec())
        .send()
        .await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn mutual_tls_accepts_only_the_configured_ca_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let server_ca = Ca::new("Test server CA");
    let (cert, key) = server_ca.issue(&["localhost"], false);
    let (cert, key) = (
        write(dir.path(), "cert.pem", &cert),
        write(dir.path(), "key.pem", &key),
    );
    let meta_ca = Ca::new("Stand-in for Meta's client CA");
    let client_ca = write(dir.path(), "client-ca.pem", &meta_ca.pem());
    let app = start(|c| c.tls(&cert, &key).tls_client_auth(&client_ca, META_CLIENT)).await;
    let trust = server_ca.pem();

    let meta = meta_ca.issue(&[META_CLIENT], true);
    assert_eq!(
        deliver(&client(&trust, Some(&meta)), &app.url).await,
        Ok(200)
    );

    let none = deliver(&client(&trust, None), &app.url).await;
    assert!(none.is_err(), "no client certificate: {none:?}");
    let other_ca = Ca::new("Some other CA").issue(&[META_CLIENT], true);
    let wrong_ca = deliver(&client(&trust, Some(&other_ca)), &app.url).await;
    assert!(wrong_ca.is_err(), "another CA: {wrong_ca:?}");
    let other_name = meta_ca.issue(&["client.example.com"], true);
    let wrong_name = deliver(&client(&trust, Some(&other_name)), &app.url).await;
    assert!(wrong_name.is_err(), "another name: {wrong_name:?}");

    assert_eq!(
        app.count.load(Ordering::SeqCst),
        1,
        "only the valid client got through"
    );
    assert_eq!(
        deliver(&client(&trust, Some(&meta)), &app.url).await,
        Ok(200)
    );
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn a_renewed_certificate_is_served_without_dropping_open_connections() {
    let dir = tempfile::tempdir().unwrap();
    let old_ca = Ca::new("Old CA");
    let (cert, key) = old_ca.issue(&["localhost"], false);
    let (cert_path, key_path) = (
        write(dir.path(), "cert.pem", &cert),
        write(dir.path(), "key.pem", &key),
    );
    let app = start(|c| {
        c.tls(&cert_path, &key_path)
            .tls_reload_check(Duration::from_millis(100))
    })
    .await;
    let old_client = client(&old_ca.pem(), None);
    assert_eq!(deliver(&old_client, &app.url).await, Ok(200));

    let new_ca = Ca::new("New CA");
    let (cert, key) = new_ca.issue(&["localhost"], false);
    // The key first: a half-written pair fails to load and the old one stays.
    write(dir.path(), "key.pem", &key);
    write(dir.path(), "cert.pem", &cert);
    let new_client = client(&new_ca.pem(), None);
    let mut served_new = false;
    for _ in 0..100 {
        if deliver(&new_client, &app.url).await == Ok(200) {
            served_new = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served_new, "the new certificate was never served");
    // The connection opened before the swap still works: nothing was dropped.
    assert_eq!(deliver(&old_client, &app.url).await, Ok(200));
    // New connections get the new certificate only.
    let fresh_old = deliver(&client(&old_ca.pem(), None), &app.url).await;
    assert!(fresh_old.is_err(), "{fresh_old:?}");
    app.server.stop().await.unwrap();
}

#[tokio::test]
async fn unusable_tls_files_stop_start_up_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.pem", "");
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .inline()
        .tls(&empty, &empty)
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = Server::new(config)
        .serve_on(listener, async {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("empty.pem") && err.contains("META_WEBHOOK_TLS_CERT"),
        "{err}"
    );

    let no_name = Config::from_lookup(|name| match name {
        "META_APP_SECRET" => Some(SECRET.into()),
        "META_VERIFY_TOKEN" => Some("t".into()),
        "META_WEBHOOK_TLS_CERT" | "META_WEBHOOK_TLS_KEY" | "META_WEBHOOK_TLS_CLIENT_CA" => {
            Some("/x.pem".into())
        }
        _ => None,
    })
    .unwrap_err()
    .to_string();
    assert!(
        no_name.contains("META_WEBHOOK_TLS_CLIENT_NAME") && no_name.contains(META_CLIENT),
        "{no_name}"
    );
}
