-- CPE matching in the platform (issue 20, points 1 and 5). Same conventions as 0001.
--
-- NVD's CPE applicability statements are stored whole, per CVE and per source (`nvd` for NVD's
-- own analysis, `override` for a layer such as Anchore's nvd-data-overrides): `body` is the
-- `configurations` array in NVD CVE API 2.0 shape (AND/OR nodes, negate, running-on criteria,
-- every version bound), `digest` its SHA-256 so that re-importing unchanged data is a no-op.
-- `cpe_configuration_key` files each row under the `cpe/<vendor>:<product>` keys of its
-- vulnerable criteria, the same keys `component.cpe_key` holds, so a changed record re-matches
-- only the components it can touch.
CREATE TABLE cpe_configuration (
    advisory_id TEXT NOT NULL,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    digest TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (advisory_id, source)
);

CREATE TABLE cpe_configuration_key (
    match_key TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (match_key, advisory_id, source)
);
CREATE INDEX cpe_configuration_key_advisory ON cpe_configuration_key(advisory_id);

-- Who wrote the configuration a CPE finding came from (`nvd` or `override`); NULL for purl
-- findings.
ALTER TABLE finding ADD COLUMN provenance TEXT;
