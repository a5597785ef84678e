-- CPE names an analyst settles, and derived candidates (issue 20, point 3(c)). Same conventions
-- as 0001.
--
-- `cpe_decision`: "this component is <vendor>:<product>", recorded once per organisation and
-- applied to every release of its portfolio. `subject` is the component's identity as
-- `cyres_vuln::cpe_resolve::subjects` writes it (`cpe:<vendor>:<product>` as written,
-- `purl:pkg:<type>/<namespace>/<name>`, `name:<lower-case name>`); `target_key` the
-- `cpe/<vendor>:<product>` key NVD configurations are filed under, so a changed record reaches
-- the decided components too. A decision is never deleted: withdrawing it sets `withdrawn_*`;
-- at most one live decision per subject. `origin`: `analyst` (recorded directly) or
-- `candidate` (a derived candidate an analyst confirmed).
CREATE TABLE cpe_decision (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    target_key TEXT NOT NULL,
    origin TEXT NOT NULL,
    note TEXT,
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    withdrawn_by TEXT,
    withdrawn_at BIGINT
);
CREATE UNIQUE INDEX cpe_decision_live ON cpe_decision(org_id, subject) WHERE withdrawn_at IS NULL;
CREATE INDEX cpe_decision_target ON cpe_decision(target_key);

-- `cpe_candidate`: a vendor:product derived from the purl or name of a component without a
-- CPE and present in the stored NVD configurations. Its findings are computed on request and
-- never stored as findings until an analyst confirms it (`state` = `confirmed`, which records a
-- `cpe_decision`); `rejected` keeps the pair from being proposed again.
CREATE TABLE cpe_candidate (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    proposed_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    UNIQUE (org_id, subject, vendor, product)
);

-- The decision a CPE finding was matched through (match kind `analyst_decision`); NULL
-- otherwise.
ALTER TABLE finding ADD COLUMN cpe_decision_id BIGINT;
