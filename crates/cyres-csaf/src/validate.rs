//! The mandatory tests of CSAF 2.0 section 6.1, each named by its id.
//!
//! [`mandatory`] runs every implemented test over a [`Document`] and returns the failures; a
//! document is valid when the list is empty (section 6.1: "a CSAF document … MUST pass all
//! mandatory tests"). The JSON schema itself is enforced by the serde model (types, required
//! properties, enumerations, no additional properties) plus [`crate::schema`] for the patterns
//! and lengths serde cannot express.
//!
//! Not implemented: 6.1.11 (CWE id and name against the CWE catalogue: cyres ships no copy of
//! the catalogue).

mod lang;
mod products;
pub(crate) mod tracking;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::model::{Document, Vulnerability};
use crate::profile::Profile;

pub use products::ProductIndex;
pub(crate) use products::for_each_full_product_name;
pub use tracking::date_cmp;

/// One failed test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The test's id in section 6, e.g. `6.1.1`.
    pub test: &'static str,
    /// Where in the document, as a JSON pointer (`/vulnerabilities/0/product_status/fixed/1`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}: {}", self.test, self.path, self.message)
    }
}

/// Collects failures; each test pushes through [`Report::fail`].
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) failures: Vec<Failure>,
}

impl Report {
    pub(crate) fn fail(
        &mut self,
        test: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.failures.push(Failure {
            test,
            path: path.into(),
            message: message.into(),
        });
    }
}

/// The ids of the mandatory tests [`mandatory`] implements.
pub const IMPLEMENTED: &[&str] = &[
    "6.1.1",
    "6.1.2",
    "6.1.3",
    "6.1.4",
    "6.1.5",
    "6.1.6",
    "6.1.7",
    "6.1.8",
    "6.1.9",
    "6.1.10",
    "6.1.12",
    "6.1.13",
    "6.1.14",
    "6.1.15",
    "6.1.16",
    "6.1.17",
    "6.1.18",
    "6.1.19",
    "6.1.20",
    "6.1.21",
    "6.1.22",
    "6.1.23",
    "6.1.24",
    "6.1.25",
    "6.1.26",
    "6.1.27.1",
    "6.1.27.2",
    "6.1.27.3",
    "6.1.27.4",
    "6.1.27.5",
    "6.1.27.6",
    "6.1.27.7",
    "6.1.27.8",
    "6.1.27.9",
    "6.1.27.10",
    "6.1.27.11",
    "6.1.28",
    "6.1.29",
    "6.1.30",
    "6.1.31",
    "6.1.32",
    "6.1.33",
];

/// Runs the mandatory tests (section 6.1) and returns every failure, in test order.
pub fn mandatory(doc: &Document) -> Vec<Failure> {
    let mut r = Report::default();
    let index = ProductIndex::new(doc);
    products::definitions(doc, &index, &mut r); // 6.1.1 – 6.1.5
    status_contradictions(doc, &mut r); // 6.1.6
    crate::cvss::scores(doc, &mut r); // 6.1.7 – 6.1.10
    lang::languages(doc, &mut r); // 6.1.12
    purls(doc, &mut r); // 6.1.13
    tracking::revision_history(doc, &mut r); // 6.1.14, 6.1.16 – 6.1.22, 6.1.30
    translator(doc, &mut r); // 6.1.15
    duplicates(doc, &mut r); // 6.1.23 – 6.1.25
    category_name(doc, &mut r); // 6.1.26
    profile_rules(doc, &index, &mut r); // 6.1.27.x
    translation(doc, &mut r); // 6.1.28
    references_without_products(doc, &mut r); // 6.1.29, 6.1.32
    version_ranges(doc, &mut r); // 6.1.31
    flags_per_product(doc, &index, &mut r); // 6.1.33
    let order = |t: &str| -> Vec<u32> { t.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    r.failures.sort_by_key(|f| order(f.test));
    r.failures
}

fn vulns(doc: &Document) -> impl Iterator<Item = (usize, &Vulnerability)> {
    doc.vulnerabilities.iter().flatten().enumerate()
}

/// The product status groups of section 3.2.3.9 between which test 6.1.6 looks for
/// contradictions; `recommended` belongs to none.
const STATUS_GROUPS: [(&str, &[&str]); 4] = [
    (
        "affected",
        &["first_affected", "known_affected", "last_affected"],
    ),
    ("not affected", &["known_not_affected"]),
    ("fixed", &["first_fixed", "fixed"]),
    ("under investigation", &["under_investigation"]),
];

/// The product status lists of section 3.2.3.9.
pub const STATUS_NAMES: [&str; 8] = [
    "first_affected",
    "first_fixed",
    "fixed",
    "known_affected",
    "known_not_affected",
    "last_affected",
    "recommended",
    "under_investigation",
];

/// The product ids of one `product_status` list by its property name.
pub(crate) fn status_list<'a>(ps: &'a crate::model::ProductStatus, name: &str) -> &'a [String] {
    let l = match name {
        "first_affected" => &ps.first_affected,
        "first_fixed" => &ps.first_fixed,
        "fixed" => &ps.fixed,
        "known_affected" => &ps.known_affected,
        "known_not_affected" => &ps.known_not_affected,
        "last_affected" => &ps.last_affected,
        "recommended" => &ps.recommended,
        "under_investigation" => &ps.under_investigation,
        _ => &None,
    };
    l.as_deref().unwrap_or(&[])
}

