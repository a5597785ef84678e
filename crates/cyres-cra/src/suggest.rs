//! Free-text suggestion of catalogue entries (`cyres classify --describe "…"`).
//!
//! A suggestion, never a classification: the CRA classifies by *core functionality* (Art. 7(1),
//! 8(1)) and by the technical descriptions of Implementing Regulation (EU) 2025/2392, which a
//! sentence cannot settle. Every result therefore carries a label saying a person must confirm it.
//!
//! Precision over recall. A false "critical" or "important" sends a manufacturer to a notified
//! body for nothing; a miss is caught by the person confirming. So:
//! - phrases match whole words only (`tv` does not match `tvoc`), case-insensitively, with all
//!   punctuation read as a space (`Wi-Fi` = `wi fi`) and an `s`/`es` plural allowed on the last
//!   word;
//! - generic words that say nothing alone (`processor`, `toy`, `smartwatch`) are *qualified
//!   keywords*: they count only when one of the entry's qualifiers also occurs (`secure boot`,
//!   `internet`, `heart rate`);
//! - a *negative keyword* drops its entry (`tv` drops "browser", `cnc router` drops "router",
//!   `built-in firewall` drops "firewall": an integrated component does not make the host
//!   important, Art. 7(1));
//! - a product that could be important or critical never silently falls to "default": every
//!   matched entry *and* every entry a negative keyword ruled out becomes a question for a person
//!   ([`Suggestions::questions`]) with the technical description of Implementing Regulation (EU)
//!   2025/2392 it has to be checked against; only a description that touches no entry at all
//!   reads "default", and even then the person is asked to check the Annex III/IV descriptions.
//!
//! Scoring is deterministic: a keyword gives 0.80, a qualified keyword with its qualifier 0.70, a
//! synonym 0.55; a trigger in the *head* of the description (before the first "with", "that",
//! "including"…) adds 0.05, because the head usually names the product and the rest its
//! features; each further distinct trigger adds 0.10; the total is capped at 0.99. Ties are
//! broken by category (the more demanding first) then by annex order.

use crate::catalogue::{Catalogue, Entry};
use crate::category::Category;
use serde::Serialize;

/// The label every suggestion output carries.
pub const SUGGESTION_LABEL: &str = "suggestion only: a person must confirm which entry, if any, \
     describes the product's core functionality (CRA Art. 7(1), Implementing Regulation (EU) \
     2025/2392)";

/// One proposed catalogue entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Catalogue id.
    pub id: String,
    /// Annex wording.
    pub title: String,
    /// The category the entry would give if it is the core functionality.
    pub category: Category,
    /// 0.0–0.99, two decimals.
    pub confidence: f64,
    /// `high` (≥ 0.80), `medium` (≥ 0.65) or `low`.
    pub strength: &'static str,
    /// The catalogue phrases found in the text (`microprocessor + secure boot` for a qualified
    /// keyword).
    pub triggers: Vec<String>,
}

/// An entry a negative keyword ruled out, kept so a person can see why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuledOut {
    /// Catalogue id.
    pub id: String,
    /// The phrase that matched the entry.
    pub matched: String,
    /// The negative keyword that dropped it.
    pub because: String,
}

/// The result of [`suggest`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestions {
    /// Always [`SUGGESTION_LABEL`].
    pub label: &'static str,
    /// The description given.
    pub input: String,
    /// Catalogue version used.
    pub catalogue_version: String,
    /// Proposed entries, best first.
    pub suggestions: Vec<Suggestion>,
    /// The category of the best-supported entries, `default` when none matched.
    pub suggested_category: Category,
    /// One line for people: what to conclude, pending confirmation.
    pub verdict: String,
    /// Entries whose keywords occurred but a negative keyword ruled out.
    pub ruled_out: Vec<RuledOut>,
    /// True whenever any entry matched or was ruled out: the outcome depends on a person's
    /// answer, never on the suggester alone.
    pub needs_confirmation: bool,
    /// One question per candidate entry, with its reason and where its technical description is.
    pub questions: Vec<String>,
}

/// Lower-cases `text` and splits it into words of letters and digits.
pub fn tokenize(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Where `phrase` first occurs in `words` on word boundaries (plural allowed on its last word).
fn find_phrase(words: &[String], phrase: &str) -> Option<usize> {
    let needle = tokenize(phrase);
    if needle.is_empty() || needle.len() > words.len() {
        return None;
    }
    words.windows(needle.len()).position(|window| {
        window.iter().zip(&needle).enumerate().all(|(i, (w, n))| {
            w == n
                || (i + 1 == needle.len()
                    && (w.strip_suffix('s') == Some(n) || w.strip_suffix("es") == Some(n)))
        })
    })
}

/// True if `phrase` occurs in `words`.
fn contains_phrase(words: &[String], phrase: &str) -> bool {
    find_phrase(words, phrase).is_some()
}

/// Words that end the head of a description: what follows describes features, which are often
/// integrated components rather than the core functionality ("router *with* VPN").
const FEATURE_MARKERS: &[&str] = &[
    "with",
    "that",
    "which",
    "including",
    "featuring",
    "plus",
    "from",
    "using",
    "via",
    "over",
];

/// Number of leading words before the first feature marker.
fn head_length(words: &[String]) -> usize {
    words
        .iter()
        .position(|w| FEATURE_MARKERS.contains(&w.as_str()))
        .unwrap_or(words.len())
}

fn first_hit<'a>(words: &[String], phrases: &'a [String]) -> Option<&'a String> {
    phrases.iter().find(|p| contains_phrase(words, p))
}

