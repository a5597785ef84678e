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
use std::collections::{BTreeSet, HashMap};

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
    /// Product, release, severity, exploited, status and advisory filters, and the page size
    /// (`after_id` only for [`Store::findings_by_id`]: the list pages by `offset`).
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

impl FindingSearch {
    /// Whether the search narrows the organisation's findings at all (any filter, `q`, or
    /// open only; paging aside): a bulk decision on an empty search would decide everything.
    pub fn narrows(&self) -> bool {
        let f = &self.filter;
        f.product_id.is_some()
            || f.release_id.is_some()
            || f.severity.is_some()
            || f.exploited.is_some()
            || f.status.is_some()
            || f.advisory_id.is_some()
            || self.open_only
            || self.words().next().is_some()
    }

    /// The words of `q` used, lower case.
    fn words(&self) -> impl Iterator<Item = String> + '_ {
        self.q
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .take(MAX_WORDS)
            .map(str::to_lowercase)
    }

    /// The SQL conditions (` AND …`, after `WHERE org_id = $1`) that select the search's
    /// findings, with their values pushed onto `binds` (`$2` onwards). The one definition of
    /// "the findings this query means", shared by the list, the CSV export and bulk triage.
    fn conditions(&self, binds: &mut Vec<Bind>) -> String {
        let f = &self.filter;
        let mut sql = String::new();
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
        } else if self.open_only {
            sql.push_str(" AND status IN ('under_investigation', 'affected')");
        }
        if let Some(v) = &f.advisory_id {
            cond(&mut sql, "advisory_id =", Bind::S(v.clone()));
        }
        for w in self.words() {
            // The word index (`search_index`) names the documents holding the word inside one
            // of their terms: a superset of the matches, read by index ranges; the exact test
            // below then runs on those findings only. `search_text` holds the lower-case
            // aliases, name, purl and summary (see [`search_text`]).
            let (from, to) = crate::search_index::word_range(&w);
            binds.push(Bind::S(from));
            let from = binds.len();
            binds.push(Bind::S(to));
            let to = binds.len();
            binds.push(Bind::S(w.clone()));
            let exact = binds.len();
            binds.push(Bind::S(like(&w)));
            let l = binds.len();
            sql.push_str(&format!(
                " AND search_doc IN (SELECT dt.doc_id FROM search_suffix s JOIN search_doc_term dt \
                 ON dt.term_id = s.term_id WHERE s.suffix >= ${from} AND s.suffix < ${to}) \
                 AND (lower(advisory_id) = ${exact} OR search_text LIKE ${l} ESCAPE '\\')"
            ));
        }
        // Lifecycle (retired releases, archived products, replaced SBOMs): `crate::lifecycle`.
        sql.push_str(if f.release_id.is_some() {
            crate::lifecycle::CURRENT_SBOM
        } else {
            crate::lifecycle::OPEN_LISTS
        });
        sql
    }

    /// The `SELECT` of `cols` of a keyset page by id, the values of its conditions and the
    /// values after them (`after_id`, then the page size as the last placeholder):
    /// [`Store::findings_by_id`] and the export's reader share it.
    pub(crate) fn by_id(&self, org_id: i64, cols: &str) -> (String, Vec<Bind>, Vec<i64>) {
        let f = &self.filter;
        let mut binds = vec![Bind::I(org_id)];
        let mut conditions = self.conditions(&mut binds);
        let mut tail = Vec::new();
        if let Some(after) = f.after_id {
            tail.push(after);
            conditions.push_str(&format!(" AND id > ${}", binds.len() + tail.len()));
        }
        tail.push(f.limit.unwrap_or(100).clamp(1, 1000));
        let sql = format!(
            "SELECT {cols} FROM finding WHERE org_id = $1{conditions} ORDER BY id LIMIT ${}",
            binds.len() + tail.len()
        );
        (sql, binds, tail)
    }
}

/// What the words of `q` are matched against besides the advisory id (written with the finding,
/// `finding.search_text`, migration 0026): the aliases as stored (JSON text), the component's
/// name and purl and the summary, lower case, separated by a space. A word never holds
/// whitespace, so it matches inside one of them, never across two.
pub(crate) fn search_text(
    aliases_json: &str,
    name: &str,
    purl: Option<&str>,
    summary: Option<&str>,
) -> String {
    [
        aliases_json,
        name,
        purl.unwrap_or(""),
        summary.unwrap_or(""),
    ]
    .join(" ")
    .to_lowercase()
}

