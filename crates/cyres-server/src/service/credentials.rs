//! Credentials: random secrets (32 random bytes from aws-lc-rs, base64url), their SHA-256 for
//! storage, API token secrets, argon2id password hashing, and the password rule. Used by the
//! service layer (members, tokens, webhooks, subscribers) and the HTTP authentication alike.

use super::ServiceError;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use cyres_store::normalize_email;

/// Prefix of API tokens (lets secret scanners recognise them).
pub(crate) const TOKEN_PREFIX: &str = "cyres_";

/// 32 random bytes, base64url without padding.
pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("system randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex.
pub(crate) fn secret_hash(secret: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, secret.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id (blocking; call through `spawn_blocking`).
pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::internal(format!("argon2: {e}")))
}

/// Checks a password against a stored PHC string (blocking).
pub(crate) fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Shortest password accepted.
pub(crate) const PASSWORD_MIN: usize = 12;

/// How many leading characters of a password the strength estimator reads.
const ESTIMATE_CHARS: usize = 40;

/// The password rule, NIST SP 800-63B §5.1.1.2 ("memorized secret verifiers"): at least
/// `PASSWORD_MIN` (12) and at most 1024 characters, no composition rules, and a check against
/// values that are commonly used, expected or context-specific:
///
/// - not containing the local part of the account's e-mail or the display name (or a word of
///   it four letters or longer), compared case-insensitively;
/// - not guessable: the `zxcvbn` estimator (Dropbox's algorithm, whose dictionaries carry the
///   30,000 most common passwords of leaked sets, English words, names, and keyboard, date,
///   sequence and repeat patterns) must estimate at least 10^8 guesses (its score 3, "safely
///   unguessable: moderate protection from offline slow-hash scenario"). A crate rather than a
///   shipped list because it also catches `Password1234!`-style variants of common words,
///   which an exact-match list misses.
///
/// `email` and `display_name` are what the request gave, never read from a stored account, so
/// the answer cannot tell whether an address has an account.
pub fn check_password(password: &str, email: &str, display_name: &str) -> Result<(), ServiceError> {
    let fail = |why: String| {
        Err(ServiceError::invalid(
            "password",
            format!("password: {why}"),
        ))
    };
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return fail(format!("at least {PASSWORD_MIN} characters"));
    }
    if n > 1024 {
        return fail("at most 1024 characters".into());
    }
    // Compared on letters and digits only, so `Jane.Doe` is found in `janedoe-77` too.
    let alnum = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let folded = alnum(&normalize_email(password));
    let email = normalize_email(email);
    let local = email.split('@').next().unwrap_or_default();
    let name = normalize_email(display_name);
    // The whole local part or name (3+ letters), or any word of it of 4+ letters.
    let pieces = |s: &str| -> Vec<String> {
        let words = s.split(|c: char| !c.is_alphanumeric()).map(alnum);
        let mut v: Vec<String> = words.filter(|w| w.chars().count() >= 4).collect();
        let whole = alnum(s);
        if whole.chars().count() >= 3 {
            v.push(whole);
        }
        v
    };
    if let Some(p) = pieces(local)
        .into_iter()
        .find(|p| folded.contains(p.as_str()))
    {
        return fail(format!(
            "must not contain the e-mail address's name part ({p:?}); a password made of it is the first an attacker tries"
        ));
    }
    if let Some(p) = pieces(&name)
        .into_iter()
        .find(|p| folded.contains(p.as_str()))
    {
        return fail(format!(
            "must not contain the display name ({p:?}); a password made of it is the first an attacker tries"
        ));
    }
    // The estimator's cost grows steeply with length (measured in a debug build: 36 ms for 32
    // adversarial characters, 0.9 s for 64, 16 s for 120), so it sees a prefix: a password
    // whose first 40 characters are hard to guess is hard to guess.
    let sample: String = password.chars().take(ESTIMATE_CHARS).collect();
    let estimate = zxcvbn::zxcvbn(&sample, &[&email, local, &name]);
    if estimate.score() < zxcvbn::Score::Three {
        let why = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        return fail(format!(
            "too easy to guess{why}: common passwords, words and names with small changes, \
             keyboard patterns, dates and repeats are refused (NIST SP 800-63B 5.1.1.2); \
             a few unrelated words make a strong password"
        ));
    }
    Ok(())
}
