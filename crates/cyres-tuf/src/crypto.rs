//! Keys, signature verification and ed25519 signing (TUF §4.2 "keys", TAP 9 signing schemes).
//!
//! Supported verification schemes, all through aws-lc-rs (the project's one crypto provider):
//! - `ed25519` keys with hex-encoded 32-byte public keys;
//! - `ecdsa-sha2-nistp256` with keytype `ecdsa` or `ecdsa-sha2-nistp256`, PEM SubjectPublicKeyInfo
//!   public keys (and, for old go-tuf repositories such as Sigstore root v1–v4, a hex-encoded
//!   uncompressed SEC1 point), ASN.1 DER signatures;
//! - `rsassa-pss-sha256` with keytype `rsa` and a PEM SubjectPublicKeyInfo public key.
//!
//! Signatures are hex strings. A key whose type or scheme is unknown never verifies anything: it
//! cannot help meet a threshold, and it does not make the metadata unreadable.
//!
//! Signing is ed25519 only: cyres builds its own repositories with ed25519 keys.

use std::collections::BTreeMap;
use std::fmt;

use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cjson;
use crate::error::{Error, Result};

/// A public key as listed in root or in a delegation (TUF §4.2 KEY object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Key {
    /// `ed25519`, `ecdsa`, `ecdsa-sha2-nistp256` or `rsa`.
    pub keytype: String,
    /// `ed25519`, `ecdsa-sha2-nistp256` or `rsassa-pss-sha256`.
    pub scheme: String,
    /// The public key material.
    pub keyval: KeyVal,
    /// Fields this implementation does not interpret, kept so they round-trip.
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}

/// The `keyval` object of a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyVal {
    /// Hex (ed25519) or PEM (ecdsa, rsa) public key.
    pub public: String,
    /// Any other members (never a private key in published metadata).
    #[serde(flatten)]
    pub unrecognized: BTreeMap<String, Value>,
}

/// Which verification algorithm a key selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Ed25519,
    EcdsaP256,
    RsaPssSha256,
}

impl Key {
    /// An ed25519 key object for the given raw 32-byte public key.
    pub fn ed25519(public: &[u8]) -> Key {
        Key {
            keytype: "ed25519".into(),
            scheme: "ed25519".into(),
            keyval: KeyVal {
                public: hex_encode(public),
                unrecognized: BTreeMap::new(),
            },
            unrecognized: BTreeMap::new(),
        }
    }

    /// The key id a repository assigns: hex SHA-256 of the canonical JSON of this key object
    /// (TUF §4.2). Clients must not recompute key ids to check them (TUF §4.2 note on KEYID):
    /// verification always uses the id under which root or a delegation lists the key.
    pub fn key_id(&self) -> Result<String> {
        let bytes = cjson::to_canonical_from(self)?;
        Ok(hex_encode(digest::digest(&digest::SHA256, &bytes).as_ref()))
    }

    fn scheme(&self) -> Option<Scheme> {
        match (self.keytype.as_str(), self.scheme.as_str()) {
            ("ed25519", "ed25519") => Some(Scheme::Ed25519),
            ("ecdsa" | "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => Some(Scheme::EcdsaP256),
            ("rsa", "rsassa-pss-sha256") => Some(Scheme::RsaPssSha256),
            _ => None,
        }
    }

    /// The public key bytes in the form aws-lc-rs expects for this scheme.
    fn public_bytes(&self, scheme: Scheme) -> Option<Vec<u8>> {
        let public = self.keyval.public.trim();
        match scheme {
            Scheme::Ed25519 => hex_decode(public).filter(|b| b.len() == 32),
            Scheme::EcdsaP256 => {
                if public.starts_with("-----BEGIN") {
                    let der = pem_decode(public)?;
                    let spki = parse_spki(&der)?;
                    (spki.algorithm == OID_EC_PUBLIC_KEY && spki.parameters == OID_PRIME256V1)
                        .then_some(spki.key)
                } else {
                    // Legacy go-tuf encoding: hex of the uncompressed SEC1 point.
                    hex_decode(public).filter(|b| b.len() == 65 && b[0] == 4)
                }
            }
            Scheme::RsaPssSha256 => {
                let der = pem_decode(public)?;
                let spki = parse_spki(&der)?;
                (spki.algorithm == OID_RSA_ENCRYPTION || spki.algorithm == OID_RSASSA_PSS)
                    .then_some(spki.key)
            }
        }
    }

    /// True when `sig` is a valid signature by this key over `msg`. Unknown schemes, malformed
    /// keys and malformed signatures all give `false`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Some(scheme) = self.scheme() else {
            return false;
        };
        let Some(public) = self.public_bytes(scheme) else {
            return false;
        };
        let alg: &'static dyn signature::VerificationAlgorithm = match scheme {
            Scheme::Ed25519 => &signature::ED25519,
            Scheme::EcdsaP256 => &signature::ECDSA_P256_SHA256_ASN1,
            Scheme::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        };
        UnparsedPublicKey::new(alg, public).verify(msg, sig).is_ok()
    }
}

