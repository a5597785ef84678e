-- The findings search's word index (issue 17, "Speed": `q=` over 5 M component rows < 100 ms
-- p95). Same conventions as 0001. Written by the store in the transaction that writes the
-- findings (`search_index.rs`); findings stored before this migration are indexed by the store
-- when it opens the database (`Store::open`, `search_index::backfill`), in batches, once.
--
-- A finding's searchable text (its advisory id, aliases, component name and purl, summary,
-- lower case) is a *document*, stored once however many findings share it (every release
-- with the same component version and advisory shares one). A document is made of *terms*
-- (its whitespace-separated tokens, cut into pieces of at most 64 characters overlapping by
-- 32), and every suffix of a term is a key of `search_suffix`: a word of `q` is inside a term
-- exactly when it starts one of the term's suffixes, a prefix range on this table.
--
-- search_doc: one per distinct text, by its SHA-256 (hex).
CREATE TABLE search_doc (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE
);
-- search_term: one per distinct term.
CREATE TABLE search_term (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE
);
-- search_suffix: every suffix of every term.
CREATE TABLE search_suffix (
    suffix TEXT NOT NULL,
    term_id BIGINT NOT NULL,
    PRIMARY KEY (suffix, term_id)
) WITHOUT ROWID;
-- search_doc_term: the terms of each document.
CREATE TABLE search_doc_term (
    term_id BIGINT NOT NULL,
    doc_id BIGINT NOT NULL,
    PRIMARY KEY (term_id, doc_id)
) WITHOUT ROWID;
-- finding.search_doc: the finding's document (NULL only until the store has indexed the
-- findings stored before this migration).
ALTER TABLE finding ADD COLUMN search_doc BIGINT;
CREATE INDEX finding_search_doc ON finding(search_doc, org_id);
