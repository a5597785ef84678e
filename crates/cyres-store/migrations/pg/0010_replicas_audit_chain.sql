-- Several replicas on one database, and a tamper-evident audit trail. Same conventions as 0001.
--
-- Leases: a worker claims an outbox row by setting `lease_until` (Unix seconds); until then no
-- other worker takes it, after it (the claimer died) the row is due again. A finished attempt
-- clears the lease. `task_lease` does the same for singleton work (one source sync, the poll
-- of the authority's requests) that has no row of its own.
ALTER TABLE delivery ADD COLUMN lease_until BIGINT;
ALTER TABLE notice_delivery ADD COLUMN lease_until BIGINT;
ALTER TABLE report_submission ADD COLUMN lease_until BIGINT;
CREATE TABLE task_lease (
    name TEXT PRIMARY KEY,
    lease_until BIGINT NOT NULL
);

-- The audit chain: per organisation (chain_id = org id) and one for platform events without
-- an organisation (chain_id = 0), each event carries its position in the chain, the previous
-- event's hash and its own (SHA-256 over the canonical encoding in src/audit.rs). The head row
-- is what a writer locks to append, so concurrent writers cannot fork a chain; it also
-- remembers the last event, so deleting events at the end is detected too. Rows written
-- before this migration are chained when the store opens (Store::open), in id order.
ALTER TABLE audit_event ADD COLUMN chain_seq BIGINT;
ALTER TABLE audit_event ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_event ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_chain_seq ON audit_event((COALESCE(org_id, 0)), chain_seq);
CREATE TABLE audit_chain_head (
    chain_id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    event_id BIGINT NOT NULL
);
-- Finds the rows still to chain at start without reading the whole table.
CREATE INDEX audit_unchained ON audit_event(id) WHERE hash IS NULL;
-- The rows written before this migration, the only ones the store chains after the fact (a row
-- inserted later without a hash went around the store and stays a broken link).
CREATE TABLE audit_chain_backfill (up_to_id BIGINT NOT NULL);
INSERT INTO audit_chain_backfill (up_to_id) SELECT COALESCE(MAX(id), 0) FROM audit_event;
