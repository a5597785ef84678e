-- Accounts and membership (issue 13, points 4 and 5). Same conventions as 0001.
--
-- Organisation names are unique after normalisation: `name_key` holds the folded name
-- (cyres_store::identity::org_name_key: NFKC, lower case, white space collapsed) under a
-- unique index, and `slug` the organisation's URL slug, set once and never recomputed.
-- SQL cannot do Unicode normalisation, so both start NULL here and the store fills them on
-- the server's next start (Store::normalise_identities), renaming a later organisation whose
-- name collides with an earlier one by suffixing " (2)", " (3)", … and auditing the rename.
-- Stored e-mails are re-normalised at the same time.
ALTER TABLE organisation ADD COLUMN name_key TEXT;
ALTER TABLE organisation ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX organisation_by_name_key ON organisation(name_key);
CREATE UNIQUE INDEX organisation_by_slug ON organisation(slug);

-- Adding a person to an organisation is an invitation they accept after logging in; it is
-- keyed by the normalised e-mail, so it exists whether or not the address has an account yet.
CREATE TABLE invitation (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX invitation_email ON invitation(email);

-- A session may exist before its account belongs to any organisation (to answer its
-- invitations): org_id becomes nullable. SQLite cannot drop NOT NULL, so the table is rebuilt.
CREATE TABLE web_session_0012 (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account(id),
    org_id BIGINT REFERENCES organisation(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
INSERT INTO web_session_0012 (token_hash, account_id, org_id, csrf_token, created_at, expires_at)
    SELECT token_hash, account_id, org_id, csrf_token, created_at, expires_at FROM web_session;
DROP TABLE web_session;
ALTER TABLE web_session_0012 RENAME TO web_session;
