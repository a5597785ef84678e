-- One-time password-reset links an organisation's administrator issues for a member
-- (issue 17, point 9). Only the SHA-256 of the link's secret is stored; a link works once,
-- until `expires_at`, and issuing a new one for the same account withdraws the older ones.
CREATE TABLE password_reset (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account(id),
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    token_hash TEXT NOT NULL UNIQUE,
    issued_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_reset_account ON password_reset(account_id);
