-- The CSAF trusted provider (issue 18, point 3). Same conventions as 0001: times are Unix
-- seconds, JSON is text, rows scoped by org_id.
--
-- csaf_signing_key: the organisation's OpenPGP key (CSAF 2.0 section 7.1.19-20), made on
-- first need. `secret` is the armored secret key sealed by the server's secret key file
-- (enc:v1:…, re-sealed at start like webhook secrets); `public_key` is the armored public key
-- the provider publishes, `fingerprint` its 40 hex digits.
CREATE TABLE csaf_signing_key (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL UNIQUE REFERENCES organisation(id),
    fingerprint TEXT NOT NULL,
    public_key TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- csaf_revision: one revision of a CSAF document (a security advisory from a case, a VEX
-- document of a release). Revisions of one document share `tracking_id` and count up in
-- `revision`. `input` is the cyres_csaf::generate::AdvisoryInput JSON it is made from;
-- `body` the generated document (the draft, then, once published, the final document's
-- exact bytes, which are what the provider serves, hashes and signs). State: draft →
-- reviewed → published; a published row is never updated (a correction is a new revision),
-- and `superseded` marks a draft replaced by a newer draft of the same document.
CREATE TABLE csaf_revision (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    tracking_id TEXT NOT NULL,
    revision BIGINT NOT NULL,
    profile TEXT NOT NULL,
    tlp TEXT NOT NULL,
    title TEXT NOT NULL,
    case_id BIGINT REFERENCES report_case(id),
    release_id BIGINT REFERENCES product_release(id),
    state TEXT NOT NULL,
    version TEXT NOT NULL,
    input TEXT NOT NULL,
    body TEXT NOT NULL,
    change_summary TEXT NOT NULL,
    proposal TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    published_by TEXT,
    published_at BIGINT,
    UNIQUE (org_id, tracking_id, revision)
);
CREATE INDEX csaf_revision_state ON csaf_revision(org_id, state);
CREATE INDEX csaf_revision_case ON csaf_revision(case_id);
