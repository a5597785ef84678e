//! The catalogue of important (Annex III) and critical (Annex IV) product categories, as
//! versioned data.
//!
//! The lists change by delegated act: Annex III under CRA Art. 7(3), Annex IV under Art. 8(1).
//! So the lists are data, not code: the built-in list (`data/catalogue-2024-2847.toml`, the
//! Regulation as published, with descriptions guided by Implementing Regulation (EU) 2025/2392
//! under Art. 7(4)) is embedded in the binary, and a newer list can be loaded from a file. Both go
//! through the same validator, so a file that loads is as trustworthy in shape as the built-in
//! one.
//!
//! Validation rules:
//! - the `[version]` block names the version id, the legal act, its publication date and the
//!   source of the technical descriptions (the version stamp shown with every result);
//! - every id has the form `annex3-class1-N`, `annex3-class2-N` or `annex4-N` (N ≥ 1, no leading
//!   zero), ids are unique and each group is numbered 1, 2, 3… without gaps, like the annexes;
//! - title, description and legal source are non-empty; each entry has at least one keyword,
//!   synonym or qualified keyword; qualified keywords come with qualifiers;
//! - `mandatory_certification` (the Art. 8(1) delegated act that makes a European certificate
//!   mandatory) only appears on Annex IV entries;
//! - `technical_description`, `examples` and `exclusions` carry the category's technical
//!   description under CRA Art. 7(4), Implementing Regulation (EU) 2025/2392 (OJ L, 2025/2392,
//!   1.12.2025), Annex I for Annex III and Annex II for Annex IV; the built-in list has one for
//!   every entry, a file may leave them out (older lists) and is then shown without;
//! - `certification_delegated_acts` in `[version]` lists the delegated acts under CRA Art. 27(9)
//!   that name a European cybersecurity certification scheme usable for conformity; while it is
//!   empty the scheme route is shown as "not yet available" (Art. 27(9), 32(1)(d), 32(3)(c)).

use crate::category::Category;
use crate::input::{Syntax, to_json_value};
use crate::{CraError, calendar};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

/// The built-in catalogue source text.
const BUILTIN: &str = include_str!("../data/catalogue-2024-2847.toml");

/// The version stamp of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueVersion {
    /// Version id (`2024-2847` for the list as published).
    pub id: String,
    /// The legal act the lists come from, with any amendments.
    pub legal_act: String,
    /// Publication date of the last act reflected.
    #[serde(with = "calendar::iso_date")]
    pub published: Date,
    /// Where the technical descriptions come from.
    pub technical_descriptions: String,
    /// Delegated acts amending Annex III or IV reflected in this version.
    pub amended_by: Vec<String>,
    /// Delegated acts under CRA Art. 27(9) specifying a European cybersecurity certification
    /// scheme that can demonstrate conformity. Empty: no scheme route is available yet.
    pub certification_delegated_acts: Vec<String>,
    /// Free-text note.
    pub note: Option<String>,
    /// `builtin` or the file the catalogue was loaded from.
    pub source: String,
}

/// One Annex III or Annex IV entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Stable id following the annex numbering (`annex3-class1-12`).
    pub id: String,
    /// The category this entry puts a product in when it is the product's core functionality.
    pub category: Category,
    /// The point number within its annex group.
    pub number: u32,
    /// The annex wording.
    pub title: String,
    /// A short technical description in cyres' own words.
    pub description: String,
    /// Phrases that on their own point to this entry.
    pub keywords: Vec<String>,
    /// Weaker phrases that point to this entry.
    pub synonyms: Vec<String>,
    /// Phrases that point to this entry only together with a qualifier.
    pub qualified_keywords: Vec<String>,
    /// Phrases that make a qualified keyword count.
    pub qualifiers: Vec<String>,
    /// Phrases that rule this entry out of a free-text suggestion.
    pub negative_keywords: Vec<String>,
    /// The legal source (`Regulation (EU) 2024/2847, Annex III, class I, point 12`).
    pub legal_source: String,
    /// The technical description of the category (CRA Art. 7(4), Implementing Regulation (EU)
    /// 2025/2392), paraphrased: its scope.
    pub technical_description: Option<String>,
    /// The implementing regulation's examples ("includes but is not limited to").
    pub examples: Vec<String>,
    /// What the implementing regulation (or its recitals) places outside the category.
    pub exclusions: Vec<String>,
    /// Where the technical description is: `Implementing Regulation (EU) 2025/2392, Annex I,
    /// class I, point 12` (derived from the id).
    pub implementing_source: String,
    /// For Annex IV: the delegated act under Art. 8(1) that requires a European cybersecurity
    /// certificate, if one applies in this catalogue version.
    pub mandatory_certification: Option<String>,
}

