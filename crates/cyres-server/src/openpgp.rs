//! OpenPGP for the public face: the organisation's signing key, detached signatures of CSAF
//! documents (CSAF 2.0 §7.1.19, requirement 19: `<file>.asc` beside each document), the
//! clear-signed `security.txt` (RFC 9116 §2.3, the Cleartext Signature Framework of
//! RFC 9580 §7) and their verification (for tests and for the CSAF aggregator, which checks
//! what other providers publish).
//!
//! Built on `pgp` (rpgp, pure Rust). Keys are OpenPGP v4 Ed25519 ("EdDSALegacy") primary keys
//! that certify and sign, the form every deployed implementation (GnuPG 2.2 included) reads;
//! v6 keys of RFC 9580 are not yet readable by the `gpg` most aggregators run. Every time
//! (the key's creation, each signature's creation) is a parameter: the caller passes the
//! injected clock's now, so nothing here reads the system clock. Errors name what failed,
//! never key material.
//!
//! The small API:
//! - [`SigningKey::generate`], [`SigningKey::from_armored`], [`SigningKey::secret_armored`]
//!   (what the server stores sealed), [`SigningKey::public_armored`],
//!   [`SigningKey::fingerprint`];
//! - [`SigningKey::sign_detached`] (an ASCII-armored detached signature over bytes, signature
//!   type "binary document"), [`SigningKey::clear_sign`];
//! - [`verify_detached`], [`verify_clear_signed`] and [`fingerprint_of`] over an armored public
//!   key (certificate), trying the primary key and each subkey, as providers often sign with a
//!   subkey.

use pgp::composed::{
    CleartextSignedMessage, Deserializable, DetachedSignature, EncryptionCaps, KeyType,
    SecretKeyParamsBuilder, SignedPublicKey, SignedSecretKey,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{SignatureConfig, SignatureType, Subpacket, SubpacketData};
use pgp::types::{KeyDetails, Password, Timestamp};
use time::OffsetDateTime;

/// Why an OpenPGP operation failed. Never carries key material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenPgpError {
    /// A key could not be made, read or written.
    #[error("OpenPGP key: {0}")]
    Key(String),
    /// A signature could not be made or read.
    #[error("OpenPGP signature: {0}")]
    Signature(String),
    /// The signature is well formed but no key of the certificate verifies it over the data.
    #[error("the OpenPGP signature does not verify with the published key {0}")]
    BadSignature(String),
}

fn key_err(e: impl std::fmt::Display) -> OpenPgpError {
    OpenPgpError::Key(e.to_string())
}

fn sig_err(e: impl std::fmt::Display) -> OpenPgpError {
    OpenPgpError::Signature(e.to_string())
}

/// An OpenPGP time: seconds since 1970 in 32 bits (RFC 9580 §3.5); times outside the range
/// are refused rather than wrapped.
fn timestamp(at: OffsetDateTime) -> Result<Timestamp, OpenPgpError> {
    u32::try_from(at.unix_timestamp())
        .map(Timestamp::from_secs)
        .map_err(|_| sig_err("time outside the OpenPGP range (1970 to 2106)"))
}

