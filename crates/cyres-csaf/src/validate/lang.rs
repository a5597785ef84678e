//! Test 6.1.12 Language: `lang` and `source_lang` are valid language tags (BCP 47, the
//! `lang_t` of section 3.1.4) whose language subtag exists.
//!
//! The two-letter subtags are checked against ISO 639-1 (every two-letter language subtag in
//! the IANA registry is one); three-letter and longer subtags are only checked for form, since
//! cyres carries no copy of ISO 639-2/3.

use super::Report;
use crate::model::Document;

/// ISO 639-1, as registered in the IANA language subtag registry.
const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "in", "io", "is", "it", "iu", "iw", "ja", "ji", "jv", "jw",
    "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la",
    "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mo", "mr",
    "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj",
    "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc",
    "sd", "se", "sg", "sh", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv",
    "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug",
    "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// Why `tag` is not a valid, existing language tag; `None` when it is.
pub(super) fn language_tag_problem(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    if lower == "i-default" || lower == "i-mingo" {
        return None; // grandfathered tags the `lang_t` pattern names
    }
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or("");
    if primary == "x" {
        return (parts.clone().count() == 0 || parts.any(|p| p.is_empty() || p.len() > 8))
            .then(|| format!("{tag:?} is not a valid private-use tag"));
    }
    if !primary.bytes().all(|b| b.is_ascii_alphabetic())
        || !(2..=8).contains(&primary.len())
        || primary.len() == 4
    {
        return Some(format!("{tag:?} does not start with a language subtag"));
    }
    if primary.len() == 2 && ISO_639_1.binary_search(&primary).is_err() {
        return Some(format!(
            "language subtag {primary:?} of {tag:?} does not exist"
        ));
    }
    // Remaining subtags: 1–8 alphanumerics each, as BCP 47's grammar allows.
    if lower
        .split('-')
        .skip(1)
        .any(|p| p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Some(format!("{tag:?} is not a well-formed language tag"));
    }
    None
}

pub(crate) fn languages(doc: &Document, r: &mut Report) {
    let d = &doc.document;
    for (name, value) in [("lang", &d.lang), ("source_lang", &d.source_lang)] {
        if let Some(tag) = value
            && let Some(problem) = language_tag_problem(tag)
        {
            r.fail("6.1.12", format!("/document/{name}"), problem);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        assert!(ISO_639_1.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn tags() {
        for ok in [
            "en",
            "de-DE",
            "en-US",
            "zh-Hant-TW",
            "gsw",
            "i-default",
            "x-private",
        ] {
            assert_eq!(language_tag_problem(ok), None, "{ok}");
        }
        for bad in ["EZ", "", "e", "en-", "1a", "en-toolongsubtag"] {
            assert!(language_tag_problem(bad).is_some(), "{bad}");
        }
    }
}
