-- The compliance file on the platform (issue 16, platform side). Same conventions as 0001.
--
-- conformity_doc: per product, the Annex I essential-requirements record and the cybersecurity
-- risk assessment (CRA Art. 13(2)-(4)) as versioned JSON documents (`kind` = 'record' | 'risk').
-- Every save is a new row with the next `version`; rows are never updated.
CREATE TABLE conformity_doc (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (product_id, kind, version)
);

-- conformity_upload: uploaded evidence (test reports, penetration tests, design documents) as
-- immutable versions: one (product, doc_key, version) names one file, kept with its SHA-256.
CREATE TABLE conformity_upload (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    doc_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    content BLOB NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (product_id, doc_key, version)
);

-- conformity_declaration: issued EU declarations of conformity (Art. 28, Annex V), immutable
-- versions; `body` is the JSON of cyres_conformity::IssuedDeclaration, `fingerprint` the
-- SHA-256 of its facts taken at issue.
CREATE TABLE conformity_declaration (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (product_id, version)
);
