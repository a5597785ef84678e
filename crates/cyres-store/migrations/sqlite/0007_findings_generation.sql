-- A counter per organisation, raised in the same transaction as every change to its findings
-- (new findings, exploitation, triage). Readers that cache a findings page remember the value it
-- was built under; a different value means the page is stale. Kept in the database so that
-- several server processes sharing one PostgreSQL see each other's changes.
ALTER TABLE organisation ADD COLUMN findings_gen BIGINT NOT NULL DEFAULT 0;
