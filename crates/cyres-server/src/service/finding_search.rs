//! Findings you can work through (issue 17, point 2): the search behind
//! `GET /api/v1/findings?q=&sort=&offset=`, the findings page, `GET /api/v1/findings.csv` and
//! bulk triage by filter (`cyres_store::FindingSearch` says what each input selects; the order
//! puts actively exploited findings first across the whole result).
//!
//! [`from_query`] is the one reading of a findings query (the API's query string, a bulk
//! triage body's `filter`, the page's form): the list, the CSV export and bulk triage build
//! their [`FindingSearch`] with it, and the store selects with one set of SQL conditions, so
//! the three always mean the same findings by the same query.

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{
    FindingFilter, FindingPage, FindingSearch, FindingSort, Role, SEVERITIES, VexStatus,
};

/// Reads a `sort` value (`severity`, `-first_seen`, …) into the order, naming the field when
/// it names no column.
pub(crate) fn sort(word: Option<&str>) -> Result<(FindingSort, bool), ServiceError> {
    let word = word.unwrap_or("");
    FindingSort::parse(word).ok_or_else(|| {
        ServiceError::invalid(
            "sort",
            format!(
                "sort: {word:?} is not one of {} (prefix - for descending)",
                FindingSort::WORDS.join(", ")
            ),
        )
    })
}

fn number(name: &str, v: Option<&str>) -> Result<Option<i64>, ServiceError> {
    match v {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ServiceError::invalid(name, format!("{name}: {s:?} is not a number"))),
    }
}

/// A findings query from its parameters (`get` answers a parameter's value; empty values count
/// as absent): `q`, `product`, `release`, `severity`, `exploited` (`true`/`false`), `status`
/// (a VEX status, or `open`: under investigation or affected), `advisory`, `sort`, `offset`,
/// `limit`, `after`.
pub(crate) fn from_query<'a>(
    get: impl Fn(&str) -> Option<&'a str>,
) -> Result<FindingSearch, ServiceError> {
    let get = |k: &str| get(k).map(str::trim).filter(|v| !v.is_empty());
    let severity = match get("severity").map(str::to_ascii_lowercase) {
        Some(s) if !SEVERITIES.contains(&s.as_str()) => {
            return Err(ServiceError::invalid(
                "severity",
                format!("severity: {s:?} is not one of {}", SEVERITIES.join(", ")),
            ));
        }
        other => other,
    };
    let exploited = match get("exploited") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(ServiceError::invalid(
                "exploited",
                format!("exploited: {other:?} is not true or false"),
            ));
        }
    };
    let open_only = get("status") == Some("open");
    let status = match get("status") {
        None | Some("open") => None,
        Some(s) => Some(VexStatus::parse(s).ok_or_else(|| {
            ServiceError::invalid(
                "status",
                format!(
                    "status: {s:?} is not open, under_investigation, affected, not_affected or fixed"
                ),
            )
        })?),
    };
    let q = get("q").map(str::to_string);
    if q.as_deref().is_some_and(|q| q.len() > 500) {
        return Err(ServiceError::invalid("q", "q: at most 500 characters"));
    }
    let (sort, descending) = sort(get("sort"))?;
    Ok(FindingSearch {
        filter: FindingFilter {
            product_id: number("product", get("product"))?,
            release_id: number("release", get("release"))?,
            severity,
            exploited,
            status,
            advisory_id: get("advisory").map(str::to_string),
            limit: number("limit", get("limit"))?,
            after_id: number("after", get("after"))?,
        },
        open_only,
        q,
        sort,
        descending,
        offset: number("offset", get("offset"))?.unwrap_or(0),
    })
}

/// One page of the principal's organisation's findings matching `search`.
pub(crate) async fn search(
    app: &App,
    who: &Principal,
    search: &FindingSearch,
) -> Result<FindingPage, ServiceError> {
    who.require(Role::Viewer)?;
    Ok(app.store.search_findings(who.org_id, search).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<FindingSearch, ServiceError> {
        let m: HashMap<&str, &str> = pairs.iter().copied().collect();
        from_query(|k| m.get(k).copied())
    }

    #[test]
    fn one_reading_of_a_findings_query() {
        let s = read(&[
            ("q", " openssl "),
            ("status", "open"),
            ("severity", "HIGH"),
            ("exploited", ""),
            ("sort", "-score"),
            ("release", "7"),
        ])
        .unwrap();
        assert_eq!(s.q.as_deref(), Some("openssl"));
        assert!(s.open_only && s.filter.status.is_none());
        assert_eq!(s.filter.severity.as_deref(), Some("high"));
        assert_eq!(s.filter.exploited, None);
        assert_eq!((s.sort, s.descending), (FindingSort::Score, true));
        assert_eq!(s.filter.release_id, Some(7));
        assert!(s.narrows());
        assert!(!read(&[("sort", "score")]).unwrap().narrows());
        for (k, v) in [
            ("status", "closed"),
            ("severity", "severe"),
            ("exploited", "yes"),
            ("product", "x"),
            ("sort", "id;"),
        ] {
            assert_eq!(
                read(&[(k, v)]).unwrap_err().field.as_deref(),
                Some(k),
                "{k}"
            );
        }
    }
}
