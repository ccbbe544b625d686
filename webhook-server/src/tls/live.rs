//! Loading and serving the certificates (feature `tls`).

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ServerConfig, WebPkiClientVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio_rustls::TlsAcceptor;

use super::{ClientAuth, TlsError, TlsSettings};

/// The live TLS configuration: swapped on reload, read per connection.
pub(crate) struct Tls {
    settings: TlsSettings,
    current: RwLock<Arc<ServerConfig>>,
    stamps: RwLock<Vec<Option<SystemTime>>>,
}

impl Tls {
    /// Loads the files; fails naming the file and the fix.
    pub(crate) fn load(settings: TlsSettings) -> Result<Arc<Self>, TlsError> {
        let stamps = stamps(&settings);
        let config = build(&settings)?;
        Ok(Arc::new(Self {
            settings,
            current: RwLock::new(config),
            stamps: RwLock::new(stamps),
        }))
    }

    /// An acceptor with the current certificate.
    pub(crate) fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(Arc::clone(&self.current.read().expect("not poisoned")))
    }

    /// Reads the files again; on failure the previous certificate stays in use.
    pub(crate) fn reload(&self, why: &str) {
        // Stamped before reading: a file rewritten while it is read is read again.
        let stamped = stamps(&self.settings);
        match build(&self.settings) {
            Ok(config) => {
                *self.current.write().expect("not poisoned") = config;
                *self.stamps.write().expect("not poisoned") = stamped;
                tracing::info!("TLS certificate reloaded ({why})");
            }
            Err(e) => {
                tracing::error!("TLS reload ({why}) failed, keeping the current certificate: {e}");
            }
        }
    }

    /// Reloads on `SIGHUP` and when a file's modification time changes, until the
    /// server stops (the task is dropped with it).
    pub(crate) async fn watch(self: Arc<Self>) {
        #[cfg(unix)]
        let mut hangup =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        let mut tick = tokio::time::interval(self.settings.reload_check);
        tick.tick().await;
        loop {
            #[cfg(unix)]
            let hangup_signal = async {
                match hangup.as_mut() {
                    Some(signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let hangup_signal = std::future::pending::<()>();
            tokio::select! {
                () = hangup_signal => self.reload("SIGHUP"),
                _ = tick.tick() => {
                    let now = stamps(&self.settings);
                    if now != *self.stamps.read().expect("not poisoned") {
                        self.reload("the files changed");
                    }
                }
            }
        }
    }
}

fn stamps(settings: &TlsSettings) -> Vec<Option<SystemTime>> {
    let mut files = vec![&settings.cert, &settings.key];
    if let Some(auth) = &settings.client_auth {
        files.push(&auth.ca);
    }
    files
        .into_iter()
        .map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
        .collect()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn build(settings: &TlsSettings) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = certificates(&settings.cert, "META_WEBHOOK_TLS_CERT")?;
    let key = PrivateKeyDer::from_pem_file(&settings.key).map_err(|e| {
        TlsError(format!(
            "cannot read a private key from {} ({e}); META_WEBHOOK_TLS_KEY must name a PEM key",
            settings.key.display()
        ))
    })?;
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(format!("TLS setup: {e}")))?;
    let builder = match &settings.client_auth {
        None => builder.with_no_client_auth(),
        Some(auth) => builder.with_client_cert_verifier(client_verifier(auth)?),
    };
    let mut config = builder.with_single_cert(chain, key).map_err(|e| {
        TlsError(format!(
            "the certificate in {} does not fit the key in {} ({e})",
            settings.cert.display(),
            settings.key.display()
        ))
    })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn certificates(path: &Path, variable: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let chain = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| {
            TlsError(format!(
                "cannot read certificates from {} ({e}); {variable} must name a PEM file",
                path.display()
            ))
        })?;
    if chain.is_empty() {
        return Err(TlsError(format!(
            "{} holds no certificate; {variable} must name a PEM file",
            path.display()
        )));
    }
    Ok(chain)
}

fn client_verifier(auth: &ClientAuth) -> Result<Arc<dyn ClientCertVerifier>, TlsError> {
    let mut roots = RootCertStore::empty();
    for ca in certificates(&auth.ca, "META_WEBHOOK_TLS_CLIENT_CA")? {
        roots
            .add(ca)
            .map_err(|e| TlsError(format!("a CA in {} is unusable: {e}", auth.ca.display())))?;
    }
    let inner = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| TlsError(format!("client CA {}: {e}", auth.ca.display())))?;
    let name = ServerName::try_from(auth.name.clone()).map_err(|_| {
        TlsError(format!(
            "`{}` is not a DNS name; META_WEBHOOK_TLS_CLIENT_NAME is Meta's client name, \
             client.webhooks.fbclientcerts.com",
            auth.name
        ))
    })?;
    Ok(Arc::new(NamedClient { inner, name }))
}

/// A client certificate must chain to the CA bundle and be valid for one name.
#[derive(Debug)]
struct NamedClient {
    inner: Arc<dyn ClientCertVerifier>,
    name: ServerName<'static>,
}

impl ClientCertVerifier for NamedClient {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.inner
            .verify_client_cert(end_entity, intermediates, now)
            .inspect_err(|e| tracing::warn!("refused a TLS client certificate: {e}"))?;
        let cert = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        cert.verify_is_valid_for_subject_name(&self.name)
            .map_err(|_| {
                tracing::warn!(
                    "refused a TLS client certificate: not valid for {}",
                    self.name.to_str()
                );
                rustls::Error::InvalidCertificate(CertificateError::NotValidForName)
            })?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
