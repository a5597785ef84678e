//! CVSS scoring and the qualitative rating shown next to every finding.
//!
//! - CVSS v2.0 and v3.0/v3.1 are scored by our own code ([`v2`], [`v3`]) because the `cvss`
//!   crate has no v3 temporal score and we want base, temporal and environmental scores to match
//!   the FIRST formulas exactly (checked against every vector in the kit).
//! - CVSS v4.0 is scored by the `cvss` crate (the FIRST macro-vector method), checked against the
//!   kit's 124,976 reference scores.
//!
//! The rating bands are the CVSS v3.1/v4.0 "Qualitative Severity Rating Scale" (v3.1 spec §5,
//! v4.0 spec §6): None 0.0, Low 0.1–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0. CVSS
//! v2 has no official "None"/"Critical" bands; NVD's v2 bands (Low 0–3.9, Medium 4–6.9, High
//! 7–10) are used for v2 vectors.

pub mod v2;
pub mod v3;

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The qualitative severity of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// No score and no rating known.
    Unknown,
    /// 0.0.
    None,
    /// 0.1–3.9.
    Low,
    /// 4.0–6.9.
    Medium,
    /// 7.0–8.9.
    High,
    /// 9.0–10.0.
    Critical,
}

impl Rating {
    /// The CVSS v3.1/v4.0 band for `score` (CVSS v3.1 spec §5, Table 14).
    pub fn from_score(score: f64) -> Self {
        if score < 0.1 {
            Self::None
        } else if score < 4.0 {
            Self::Low
        } else if score < 7.0 {
            Self::Medium
        } else if score < 9.0 {
            Self::High
        } else {
            Self::Critical
        }
    }

    /// The NVD band for a CVSS v2 score (v2 defines no None/Critical).
    pub fn from_v2_score(score: f64) -> Self {
        if score < 4.0 {
            Self::Low
        } else if score < 7.0 {
            Self::Medium
        } else {
            Self::High
        }
    }

    /// A GHSA `database_specific.severity` word (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`) or an
    /// equivalent (`medium`, `important`, …), case-insensitive.
    pub fn from_word(word: &str) -> Option<Self> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "none" => Self::None,
            "low" | "negligible" => Self::Low,
            "moderate" | "medium" => Self::Medium,
            "high" | "important" => Self::High,
            "critical" => Self::Critical,
            _ => return None,
        })
    }

    /// Lower-case name (`critical`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// The CVSS version of a vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CvssVersion {
    /// CVSS v2.0 (no prefix).
    V2,
    /// CVSS v3.0.
    V3_0,
    /// CVSS v3.1.
    V3_1,
    /// CVSS v4.0.
    V4,
}

/// Scores of one CVSS vector.
#[derive(Clone, Debug, PartialEq)]
pub struct CvssScores {
    /// The version.
    pub version: CvssVersion,
    /// The base score (v4: the score for the metrics present, CVSS-B/BT/BE/BTE).
    pub base: f64,
    /// The temporal score (v2, v3), when the crate of formulas defines one.
    pub temporal: Option<f64>,
    /// The environmental score (v2, v3).
    pub environmental: Option<f64>,
}

impl CvssScores {
    /// The rating of the base score in the version's bands.
    pub fn rating(&self) -> Rating {
        match self.version {
            CvssVersion::V2 => Rating::from_v2_score(self.base),
            _ => Rating::from_score(self.base),
        }
    }
}

/// Why a vector could not be scored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid CVSS vector {vector:?}: {reason}")]
pub struct CvssError {
    /// The vector.
    pub vector: String,
    /// What is wrong.
    pub reason: String,
}

