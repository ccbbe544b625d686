//! HTTPS for the bundled server (rustls, no OpenSSL), with optional client
//! certificates for Meta's mutual TLS, reloaded without a restart.
//!
//! Meta calls only HTTPS callback URLs with a valid certificate. Give the server a
//! certificate chain and its key (PEM files); a renewed certificate is picked up on
//! `SIGHUP` or when the files change (checked every few seconds): new connections
//! get the new one, open connections keep theirs.
//!
//! With mutual TLS on, only clients whose certificate chains to the configured CA
//! bundle **and** is valid for the configured name are served. Meta's webhook
//! client presents a certificate for `client.webhooks.fbclientcerts.com`; its CA
//! changes over time, so neither is built in: download the current CA from Meta's
//! "mTLS for Webhooks" page (developers.facebook.com, Graph API > Webhooks > mTLS;
//! it names the root it currently uses, e.g. a `DigiCert` root, which you can take
//! from your system's CA bundle) and configure both. The name is matched against
//! the certificate's DNS subject alternative names.

//!
//! Serving HTTPS needs the `tls` feature; without it, configuring a certificate
//! stops start-up with an error naming the feature.

#[cfg(feature = "tls")]
mod live;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

#[cfg(feature = "tls")]
pub(crate) use live::Tls;

/// How often the certificate files are checked for changes, by default.
pub const DEFAULT_RELOAD_CHECK: Duration = Duration::from_secs(5);

/// Where the server's certificate, its key and (for mutual TLS) the client CA are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// The certificate chain (PEM), leaf first.
    pub cert: PathBuf,
    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// Client certificates required, chaining to these CAs (PEM) and valid for
    /// `client_name`.
    pub client_auth: Option<ClientAuth>,
    /// How often the files are checked for changes.
    pub reload_check: Duration,
}

/// Mutual TLS: which client certificates are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuth {
    /// The CA bundle (PEM) client certificates must chain to.
    pub ca: PathBuf,
    /// The DNS name client certificates must be valid for (Meta's:
    /// `client.webhooks.fbclientcerts.com`).
    pub name: String,
}

/// Why the TLS files could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(pub(crate) String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

/// Stands in for the live configuration when the `tls` feature is off: it cannot
/// be made, so the server's TLS paths are never taken.
#[cfg(not(feature = "tls"))]
pub(crate) enum Tls {}

#[cfg(not(feature = "tls"))]
impl Tls {
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the same signature as with the feature"
    )]
    pub(crate) fn load(settings: TlsSettings) -> Result<std::sync::Arc<Self>, TlsError> {
        Err(TlsError(format!(
            "{} is configured, but this build of webhook-server has no HTTPS: enable its \
             `tls` feature, or terminate TLS in front of the server and unset \
             META_WEBHOOK_TLS_CERT and META_WEBHOOK_TLS_KEY",
            settings.cert.display()
        )))
    }

    #[allow(
        clippy::unused_async,
        reason = "the same signature as with the feature"
    )]
    pub(crate) async fn watch(self: std::sync::Arc<Self>) {
        match *self {}
    }
}