/// 6.1.6 Contradicting Product Status: a product is in at most one of the groups affected, not
/// affected, fixed and under investigation per vulnerability.
fn status_contradictions(doc: &Document, r: &mut Report) {
    for (vi, v) in vulns(doc) {
        let Some(ps) = &v.product_status else {
            continue;
        };
        let mut seen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (group, lists) in STATUS_GROUPS {
            for list in lists {
                for id in status_list(ps, list) {
                    seen.entry(id).or_default().insert(group);
                }
            }
        }
        for (id, groups) in seen.into_iter().filter(|(_, g)| g.len() > 1) {
            let names: Vec<&str> = groups.into_iter().collect();
            r.fail(
                "6.1.6",
                format!("/vulnerabilities/{vi}/product_status"),
                format!(
                    "product {id} is in contradicting groups: {}",
                    names.join(", ")
                ),
            );
        }
    }
}

/// 6.1.13 PURL: every `purl` is a valid package URL.
fn purls(doc: &Document, r: &mut Report) {
    let Some(tree) = &doc.product_tree else {
        return;
    };
    products::for_each_full_product_name(tree, &mut |path, fpn| {
        let Some(purl) = fpn
            .product_identification_helper
            .as_ref()
            .and_then(|h| h.purl.as_ref())
        else {
            return;
        };
        if let Err(e) = cyres_version::Purl::parse(purl) {
            r.fail(
                "6.1.13",
                format!("{path}/product_identification_helper/purl"),
                format!("invalid package URL: {e}"),
            );
        }
    });
}

/// 6.1.15 Translator: a document published by a translator names its source language.
fn translator(doc: &Document, r: &mut Report) {
    let d = &doc.document;
    if d.publisher.category == crate::model::PublisherCategory::Translator
        && d.source_lang.is_none()
    {
        r.fail(
            "6.1.15",
            "/document/source_lang",
            "the publisher is a translator but source_lang is missing",
        );
    }
}

/// 6.1.23 Multiple Use of Same CVE, 6.1.24 Multiple Definition in Involvements, 6.1.25 Multiple
/// Use of Same Hash Algorithm.
fn duplicates(doc: &Document, r: &mut Report) {
    let mut cves: HashMap<&str, usize> = HashMap::new();
    for (vi, v) in vulns(doc) {
        if let Some(cve) = &v.cve
            && let Some(first) = cves.insert(cve, vi)
        {
            r.fail(
                "6.1.23",
                format!("/vulnerabilities/{vi}/cve"),
                format!("{cve} is already used by vulnerability {first}"),
            );
        }
        let mut seen = BTreeSet::new();
        for (ii, inv) in v.involvements.iter().flatten().enumerate() {
            if !seen.insert((&inv.party, &inv.date)) {
                r.fail(
                    "6.1.24",
                    format!("/vulnerabilities/{vi}/involvements/{ii}"),
                    format!(
                        "a second involvement of party {:?} at the same date",
                        inv.party
                    ),
                );
            }
        }
    }
    let Some(tree) = &doc.product_tree else {
        return;
    };
    products::for_each_full_product_name(tree, &mut |path, fpn| {
        let hashes = fpn
            .product_identification_helper
            .as_ref()
            .and_then(|h| h.hashes.as_ref());
        for (hi, h) in hashes.into_iter().flatten().enumerate() {
            let mut algs = BTreeSet::new();
            for (fi, fh) in h.file_hashes.iter().enumerate() {
                if !algs.insert(fh.algorithm.as_str()) {
                    r.fail(
                        "6.1.25",
                        format!(
                            "{path}/product_identification_helper/hashes/{hi}/file_hashes/{fi}"
                        ),
                        format!(
                            "hash algorithm {} is used twice for {}",
                            fh.algorithm, h.filename
                        ),
                    );
                }
            }
        }
    });
}