/// A validated, version-stamped catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    /// The version stamp.
    pub version: CatalogueVersion,
    /// Entries ordered class I, class II, Annex IV, then by number.
    pub entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    version: Option<RawVersion>,
    #[serde(default)]
    entry: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    id: Option<String>,
    legal_act: Option<String>,
    published: Option<String>,
    technical_descriptions: Option<String>,
    #[serde(default)]
    amended_by: Vec<String>,
    #[serde(default)]
    certification_delegated_acts: Vec<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    synonyms: Vec<String>,
    #[serde(default)]
    qualified_keywords: Vec<String>,
    #[serde(default)]
    qualifiers: Vec<String>,
    #[serde(default)]
    negative_keywords: Vec<String>,
    legal_source: Option<String>,
    mandatory_certification: Option<String>,
    technical_description: Option<String>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    exclusions: Vec<String>,
}

/// Splits an id into its category and point number, or `None` if it breaks the pattern.
pub fn parse_id(id: &str) -> Option<(Category, u32)> {
    let (category, number) = if let Some(n) = id.strip_prefix("annex3-class1-") {
        (Category::ImportantClass1, n)
    } else if let Some(n) = id.strip_prefix("annex3-class2-") {
        (Category::ImportantClass2, n)
    } else if let Some(n) = id.strip_prefix("annex4-") {
        (Category::Critical, n)
    } else {
        return None;
    };
    if number.is_empty() || number.starts_with('0') || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok().map(|n| (category, n))
}

impl Catalogue {
    /// The catalogue embedded in the binary: Regulation (EU) 2024/2847 as published.
    pub fn builtin() -> Catalogue {
        // The built-in data is checked by `builtin_loads_and_has_26_entries`; a failure here is a
        // build defect, not bad user input.
        Catalogue::parse(BUILTIN, Syntax::Toml, "builtin")
            .expect("the built-in catalogue is validated by the test suite")
    }

    /// Parses and validates a catalogue; `source_name` is stamped into the version (`builtin` or
    /// a file name). The syntax is guessed (JSON if it starts with `{`).
    pub fn from_str_named(text: &str, source_name: &str) -> Result<Catalogue, CraError> {
        Catalogue::parse(text, Syntax::sniff(text), source_name)
    }

    /// Parses and validates a catalogue in the given syntax.
    pub fn parse(text: &str, syntax: Syntax, source_name: &str) -> Result<Catalogue, CraError> {
        let parse_err = |message: String| CraError::CatalogueParse {
            source_name: source_name.to_string(),
            format: syntax.name(),
            message,
        };
        let value = to_json_value(text, syntax).map_err(parse_err)?;
        let raw: RawCatalogue =
            serde_json::from_value(value).map_err(|e| parse_err(e.to_string()))?;
        validate(raw, source_name)
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Number of entries per category: (class I, class II, critical).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |c| self.entries.iter().filter(|e| e.category == c).count();
        (
            count(Category::ImportantClass1),
            count(Category::ImportantClass2),
            count(Category::Critical),
        )
    }
}

