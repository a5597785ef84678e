-- Severity from an alias (issue 17, point 2). Same conventions as 0001.
--
-- finding.severity_source: the id of the other record of the flaw (GHSA-…, CVE-… from NVD) whose
-- CVSS the finding's `severity` and `score` were taken from, because its own records carry none
-- (Go's GO-… and PyPA's PYSEC-… records); NULL when they are the record's own
-- (`cyres-store/src/alias_severity.rs`).
ALTER TABLE finding ADD COLUMN severity_source TEXT;

-- Findings stored before this migration get their borrowed severity once, from the worker's
-- first start after it (the rule needs the records' CVSS vectors scored, which SQL cannot do):
-- one row, pending = 1 until that pass has run (`Store::backfill_alias_severity`).
CREATE TABLE alias_severity_backfill (pending BIGINT NOT NULL);
INSERT INTO alias_severity_backfill (pending) VALUES (1);

-- The CSV export and bulk triage walk a query's whole result in pages by id
-- (`Store::findings_by_id`: `org_id = $1 … AND id > $n ORDER BY id LIMIT 1000`); without this
-- index each page of an organisation-wide query read and sorted all its findings again.
CREATE INDEX finding_org_id ON finding(org_id, id);

-- Raised with every advisory or exploitation change (one row): what a findings page shows
-- beyond the finding rows (the related-to-an-actively-exploited-vulnerability flag) depends
-- on it, so the server's findings page cache keys on it besides the organisation's
-- findings_gen.
CREATE TABLE advisory_data (generation BIGINT NOT NULL);
INSERT INTO advisory_data (generation) VALUES (0);