/// Scores any CVSS vector: `CVSS:4.0/…`, `CVSS:3.1/…`, `CVSS:3.0/…`, or a bare v2 vector
/// (`AV:N/AC:L/Au:N/…`, optionally wrapped as `(AV:N/…)` or prefixed `CVSS:2.0/`).
pub fn score_vector(vector: &str) -> Result<CvssScores, CvssError> {
    let v = vector.trim();
    let err = |reason: &str| CvssError {
        vector: vector.to_string(),
        reason: reason.to_string(),
    };
    if v.starts_with("CVSS:4.0/") {
        let parsed = cvss::v4::Vector::from_str(v).map_err(|e| err(&e.to_string()))?;
        let base = parsed.score().value();
        Ok(CvssScores {
            version: CvssVersion::V4,
            base,
            temporal: None,
            environmental: None,
        })
    } else if let Some(rest) = v.strip_prefix("CVSS:3.1/") {
        v3::score(rest, v3::Minor::One).map_err(|r| err(&r))
    } else if let Some(rest) = v.strip_prefix("CVSS:3.0/") {
        v3::score(rest, v3::Minor::Zero).map_err(|r| err(&r))
    } else {
        let rest = v.strip_prefix("CVSS:2.0/").unwrap_or(v);
        let rest = rest.trim_start_matches('(').trim_end_matches(')');
        v2::score(rest).map_err(|r| err(&r))
    }
}

/// The severity shown with a finding: rating, score and the vector it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// The rating.
    pub rating: Rating,
    /// The base score, when a CVSS vector was available.
    pub score: Option<f64>,
    /// The vector the score came from.
    pub vector: Option<String>,
}

impl Severity {
    /// No information.
    pub fn unknown() -> Self {
        Self {
            rating: Rating::Unknown,
            score: None,
            vector: None,
        }
    }

    /// Picks the severity from the advisory's vectors and fallbacks. Preference: the newest
    /// CVSS version that scores (v4.0, then v3.1/v3.0, then v2), then a rating word (GHSA
    /// `database_specific.severity`). Unparseable vectors are skipped, never fatal.
    pub fn pick(vectors: &[&str], word: Option<&str>) -> Self {
        let mut best: Option<(CvssVersion, f64, &str)> = None;
        for v in vectors {
            if let Ok(s) = score_vector(v)
                && best.is_none_or(|(bv, _, _)| s.version > bv)
            {
                best = Some((s.version, s.base, v));
            }
        }
        if let Some((version, score, v)) = best {
            let scores = CvssScores {
                version,
                base: score,
                temporal: None,
                environmental: None,
            };
            return Self {
                rating: scores.rating(),
                score: Some(score),
                vector: Some(v.to_string()),
            };
        }
        match word.and_then(Rating::from_word) {
            Some(rating) => Self {
                rating,
                score: None,
                vector: None,
            },
            None => Self::unknown(),
        }
    }
}

impl Severity {
    /// An advisory's own severity: its CVSS vectors (top level, per affected package, and the
    /// `database_specific.cvss` some databases add), else its severity word ([`Severity::pick`]).
    pub fn of_advisory(a: &crate::advisory::Advisory) -> Self {
        let mut vectors: Vec<&str> = a.severity.iter().map(|s| s.score.as_str()).collect();
        for aff in &a.affected {
            vectors.extend(aff.severity.iter().map(|s| s.score.as_str()));
            vectors.extend(aff.database_specific.cvss.as_deref());
        }
        Self::pick(&vectors, a.database_specific.severity.as_deref())
    }
}

/// A severity a finding borrows from another record of the same flaw, and that record's id.
#[derive(Clone, Debug, PartialEq)]
pub struct Borrowed {
    /// The severity.
    pub severity: Severity,
    /// The id of the record it comes from (`GHSA-…`, `CVE-…`).
    pub source: String,
}

