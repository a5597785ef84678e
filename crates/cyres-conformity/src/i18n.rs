//! The fixed sentences of the declarations, one translation file per language.
//!
//! CRA Art. 28(2): the EU declaration of conformity is translated into the language or languages
//! required by the member state where the product is placed or made available. The sentences
//! live in `translations/<code>.toml` (ISO 639-1 code), embedded with `include_str!`, so adding a
//! language is one file and one line in [`LANGUAGES`]; a test checks that every file carries
//! every key of the English file with the same `{placeholders}`.
//!
//! [`official_languages`] lists each member state's official EU languages as the default
//! suggestion; which of them a member state actually requires is its own decision (Art. 28(2)),
//! so the list errs towards more languages.

use crate::ConformityError;
use cyres_cra::MemberState;
use std::collections::BTreeMap;

/// The embedded translation files: (ISO 639-1 code, TOML text).
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", include_str!("../translations/en.toml")),
    ("de", include_str!("../translations/de.toml")),
    ("fr", include_str!("../translations/fr.toml")),
];

/// The fixed sentences of one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translations {
    code: String,
    texts: BTreeMap<String, String>,
}

impl Translations {
    /// Loads an embedded language by code (`de`).
    pub fn get(code: &str) -> Result<Translations, ConformityError> {
        let code = code.trim().to_ascii_lowercase();
        let text = LANGUAGES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, t)| *t)
            .ok_or_else(|| ConformityError::Language {
                code: code.clone(),
                message: format!(
                    "no translation file; available: {}",
                    available().collect::<Vec<_>>().join(", ")
                ),
            })?;
        Translations::parse(&code, text)
    }

    /// Parses a translation file and checks it against English: same keys, same placeholders.
    pub fn parse(code: &str, text: &str) -> Result<Translations, ConformityError> {
        let fail = |message: String| ConformityError::Language {
            code: code.to_string(),
            message,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| fail(e.to_string()))?;
        let mut texts = BTreeMap::new();
        for (k, v) in table {
            let v = v
                .as_str()
                .ok_or_else(|| fail(format!("{k} is not a string")))?;
            texts.insert(k, v.to_string());
        }
        let t = Translations {
            code: code.to_string(),
            texts,
        };
        if code != "en" {
            let en = Translations::get("en")?;
            for (k, v) in &en.texts {
                let other = t
                    .texts
                    .get(k)
                    .ok_or_else(|| fail(format!("missing sentence {k}")))?;
                if placeholders(v) != placeholders(other) {
                    return Err(fail(format!("{k}: placeholders differ from English")));
                }
            }
            if let Some(extra) = t.texts.keys().find(|k| !en.texts.contains_key(*k)) {
                return Err(fail(format!("unknown sentence {extra}")));
            }
        }
        Ok(t)
    }

    /// The language code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// A sentence by key; a missing key (a bug, the files are checked) shows the key itself.
    pub fn text(&self, key: &str) -> String {
        self.texts
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("[{key}]"))
    }

    /// A sentence with `{name}` placeholders filled in.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut s = self.text(key);
        for (name, value) in values {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
}

fn placeholders(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(name, _)| name))
        .collect();
    out.sort_unstable();
    out
}

/// The codes of the embedded languages.
pub fn available() -> impl Iterator<Item = &'static str> {
    LANGUAGES.iter().map(|(c, _)| *c)
}

/// The official EU languages of a member state (ISO 639-1), the default suggestion for the
/// declaration's languages (CRA Art. 28(2)).
pub fn official_languages(state: MemberState) -> &'static [&'static str] {
    match state.code() {
        "AT" | "DE" => &["de"],
        "BE" => &["nl", "fr", "de"],
        "BG" => &["bg"],
        "CY" | "GR" => &["el"],
        "CZ" => &["cs"],
        "DK" => &["da"],
        "EE" => &["et"],
        "ES" => &["es"],
        "FI" => &["fi", "sv"],
        "FR" => &["fr"],
        "HR" => &["hr"],
        "HU" => &["hu"],
        "IE" => &["en", "ga"],
        "IT" => &["it"],
        "LT" => &["lt"],
        "LU" => &["fr", "de"],
        "LV" => &["lv"],
        "MT" => &["mt", "en"],
        "NL" => &["nl"],
        "PL" => &["pl"],
        "PT" => &["pt"],
        "RO" => &["ro"],
        "SE" => &["sv"],
        "SI" => &["sl"],
        "SK" => &["sk"],
        _ => &[],
    }
}

/// The languages the member states suggest, deduplicated in first-seen order, split into those
/// with a translation file and those without.
pub fn languages_for(states: &[MemberState]) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut all: Vec<&'static str> = Vec::new();
    for s in states {
        for l in official_languages(*s) {
            if !all.contains(l) {
                all.push(l);
            }
        }
    }
    all.into_iter().partition(|l| available().any(|a| a == *l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_matches_english() {
        let en = Translations::get("en").unwrap();
        for (code, _) in LANGUAGES {
            let t = Translations::get(code).unwrap();
            for key in en.texts.keys() {
                assert!(!t.text(key).trim().is_empty(), "{code}:{key}");
            }
        }
        assert_eq!(
            placeholders(&en.text("simplified_text")),
            vec!["manufacturer", "type", "url"]
        );
        let err = Translations::parse("xx", "title = \"T\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing sentence"), "{err}");
        let err = Translations::get("pt").unwrap_err().to_string();
        assert!(err.contains("en, de, fr"), "{err}");
        assert!(
            Translations::get("de")
                .unwrap()
                .text("title")
                .contains("Konformitätserklärung")
        );
    }

    #[test]
    fn member_states_suggest_languages() {
        let states: Vec<MemberState> = ["DE", "AT", "BE", "PL"]
            .iter()
            .map(|c| MemberState::from_code(c).unwrap())
            .collect();
        let (have, missing) = languages_for(&states);
        assert_eq!(have, vec!["de", "fr"]);
        assert_eq!(missing, vec!["nl", "pl"]);
    }
}
