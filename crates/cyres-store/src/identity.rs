//! The one spelling of an identity: how an e-mail address and an organisation name are
//! normalised before they are compared, stored as a key, or used to throttle logins.
//!
//! Two spellings that a person reads as the same (`Alice@Example.com `, `ａｌｉｃｅ@example.com`,
//! `ACME GmbH`, `Acme  GmbH`, `Acme\u{200B}GmbH`) must be one identity everywhere: the account
//! lookup, the login throttle, account creation, invitations, organisation uniqueness. Each is
//! therefore made by exactly one function here:
//!
//! - [`normalize_email`]: trimmed, Unicode NFKC (compatibility forms folded: full-width
//!   letters, ligatures), lower-cased, NFKC again (lower-casing can leave a non-normalised
//!   sequence, `İ` → `i̇`), default-ignorable format characters removed.
//! - [`org_name_key`]: the same folding for organisation names, with runs of white space
//!   collapsed to one space; the unique index on `organisation.name_key` holds it.
//! - [`slug_base`]: the URL slug an organisation gets once (`Müller & Söhne GmbH` →
//!   `muller-sohne-gmbh`): ASCII letters and digits of the decomposed key, other runs as `-`.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longest slug kept (a suffix like `-12` may follow).
pub const SLUG_MAX: usize = 60;

/// Characters invisible in print that would let two spellings look alike: zero-width space,
/// joiners and marks, word joiner and invisible operators, byte-order mark, soft hyphen,
/// combining grapheme joiner, Mongolian vowel separator (Unicode `Default_Ignorable` in
/// general category Cf/Mn that NFKC keeps).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
    )
}

/// NFKC, lower case, NFKC, without invisible characters.
fn fold(s: &str) -> String {
    let once: String = s.nfkc().filter(|c| !is_invisible(*c)).collect();
    once.to_lowercase()
        .nfkc()
        .filter(|c| !is_invisible(*c))
        .collect()
}

/// The normalised form of an e-mail address: used for lookup, storage, invitations and the
/// login throttle alike, so that no spelling reaches another account or escapes the throttle.
pub fn normalize_email(raw: &str) -> String {
    fold(raw.trim()).trim().to_string()
}

/// The uniqueness key of an organisation name: folded like [`normalize_email`], white space
/// runs collapsed to one space.
pub fn org_name_key(name: &str) -> String {
    fold(name).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The slug an organisation name suggests: lower-case ASCII letters and digits, other runs as
/// one `-`, at most [`SLUG_MAX`] characters; `org` when nothing is left (a name in a script
/// without Latin letters). Uniqueness suffixes are the store's business.
pub fn slug_base(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in org_name_key(name).nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_alphanumeric() {
            let sep = dash && !out.is_empty();
            if out.len() + usize::from(sep) + 1 > SLUG_MAX {
                break;
            }
            if sep {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    if out.is_empty() { "org".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_fold_case_width_and_space() {
        for spelling in [
            "alice@example.com",
            "  Alice@Example.COM\t",
            "ＡＬＩＣＥ@ｅｘａｍｐｌｅ.com",
            "ali\u{200B}ce@example.com",
        ] {
            assert_eq!(
                normalize_email(spelling),
                "alice@example.com",
                "{spelling:?}"
            );
        }
        assert_ne!(
            normalize_email("alice@example.com"),
            normalize_email("alise@example.com")
        );
        // Idempotent: a stored value normalises to itself.
        let once = normalize_email("İstanbul@Example.com");
        assert_eq!(normalize_email(&once), once);
    }

    #[test]
    fn org_names_collide_after_folding() {
        let key = org_name_key("Acme GmbH");
        for spelling in [
            "ACME GMBH",
            " acme   gmbh ",
            "Ａｃｍｅ GmbH",
            "Acme\u{200D} GmbH",
        ] {
            assert_eq!(org_name_key(spelling), key, "{spelling:?}");
        }
        assert_ne!(org_name_key("Acme AG"), key);
    }

    #[test]
    fn slugs_are_ascii_and_never_empty() {
        assert_eq!(slug_base("Müller & Söhne GmbH"), "muller-sohne-gmbh");
        assert_eq!(slug_base("  --Acme--  "), "acme");
        assert_eq!(slug_base("ＢＳＩ (DE)"), "bsi-de");
        assert_eq!(slug_base("Ромашка"), "org");
        assert!(slug_base(&"a b ".repeat(100)).len() <= SLUG_MAX);
    }
}
