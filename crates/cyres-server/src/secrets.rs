//! Secrets at rest (issue #13, point 6): the server key that encrypts stored secrets.
//!
//! Webhook signing secrets (alert webhooks, notice subscribers) must be used in clear to sign
//! each delivery, so they cannot be hashed like passwords and API tokens. They are stored
//! sealed with AES-256-GCM (NIST SP 800-38D) under a 256-bit key that lives outside the
//! database, in the **secret key file** (`--secret-key-file`, default `<data-dir>/secret.key`):
//! a copy of the database alone (a backup, a replica, a leaked dump) does not give the secrets
//! away.
//!
//! A sealed value reads `enc:v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. The version
//! names the format; the key id (the first 8 bytes of SHA-256 over a label and the key, in
//! hex) names the key, so keys can rotate: the file's first key seals, the keys below it are
//! older ones that can still open, and every start re-seals whatever is not under the first
//! key (plaintext from before this existed, or an older key) in one transaction
//! ([`cyres_store::Store::reseal_secrets`]). The random 96-bit nonce is fresh for every value
//! (fine far below the 2³² values per key SP 800-38D §8.3 allows for random nonces).
//!
//! The key file is created on first start with mode 0600. A start with the file missing or
//! holding other keys while the database's secrets were sealed under a known key id is refused
//! with an error naming the file (never the key): the operator restores it from the backup.

use aws_lc_rs::aead::{AES_256_GCM, Aad, Nonce, RandomizedNonceKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::{Path, PathBuf};

/// Prefix of a sealed value, format version 1.
const PREFIX: &str = "enc:v1:";
/// Additional authenticated data: binds ciphertexts to this use and format.
const AAD: &[u8] = b"cyres stored secret v1";
const NONCE_LEN: usize = 12;

/// The first lines of a new key file.
const HEADER: &str = "\
# cyres secret key file: encrypts stored webhook signing secrets (AES-256-GCM).
# Back it up together with the database: without it the stored secrets cannot be used.
# The first key encrypts; keys below it are older keys, still read so that the next start
# re-encrypts their secrets with the first one. Keep this file readable by cyres only.
";

/// One key: its id and the AEAD key.
struct Key {
    id: String,
    key: RandomizedNonceKey,
}

impl Key {
    fn new(bytes: &[u8; 32]) -> Self {
        let mut label = b"cyres secret key id v1\0".to_vec();
        label.extend_from_slice(bytes);
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &label);
        let id = digest.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            id,
            key: RandomizedNonceKey::new(&AES_256_GCM, bytes).expect("a 32-byte AES-256 key"),
        }
    }
}

/// The server's secret keys: the current one and older ones still accepted for opening.
pub(crate) struct SecretKeys {
    path: PathBuf,
    current: Key,
    older: Vec<Key>,
}

impl std::fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKeys")
            .field("current", &self.current.id)
            .field("older", &self.older.len())
            .finish()
    }
}

/// Why a stored secret cannot be used. Never contains the secret or the key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum SecretError {
    /// The value is not in the sealed format (plaintext a start-up pass has not sealed yet).
    #[error("the stored secret is not encrypted")]
    NotSealed,
    /// Sealed under a key the key file does not hold.
    #[error(
        "the stored secret was encrypted with key {0}, which the secret key file does not hold"
    )]
    UnknownKey(String),
    /// The value does not decrypt (damaged, or edited in the database).
    #[error("the stored secret does not decrypt (damaged or altered)")]
    Damaged,
}

