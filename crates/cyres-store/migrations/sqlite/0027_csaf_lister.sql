-- CSAF providers an authority lists and pulls (issue 18, point 6; CSAF 2.0 sections 7.2.4 and
-- 7.3). Same conventions as 0001: times are Unix seconds, JSON is text, rows scoped by org_id.
--
-- csaf_source: a provider an authority organisation (CSIRT, ENISA) lists, by the URL of its
-- provider-metadata.json, with what the last pull read (publisher, role, the provider's own
-- last_updated, the fingerprints of its published keys) and how it went.
CREATE TABLE csaf_source (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    url TEXT NOT NULL,
    publisher_name TEXT,
    publisher_namespace TEXT,
    publisher_category TEXT,
    role TEXT,
    provider_last_updated TEXT,
    listed_metadata TEXT,
    key_fingerprints TEXT NOT NULL DEFAULT '[]',
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    last_pull_at BIGINT,
    last_error TEXT,
    accepted BIGINT NOT NULL DEFAULT 0,
    refused BIGINT NOT NULL DEFAULT 0,
    UNIQUE (org_id, url)
);

-- csaf_mirror: each document accepted from a source (hash, signature, mandatory tests, file
-- name and TLP checked), its latest accepted revision by URL.
CREATE TABLE csaf_mirror (
    id INTEGER PRIMARY KEY,
    source_id BIGINT NOT NULL REFERENCES csaf_source(id),
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    url TEXT NOT NULL,
    tracking_id TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    tlp TEXT,
    current_release_date TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    hash_checked TEXT NOT NULL,
    signed_by TEXT NOT NULL,
    body TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    UNIQUE (source_id, url)
);

-- csaf_refusal: what the latest pull of a source refused, with the rule that refused it.
CREATE TABLE csaf_refusal (
    id INTEGER PRIMARY KEY,
    source_id BIGINT NOT NULL REFERENCES csaf_source(id),
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    url TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX csaf_refusal_source ON csaf_refusal (source_id);