/// 6.1.26 Prohibited Document Category Name: a category outside the profiles must not start
/// with `csaf_` nor be, up to case, hyphens, underscores and white space, the name or title of a
/// profile other than CSAF Base.
fn category_name(doc: &Document, r: &mut Report) {
    let c = doc.document.category.as_str();
    if Profile::from_category(c).is_some() {
        return;
    }
    if c.to_lowercase().starts_with("csaf_") {
        r.fail(
            "6.1.26",
            "/document/category",
            format!("category {c:?} uses the reserved prefix csaf_"),
        );
        return;
    }
    let norm: String = c
        .chars()
        .filter(|ch| !ch.is_whitespace() && *ch != '-' && *ch != '_')
        .flat_map(char::to_lowercase)
        .collect();
    for p in [
        Profile::SecurityIncidentResponse,
        Profile::InformationalAdvisory,
        Profile::SecurityAdvisory,
        Profile::Vex,
    ] {
        // The OASIS test case 6.1.26-04 (`csafsecurityadvisory`) shows the full category name
        // counts too, normalised the same way.
        let full: String = p.category().replace('_', "");
        let name = full.trim_start_matches("csaf");
        let title: String = p.title().to_lowercase().replace(' ', "");
        if norm == full || norm == name || norm == title {
            r.fail(
                "6.1.26",
                "/document/category",
                format!(
                    "category {c:?} is too close to the profile {}",
                    p.category()
                ),
            );
        }
    }
}

/// 6.1.27.x Profile Tests (section 4's per-profile requirements).
fn profile_rules(doc: &Document, index: &ProductIndex, r: &mut Report) {
    use crate::model::{NoteCategory, ReferenceCategory, ThreatCategory};
    let Some(profile) = Profile::from_category(&doc.document.category) else {
        return;
    };
    let d = &doc.document;
    let needs_description = matches!(
        profile,
        Profile::InformationalAdvisory | Profile::SecurityIncidentResponse
    );
    if needs_description {
        // 6.1.27.1 Document Notes (sections 4.2, 4.3).
        let ok = d.notes.iter().flatten().any(|n| {
            matches!(
                n.category,
                NoteCategory::Description
                    | NoteCategory::Details
                    | NoteCategory::General
                    | NoteCategory::Summary
            )
        });
        if !ok {
            r.fail(
                "6.1.27.1",
                "/document/notes",
                "the profile needs a note of category description, details, general or summary",
            );
        }
        // 6.1.27.2 Document References.
        let ok = d.references.iter().flatten().any(|x| {
            x.category.unwrap_or(ReferenceCategory::External) == ReferenceCategory::External
        });
        if !ok {
            r.fail(
                "6.1.27.2",
                "/document/references",
                "the profile needs a reference of category external",
            );
        }
    }
    // 6.1.27.3 Vulnerabilities (section 4.3): an informational advisory has none.
    if profile == Profile::InformationalAdvisory && doc.vulnerabilities.is_some() {
        r.fail(
            "6.1.27.3",
            "/vulnerabilities",
            "an informational advisory must not list vulnerabilities",
        );
    }
    if !matches!(profile, Profile::SecurityAdvisory | Profile::Vex) {
        return;
    }
    // 6.1.27.4 Product Tree, 6.1.27.11 Vulnerabilities (sections 4.4, 4.5).
    if doc.product_tree.is_none() {
        r.fail(
            "6.1.27.4",
            "/product_tree",
            "the profile needs a product tree",
        );
    }
    if doc.vulnerabilities.is_none() {
        r.fail(
            "6.1.27.11",
            "/vulnerabilities",
            "the profile needs vulnerabilities",
        );
    }
    for (vi, v) in vulns(doc) {
        let p = format!("/vulnerabilities/{vi}");
        // 6.1.27.5 Vulnerability Notes.
        if v.notes.is_none() {
            r.fail(
                "6.1.27.5",
                format!("{p}/notes"),
                "the vulnerability has no notes",
            );
        }
        if profile == Profile::SecurityAdvisory {
            // 6.1.27.6 Product Status.
            if v.product_status.is_none() {
                r.fail(
                    "6.1.27.6",
                    format!("{p}/product_status"),
                    "the vulnerability has no product status",
                );
            }
            continue;
        }
        // 6.1.27.7 VEX Product Status.
        let ps = v.product_status.clone().unwrap_or_default();
        if ps.fixed.is_none()
            && ps.known_affected.is_none()
            && ps.known_not_affected.is_none()
            && ps.under_investigation.is_none()
        {
            r.fail(
                "6.1.27.7",
                format!("{p}/product_status"),
                "a VEX vulnerability needs fixed, known_affected, known_not_affected or under_investigation",
            );
        }
        // 6.1.27.8 Vulnerability ID.
        if v.cve.is_none() && v.ids.is_none() {
            r.fail(
                "6.1.27.8",
                p.clone(),
                "a VEX vulnerability needs a cve or ids",
            );
        }
        // 6.1.27.9 Impact Statement: every known_not_affected product has a flag or an impact threat.
        let mut explained = BTreeSet::new();
        for f in v.flags.iter().flatten() {
            explained.extend(index.expand(f.product_ids.as_deref(), f.group_ids.as_deref()));
        }
        for t in v
            .threats
            .iter()
            .flatten()
            .filter(|t| t.category == ThreatCategory::Impact)
        {
            explained.extend(index.expand(t.product_ids.as_deref(), t.group_ids.as_deref()));
        }
        for (i, id) in ps.known_not_affected.iter().flatten().enumerate() {
            if !explained.contains(id.as_str()) {
                r.fail(
                    "6.1.27.9",
                    format!("{p}/product_status/known_not_affected/{i}"),
                    format!(
                        "product {id} is known not affected without a flag or an impact statement"
                    ),
                );
            }
        }
        // 6.1.27.10 Action Statement: every known_affected product has a remediation.
        let mut acted = BTreeSet::new();
        for rem in v.remediations.iter().flatten() {
            acted.extend(index.expand(rem.product_ids.as_deref(), rem.group_ids.as_deref()));
        }
        for (i, id) in ps.known_affected.iter().flatten().enumerate() {
            if !acted.contains(id.as_str()) {
                r.fail(
                    "6.1.27.10",
                    format!("{p}/product_status/known_affected/{i}"),
                    format!("product {id} is known affected without a remediation"),
                );
            }
        }
    }
}

