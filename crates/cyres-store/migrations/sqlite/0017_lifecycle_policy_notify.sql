-- Lifecycle, policies and notification rules (issue 17, points 5 to 7). Same conventions as 0001.

-- A product is archived rather than deleted: hidden from the product list and its findings
-- from the open lists and dashboards, kept with its audit trail, restorable by an administrator.
ALTER TABLE product ADD COLUMN archived_at BIGINT;

-- A release retired by the manufacturer, or at the end of its support period (CRA Art. 13(8)):
-- retired_kind is 'retired' or 'end_of_support'; its findings leave the open lists but stay.
ALTER TABLE product_release ADD COLUMN retired_at BIGINT;
ALTER TABLE product_release ADD COLUMN retired_kind TEXT;

-- An SBOM replaced by a newer version of the same release: product_release.sbom_id names the
-- current one; earlier ones keep their components and findings, marked superseded.
ALTER TABLE sbom ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE sbom ADD COLUMN superseded_at BIGINT;
CREATE INDEX sbom_release ON sbom(release_id);

-- policy: the gate rules of an organisation (product_id 0) or of one product, as the JSON of
-- cyres_vuln::policy::Policy. A product's own policy replaces the organisation's.
CREATE TABLE policy (
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL,
    document TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, product_id)
);

-- policy_alert: which violations of a release have already raised a policy_violation alert,
-- so a violation is announced once.
CREATE TABLE policy_alert (
    org_id BIGINT NOT NULL,
    release_id BIGINT NOT NULL,
    violation_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (release_id, violation_key)
);

-- notify_rule: which alerts go where. events and product_ids are JSON lists (no products = all
-- products); channel is webhook (signed JSON), slack, mattermost, email or atom; target is the
-- URL (webhook, slack, mattermost) or e-mail address (NULL: the organisation's editors);
-- secret is the sealed signing secret of a webhook rule.
CREATE TABLE notify_rule (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    name TEXT NOT NULL,
    events TEXT NOT NULL,
    product_ids TEXT NOT NULL,
    min_severity TEXT,
    channel TEXT NOT NULL,
    target TEXT,
    secret TEXT,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notify_rule_org ON notify_rule(org_id, active);