/// Runs `sql` with `binds` and then `tail` (values of the placeholders after them).
async fn fetch(
    store: &Store,
    sql: String,
    binds: Vec<Bind>,
    tail: &[i64],
) -> Result<Vec<FindingRow>, StoreError> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = match b {
            Bind::I(v) => q.bind(v),
            Bind::S(v) => q.bind(v),
        };
    }
    for v in tail {
        q = q.bind(*v);
    }
    q.fetch_all(&store.pool)
        .await?
        .iter()
        .map(finding_from)
        .collect()
}

impl Store {
    /// The organisation's findings matching `search`, actively exploited first, then in the
    /// chosen order, one page from `offset`.
    pub async fn search_findings(
        &self,
        org_id: i64,
        search: &FindingSearch,
    ) -> Result<FindingPage, StoreError> {
        let limit = search.filter.limit.unwrap_or(100).clamp(1, 1000);
        let offset = search.offset.clamp(0, 10_000_000);
        let mut binds = vec![Bind::I(org_id)];
        let conditions = search.conditions(&mut binds);
        let sql = format!(
            "SELECT {COLS} FROM finding WHERE org_id = $1{conditions} ORDER BY exploited DESC, {} \
             LIMIT ${} OFFSET ${}",
            search.sort.terms(search.descending),
            binds.len() + 1,
            binds.len() + 2
        );
        let mut findings = fetch(self, sql, binds, &[limit + 1, offset]).await?;
        let more = findings.len() as i64 > limit;
        findings.truncate(limit as usize);
        Ok(FindingPage {
            findings,
            next_offset: more.then_some(offset + limit),
        })
    }

    /// The organisation's findings matching `search` by id, from `search.filter.after_id`
    /// (keyset pages of `search.filter.limit`, at most 1,000; `sort` and `offset` are not
    /// used): how the CSV export and bulk triage walk the whole result of a list's query.
    pub async fn findings_by_id(
        &self,
        org_id: i64,
        search: &FindingSearch,
    ) -> Result<Vec<FindingRow>, StoreError> {
        let (sql, binds, tail) = search.by_id(org_id, COLS);
        fetch(self, sql, binds, &tail).await
    }
}

/// Answers of [`Store::related_exploited_many`] already looked up, by the finding's ids (the
/// advisory id, then the aliases), so an export of many pages reads each flaw's records once.
/// Looked up by borrowed ids: no key is built per row. The export's borrowed rows
/// ([`crate::ExportRow`]) are looked up by the aliases' stored JSON text instead of the parsed
/// list (`by_text`): the same answer, without parsing the aliases of every row.
#[derive(Debug, Default)]
pub struct RelatedCache {
    by_list: HashMap<String, Vec<RelatedEntry>>,
    by_text: HashMap<String, Vec<(String, Vec<String>)>>,
}

/// The aliases of a cached answer and the answer.
type RelatedEntry = (Vec<String>, Vec<String>);

impl RelatedCache {
    /// The cached answer for the finding's ids, if looked up before.
    fn get(&self, f: &FindingRow) -> Option<&Vec<String>> {
        self.by_list
            .get(f.advisory_id.as_str())?
            .iter()
            .find(|(aliases, _)| *aliases == f.aliases)
            .map(|(_, hits)| hits)
    }

    fn insert(&mut self, f: &FindingRow, hits: Vec<String>) {
        let entries = self.by_list.entry(f.advisory_id.clone()).or_default();
        if !entries.iter().any(|(aliases, _)| *aliases == f.aliases) {
            entries.push((f.aliases.clone(), hits));
        }
    }

    /// The cached answer for an advisory id and the aliases' JSON text as stored.
    pub(crate) fn get_text(&self, advisory_id: &str, aliases_json: &str) -> Option<&[String]> {
        self.by_text
            .get(advisory_id)?
            .iter()
            .find(|(aliases, _)| aliases == aliases_json)
            .map(|(_, hits)| hits.as_slice())
    }

    pub(crate) fn insert_text(&mut self, advisory_id: &str, aliases_json: &str, hits: Vec<String>) {
        let entries = self.by_text.entry(advisory_id.to_string()).or_default();
        if !entries.iter().any(|(aliases, _)| aliases == aliases_json) {
            entries.push((aliases_json.to_string(), hits));
        }
    }
}

