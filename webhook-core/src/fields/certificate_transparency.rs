//! Values of the `certificate_transparency` object (Certificate Transparency
//! monitoring). The entry id is the subscription id.
//!
//! - `certificate`: a new certificate was issued for a domain subscribed for
//!   certificate alerts. Sent as a **`changed_fields` name only**, no value: query the
//!   Certificate Transparency API (`/certificates`) for the new certificates.
//! - `phishing`: a new certificate was issued for a domain that may be phishing one
//!   subscribed for phishing alerts. Sent in `changes[]`, value [`Phishing`].

// The lines naming the (object, field) a type is the value of are grepped verbatim,
// so field names stay without backticks there.
#![allow(clippy::doc_markdown)]

use serde::{Deserialize, Serialize};

use super::Id;

/// The certificate a phishing alert is about.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct CtCertificate {
    /// The certificate in the Certificate Transparency API.
    #[serde(default)]
    pub id: Option<Id>,
    /// The certificate, PEM-encoded.
    #[serde(default)]
    pub certificate_pem: Option<String>,
    /// SHA-256 of the certificate, hex.
    #[serde(default)]
    pub cert_hash_sha256: Option<String>,
}

/// A certificate was issued for domains that may be phishing a subscribed one.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Phishing {
    /// The new certificate.
    #[serde(default)]
    pub ct_cert: Option<CtCertificate>,
    /// The suspicious domains it covers.
    #[serde(default)]
    pub phishing_domains: Vec<String>,
    /// The subscribed domain they may be phishing.
    #[serde(default)]
    pub phished_domain: Option<String>,
}