fn trimmed(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Where Implementing Regulation (EU) 2025/2392 describes a category: its Annex I holds the
/// Annex III classes, its Annex II the Annex IV categories, numbered as in the CRA (IR Art. 2).
pub fn implementing_source(category: Category, number: u32) -> String {
    let place = match category {
        Category::ImportantClass1 => "Annex I, class I",
        Category::ImportantClass2 => "Annex I, class II",
        Category::Critical | Category::Default => "Annex II",
    };
    format!("Implementing Regulation (EU) 2025/2392, {place}, point {number}")
}

fn validate(raw: RawCatalogue, source_name: &str) -> Result<Catalogue, CraError> {
    let invalid = |problem: String| CraError::CatalogueInvalid {
        source_name: source_name.to_string(),
        problem,
    };
    let required = |value: Option<String>, what: &str| -> Result<String, CraError> {
        match value.map(|v| v.trim().to_string()) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(invalid(format!("{what} is missing or empty"))),
        }
    };

    let rv = raw
        .version
        .ok_or_else(|| invalid("the [version] block is missing".into()))?;
    let published_text = required(rv.published, "version.published")?;
    let published = calendar::iso_date::parse(&published_text)
        .map_err(|e| invalid(format!("version.published: {e}")))?;
    let version = CatalogueVersion {
        id: required(rv.id, "version.id")?,
        legal_act: required(rv.legal_act, "version.legal_act")?,
        published,
        technical_descriptions: required(
            rv.technical_descriptions,
            "version.technical_descriptions",
        )?,
        amended_by: rv.amended_by,
        certification_delegated_acts: rv
            .certification_delegated_acts
            .into_iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
        note: rv.note.filter(|n| !n.trim().is_empty()),
        source: source_name.to_string(),
    };

    if raw.entry.is_empty() {
        return Err(invalid("the catalogue has no entries".into()));
    }
    let mut entries = Vec::with_capacity(raw.entry.len());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (index, re) in raw.entry.into_iter().enumerate() {
        let id = required(re.id, &format!("entry #{} id", index + 1))?;
        let (category, number) = parse_id(&id).ok_or_else(|| {
            invalid(format!(
                "entry id {id:?} does not follow annex3-class1-N, annex3-class2-N or annex4-N"
            ))
        })?;
        if seen.insert(id.clone(), index).is_some() {
            return Err(invalid(format!("entry id {id:?} appears twice")));
        }
        let field = |v: Option<String>, name: &str| required(v, &format!("entry {id}: {name}"));
        let clean = |list: Vec<String>, name: &str| -> Result<Vec<String>, CraError> {
            list.into_iter()
                .map(|p| {
                    let p = p.trim().to_lowercase();
                    if crate::suggest::tokenize(&p).is_empty() {
                        Err(invalid(format!(
                            "entry {id}: {name} contains an empty phrase"
                        )))
                    } else {
                        Ok(p)
                    }
                })
                .collect()
        };
        let entry = Entry {
            title: field(re.title, "title")?,
            description: field(re.description, "description")?,
            legal_source: field(re.legal_source, "legal_source")?,
            keywords: clean(re.keywords, "keywords")?,
            synonyms: clean(re.synonyms, "synonyms")?,
            qualified_keywords: clean(re.qualified_keywords, "qualified_keywords")?,
            qualifiers: clean(re.qualifiers, "qualifiers")?,
            negative_keywords: clean(re.negative_keywords, "negative_keywords")?,
            mandatory_certification: re.mandatory_certification.filter(|m| !m.trim().is_empty()),
            technical_description: re
                .technical_description
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            examples: trimmed(re.examples),
            exclusions: trimmed(re.exclusions),
            implementing_source: implementing_source(category, number),
            id: id.clone(),
            category,
            number,
        };
        if entry.keywords.is_empty()
            && entry.synonyms.is_empty()
            && entry.qualified_keywords.is_empty()
        {
            return Err(invalid(format!(
                "entry {id}: no keywords, synonyms or qualified keywords"
            )));
        }
        if !entry.qualified_keywords.is_empty() && entry.qualifiers.is_empty() {
            return Err(invalid(format!(
                "entry {id}: qualified_keywords need qualifiers"
            )));
        }
        if entry.mandatory_certification.is_some() && category != Category::Critical {
            return Err(invalid(format!(
                "entry {id}: mandatory_certification (Art. 8(1)) only applies to Annex IV entries"
            )));
        }
        entries.push(entry);
    }

    entries.sort_by_key(|e| (e.category, e.number));
    for category in [
        Category::ImportantClass1,
        Category::ImportantClass2,
        Category::Critical,
    ] {
        for (expected, e) in (1u32..).zip(entries.iter().filter(|e| e.category == category)) {
            if e.number != expected {
                return Err(invalid(format!(
                    "numbering gap in {category}: expected point {expected}, found {}",
                    e.id
                )));
            }
        }
    }
    Ok(Catalogue { version, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_and_has_26_entries() {
        let c = Catalogue::builtin();
        assert_eq!(c.counts(), (19, 4, 3));
        assert_eq!(c.version.id, "2024-2847");
        assert_eq!(c.version.source, "builtin");
        assert_eq!(
            calendar::iso_date::format(c.version.published),
            "2024-11-20"
        );
        assert!(c.version.technical_descriptions.contains("2025/2392"));
        for n in 1..=19 {
            assert!(c.get(&format!("annex3-class1-{n}")).is_some(), "class1-{n}");
        }
        for n in 1..=4 {
            assert!(c.get(&format!("annex3-class2-{n}")).is_some());
        }
        for n in 1..=3 {
            assert_eq!(
                c.get(&format!("annex4-{n}")).unwrap().category,
                Category::Critical
            );
        }
        assert!(
            c.get("annex3-class1-3")
                .unwrap()
                .title
                .contains("Password managers")
        );
        assert!(
            c.entries
                .iter()
                .all(|e| e.legal_source.contains("2024/2847"))
        );
        // CRA Art. 7(4): every category carries its IR 2025/2392 technical description.
        for e in &c.entries {
            assert!(e.technical_description.is_some(), "{}", e.id);
            assert!(!e.examples.is_empty(), "{}", e.id);
        }
        assert!(c.version.technical_descriptions.contains("OJ L, 2025/2392"));
        assert!(c.version.certification_delegated_acts.is_empty());
        let hsm = c.get("annex4-1").unwrap();
        assert_eq!(
            hsm.implementing_source,
            "Implementing Regulation (EU) 2025/2392, Annex II, point 1"
        );
        assert!(hsm.examples.iter().any(|e| e.contains("payment terminals")));
        assert!(hsm.examples.iter().any(|e| e.contains("tachographs")));
        assert_eq!(
            c.get("annex3-class2-2").unwrap().implementing_source,
            "Implementing Regulation (EU) 2025/2392, Annex I, class II, point 2"
        );
    }

    #[test]
    fn id_pattern() {
        assert_eq!(
            parse_id("annex3-class1-19"),
            Some((Category::ImportantClass1, 19))
        );
        assert_eq!(parse_id("annex4-3"), Some((Category::Critical, 3)));
        for bad in [
            "annex3-class1-0",
            "annex3-class1-01",
            "annex3-class3-1",
            "annex4-",
            "annex4-x",
            "Annex4-1",
        ] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }

    const MINIMAL: &str = r#"
[version]
id = "test"
legal_act = "x"
published = 2026-01-01
technical_descriptions = "y"
[[entry]]
id = "annex4-1"
title = "t"
description = "d"
keywords = ["k"]
legal_source = "s"
"#;

    fn broken(find: &str, replace: &str) -> String {
        let err = Catalogue::from_str_named(&MINIMAL.replacen(find, replace, 1), "f.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("f.toml"), "{err}");
        err
    }

    #[test]
    fn validator_rejects_bad_files() {
        assert!(Catalogue::from_str_named(MINIMAL, "f.toml").is_ok());
        assert!(broken("annex4-1", "annex4-2").contains("numbering gap"));
        assert!(broken("annex4-1", "annex5-1").contains("does not follow"));
        assert!(broken("title = \"t\"", "").contains("title"));
        assert!(broken("title = \"t\"", "title = \" \"").contains("title"));
        assert!(broken("id = \"test\"", "").contains("version.id"));
        assert!(broken("published = 2026-01-01", "published = \"soon\"").contains("published"));
        assert!(broken("keywords = [\"k\"]", "").contains("no keywords"));
        assert!(broken("keywords = [\"k\"]", "keywords = [\" - \"]").contains("empty phrase"));
        assert!(broken("legal_source", "legal_sauce").contains("unknown field"));
        assert!(broken("[version]", "[versio]").contains("unknown field"));
        let dup = format!(
            "{MINIMAL}\n[[entry]]\nid = \"annex4-1\"\ntitle = \"t\"\ndescription = \"d\"\nkeywords = [\"k\"]\nlegal_source = \"s\"\n"
        );
        let err = Catalogue::from_str_named(&dup, "f.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("twice"), "{err}");
        let cert = MINIMAL.replace("annex4-1", "annex3-class2-1")
            + "mandatory_certification = \"DR (EU) 2099/1\"\n";
        let err = Catalogue::from_str_named(&cert, "f.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("Annex IV"), "{err}");
        let err = Catalogue::from_str_named("{ not json", "f.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("JSON"), "{err}");
    }

    #[test]
    fn json_catalogue_round_trips_through_the_validator() {
        let c = Catalogue::builtin();
        let json = serde_json::json!({
            "version": {
                "id": "2027-test",
                "legal_act": "Regulation (EU) 2024/2847 as amended by a test act",
                "published": "2027-06-01",
                "technical_descriptions": "Implementing Regulation (EU) 2025/2392",
                "amended_by": ["Delegated Regulation (EU) 2027/0 (test)"]
            },
            "entry": c.entries.iter().map(|e| serde_json::json!({
                "id": e.id, "title": e.title, "description": e.description,
                "keywords": e.keywords, "synonyms": e.synonyms,
                "qualified_keywords": e.qualified_keywords, "qualifiers": e.qualifiers,
                "negative_keywords": e.negative_keywords, "legal_source": e.legal_source,
                "technical_description": e.technical_description,
                "examples": e.examples, "exclusions": e.exclusions,
            })).collect::<Vec<_>>()
        });
        let loaded = Catalogue::from_str_named(&json.to_string(), "new.json").unwrap();
        assert_eq!(loaded.entries, c.entries);
        assert_eq!(loaded.version.id, "2027-test");
        assert_eq!(loaded.version.source, "new.json");
        assert_eq!(loaded.version.amended_by.len(), 1);
    }
}
