//! How a document's version moves from one revision to the next (CSAF 2.0 section 3.1.11).
//!
//! Integer versioning (section 3.1.11.1) counts every released revision: 1, 2, 3, …
//! Semantic versioning (section 3.1.11.2) tells the reader what to do: a new major version
//! means "match your assets again" (rule 7), a minor version new or changed information
//! (rule 6), a patch version a correction such as a spelling mistake (rule 5).
//! [`classify_change`] finds the increment rule 7 demands by comparing two documents, so the
//! server never under-states a change; [`revision_numbers`] turns a list of changes into
//! version numbers.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{Document, ProductStatus, Vulnerability};
use crate::version::DocVersion;

/// Integer or semantic versioning (section 3.1.11; one per document, test 6.1.30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Versioning {
    /// `1`, `2`, … (section 3.1.11.1).
    Integer,
    /// `1.0.0`, `1.1.0`, `2.0.0`, … (section 3.1.11.2).
    Semantic,
}

/// What a revision changed: the semantic version part it increments (section 3.1.11.2).
/// Integer versioning counts every revision the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Rule 5: a correction that changes no information, e.g. a spelling mistake.
    Patch,
    /// Rule 6: changed content of an existing element, or new information.
    Minor,
    /// Rule 7: readers must match their assets again: the product tree changed, a
    /// vulnerability was added or removed, an affected list changed, or a product left a
    /// fixed or not-affected list.
    Major,
}

fn semver(major: u64, minor: u64, patch: u64) -> DocVersion {
    DocVersion::Semantic {
        major,
        minor,
        patch,
        pre: None,
        build: None,
    }
}

/// The version numbers of revisions with these changes, oldest first. Integer versioning
/// counts 1, 2, 3, … (section 3.1.11.1 rule 3); semantic versioning starts at 1.0.0 (section
/// 3.1.11.2 rule 4, whatever the first change says) and increments the part the change names,
/// resetting the lower parts (rules 5 to 7).
pub fn revision_numbers(versioning: Versioning, changes: &[Change]) -> Vec<DocVersion> {
    let mut out: Vec<DocVersion> = Vec::with_capacity(changes.len());
    for (i, change) in changes.iter().enumerate() {
        let next = match (versioning, out.last()) {
            (Versioning::Integer, _) => DocVersion::Integer(i as u64 + 1),
            (Versioning::Semantic, None) => semver(1, 0, 0),
            (Versioning::Semantic, Some(prev)) => {
                let (ma, mi, pa) = match prev {
                    DocVersion::Semantic {
                        major,
                        minor,
                        patch,
                        ..
                    } => (*major, *minor, *patch),
                    DocVersion::Integer(n) => (*n, 0, 0),
                };
                match change {
                    Change::Major => semver(ma + 1, 0, 0),
                    Change::Minor => semver(ma, mi + 1, 0),
                    Change::Patch => semver(ma, mi, pa + 1),
                }
            }
        };
        out.push(next);
    }
    out
}

/// A vulnerability's identity across revisions: its CVE, else its first other id, else its
/// position.
fn key(i: usize, v: &Vulnerability) -> String {
    v.cve
        .clone()
        .or_else(|| {
            v.ids
                .as_ref()
                .and_then(|ids| ids.first())
                .map(|id| format!("{}:{}", id.system_name, id.text))
        })
        .unwrap_or_else(|| format!("#{i}"))
}

fn set(l: &Option<Vec<String>>) -> BTreeSet<&str> {
    l.iter().flatten().map(String::as_str).collect()
}

/// Rule 7 for one vulnerability's product status: an affected list changed, or a product
/// left `first_fixed`, `fixed` or `known_not_affected`.
fn status_needs_major(before: &ProductStatus, after: &ProductStatus) -> bool {
    let affected = [
        (&before.first_affected, &after.first_affected),
        (&before.known_affected, &after.known_affected),
        (&before.last_affected, &after.last_affected),
    ];
    let resolved = [
        (&before.first_fixed, &after.first_fixed),
        (&before.fixed, &after.fixed),
        (&before.known_not_affected, &after.known_not_affected),
    ];
    affected.iter().any(|(b, a)| set(b) != set(a))
        || resolved.iter().any(|(b, a)| !set(b).is_subset(&set(a)))
}

/// The least increment section 3.1.11.2 allows from `previous` to `next`: [`Change::Major`]
/// when rule 7 applies, [`Change::Minor`] when anything else outside `document.tracking`
/// changed, [`Change::Patch`] otherwise. A caller who knows a minor change is only a spelling
/// fix may record it as a patch (rule 5); a smaller increment than this is never right.
pub fn classify_change(previous: &Document, next: &Document) -> Change {
    if previous.product_tree != next.product_tree {
        return Change::Major;
    }
    let index = |d: &Document| -> BTreeMap<String, Vulnerability> {
        d.vulnerabilities
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, v)| (key(i, v), v.clone()))
            .collect()
    };
    let (before, after) = (index(previous), index(next));
    if before.keys().ne(after.keys()) {
        return Change::Major;
    }
    let empty = ProductStatus::default();
    for (k, b) in &before {
        let a = &after[k];
        if status_needs_major(
            b.product_status.as_ref().unwrap_or(&empty),
            a.product_status.as_ref().unwrap_or(&empty),
        ) {
            return Change::Major;
        }
    }
    // Anything else outside the tracking: rule 6.
    let mut p = previous.clone();
    p.document.tracking = next.document.tracking.clone();
    if p != *next {
        Change::Minor
    } else {
        Change::Patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_rules() {
        use Change::*;
        let changes = [Major, Patch, Minor, Patch, Major];
        let sem: Vec<String> = revision_numbers(Versioning::Semantic, &changes)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(sem, ["1.0.0", "1.0.1", "1.1.0", "1.1.1", "2.0.0"]);
        let int: Vec<String> = revision_numbers(Versioning::Integer, &changes)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(int, ["1", "2", "3", "4", "5"]);
        // The first revision is the initial release, 1.0.0, whatever its change says.
        assert_eq!(
            revision_numbers(Versioning::Semantic, &[Patch])[0].to_string(),
            "1.0.0"
        );
    }
}
