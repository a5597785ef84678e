//! Key files: where the private halves of repository signing keys live on disk.
//!
//! TUF's security rests on keeping root and targets keys offline (TUF §6.1 "key management")
//! and on letting an online server hold only the snapshot and timestamp keys it needs to renew
//! short-lived metadata. cyres stores each key in its own JSON file; offline keys are encrypted
//! with a passphrase, online keys are stored in the clear (file mode 0600) so `cyres serve` can
//! sign without a human present.
//!
//! # Format (`cyres_key: 1`)
//!
//! ```json
//! {
//!   "cyres_key": 1,
//!   "label": "root",
//!   "keyid": "<hex sha256 of the canonical public key object, TUF §4.2>",
//!   "public": {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "<hex>"}},
//!   "private": {
//!     "encoding": "pkcs8-der",
//!     "kdf": {"name": "argon2id", "version": 19, "m_cost_kib": 65536, "t_cost": 3,
//!             "p_cost": 1, "salt": "<hex, 16 bytes>"},
//!     "cipher": {"name": "aes-256-gcm", "nonce": "<hex, 12 bytes>"},
//!     "data": "<hex of ciphertext followed by the 16-byte tag>"
//!   }
//! }
//! ```
//!
//! The 32-byte AES key is Argon2id (RFC 9106) of the UTF-8 passphrase with the stored salt and
//! costs. The AEAD's associated data is `cyres-key-v1:` followed by the key id, so the clear
//! public half cannot be swapped for another key's without the decryption failing. After
//! decryption the key id is recomputed from the private key and must equal `keyid`. An online
//! (unencrypted) key has `"kdf": null, "cipher": null` and `data` is the hex PKCS#8 itself.
//! The public half is readable without the passphrase, so keys can be added to root or a
//! delegation by people who cannot sign with them.

use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use serde::{Deserialize, Serialize};

use crate::crypto::{Key, SigningKey, hex_decode, hex_encode};
use crate::error::{Error, Result};

const FORMAT_VERSION: u32 = 1;
const AAD_PREFIX: &str = "cyres-key-v1:";

/// Argon2id cost parameters for encrypting a key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// 64 MiB, 3 passes, 1 lane: RFC 9106 §4's second recommended option (which uses 64 MiB
    /// and 3 passes for memory-constrained settings).
    fn default() -> Self {
        KdfParams {
            m_cost_kib: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }
}

