//! The findings search's word index (issue 17, "Speed": the findings list with `q=` over 5 M
//! component rows in < 100 ms p95 on both engines), kept by the store itself: no engine
//! extension (`pg_trgm`, FTS5), one SQL text for SQLite and PostgreSQL (migration 0029).
//!
//! A word of `q` matches a finding when it is a substring of the finding's advisory id,
//! aliases, component name or purl, or summary (`finding_search`). Without an index that is
//! a `LIKE '%word%'` over every finding of the organisation (~90,000 at 5 M component rows).
//! Here:
//!
//! - a finding's searchable text (its advisory id and its `search_text`) is a *document*
//!   ([`doc_text`]), stored once by digest however many findings share it: the releases that
//!   carry the same component version and advisory all point at one (`finding.search_doc`);
//! - a document's *terms* are its whitespace-separated tokens, cut into pieces of at most
//!   [`PIECE`] characters overlapping by [`STEP`] ([`terms`]);
//! - every suffix of a term is a row of `search_suffix`. A word (it never holds whitespace) is
//!   inside the text exactly when it is inside one token, i.e. when it starts a suffix of one
//!   of the token's pieces: a prefix range on `search_suffix` ([`word_range`]). Words longer
//!   than [`STEP`] look up their first [`STEP`] characters (every such run lies inside one
//!   piece), and the search keeps its `LIKE` on the candidates, so the answer is exactly the
//!   substring search's.
//!
//! Documents, terms and suffixes are written in the transaction that writes the findings
//! ([`docs`], called by `portfolio::insert_findings`), and never change: a finding's text is
//! fixed when it is written (re-matching, triage, withdrawal and exploitation change other
//! columns). Findings stored before migration 0029 are indexed when the store opens
//! ([`Store::index_unindexed_findings`]).

use crate::{Backend, Store, StoreError, placeholders, rows_per_insert};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Most characters of a term: longer tokens are cut into overlapping pieces.
const PIECE: usize = 64;

/// Start of each piece after the first (characters): pieces overlap by `PIECE - STEP`, so
/// every run of at most `STEP` characters of a token lies wholly inside one piece.
const STEP: usize = 32;

/// Findings indexed per transaction when the store catches up on older findings.
const BACKFILL_BATCH: i64 = 2000;

/// The document of a finding: its advisory id, lower case, then its search text
/// (`finding_search::search_text`, already lower case), separated by a space.
pub(crate) fn doc_text(advisory_id: &str, search_text: &str) -> String {
    format!("{} {search_text}", advisory_id.to_lowercase())
}

/// The terms of a document: each whitespace-separated token, or, for a token longer than
/// [`PIECE`] characters, its pieces of [`PIECE`] characters starting every [`STEP`].
pub(crate) fn terms(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for token in text.split_whitespace() {
        let chars: Vec<char> = token.chars().collect();
        if chars.len() <= PIECE {
            out.insert(token.to_string());
            continue;
        }
        let mut start = 0;
        loop {
            let end = (start + PIECE).min(chars.len());
            out.insert(chars[start..end].iter().collect());
            if end == chars.len() {
                break;
            }
            start += STEP;
        }
    }
    out
}

/// The suffixes of a term (the term itself first).
fn suffixes(term: &str) -> impl Iterator<Item = &str> {
    term.char_indices().map(move |(i, _)| &term[i..])
}

/// The `search_suffix` range `[from, to)` of the suffixes a word of `q` (lower case) starts,
/// or whose first [`STEP`] characters it starts when it is longer.
pub(crate) fn word_range(word: &str) -> (String, String) {
    let key: String = word.chars().take(STEP).collect();
    let end = crate::components::prefix_end(&key);
    (key, end)
}

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The ids of the rows of `table` (`search_doc` by `digest`, `search_term` by `term`) whose
/// `column` is one of `keys`, inserting the missing ones; also returns the keys this call
/// inserted (the caller writes what hangs off a new row exactly once: another transaction
/// that inserted a key concurrently wrote its own).
async fn ensure(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    column: &str,
    keys: &BTreeSet<&str>,
) -> Result<(HashMap<String, i64>, BTreeSet<String>), StoreError> {
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(keys.len());
    let keys: Vec<&str> = keys.iter().copied().collect();
    select_ids(conn, table, column, &keys, &mut ids).await?;
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !ids.contains_key(*k))
        .collect();
    let mut new = BTreeSet::new();
    for chunk in missing.chunks(rows_per_insert(backend, 1)) {
        let values: Vec<String> = (1..=chunk.len()).map(|i| format!("(${i})")).collect();
        let sql = format!(
            "INSERT INTO {table} ({column}) VALUES {} ON CONFLICT ({column}) DO NOTHING \
             RETURNING id, {column}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in chunk {
            q = q.bind(*k);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let key: String = r.try_get(1)?;
            ids.insert(key.clone(), r.try_get(0)?);
            new.insert(key);
        }
    }
    // Inserted meanwhile by another transaction (PostgreSQL: the conflict waited for it).
    let raced: Vec<&str> = missing
        .into_iter()
        .filter(|k| !ids.contains_key(*k))
        .collect();
    select_ids(conn, table, column, &raced, &mut ids).await?;
    Ok((ids, new))
}

async fn select_ids(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    keys: &[&str],
    ids: &mut HashMap<String, i64>,
) -> Result<(), StoreError> {
    for chunk in keys.chunks(crate::CHUNK_ROWS) {
        let sql = format!(
            "SELECT id, {column} FROM {table} WHERE {column} IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in chunk {
            q = q.bind(*k);
        }
        for r in q.fetch_all(&mut *conn).await? {
            ids.insert(r.try_get(1)?, r.try_get(0)?);
        }
    }
    Ok(())
}

