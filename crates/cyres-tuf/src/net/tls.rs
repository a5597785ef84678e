//! TLS for `https://` URLs (feature `tls`): rustls with the aws-lc-rs provider, which this crate
//! already links for signature checks, so TLS adds the protocol code and little else.
//!
//! TUF metadata carries its own integrity and freshness, so update downloads do not need TLS for
//! correctness; what TLS protects is the confidentiality of what a device sends, above all the
//! device token in state reports. Trust comes from the platform's CA certificates (the system
//! store: `SSL_CERT_FILE`, `SSL_CERT_DIR` or the distribution's bundle) or from a pinned CA file
//! given in the configuration, in which case *only* that CA is trusted.

use std::io;
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::error::{Error, Result};

/// A TLS client configuration: which certificate authorities `https://` servers must chain to.
#[derive(Clone)]
pub struct Tls {
    config: Arc<ClientConfig>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

fn tls_err(what: &str, reason: impl ToString) -> Error {
    Error::Transport {
        what: what.into(),
        reason: reason.to_string(),
    }
}

impl Tls {
    /// Trusts the platform's CA certificates.
    pub fn platform_roots() -> Result<Tls> {
        let found = rustls_native_certs::load_native_certs();
        let mut roots = RootCertStore::empty();
        let (added, _ignored) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(tls_err(
                "platform CA certificates",
                "none found (install the CA bundle or pin a CA file)",
            ));
        }
        Tls::from_roots(roots)
    }

    /// Trusts only the CA certificates in the PEM file at `path` (pinning).
    pub fn pinned_ca_file(path: &Path) -> Result<Tls> {
        let pem = std::fs::read(path).map_err(|e| Error::Store {
            what: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Tls::pinned_ca_pem(&pem)
    }

    /// Trusts only the CA certificates in `pem`.
    pub fn pinned_ca_pem(pem: &[u8]) -> Result<Tls> {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| tls_err("pinned CA file", e))?;
            roots.add(cert).map_err(|e| tls_err("pinned CA file", e))?;
        }
        if roots.is_empty() {
            return Err(tls_err("pinned CA file", "no CERTIFICATE block"));
        }
        Tls::from_roots(roots)
    }

    fn from_roots(roots: RootCertStore) -> Result<Tls> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_err("TLS configuration", e))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Tls {
            config: Arc::new(config),
        })
    }

    /// Starts a TLS session to `host` over `tcp`; the handshake (certificate chain and name
    /// checks) completes on the first read or write.
    pub(super) fn connect(
        &self,
        host: &str,
        tcp: TcpStream,
    ) -> io::Result<StreamOwned<ClientConnection, TcpStream>> {
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| io::Error::other(format!("invalid TLS server name {host:?}: {e}")))?;
        let conn = ClientConnection::new(self.config.clone(), name).map_err(io::Error::other)?;
        Ok(StreamOwned::new(conn, tcp))
    }
}