/// The part of an OSV record the related flag reads.
#[derive(serde::Deserialize)]
struct RelatedIds {
    #[serde(default)]
    related: Vec<String>,
}

impl Store {
    /// The actively exploited vulnerabilities (CISA KEV, ENISA EUVD) that the finding's records
    /// name only under OSV `related` (e.g. PYSEC-2023-175 naming CVE-2023-4863): the analyst
    /// is told, the finding is not marked exploited, so no Article 14 case starts from it
    /// (CRA Art. 14(1) is about *this* vulnerability being exploited; a related flaw is a lead).
    pub async fn related_exploited(&self, finding: &FindingRow) -> Result<Vec<String>, StoreError> {
        let mut cache = RelatedCache::default();
        let mut all = self
            .related_exploited_many(std::slice::from_ref(finding), &mut cache)
            .await?;
        Ok(all.pop().unwrap_or_default())
    }

    /// [`Store::related_exploited`] of each of `findings` (in their order), with a few queries
    /// for the whole slice: what the findings list and the CSV export show per row.
    pub async fn related_exploited_many(
        &self,
        findings: &[FindingRow],
        cache: &mut RelatedCache,
    ) -> Result<Vec<Vec<String>>, StoreError> {
        let todo: Vec<&FindingRow> = findings.iter().filter(|f| cache.get(f).is_none()).collect();
        if !todo.is_empty() {
            let ids: Vec<(&str, &[String])> = todo
                .iter()
                .map(|f| (f.advisory_id.as_str(), f.aliases.as_slice()))
                .collect();
            let hits = self.related_hits(&ids).await?;
            for (f, hits) in todo.iter().zip(hits) {
                cache.insert(f, hits);
            }
        }
        Ok(findings
            .iter()
            .map(|f| cache.get(f).cloned().unwrap_or_default())
            .collect())
    }

    /// The related, actively exploited CVEs of each `(advisory id, aliases)` in `findings`, in
    /// their order, with a few queries for the whole slice (no cache).
    pub(crate) async fn related_hits(
        &self,
        findings: &[(&str, &[String])],
    ) -> Result<Vec<Vec<String>>, StoreError> {
        fn own_ids<'a>(
            &(advisory, aliases): &(&'a str, &'a [String]),
        ) -> impl Iterator<Item = &'a str> {
            std::iter::once(advisory).chain(aliases.iter().map(String::as_str))
        }
        // The `related` ids of every record the findings name.
        let ids: BTreeSet<&str> = findings.iter().flat_map(own_ids).collect();
        let ids: Vec<&str> = ids.into_iter().collect();
        let mut related_of: HashMap<String, Vec<String>> = HashMap::new();
        for chunk in ids.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "SELECT id, body FROM advisory WHERE id IN ({})",
                crate::placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let body: String = r.try_get("body")?;
                let related = serde_json::from_str::<RelatedIds>(&body)
                    .map(|r| r.related)
                    .unwrap_or_default();
                if !related.is_empty() {
                    related_of.insert(r.try_get("id")?, related);
                }
            }
        }
        // Per finding: CVEs named as related that are not the finding's own ids.
        let mut wanted: Vec<BTreeSet<String>> = Vec::with_capacity(findings.len());
        let mut cves: BTreeSet<String> = BTreeSet::new();
        for f in findings {
            let own: BTreeSet<String> = own_ids(f).map(|a| a.to_ascii_uppercase()).collect();
            let related: BTreeSet<String> = own_ids(f)
                .filter_map(|id| related_of.get(id))
                .flatten()
                .map(|id| id.to_ascii_uppercase())
                .filter(|id| id.starts_with("CVE-") && !own.contains(id))
                .collect();
            cves.extend(related.iter().cloned());
            wanted.push(related);
        }
        let cves: Vec<String> = cves.into_iter().collect();
        let mut exploited: BTreeSet<String> = BTreeSet::new();
        for chunk in cves.chunks(crate::CHUNK_ROWS) {
            let sql = format!(
                "SELECT DISTINCT cve_id FROM exploitation WHERE cve_id IN ({})",
                crate::placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                exploited.insert(r.try_get("cve_id")?);
            }
        }
        Ok(wanted
            .into_iter()
            .map(|related| {
                related
                    .into_iter()
                    .filter(|c| exploited.contains(c))
                    .collect()
            })
            .collect())
    }
}

/// A bound value.
pub(crate) enum Bind {
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