/// Multi-row `INSERT … ON CONFLICT DO NOTHING` of pairs into `table (a, b)`.
async fn insert_pairs<A, B>(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    pairs: &[(A, B)],
) -> Result<(), StoreError>
where
    A: Clone + for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'static,
    B: Clone + for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'static,
{
    for chunk in pairs.chunks(rows_per_insert(backend, 2)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * 2 + 1, 2)))
            .collect();
        let sql = format!(
            "INSERT INTO {table} VALUES {} ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (a, b) in chunk {
            q = q.bind(a.clone()).bind(b.clone());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The document id of each of `texts` (in order; see [`doc_text`]), writing the documents,
/// terms and suffixes that do not exist yet, inside the caller's transaction.
pub(crate) async fn docs(
    conn: &mut AnyConnection,
    backend: Backend,
    texts: &[String],
) -> Result<Vec<i64>, StoreError> {
    let digests: Vec<String> = texts.iter().map(|t| digest(t)).collect();
    let by_digest: BTreeMap<&str, &str> = digests
        .iter()
        .map(String::as_str)
        .zip(texts.iter().map(String::as_str))
        .collect();
    let keys: BTreeSet<&str> = by_digest.keys().copied().collect();
    let (doc_ids, new_docs) = ensure(conn, backend, "search_doc", "digest", &keys).await?;
    if !new_docs.is_empty() {
        let doc_terms: Vec<(i64, BTreeSet<String>)> = new_docs
            .iter()
            .map(|d| (doc_ids[d], terms(by_digest[d.as_str()])))
            .collect();
        let all: BTreeSet<&str> = doc_terms
            .iter()
            .flat_map(|(_, t)| t.iter().map(String::as_str))
            .collect();
        let (term_ids, new_terms) = ensure(conn, backend, "search_term", "term", &all).await?;
        let suffix_rows: Vec<(String, i64)> = new_terms
            .iter()
            .flat_map(|t| suffixes(t).map(|s| (s.to_string(), term_ids[t])))
            .collect();
        insert_pairs(
            conn,
            backend,
            "search_suffix (suffix, term_id)",
            &suffix_rows,
        )
        .await?;
        let pairs: Vec<(i64, i64)> = doc_terms
            .iter()
            .flat_map(|(doc, t)| t.iter().map(|t| (term_ids[t], *doc)))
            .collect();
        insert_pairs(conn, backend, "search_doc_term (term_id, doc_id)", &pairs).await?;
    }
    Ok(digests.iter().map(|d| doc_ids[d]).collect())
}

impl Store {
    /// Indexes the findings stored before the word index existed (migration 0029), a batch
    /// per transaction, until none is left; returns how many it indexed. Run at open: a
    /// database indexed already answers with one index probe.
    #[doc(hidden)]
    pub async fn index_unindexed_findings(&self) -> Result<u64, StoreError> {
        let mut done = 0u64;
        loop {
            let mut tx = self.begin().await?;
            let rows = sqlx::query(
                "SELECT id, advisory_id, search_text FROM finding WHERE search_doc IS NULL LIMIT $1",
            )
            .bind(BACKFILL_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                tx.commit().await?;
                return Ok(done);
            }
            let mut ids = Vec::with_capacity(rows.len());
            let mut texts = Vec::with_capacity(rows.len());
            for r in &rows {
                let advisory: String = r.try_get(1)?;
                let text: Option<String> = r.try_get(2)?;
                ids.push(r.try_get::<i64, _>(0)?);
                texts.push(doc_text(&advisory, text.as_deref().unwrap_or("")));
            }
            let docs = docs(&mut tx, self.backend, &texts).await?;
            let mut by_doc: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
            for (id, doc) in ids.iter().zip(docs) {
                by_doc.entry(doc).or_default().push(*id);
            }
            for (doc, findings) in by_doc {
                for chunk in findings.chunks(crate::CHUNK_ROWS) {
                    let sql = format!(
                        "UPDATE finding SET search_doc = $1 WHERE id IN ({})",
                        placeholders(2, chunk.len())
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(doc);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            done += rows.len() as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index's promise: a word (no whitespace) inside the text is inside one term, and
    /// the term has a suffix in the word's range.
    fn found(text: &str, word: &str) -> bool {
        let (from, to) = word_range(word);
        terms(text)
            .iter()
            .any(|t| suffixes(t).any(|s| s >= from.as_str() && s < to.as_str()))
    }

    #[test]
    fn every_substring_of_a_token_is_found_and_nothing_across_tokens() {
        let long: String = (0..150)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let text = format!(
            "ghsa-qppj-fm5r-hxr3 [\"cve-2023-44487\"] golang.org/x/net pkg:golang/golang.org/x/net@v0.7.0 \
             http/2 rapid reset é-ü {long}"
        );
        for token in text.split_whitespace() {
            let chars: Vec<char> = token.chars().collect();
            for i in 0..chars.len() {
                for j in i + 1..=chars.len() {
                    let w: String = chars[i..j].iter().collect();
                    assert!(found(&text, &w), "{w:?} in {token:?}");
                }
            }
        }
        assert!(!found(&text, "reset é"));
        assert!(!found(&text, "nosuchword"));
    }

    #[test]
    fn long_tokens_are_cut_into_overlapping_pieces() {
        let long: String = "x".repeat(100);
        let t = terms(&long);
        assert!(t.iter().all(|p| p.chars().count() <= PIECE));
        assert_eq!(terms("a b a").len(), 2);
        assert_eq!(doc_text("GHSA-AB", "x y"), "ghsa-ab x y");
    }
}