/// The severity of a flaw whose own records carry none (Go's `GO-…` and PyPA's `PYSEC-…`
/// records usually have no CVSS vector), taken from the other records of the flaw: its aliases
/// (GHSA, NVD's CVE record, …) as `(id, severity)`.
///
/// When several aliases carry one, **the highest wins** (rating, then score; equal ones by the
/// smaller id, so the answer does not depend on the order records were read in). Databases
/// score the same flaw differently (GHSA and NVD often disagree by a band); a triage order or
/// a gate that took the lower reading would let a flaw through that one source calls critical,
/// so the reading that protects users is the highest. Records without a rating lend nothing.
pub fn borrow<'a>(aliases: impl IntoIterator<Item = (&'a str, &'a Severity)>) -> Option<Borrowed> {
    let mut best: Option<(&str, &Severity)> = None;
    for (id, s) in aliases {
        if s.rating == Rating::Unknown {
            continue;
        }
        let better = match best {
            None => true,
            Some((bid, b)) => {
                let key = |s: &Severity| (s.rating, s.score.unwrap_or(-1.0));
                match key(s).partial_cmp(&key(b)) {
                    Some(std::cmp::Ordering::Greater) => true,
                    Some(std::cmp::Ordering::Equal) => id < bid,
                    _ => false,
                }
            }
        };
        if better {
            best = Some((id, s));
        }
    }
    best.map(|(id, s)| Borrowed {
        severity: s.clone(),
        source: id.to_string(),
    })
}

/// Splits `K:V/K:V` into pairs, refusing empty or duplicate keys.
pub(crate) fn metric_pairs(body: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut out: Vec<(&str, &str)> = Vec::with_capacity(16);
    for part in body.split('/') {
        let (k, v) = part
            .split_once(':')
            .ok_or_else(|| format!("component {part:?} has no ':'"))?;
        if k.is_empty() || v.is_empty() {
            return Err(format!("empty metric in {part:?}"));
        }
        if out.iter().any(|(ok, _)| *ok == k) {
            return Err(format!("metric {k} given twice"));
        }
        out.push((k, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_highest_alias_severity_is_borrowed_and_ties_go_to_the_smaller_id() {
        let sev = |r, s: Option<f64>| super::Severity {
            rating: r,
            score: s,
            vector: None,
        };
        let nvd = sev(Rating::Critical, Some(9.8));
        let ghsa = sev(Rating::High, Some(7.5));
        let word = sev(Rating::Critical, None);
        let none = super::Severity::unknown();
        let b = super::borrow([("GHSA-b", &ghsa), ("CVE-1", &nvd), ("X", &none)]).unwrap();
        assert_eq!((b.source.as_str(), b.severity.score), ("CVE-1", Some(9.8)));
        // A score outranks a bare word of the same rating; equal readings go to the smaller id.
        let b = super::borrow([("A", &word), ("B", &nvd), ("C", &nvd.clone())]).unwrap();
        assert_eq!(b.source, "B");
        assert_eq!(super::borrow([("X", &none)]), None);
    }

    use super::*;

    #[test]
    fn known_vectors_score() {
        let s = score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!(s.base, 9.8);
        assert_eq!(s.rating(), Rating::Critical);
        let s = score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
            .unwrap();
        assert_eq!(s.base, 9.3);
        let s = score_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P").unwrap();
        assert_eq!(s.base, 7.5);
        assert_eq!(s.rating(), Rating::High);
    }

    #[test]
    fn bad_vectors_are_errors_not_panics() {
        for v in [
            "",
            "CVSS:3.1/",
            "CVSS:3.1/AV:Q",
            "CVSS:4.0/AV:N",
            "AV:N/AV:N",
            "garbage",
        ] {
            assert!(score_vector(v).is_err(), "{v}");
        }
    }

    #[test]
    fn pick_prefers_newest_and_falls_back_to_word() {
        let s = Severity::pick(
            &[
                "AV:N/AC:L/Au:N/C:P/I:P/A:P",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            ],
            Some("LOW"),
        );
        assert_eq!(s.score, Some(7.5));
        assert_eq!(s.rating, Rating::High);
        assert!(s.vector.unwrap().starts_with("CVSS:3.1"));
        let s = Severity::pick(&["nonsense"], Some("MODERATE"));
        assert_eq!(s.rating, Rating::Medium);
        assert_eq!(s.score, None);
        assert_eq!(Severity::pick(&[], None).rating, Rating::Unknown);
    }
}