/// Scores one entry; `Err` carries a ruled-out record, `Ok(None)` means nothing matched.
fn score(words: &[String], entry: &Entry) -> Result<Option<Suggestion>, RuledOut> {
    let head = head_length(words);
    let mut triggers: Vec<String> = Vec::new();
    let mut best: f64 = 0.0;
    let mut in_head = false;
    let mut hit = |at: usize, label: String, weight: f64, best: &mut f64| {
        in_head |= at < head;
        triggers.push(label);
        *best = best.max(weight);
    };
    for k in &entry.keywords {
        if let Some(at) = find_phrase(words, k) {
            hit(at, k.clone(), 0.80, &mut best);
        }
    }
    if let Some(q) = first_hit(words, &entry.qualifiers) {
        for k in &entry.qualified_keywords {
            if let Some(at) = find_phrase(words, k) {
                hit(at, format!("{k} + {q}"), 0.70, &mut best);
            }
        }
    }
    for s in &entry.synonyms {
        if let Some(at) = find_phrase(words, s) {
            hit(at, s.clone(), 0.55, &mut best);
        }
    }
    if in_head {
        best += 0.05;
    }
    if triggers.is_empty() {
        return Ok(None);
    }
    if let Some(neg) = first_hit(words, &entry.negative_keywords) {
        return Err(RuledOut {
            id: entry.id.clone(),
            matched: triggers[0].clone(),
            because: neg.clone(),
        });
    }
    let extra = (triggers.len() - 1) as f64 * 0.10;
    let confidence = ((best + extra).min(0.99) * 100.0).round() / 100.0;
    let strength = if confidence >= 0.80 {
        "high"
    } else if confidence >= 0.65 {
        "medium"
    } else {
        "low"
    };
    Ok(Some(Suggestion {
        id: entry.id.clone(),
        title: entry.title.clone(),
        category: entry.category,
        confidence,
        strength,
        triggers,
    }))
}

/// Proposes catalogue entries for a free-text product description, best first.
pub fn suggest(description: &str, catalogue: &Catalogue) -> Suggestions {
    let words = tokenize(description);
    let mut suggestions = Vec::new();
    let mut ruled_out = Vec::new();
    for entry in &catalogue.entries {
        match score(&words, entry) {
            Ok(Some(s)) => suggestions.push(s),
            Ok(None) => {}
            Err(r) => ruled_out.push(r),
        }
    }
    // Entries are already in annex order, and the sort is stable.
    suggestions.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(b.category.cmp(&a.category))
    });
    let suggested_category = suggestions
        .first()
        .map(|top| {
            suggestions
                .iter()
                .filter(|s| s.confidence >= top.confidence - 0.15)
                .map(|s| s.category)
                .max()
                .unwrap_or(top.category)
        })
        .unwrap_or(Category::Default);
    let describe = |id: &str| {
        catalogue.get(id).map_or(String::new(), |e| {
            format!(
                " [{}: {}]",
                e.implementing_source,
                e.technical_description.as_deref().unwrap_or(&e.description)
            )
        })
    };
    let mut questions: Vec<String> = suggestions
        .iter()
        .map(|s| {
            format!(
                "Is {} ({}, {}) the product's core functionality? Matched: {}.{}",
                s.id,
                s.title,
                s.category,
                s.triggers.join(", "),
                describe(&s.id)
            )
        })
        .collect();
    for r in &ruled_out {
        let category = catalogue
            .get(&r.id)
            .map_or(Category::Default, |e| e.category);
        questions.push(format!(
            "Ruled out only because the text says {:?}: confirm that {} ({category}) is not the core functionality (it matched {:?}).{}",
            r.because,
            r.id,
            r.matched,
            describe(&r.id)
        ));
    }
    let verdict = match suggestions.first() {
        None if ruled_out.is_empty() => "default (no entry matched); check the Annex III and IV technical descriptions (Implementing Regulation (EU) 2025/2392) before relying on it".to_string(),
        None => format!(
            "undecided: no entry kept, but {} candidate(s) were ruled out by wording only ({}); a person must answer the questions before the product is treated as default",
            ruled_out.len(),
            ruled_out.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ")
        ),
        Some(top) => format!(
            "{suggested_category} if {} ({}) is the product's core functionality; to be confirmed by a person",
            top.id,
            top.triggers.join(", ")
        ),
    };
    let needs_confirmation = !suggestions.is_empty() || !ruled_out.is_empty();
    Suggestions {
        label: SUGGESTION_LABEL,
        input: description.to_string(),
        catalogue_version: catalogue.version.id.clone(),
        suggestions,
        suggested_category,
        verdict,
        ruled_out,
        needs_confirmation,
        questions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(t: &str) -> Vec<String> {
        tokenize(t)
    }

    #[test]
    fn word_boundaries_and_plurals() {
        assert!(contains_phrase(&w("Wi-Fi 6 Router"), "router"));
        assert!(contains_phrase(&w("two routers"), "router"));
        assert!(contains_phrase(&w("network switches"), "network switch"));
        assert!(contains_phrase(&w("a USB Wi-Fi adapter"), "wi fi adapter"));
        assert!(!contains_phrase(&w("a TVOC sensor"), "tv"));
        assert!(!contains_phrase(&w("routerless"), "router"));
        assert!(!contains_phrase(&w("firewalled"), "firewall"));
        assert!(!contains_phrase(&w("card"), "car"));
    }
}
