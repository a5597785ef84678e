//! The revision history and version tests: 6.1.14, 6.1.16 to 6.1.22 and 6.1.30.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Report;
use crate::model::{Document, DocumentStatus};
use crate::version::DocVersion;

/// Orders two RFC 3339 date-times by instant (offsets count); text order when unparsable.
pub fn date_cmp(a: &str, b: &str) -> Ordering {
    match (
        OffsetDateTime::parse(a, &Rfc3339),
        OffsetDateTime::parse(b, &Rfc3339),
    ) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

pub(crate) fn revision_history(doc: &Document, r: &mut Report) {
    let t = &doc.document.tracking;
    let status = t.status;
    let released = matches!(status, DocumentStatus::Final | DocumentStatus::Interim);
    let version = DocVersion::parse(&t.version);
    // (index, date, parsed number) of every revision whose number parses.
    let mut items: Vec<(usize, &str, DocVersion)> = Vec::new();
    for (i, rev) in t.revision_history.iter().enumerate() {
        if let Some(v) = DocVersion::parse(&rev.number) {
            items.push((i, rev.date.as_str(), v));
        }
    }
    let rev_path = |i: usize| format!("/document/tracking/revision_history/{i}/number");

    // 6.1.30 Mixed Integer and Semantic Versioning (section 3.1.11: one scheme per document).
    if let Some(v) = &version {
        for (i, _, n) in &items {
            if n.is_integer() != v.is_integer() {
                r.fail(
                    "6.1.30",
                    rev_path(*i),
                    format!(
                        "revision {n} and document version {v} mix integer and semantic versioning"
                    ),
                );
            }
        }
    }
    let same_scheme = |n: &DocVersion| {
        version
            .as_ref()
            .is_none_or(|v| v.is_integer() == n.is_integer())
    };

    // 6.1.14 Sorted Revision History: ordered by date, the numbers ascend.
    let mut by_date: Vec<&(usize, &str, DocVersion)> =
        items.iter().filter(|x| same_scheme(&x.2)).collect();
    by_date.sort_by(|a, b| date_cmp(a.1, b.1).then(a.0.cmp(&b.0)));
    for w in by_date.windows(2) {
        if date_cmp(w[0].1, w[1].1) == Ordering::Less
            && w[0].2.precedence(&w[1].2) == Ordering::Greater
        {
            r.fail(
                "6.1.14",
                rev_path(w[1].0),
                format!(
                    "revision {} is dated after revision {} but numbered below it",
                    w[1].2, w[0].2
                ),
            );
        }
    }

    // 6.1.16 Latest Document Version: the version is the number of the newest revision, build
    // metadata ignored, and a draft's pre-release part too (section 3.2.1.12.8).
    if let (Some(v), Some(last)) = (&version, by_date.last()) {
        let draft = status == DocumentStatus::Draft;
        let newest = by_date
            .iter()
            .filter(|x| date_cmp(x.1, last.1) == Ordering::Equal)
            .max_by(|a, b| a.2.precedence(&b.2))
            .map_or(&last.2, |x| &x.2);
        if v.stripped(draft) != newest.stripped(draft) {
            r.fail(
                "6.1.16",
                "/document/tracking/version",
                format!("version {v} is not the number of the latest revision ({newest})"),
            );
        }
    }

    if let Some(v) = &version {
        // 6.1.17 Document Status Draft: version 0, 0.y.z or a pre-release means draft
        // (sections 3.1.11.1 rule 2, 3.1.11.2 rule 3).
        if (v.is_zero() || v.is_pre_release()) && status != DocumentStatus::Draft {
            r.fail(
                "6.1.17",
                "/document/tracking/status",
                format!("version {v} is only allowed in a draft"),
            );
        }
        // 6.1.20 Non-draft Document Version: no pre-release part once released.
        if released && v.is_pre_release() {
            r.fail(
                "6.1.20",
                "/document/tracking/version",
                format!("a released document's version {v} has a pre-release part"),
            );
        }
    }
    for (i, _, n) in &items {
        // 6.1.18 Released Revision History: no 0 or 0.y.z once released.
        if released && n.is_zero() {
            r.fail(
                "6.1.18",
                rev_path(*i),
                format!("a released document lists revision {n}"),
            );
        }
        // 6.1.19 Revision History Entries for Pre-release Versions.
        if n.is_pre_release() {
            r.fail(
                "6.1.19",
                rev_path(*i),
                format!("revision {n} has a pre-release part"),
            );
        }
    }

    // 6.1.21 Missing Item in Revision History: the (major) numbers start at 0 or 1 and leave
    // no gap.
    let mut majors: Vec<(u64, usize)> = by_date.iter().map(|x| (x.2.major(), x.0)).collect();
    majors.sort();
    if let Some(&(first, i)) = majors.first()
        && first > 1
    {
        r.fail(
            "6.1.21",
            rev_path(i),
            format!("the revision history starts at {first}, not 0 or 1"),
        );
    }
    for w in majors.windows(2) {
        if w[1].0 > w[0].0 + 1 {
            r.fail(
                "6.1.21",
                rev_path(w[1].1),
                format!("the revision history skips from {} to {}", w[0].0, w[1].0),
            );
        }
    }

    // 6.1.22 Multiple Definition in Revision History.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, rev) in t.revision_history.iter().enumerate() {
        if let Some(first) = seen.insert(rev.number.as_str(), i) {
            r.fail(
                "6.1.22",
                rev_path(i),
                format!(
                    "revision number {} is already used by item {first}",
                    rev.number
                ),
            );
        }
    }
}
