//! Findings you can work through (issue 17, point 2): free-text and identifier search, filters,
//! sorting by any listed column, with actively exploited findings first across the whole
//! result (the order is SQL's, so page 3 never holds an exploited finding page 1 lacked).
//!
//! Each word of `q` must match the finding somewhere: its advisory id (exactly, any case), one
//! of its aliases (CVE, GHSA, any other id the records merged), the component's name or purl,
//! or the summary (substrings, any case). Words are bound parameters with `%`, `_` and `\`
//! escaped, never spliced into SQL.

use crate::findings::{COLS, finding_from};
use crate::{FindingFilter, FindingRow, Store, StoreError};
use serde::Serialize;
use sqlx::Row;

/// Most words of `q` used (the rest is ignored).
const MAX_WORDS: usize = 8;

/// What a finding list is ordered by, after "actively exploited first".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FindingSort {
    /// Severity, then score (highest first), then newest: the triage order.
    #[default]
    Triage,
    /// Severity rank (critical first).
    Severity,
    /// CVSS score (missing scores lowest).
    Score,
    /// Advisory id.
    Advisory,
    /// Component name, then version.
    Component,
    /// Product, then release.
    Product,
    /// VEX status.
    Status,
    /// First seen.
    FirstSeen,
}

impl FindingSort {
    /// The column words the API and the UI use: `severity`, `score`, `advisory`, `component`,
    /// `product`, `status`, `first_seen` (`triage` for the default).
    pub const WORDS: [&'static str; 8] = [
        "triage",
        "severity",
        "score",
        "advisory",
        "component",
        "product",
        "status",
        "first_seen",
    ];

    /// Reads `word` or `-word` (descending); `None` when it names no column.
    pub fn parse(s: &str) -> Option<(Self, bool)> {
        let (desc, word) = match s.trim().strip_prefix('-') {
            Some(w) => (true, w),
            None => (false, s.trim()),
        };
        let sort = match word {
            "" | "triage" => Self::Triage,
            "severity" => Self::Severity,
            "score" => Self::Score,
            "advisory" => Self::Advisory,
            "component" => Self::Component,
            "product" => Self::Product,
            "status" => Self::Status,
            "first_seen" => Self::FirstSeen,
            _ => return None,
        };
        Some((sort, desc))
    }

    /// The ORDER BY terms after `exploited DESC` (fixed SQL, never input).
    fn terms(self, desc: bool) -> String {
        let dir = if desc { "DESC" } else { "ASC" };
        let rank = "CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 \
                    WHEN 'low' THEN 3 WHEN 'none' THEN 4 ELSE 5 END";
        match self {
            Self::Triage => format!("{rank}, COALESCE(score, -1) DESC, id DESC"),
            Self::Severity => format!("{rank} {dir}, COALESCE(score, -1) DESC, id DESC"),
            Self::Score => format!("COALESCE(score, -1) {dir}, id DESC"),
            Self::Advisory => format!("advisory_id {dir}, id"),
            Self::Component => {
                format!("component_name {dir}, component_version {dir}, id")
            }
            Self::Product => format!("product_id {dir}, release_id {dir}, id"),
            Self::Status => format!("status {dir}, id"),
            Self::FirstSeen => format!("first_seen {dir}, id {dir}"),
        }
    }
}

/// A findings search: the list filters plus `q`, the order and an offset page.
#[derive(Clone, Debug, Default)]
pub struct FindingSearch {
    /// Product, release, severity, exploited, status and advisory filters (`after_id` is not
    /// used: pages go by `offset`).
    pub filter: FindingFilter,
    /// Only open findings (under investigation or affected); ignored when `filter.status` is set.
    pub open_only: bool,
    /// Free text and identifiers.
    pub q: Option<String>,
    /// Order after "actively exploited first".
    pub sort: FindingSort,
    /// Descending order of `sort`.
    pub descending: bool,
    /// Rows to skip.
    pub offset: i64,
}

/// One page of a findings search.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingPage {
    /// The findings, actively exploited first.
    pub findings: Vec<FindingRow>,
    /// The offset of the next page, if there may be one.
    pub next_offset: Option<i64>,
}