impl SecretKeys {
    /// The id of the key that seals.
    pub(crate) fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain` under the current key.
    pub(crate) fn seal(&self, plain: &str) -> String {
        let mut in_out = plain.as_bytes().to_vec();
        let nonce = self
            .current
            .key
            .seal_in_place_append_tag(Aad::from(AAD), &mut in_out)
            .expect("AES-GCM sealing of a short value");
        let mut blob = nonce.as_ref().to_vec();
        blob.extend_from_slice(&in_out);
        format!("{PREFIX}{}:{}", self.current.id, STANDARD.encode(blob))
    }

    fn key(&self, id: &str) -> Option<&Key> {
        std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id == id)
    }

    /// Opens a sealed value.
    pub(crate) fn open(&self, stored: &str) -> Result<String, SecretError> {
        let rest = stored.strip_prefix(PREFIX).ok_or(SecretError::NotSealed)?;
        let (id, blob) = rest.split_once(':').ok_or(SecretError::Damaged)?;
        let key = self
            .key(id)
            .ok_or_else(|| SecretError::UnknownKey(id.to_string()))?;
        let blob = STANDARD.decode(blob).map_err(|_| SecretError::Damaged)?;
        if blob.len() < NONCE_LEN {
            return Err(SecretError::Damaged);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError::Damaged)?;
        let mut in_out = sealed.to_vec();
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(AAD), &mut in_out)
            .map_err(|_| SecretError::Damaged)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SecretError::Damaged)
    }

    /// The stored value under the current key (`None`: it already is). Plaintext is sealed.
    fn reseal_value(&self, stored: &str) -> Result<Option<String>, SecretError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(Some(self.seal(stored)));
        };
        if rest.split_once(':').map(|(id, _)| id) == Some(self.current.id.as_str()) {
            // Under the current key already; check it opens, so damage shows at start.
            self.open(stored)?;
            return Ok(None);
        }
        self.open(stored).map(|plain| Some(self.seal(&plain)))
    }

    /// Reads the key file at `path`, or creates it (mode 0600) when it does not exist and the
    /// database has no secrets sealed yet (`recorded` is the database's key id, if any).
    pub(crate) fn load_or_create(path: &Path, recorded: Option<&str>) -> Result<Self, String> {
        let shown = path.display();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(id) = recorded {
                    return Err(format!(
                        "the secret key file {shown} is missing, but this database's secrets were encrypted with key {id}: restore the file from your backup (or point --secret-key-file at it)"
                    ));
                }
                return Self::create(path);
            }
            Err(e) => return Err(format!("cannot read the secret key file {shown}: {e}")),
        };
        let keys = Self::parse(path, &text)?;
        warn_if_readable_by_others(path);
        if let Some(id) = recorded
            && keys.key(id).is_none()
        {
            return Err(format!(
                "the secret key file {shown} does not hold key {id}, which encrypted this database's secrets: restore the right file from your backup"
            ));
        }
        Ok(keys)
    }

    fn parse(path: &Path, text: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bytes: [u8; 32] = STANDARD
                .decode(line)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    format!(
                        "the secret key file {} line {}: not a base64 256-bit key",
                        path.display(),
                        n + 1
                    )
                })?;
            keys.push(Key::new(&bytes));
        }
        let mut keys = keys.into_iter();
        let current = keys
            .next()
            .ok_or_else(|| format!("the secret key file {} holds no key", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            current,
            older: keys.collect(),
        })
    }

    fn create(path: &Path) -> Result<Self, String> {
        use std::io::Write;
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| "no system randomness".to_string())?;
        let text = format!("{HEADER}{}\n", STANDARD.encode(bytes));
        let fail = |e: std::io::Error| {
            format!("cannot create the secret key file {}: {e}", path.display())
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(fail)?;
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        tracing::info!(file = %path.display(), "created the secret key file; back it up with the database");
        Self::parse(path, &text)
    }
}

/// The delivery log's entry for a webhook whose secret cannot be opened: no request is sent
/// (an unsigned or wrongly signed delivery helps nobody); it is retried on the usual
/// schedule, in case the value was written by an older server during an upgrade.
pub(crate) fn undeliverable(e: SecretError) -> cyres_feeds::webhook::DeliveryResult {
    tracing::error!(error = %e, "a stored webhook secret cannot be used");
    cyres_feeds::webhook::DeliveryResult {
        status: None,
        duration: std::time::Duration::ZERO,
        error: Some("signing secret unavailable".to_string()),
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(file = %path.display(), "the secret key file is readable by other users; chmod 600 it");
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}

impl cyres_store::SecretSealer for SecretKeys {
    fn key_id(&self) -> &str {
        &self.current.id
    }

    fn knows(&self, id: &str) -> bool {
        self.key(id).is_some()
    }

    fn reseal(&self, stored: &str) -> Result<Option<String>, String> {
        self.reseal_value(stored)
            .map_err(|e| format!("{e} (secret key file {})", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!(
                "cyres-secrets-{}-{}",
                std::process::id(),
                crate::service::credentials::random_secret()
            ))
            .join(name)
    }

    #[test]
    fn sealing_round_trips_and_detects_tampering() {
        let path = temp("secret.key");
        let keys = SecretKeys::load_or_create(&path, None).unwrap();
        let sealed = keys.seal("whsec-abc");
        assert!(
            sealed.starts_with(&format!("enc:v1:{}:", keys.current_id())),
            "{sealed}"
        );
        assert!(!sealed.contains("whsec-abc"));
        assert_ne!(keys.seal("whsec-abc"), sealed, "a fresh nonce every time");
        assert_eq!(keys.open(&sealed).unwrap(), "whsec-abc");
        // One changed character of ciphertext: refused, not garbage.
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(keys.open(&tampered), Err(SecretError::Damaged));
        assert_eq!(keys.open("plain"), Err(SecretError::NotSealed));
        assert_eq!(
            keys.open("enc:v1:0011223344556677:AAAA"),
            Err(SecretError::UnknownKey("0011223344556677".into()))
        );
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_private_and_a_missing_or_wrong_one_is_named() {
        use std::os::unix::fs::PermissionsExt;
        let path = temp("keys/secret.key");
        let keys = SecretKeys::load_or_create(&path, None).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let id = keys.current_id().to_string();
        // Read back: the same key.
        let again = SecretKeys::load_or_create(&path, Some(&id)).unwrap();
        assert_eq!(again.open(&keys.seal("x")).unwrap(), "x");
        let text = std::fs::read_to_string(&path).unwrap();
        let key_line = text.lines().last().unwrap().to_string();

        // Another key in its place: refused, naming the file and the key id, not the key.
        std::fs::remove_file(&path).unwrap();
        SecretKeys::load_or_create(&path, None).unwrap();
        let e = SecretKeys::load_or_create(&path, Some(&id)).unwrap_err();
        assert!(
            e.contains(&path.display().to_string()) && e.contains(&id),
            "{e}"
        );
        assert!(!e.contains(&key_line));
        // Missing while the database has sealed secrets: refused, not regenerated.
        std::fs::remove_file(&path).unwrap();
        let e = SecretKeys::load_or_create(&path, Some(&id)).unwrap_err();
        assert!(
            e.contains("missing") && e.contains(&path.display().to_string()),
            "{e}"
        );
        assert!(!path.exists());

        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn rotation_reseals_under_the_first_key() {
        let old = SecretKeys::parse(Path::new("k"), &STANDARD.encode([1u8; 32])).unwrap();
        let sealed_old = old.seal("s3cret");
        let both = format!(
            "{HEADER}{}\n{}\n",
            STANDARD.encode([2u8; 32]),
            STANDARD.encode([1u8; 32])
        );
        let keys = SecretKeys::parse(Path::new("k"), &both).unwrap();
        assert_ne!(keys.current_id(), old.current_id());
        let resealed = keys.reseal_value(&sealed_old).unwrap().unwrap();
        assert!(resealed.contains(keys.current_id()));
        assert_eq!(keys.open(&resealed).unwrap(), "s3cret");
        assert_eq!(keys.reseal_value(&resealed).unwrap(), None, "idempotent");
        let from_plain = keys.reseal_value("plain-secret").unwrap().unwrap();
        assert_eq!(keys.open(&from_plain).unwrap(), "plain-secret");
        // The old key alone cannot open what the new one sealed.
        assert!(matches!(
            old.open(&resealed),
            Err(SecretError::UnknownKey(_))
        ));
        let e = SecretKeys::parse(Path::new("k"), "# only a comment\n")
            .err()
            .unwrap();
        assert!(e.contains("holds no key"), "{e}");
        let e = SecretKeys::parse(Path::new("k"), "c2hvcnQ=\n")
            .err()
            .unwrap();
        assert!(e.contains("line 1"), "{e}");
    }
}
