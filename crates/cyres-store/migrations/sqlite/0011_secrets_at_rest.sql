-- Secrets at rest (issue #13, point 6). Webhook signing secrets are stored encrypted with the
-- server's secret key; this one row records which key (by id, never the key) encrypted them,
-- so a start with a missing or different key file is refused instead of failing at delivery.
-- The row exists from the start so that a starting server can lock it (UPDATE first) before
-- re-encrypting, and two servers starting together on one database cannot race.
CREATE TABLE secret_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key_id TEXT,
    updated_at BIGINT NOT NULL
);
INSERT INTO secret_key (id, key_id, updated_at) VALUES (1, NULL, 0);