/// `%w%` for LIKE with `\` as the escape character.
fn like(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    out.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    /// The organisation's findings matching `search`, actively exploited first, then in the
    /// chosen order.
    pub async fn search_findings(
        &self,
        org_id: i64,
        search: &FindingSearch,
    ) -> Result<FindingPage, StoreError> {
        let f = &search.filter;
        let limit = f.limit.unwrap_or(100).clamp(1, 1000);
        let offset = search.offset.clamp(0, 10_000_000);
        let mut sql = format!("SELECT {COLS} FROM finding WHERE org_id = $1");
        let mut binds: Vec<Bind> = vec![Bind::I(org_id)];
        let mut cond = |sql: &mut String, text: &str, b: Bind| {
            binds.push(b);
            sql.push_str(&format!(" AND {text} ${}", binds.len()));
        };
        if let Some(v) = f.product_id {
            cond(&mut sql, "product_id =", Bind::I(v));
        }
        if let Some(v) = f.release_id {
            cond(&mut sql, "release_id =", Bind::I(v));
        }
        if let Some(v) = &f.severity {
            cond(&mut sql, "severity =", Bind::S(v.clone()));
        }
        if let Some(v) = f.exploited {
            cond(&mut sql, "exploited =", Bind::I(i64::from(v)));
        }
        if let Some(v) = f.status {
            cond(&mut sql, "status =", Bind::S(v.as_str().into()));
        } else if search.open_only {
            sql.push_str(" AND status IN ('under_investigation', 'affected')");
        }
        if let Some(v) = &f.advisory_id {
            cond(&mut sql, "advisory_id =", Bind::S(v.clone()));
        }
        let words: Vec<String> = search
            .q
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .take(MAX_WORDS)
            .map(str::to_lowercase)
            .collect();
        for w in words {
            binds.push(Bind::S(w.clone()));
            let exact = binds.len();
            binds.push(Bind::S(like(&w)));
            let l = binds.len();
            sql.push_str(&format!(
                " AND (lower(advisory_id) = ${exact} OR lower(aliases) LIKE ${l} ESCAPE '\\' \
                 OR lower(component_name) LIKE ${l} ESCAPE '\\' \
                 OR lower(COALESCE(component_purl, '')) LIKE ${l} ESCAPE '\\' \
                 OR lower(COALESCE(summary, '')) LIKE ${l} ESCAPE '\\')"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY exploited DESC, {} LIMIT ${} OFFSET ${}",
            search.sort.terms(search.descending),
            binds.len() + 1,
            binds.len() + 2
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = match b {
                Bind::I(v) => q.bind(v),
                Bind::S(v) => q.bind(v),
            };
        }
        let rows = q.bind(limit + 1).bind(offset).fetch_all(&self.pool).await?;
        let more = rows.len() as i64 > limit;
        let findings = rows
            .iter()
            .take(limit as usize)
            .map(finding_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FindingPage {
            findings,
            next_offset: more.then_some(offset + limit),
        })
    }
}

impl Store {
    /// The actively exploited vulnerabilities (CISA KEV, ENISA EUVD) that the finding's records
    /// name only under OSV `related` (e.g. PYSEC-2023-175 naming CVE-2023-4863): the analyst
    /// is told, the finding is not marked exploited, so no Article 14 case starts from it
    /// (CRA Art. 14(1) is about *this* vulnerability being exploited; a related flaw is a lead).
    pub async fn related_exploited(&self, finding: &FindingRow) -> Result<Vec<String>, StoreError> {
        let own: std::collections::BTreeSet<String> = std::iter::once(&finding.advisory_id)
            .chain(&finding.aliases)
            .map(|a| a.to_ascii_uppercase())
            .collect();
        let ids: Vec<&String> = std::iter::once(&finding.advisory_id)
            .chain(&finding.aliases)
            .take(crate::CHUNK_ROWS)
            .collect();
        let sql = format!(
            "SELECT body FROM advisory WHERE id IN ({})",
            crate::placeholders(1, ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(id.as_str());
        }
        let mut related = std::collections::BTreeSet::new();
        for r in q.fetch_all(&self.pool).await? {
            let body: String = r.try_get("body")?;
            let adv = crate::advisories::parse_body(&body)?;
            related.extend(
                adv.related
                    .iter()
                    .map(|id| id.to_ascii_uppercase())
                    .filter(|id| id.starts_with("CVE-") && !own.contains(id)),
            );
        }
        let related: Vec<String> = related.into_iter().take(crate::CHUNK_ROWS).collect();
        if related.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT DISTINCT cve_id FROM exploitation WHERE cve_id IN ({}) ORDER BY cve_id",
            crate::placeholders(1, related.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &related {
            q = q.bind(id.as_str());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(r.try_get("cve_id")?))
            .collect()
    }
}

/// A bound value.
enum Bind {
    I(i64),
    S(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_words_round_trip_and_unknown_words_are_refused() {
        for w in FindingSort::WORDS {
            assert!(FindingSort::parse(w).is_some(), "{w}");
        }
        assert_eq!(
            FindingSort::parse("-first_seen"),
            Some((FindingSort::FirstSeen, true))
        );
        assert_eq!(FindingSort::parse("id; DROP TABLE finding"), None);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
