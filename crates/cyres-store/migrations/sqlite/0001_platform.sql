-- cyres platform schema, SQLite dialect. Append-only: never edit a released migration, add a new one.
-- Times are UTC Unix seconds (INTEGER), JSON is TEXT, booleans are 0/1, so that the same
-- queries run unchanged on PostgreSQL (see ../pg/0001_platform.sql).

CREATE TABLE organisation (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    member_state TEXT,
    size TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE membership (
    account_id BIGINT NOT NULL REFERENCES account(id),
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    role TEXT NOT NULL,
    PRIMARY KEY (account_id, org_id)
);

CREATE TABLE web_session (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account(id),
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE setup_token (
    token_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE product (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    catalogue_entries TEXT NOT NULL,
    category TEXT NOT NULL,
    member_states TEXT NOT NULL,
    estimated_users BIGINT,
    support_end TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE product_release (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    version TEXT NOT NULL,
    released_on TEXT,
    sbom_id BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (product_id, version)
);

CREATE TABLE sbom (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    release_id BIGINT NOT NULL REFERENCES product_release(id),
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    original BLOB NOT NULL,
    diagnostics TEXT NOT NULL,
    component_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE component (
    sbom_id BIGINT NOT NULL REFERENCES sbom(id),
    ord BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    release_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    version TEXT,
    purl TEXT,
    cpe TEXT,
    match_key TEXT,
    cpe_key TEXT,
    supplier TEXT,
    licenses TEXT,
    hashes TEXT,
    PRIMARY KEY (sbom_id, ord)
);
CREATE INDEX component_match_key ON component(match_key);
CREATE INDEX component_cpe_key ON component(cpe_key);
CREATE INDEX component_release ON component(release_id);

CREATE TABLE advisory (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    published TEXT,
    withdrawn TEXT,
    summary TEXT,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);

CREATE TABLE advisory_key (
    match_key TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    PRIMARY KEY (match_key, advisory_id)
);
CREATE INDEX advisory_key_advisory ON advisory_key(advisory_id);

CREATE TABLE advisory_alias (
    alias TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    PRIMARY KEY (alias, advisory_id)
);
CREATE INDEX advisory_alias_advisory ON advisory_alias(advisory_id);

CREATE TABLE exploitation (
    cve_id TEXT NOT NULL,
    source TEXT NOT NULL,
    date_added TEXT,
    due_date TEXT,
    ransomware BIGINT NOT NULL,
    reference TEXT,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (cve_id, source)
);

CREATE TABLE finding (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    release_id BIGINT NOT NULL,
    sbom_id BIGINT NOT NULL,
    component_ord BIGINT NOT NULL,
    component_name TEXT NOT NULL,
    component_version TEXT,
    component_purl TEXT,
    advisory_id TEXT NOT NULL,
    aliases TEXT NOT NULL,
    summary TEXT,
    severity TEXT NOT NULL,
    score DOUBLE PRECISION,
    match_kind TEXT NOT NULL,
    fixed_versions TEXT NOT NULL,
    exploited BIGINT NOT NULL,
    status TEXT NOT NULL,
    justification TEXT,
    first_seen BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (sbom_id, component_ord, advisory_id)
);
CREATE INDEX finding_org ON finding(org_id, product_id);
CREATE INDEX finding_release ON finding(release_id);
CREATE INDEX finding_advisory ON finding(advisory_id);

CREATE TABLE triage (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    finding_id BIGINT NOT NULL REFERENCES finding(id),
    status TEXT NOT NULL,
    justification TEXT,
    comment TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX triage_finding ON triage(finding_id);

CREATE TABLE alert (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    finding_id BIGINT,
    kind TEXT NOT NULL,
    urgent BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX alert_org ON alert(org_id, id);

CREATE TABLE webhook (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE delivery (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    alert_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    target_id BIGINT,
    attempts BIGINT NOT NULL,
    state TEXT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_status BIGINT,
    last_error TEXT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX delivery_due ON delivery(state, next_attempt_at);

CREATE TABLE advisory_source (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    state TEXT NOT NULL,
    last_sync_at BIGINT,
    last_result TEXT
);

CREATE TABLE job (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    run_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX job_due ON job(state, run_at);

CREATE TABLE audit_event (
    id INTEGER PRIMARY KEY,
    org_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    details TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX audit_org ON audit_event(org_id, id);
