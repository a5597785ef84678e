-- Severity from an alias (issue 17, point 2). Same conventions as 0001.
--
-- finding.severity_source: the id of the other record of the flaw (GHSA-…, CVE-… from NVD) whose
-- CVSS the finding's `severity` and `score` were taken from, because its own records carry none
-- (Go's GO-… and PyPA's PYSEC-… records); NULL when they are the record's own
-- (`cyres-store/src/alias_severity.rs`).
ALTER TABLE finding ADD COLUMN severity_source TEXT;

-- Findings stored before this migration get their borrowed severity from the worker's first
-- run of this job (the rule needs the records' CVSS vectors scored, which SQL cannot do).
INSERT INTO job (kind, payload, state, attempts, run_at, created_at)
VALUES ('rescore', '{}', 'pending', 0, 0, 0);