impl KdfParams {
    /// Cheap parameters for tests and benchmarks only; never for real keys.
    pub fn insecure_fast() -> Self {
        KdfParams {
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KdfSection {
    name: String,
    version: u32,
    #[serde(flatten)]
    params: KdfParams,
    salt: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CipherSection {
    name: String,
    nonce: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PrivateSection {
    encoding: String,
    kdf: Option<KdfSection>,
    cipher: Option<CipherSection>,
    data: String,
}

/// A parsed key file; the private half stays encrypted until [`KeyFile::decrypt`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    cyres_key: u32,
    /// Free text saying what the key is for (e.g. `root`, `security`).
    pub label: String,
    /// The key id under which the key is listed in root or a delegation.
    pub keyid: String,
    /// The public key object.
    pub public: Key,
    private: PrivateSection,
}

fn key_err(keyid: &str, reason: impl ToString) -> Error {
    Error::Key {
        keyid: keyid.into(),
        reason: reason.to_string(),
    }
}

fn derive(passphrase: &str, salt: &[u8], params: KdfParams, keyid: &str) -> Result<[u8; 32]> {
    let p = argon2::Params::new(params.m_cost_kib, params.t_cost, params.p_cost, Some(32))
        .map_err(|e| key_err(keyid, format!("argon2 parameters: {e}")))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut out = [0u8; 32];
    a.hash_password_into(passphrase.as_bytes(), salt, &mut out)
        .map_err(|e| key_err(keyid, format!("argon2: {e}")))?;
    Ok(out)
}

fn aead_key(bytes: &[u8; 32], keyid: &str) -> Result<LessSafeKey> {
    let unbound = UnboundKey::new(&AES_256_GCM, bytes).map_err(|e| key_err(keyid, e))?;
    Ok(LessSafeKey::new(unbound))
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    aws_lc_rs::rand::fill(&mut b).map_err(|e| key_err("new key", e))?;
    Ok(b)
}

impl KeyFile {
    /// Wraps `key` in a key file encrypted with `passphrase`.
    pub fn encrypt(
        key: &SigningKey,
        label: &str,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<KeyFile> {
        if passphrase.is_empty() {
            return Err(key_err(key.key_id(), "empty passphrase"));
        }
        let salt: [u8; 16] = random()?;
        let nonce: [u8; NONCE_LEN] = random()?;
        let kek = derive(passphrase, &salt, params, key.key_id())?;
        let mut data = key.to_pkcs8()?;
        let aad = format!("{AAD_PREFIX}{}", key.key_id());
        aead_key(&kek, key.key_id())?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut data,
            )
            .map_err(|e| key_err(key.key_id(), e))?;
        Ok(KeyFile {
            cyres_key: FORMAT_VERSION,
            label: label.into(),
            keyid: key.key_id().into(),
            public: key.public().clone(),
            private: PrivateSection {
                encoding: "pkcs8-der".into(),
                kdf: Some(KdfSection {
                    name: "argon2id".into(),
                    version: 19,
                    params,
                    salt: hex_encode(&salt),
                }),
                cipher: Some(CipherSection {
                    name: "aes-256-gcm".into(),
                    nonce: hex_encode(&nonce),
                }),
                data: hex_encode(&data),
            },
        })
    }

    /// Wraps `key` in an unencrypted key file, for online (snapshot, timestamp) keys.
    pub fn plain(key: &SigningKey, label: &str) -> Result<KeyFile> {
        Ok(KeyFile {
            cyres_key: FORMAT_VERSION,
            label: label.into(),
            keyid: key.key_id().into(),
            public: key.public().clone(),
            private: PrivateSection {
                encoding: "pkcs8-der".into(),
                kdf: None,
                cipher: None,
                data: hex_encode(&key.to_pkcs8()?),
            },
        })
    }

    /// True when a passphrase is needed to use the key.
    pub fn is_encrypted(&self) -> bool {
        self.private.cipher.is_some()
    }

    /// Parses a key file. The public key's id must match `keyid`.
    pub fn from_bytes(bytes: &[u8]) -> Result<KeyFile> {
        let f: KeyFile =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed("key file", e))?;
        if f.cyres_key != FORMAT_VERSION {
            return Err(Error::malformed(
                "key file",
                format!("unsupported format {}", f.cyres_key),
            ));
        }
        if f.public.key_id()? != f.keyid {
            return Err(key_err(&f.keyid, "keyid does not match the public key"));
        }
        if f.private.encoding != "pkcs8-der" {
            return Err(key_err(&f.keyid, "unsupported private key encoding"));
        }
        Ok(f)
    }

    /// Serialises the key file (pretty JSON).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec_pretty(self).map_err(|e| Error::Canonical(e.to_string()))
    }

    /// Reads a key file from disk.
    pub fn read(path: &Path) -> Result<KeyFile> {
        let bytes = std::fs::read(path).map_err(|e| Error::Store {
            what: path.display().to_string(),
            reason: e.to_string(),
        })?;
        KeyFile::from_bytes(&bytes)
    }

    /// Writes the key file, refusing to overwrite, readable by the owner only.
    pub fn write_new(&self, path: &Path) -> Result<()> {
        use std::io::Write;
        let store_err = |e: std::io::Error| Error::Store {
            what: path.display().to_string(),
            reason: e.to_string(),
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(store_err)?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(store_err)?;
        f.write_all(&self.to_bytes()?).map_err(store_err)?;
        f.sync_all().map_err(store_err)
    }

    /// The signing key; `passphrase` is required for encrypted files and ignored otherwise.
    pub fn decrypt(&self, passphrase: Option<&str>) -> Result<SigningKey> {
        let mut data = hex_decode(&self.private.data)
            .ok_or_else(|| key_err(&self.keyid, "private data is not hex"))?;
        let pkcs8: &[u8] = match (&self.private.kdf, &self.private.cipher) {
            (None, None) => &data,
            (Some(kdf), Some(cipher)) => {
                if kdf.name != "argon2id" || kdf.version != 19 || cipher.name != "aes-256-gcm" {
                    return Err(key_err(&self.keyid, "unsupported kdf or cipher"));
                }
                let passphrase = passphrase.ok_or_else(|| {
                    key_err(&self.keyid, "key file is encrypted: passphrase needed")
                })?;
                let salt =
                    hex_decode(&kdf.salt).ok_or_else(|| key_err(&self.keyid, "salt is not hex"))?;
                let nonce: [u8; NONCE_LEN] = hex_decode(&cipher.nonce)
                    .and_then(|n| n.try_into().ok())
                    .ok_or_else(|| key_err(&self.keyid, "bad nonce"))?;
                let kek = derive(passphrase, &salt, kdf.params, &self.keyid)?;
                let aad = format!("{AAD_PREFIX}{}", self.keyid);
                aead_key(&kek, &self.keyid)?
                    .open_in_place(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::from(aad.as_bytes()),
                        &mut data,
                    )
                    .map_err(|_| key_err(&self.keyid, "wrong passphrase or damaged key file"))?
            }
            _ => return Err(key_err(&self.keyid, "kdf and cipher must both be set")),
        };
        let key = SigningKey::from_pkcs8(pkcs8)?;
        if key.key_id() != self.keyid {
            return Err(key_err(&self.keyid, "private key does not match keyid"));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_round_trip_and_wrong_passphrase() {
        let k = SigningKey::from_seed(&[9; 32]).unwrap();
        let f = KeyFile::encrypt(&k, "root", "correct horse", KdfParams::insecure_fast()).unwrap();
        assert!(f.is_encrypted());
        let text = String::from_utf8(f.to_bytes().unwrap()).unwrap();
        assert!(!text.contains(&hex_encode(&k.to_pkcs8().unwrap())));
        let back = KeyFile::from_bytes(text.as_bytes()).unwrap();
        assert_eq!(
            back.decrypt(Some("correct horse")).unwrap().key_id(),
            k.key_id()
        );
        assert!(back.decrypt(Some("wrong")).is_err());
        assert!(back.decrypt(None).is_err());
        assert!(KeyFile::encrypt(&k, "root", "", KdfParams::insecure_fast()).is_err());
    }

    #[test]
    fn swapped_public_half_is_refused() {
        let a = SigningKey::from_seed(&[1; 32]).unwrap();
        let b = SigningKey::from_seed(&[2; 32]).unwrap();
        let mut f = KeyFile::encrypt(&a, "x", "pw", KdfParams::insecure_fast()).unwrap();
        f.public = b.public().clone();
        f.keyid = b.key_id().into();
        // Parses (the public half is self-consistent) but cannot be opened: the AAD binds keyid.
        let f = KeyFile::from_bytes(&f.to_bytes().unwrap()).unwrap();
        assert!(f.decrypt(Some("pw")).is_err());
    }

    #[test]
    fn plain_online_key() {
        let k = SigningKey::from_seed(&[3; 32]).unwrap();
        let f = KeyFile::from_bytes(&KeyFile::plain(&k, "timestamp").unwrap().to_bytes().unwrap())
            .unwrap();
        assert!(!f.is_encrypted());
        assert_eq!(f.decrypt(None).unwrap().key_id(), k.key_id());
    }
}
