//! The text a finding shows for what it matched: the affected ranges (`>=1.0.0, <1.2.3`) and
//! the fixed versions of one OSV `affected[]` entry or one NVD CPE statement.
//!
//! Why a type of its own: the text depends only on the entry, never on the component, so it is
//! rendered once per process (cached in the [`Index`](crate::Index) next to the decoded entry)
//! and every finding refers to it. On an SBOM holding many versions of the same crates, most
//! findings share their entries, and building each finding's lists anew was most of the cost
//! of a scan with thousands of findings.

use crate::index::{CpeEntry, IndexedAffected, IndexedRange};
use cyres_version::{Event, RangeKind};

/// The rendered ranges and fixed versions of one matched entry, each list without repeats and
/// in the order the entry gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AffectedText {
    /// The affected ranges as text.
    pub ranges: Vec<String>,
    /// The versions that fix it.
    pub fixed: Vec<String>,
}

impl AffectedText {
    /// No ranges, no fixed versions.
    pub(crate) const EMPTY: AffectedText = AffectedText {
        ranges: Vec::new(),
        fixed: Vec::new(),
    };

    /// The text of an OSV `affected[]` entry: every range rendered, and the `fixed` events of
    /// its `SEMVER` and `ECOSYSTEM` ranges (a `GIT` fix is a commit, not a version).
    pub(crate) fn of_affected(aff: &IndexedAffected) -> Self {
        let mut text = AffectedText::default();
        for r in &aff.ranges {
            for s in render_range(r) {
                push_once(&mut text.ranges, s);
            }
        }
        let fixed = aff
            .ranges
            .iter()
            .filter(|r| r.kind != RangeKind::Git)
            .flat_map(|r| &r.events);
        for e in fixed {
            if let Event::Fixed(v) = e {
                push_once(&mut text.fixed, v.clone());
            }
        }
        text
    }

    /// The text of an NVD CPE statement: its bounds as one range (`>=1.0, <1.2`), or the exact
    /// version in the form compared (`exact`: `=1.0.2k`), or `*`, and its exclusive end as the
    /// fixed version.
    pub(crate) fn of_cpe(e: &CpeEntry, exact: &str) -> Self {
        let mut range = Vec::new();
        if let Some(s) = &e.start_including {
            range.push(format!(">={s}"));
        }
        if let Some(s) = &e.start_excluding {
            range.push(format!(">{s}"));
        }
        if let Some(s) = &e.end_including {
            range.push(format!("<={s}"));
        }
        if let Some(s) = &e.end_excluding {
            range.push(format!("<{s}"));
        }
        if range.is_empty() {
            range.push(if e.version == "*" {
                "*".to_string()
            } else {
                format!("={exact}")
            });
        }
        AffectedText {
            ranges: vec![range.join(", ")],
            fixed: e.end_excluding.iter().cloned().collect(),
        }
    }
}

fn push_once(list: &mut Vec<String>, s: String) {
    if !list.contains(&s) {
        list.push(s);
    }
}

/// Renders a range's events as intervals (`>=1.0.0, <1.2.3`; `<2.0`; `>=3.1`; `<=4.0`).
pub(crate) fn render_range(r: &IndexedRange) -> Vec<String> {
    let mut out = Vec::new();
    if r.kind == RangeKind::Git {
        let parts: Vec<String> = r
            .events
            .iter()
            .map(|e| match e {
                Event::Introduced(c) => format!("introduced {c}"),
                Event::Fixed(c) => format!("fixed {c}"),
                Event::LastAffected(c) => format!("last affected {c}"),
                Event::Limit(c) => format!("limit {c}"),
            })
            .collect();
        out.push(format!("git: {}", parts.join(", ")));
        return out;
    }
    let mut open: Option<&str> = None;
    let lower = |i: &str| {
        if i == "0" || i == "0.0.0-0" {
            None
        } else {
            Some(format!(">={i}"))
        }
    };
    for e in &r.events {
        match e {
            Event::Introduced(v) => {
                if let Some(prev) = open.replace(v) {
                    out.extend(lower(prev).or_else(|| Some("*".to_string())));
                }
            }
            Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => {
                let op = if matches!(e, Event::LastAffected(_)) {
                    "<="
                } else {
                    "<"
                };
                let upper = format!("{op}{v}");
                out.push(match open.take().and_then(lower) {
                    Some(l) => format!("{l}, {upper}"),
                    None => upper,
                });
            }
        }
    }
    if let Some(prev) = open {
        out.push(lower(prev).unwrap_or_else(|| "*".to_string()));
    }
    out
}