/// An organisation's signing key (secret part included). Not `Debug`: it holds a secret.
pub struct SigningKey {
    secret: SignedSecretKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new Ed25519 key that certifies and signs, bound to `user_id` (e.g.
    /// `Acme Networks CSAF <security@acme.example>`), created at `created`.
    pub fn generate(user_id: &str, created: OffsetDateTime) -> Result<SigningKey, OpenPgpError> {
        let mut params = SecretKeyParamsBuilder::default();
        params
            .key_type(KeyType::Ed25519Legacy)
            .can_certify(true)
            .can_sign(true)
            .can_encrypt(EncryptionCaps::None)
            .created_at(timestamp(created)?)
            .primary_user_id(user_id.to_string());
        let params = params.build().map_err(key_err)?;
        let secret = params.generate(rand::thread_rng()).map_err(key_err)?;
        Ok(SigningKey { secret })
    }

    /// Reads a key written by [`SigningKey::secret_armored`].
    pub fn from_armored(armored: &str) -> Result<SigningKey, OpenPgpError> {
        let (secret, _) = SignedSecretKey::from_string(armored).map_err(key_err)?;
        secret.verify_bindings().map_err(key_err)?;
        Ok(SigningKey { secret })
    }

    /// The whole key, secret part included, ASCII-armored (to be stored sealed).
    pub fn secret_armored(&self) -> Result<String, OpenPgpError> {
        self.secret
            .to_armored_string(Default::default())
            .map_err(key_err)
    }

    /// The public key (certificate), ASCII-armored: what the provider publishes
    /// (CSAF 2.0 §7.1.20).
    pub fn public_armored(&self) -> Result<String, OpenPgpError> {
        self.secret
            .to_public_key()
            .to_armored_string(Default::default())
            .map_err(key_err)
    }

    /// The primary key's fingerprint, 40 upper-case hex digits (as `provider-metadata.json`'s
    /// `public_openpgp_keys[].fingerprint` and `gpg` print it).
    pub fn fingerprint(&self) -> String {
        format!("{:X}", self.secret.fingerprint())
    }

    /// The signature settings: creation time and issuer, hashed (RFC 9580 §5.2.3.11,
    /// §5.2.3.35); the issuer key id unhashed for v4 readers.
    fn config(
        &self,
        typ: SignatureType,
        at: OffsetDateTime,
    ) -> Result<SignatureConfig, OpenPgpError> {
        let key = &self.secret.primary_key;
        let mut config = SignatureConfig::v4(typ, key.algorithm(), HashAlgorithm::Sha512);
        config.hashed_subpackets = vec![
            Subpacket::regular(SubpacketData::SignatureCreationTime(timestamp(at)?))
                .map_err(sig_err)?,
            Subpacket::regular(SubpacketData::IssuerFingerprint(key.fingerprint()))
                .map_err(sig_err)?,
        ];
        config.unhashed_subpackets = vec![
            Subpacket::regular(SubpacketData::IssuerKeyId(key.legacy_key_id())).map_err(sig_err)?,
        ];
        Ok(config)
    }

    /// An ASCII-armored detached signature over `data` (signature type 0x00, binary
    /// document), made at `at`: the `.asc` file of CSAF 2.0 §7.1.19.
    pub fn sign_detached(&self, data: &[u8], at: OffsetDateTime) -> Result<String, OpenPgpError> {
        let config = self.config(SignatureType::Binary, at)?;
        let signature = config
            .sign(&self.secret.primary_key, &Password::empty(), data)
            .map_err(sig_err)?;
        DetachedSignature::new(signature)
            .to_armored_string(Default::default())
            .map_err(sig_err)
    }

    /// `text` clear-signed (RFC 9580 §7, signature type 0x01 over the text with CRLF line
    /// ends), made at `at`: the signed `security.txt` of RFC 9116 §2.3.
    pub fn clear_sign(&self, text: &str, at: OffsetDateTime) -> Result<String, OpenPgpError> {
        let config = self.config(SignatureType::Text, at)?;
        let msg =
            CleartextSignedMessage::new(text, config, &self.secret.primary_key, &Password::empty())
                .map_err(sig_err)?;
        msg.to_armored_string(Default::default()).map_err(sig_err)
    }
}

fn certificate(public_armored: &str) -> Result<SignedPublicKey, OpenPgpError> {
    let (cert, _) = SignedPublicKey::from_string(public_armored).map_err(key_err)?;
    cert.verify_bindings().map_err(key_err)?;
    Ok(cert)
}

/// The primary fingerprint (40 upper-case hex digits) of an armored public key.
pub fn fingerprint_of(public_armored: &str) -> Result<String, OpenPgpError> {
    Ok(format!("{:X}", certificate(public_armored)?.fingerprint()))
}

/// Runs `primary` with the primary key, then `sub` with each subkey of `cert`; the
/// fingerprint of the first that verifies.
fn any_key(
    cert: &SignedPublicKey,
    primary: impl Fn(&pgp::packet::PublicKey) -> bool,
    sub: impl Fn(&pgp::packet::PublicSubkey) -> bool,
) -> Result<String, OpenPgpError> {
    if primary(&cert.primary_key) {
        return Ok(format!("{:X}", cert.primary_key.fingerprint()));
    }
    for s in &cert.public_subkeys {
        if sub(&s.key) {
            return Ok(format!("{:X}", s.key.fingerprint()));
        }
    }
    Err(OpenPgpError::BadSignature(format!(
        "{:X}",
        cert.fingerprint()
    )))
}

/// Verifies an ASCII-armored detached signature over `data` with the armored public key
/// `public_armored` (its primary key or a subkey). Answers the fingerprint of the key that
/// made it; [`OpenPgpError::BadSignature`] when none does.
pub fn verify_detached(
    public_armored: &str,
    data: &[u8],
    signature_armored: &str,
) -> Result<String, OpenPgpError> {
    let cert = certificate(public_armored)?;
    let (sig, _) = DetachedSignature::from_string(signature_armored).map_err(sig_err)?;
    any_key(
        &cert,
        |k| sig.verify(k, data).is_ok(),
        |k| sig.verify(k, data).is_ok(),
    )
}

/// Verifies a clear-signed text with the armored public key; answers the signed text (dash
/// escaping removed, as signed) when a key of the certificate verifies it.
pub fn verify_clear_signed(public_armored: &str, signed: &str) -> Result<String, OpenPgpError> {
    let cert = certificate(public_armored)?;
    let (msg, _) = CleartextSignedMessage::from_string(signed).map_err(sig_err)?;
    any_key(&cert, |k| msg.verify(k).is_ok(), |k| msg.verify(k).is_ok())?;
    Ok(msg.signed_text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn key() -> SigningKey {
        SigningKey::generate(
            "Acme CSAF <security@acme.example>",
            datetime!(2027-03-01 10:00 UTC),
        )
        .unwrap()
    }

    #[test]
    fn detached_signatures_verify_and_tampering_is_caught() {
        let k = key();
        let public = k.public_armored().unwrap();
        assert!(public.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assert_eq!(fingerprint_of(&public).unwrap(), k.fingerprint());
        assert_eq!(k.fingerprint().len(), 40);
        let sig = k
            .sign_detached(b"{\"document\":1}", datetime!(2027-03-02 10:00 UTC))
            .unwrap();
        assert!(sig.starts_with("-----BEGIN PGP SIGNATURE-----"));
        assert_eq!(
            verify_detached(&public, b"{\"document\":1}", &sig).unwrap(),
            k.fingerprint()
        );
        assert!(matches!(
            verify_detached(&public, b"{\"document\":2}", &sig),
            Err(OpenPgpError::BadSignature(_))
        ));
        // Another key's certificate does not verify it either.
        let other = key().public_armored().unwrap();
        assert!(verify_detached(&other, b"{\"document\":1}", &sig).is_err());
    }

    #[test]
    fn the_secret_key_round_trips() {
        let k = key();
        let again = SigningKey::from_armored(&k.secret_armored().unwrap()).unwrap();
        assert_eq!(again.fingerprint(), k.fingerprint());
        assert!(SigningKey::from_armored("not a key").is_err());
    }

    #[test]
    fn clear_signed_text_verifies() {
        let k = key();
        let text = "Contact: mailto:security@acme.example\n- a dashed line\nExpires: 2027-09-01T00:00:00Z\n";
        let signed = k.clear_sign(text, datetime!(2027-03-02 10:00 UTC)).unwrap();
        assert!(signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n"));
        let got = verify_clear_signed(&k.public_armored().unwrap(), &signed).unwrap();
        assert!(
            got.contains("Contact: mailto:security@acme.example"),
            "{got}"
        );
        let forged = signed.replace("acme.example\n", "evil.example\n");
        assert!(verify_clear_signed(&k.public_armored().unwrap(), &forged).is_err());
    }
}