/// An ed25519 private key used to sign metadata when building repositories.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    key: Key,
    key_id: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generates a fresh random ed25519 key.
    pub fn generate() -> Result<SigningKey> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|e| Error::Key {
            keyid: "new key".into(),
            reason: e.to_string(),
        })?;
        SigningKey::from_pkcs8(doc.as_ref())
    }

    /// Loads an ed25519 key from PKCS#8 DER.
    pub fn from_pkcs8(der: &[u8]) -> Result<SigningKey> {
        let pair = Ed25519KeyPair::from_pkcs8(der).map_err(|e| Error::Key {
            keyid: "pkcs8".into(),
            reason: e.to_string(),
        })?;
        Self::from_pair(pair)
    }

    /// Derives an ed25519 key from a 32-byte seed: deterministic, for reproducible fixtures.
    pub fn from_seed(seed: &[u8; 32]) -> Result<SigningKey> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|e| Error::Key {
            keyid: "seed".into(),
            reason: e.to_string(),
        })?;
        Self::from_pair(pair)
    }

    fn from_pair(pair: Ed25519KeyPair) -> Result<SigningKey> {
        let key = Key::ed25519(pair.public_key().as_ref());
        let key_id = key.key_id()?;
        Ok(SigningKey { pair, key, key_id })
    }

    /// The public key object to list in root or a delegation.
    pub fn public(&self) -> &Key {
        &self.key
    }

    /// The key id (SHA-256 of the canonical public key object).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key as PKCS#8 DER, for storing it.
    pub fn to_pkcs8(&self) -> Result<Vec<u8>> {
        let doc = self.pair.to_pkcs8().map_err(|e| Error::Key {
            keyid: self.key_id.clone(),
            reason: e.to_string(),
        })?;
        Ok(doc.as_ref().to_vec())
    }

    /// Signs `msg` and returns the raw signature bytes.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.pair.sign(msg).as_ref().to_vec()
    }
}

/// Lowercase hex encoding.
pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Hex decoding (either case); `None` on odd length or a non-hex digit.
pub fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let val = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    s.chunks(2)
        .map(|p| Some(val(p[0])? << 4 | val(p[1])?))
        .collect()
}

/// Hex digests for the hash algorithms TUF metadata uses (python-tuf's set minus BLAKE2,
/// which aws-lc-rs lacks); `None` for an unsupported algorithm.
pub(crate) fn digest_hex(algorithm: &str, data: &[u8]) -> Option<String> {
    let alg = match algorithm {
        "sha224" => &digest::SHA224,
        "sha256" => &digest::SHA256,
        "sha384" => &digest::SHA384,
        "sha512" => &digest::SHA512,
        _ => return None,
    };
    Some(hex_encode(digest::digest(alg, data).as_ref()))
}

fn pem_decode(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];

struct Spki<'a> {
    algorithm: &'a [u8],
    /// Contents of the parameters OID, or empty when parameters are NULL/absent.
    parameters: &'a [u8],
    key: Vec<u8>,
}

/// Reads one DER TLV: returns (tag, contents, rest).
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// X.509 SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { OID, params }, BIT STRING }.
fn parse_spki(der: &[u8]) -> Option<Spki<'_>> {
    let (tag, outer, _) = der_tlv(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, alg_seq, rest) = der_tlv(outer)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, algorithm, params) = der_tlv(alg_seq)?;
    if tag != 0x06 {
        return None;
    }
    let parameters = match der_tlv(params) {
        Some((0x06, oid, _)) => oid,
        _ => &[],
    };
    let (tag, bits, _) = der_tlv(rest)?;
    if tag != 0x03 || bits.first() != Some(&0) {
        return None;
    }
    Some(Spki {
        algorithm,
        parameters,
        key: bits[1..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_sign_and_verify() {
        let k = SigningKey::from_seed(&[7; 32]).unwrap();
        let sig = k.sign(b"hello");
        assert!(k.public().verify(b"hello", &sig));
        assert!(!k.public().verify(b"hellO", &sig));
        assert_eq!(k.key_id().len(), 64);
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(
            hex_decode(&hex_encode(&[0, 1, 254, 255])).unwrap(),
            vec![0, 1, 254, 255]
        );
        assert!(hex_decode("0g").is_none());
        assert!(hex_decode("abc").is_none());
    }

    #[test]
    fn unknown_scheme_never_verifies() {
        let k = SigningKey::from_seed(&[1; 32]).unwrap();
        let mut key = k.public().clone();
        key.scheme = "ed448".into();
        assert!(!key.verify(b"m", &k.sign(b"m")));
    }
}