/// 6.1.28 Translation: a translation's language differs from its source language.
fn translation(doc: &Document, r: &mut Report) {
    let d = &doc.document;
    if let (Some(l), Some(s)) = (&d.lang, &d.source_lang)
        && l.eq_ignore_ascii_case(s)
    {
        r.fail(
            "6.1.28",
            "/document/lang",
            format!("lang and source_lang are both {l}"),
        );
    }
}

/// 6.1.29 Remediation without Product Reference, 6.1.32 Flag without Product Reference.
fn references_without_products(doc: &Document, r: &mut Report) {
    for (vi, v) in vulns(doc) {
        for (i, rem) in v.remediations.iter().flatten().enumerate() {
            if rem.product_ids.is_none() && rem.group_ids.is_none() {
                r.fail(
                    "6.1.29",
                    format!("/vulnerabilities/{vi}/remediations/{i}"),
                    "remediation without product_ids or group_ids",
                );
            }
        }
        for (i, f) in v.flags.iter().flatten().enumerate() {
            if f.product_ids.is_none() && f.group_ids.is_none() {
                r.fail(
                    "6.1.32",
                    format!("/vulnerabilities/{vi}/flags/{i}"),
                    "flag without product_ids or group_ids",
                );
            }
        }
    }
}

/// Whether a `product_version` branch name reads as a range (test 6.1.31): it contains `<` or
/// `>`, or one of the words the standard lists as a whole, white-space separated word.
pub fn is_version_range(name: &str) -> bool {
    const WORDS: [&str; 7] = [
        "after", "all", "before", "earlier", "later", "prior", "versions",
    ];
    name.contains('<')
        || name.contains('>')
        || name
            .split_whitespace()
            .any(|w| WORDS.contains(&w.to_lowercase().as_str()))
}

/// 6.1.31 Version Range in Product Version.
fn version_ranges(doc: &Document, r: &mut Report) {
    fn walk(branches: &[crate::model::Branch], path: &str, r: &mut Report) {
        for (i, b) in branches.iter().enumerate() {
            let p = format!("{path}/{i}");
            if b.category == crate::model::BranchCategory::ProductVersion
                && is_version_range(&b.name)
            {
                r.fail(
                    "6.1.31",
                    format!("{p}/name"),
                    format!(
                        "product_version {:?} is a version range (use product_version_range)",
                        b.name
                    ),
                );
            }
            if let Some(sub) = &b.branches {
                walk(sub, &format!("{p}/branches"), r);
            }
        }
    }
    if let Some(b) = doc.product_tree.as_ref().and_then(|t| t.branches.as_ref()) {
        walk(b, "/product_tree/branches", r);
    }
}

/// 6.1.33 Multiple Flags with VEX Justification Codes per Product.
fn flags_per_product(doc: &Document, index: &ProductIndex, r: &mut Report) {
    for (vi, v) in vulns(doc) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (fi, f) in v.flags.iter().flatten().enumerate() {
            for id in index.expand(f.product_ids.as_deref(), f.group_ids.as_deref()) {
                if let Some(first) = seen.insert(id, fi)
                    && first != fi
                {
                    r.fail(
                        "6.1.33",
                        format!("/vulnerabilities/{vi}/flags/{fi}"),
                        format!("product {id} already has flag {first}"),
                    );
                }
            }
        }
    }
}
