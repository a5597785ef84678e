-- Components you can find (issue 17, point 1). Same conventions as 0001.
--
-- component.search_name: the name in lower case, the key of the portfolio-wide name search
-- (prefix ranges on a byte-ordered column; PostgreSQL declares it COLLATE "C" so the same
-- range text works there whatever the database's collation). Written by ingestion; rows
-- stored before this migration get SQL's lower() (ASCII letters only on SQLite).
-- component.direct: 1 when the product depends on it directly, 0 when only through other
-- components, NULL when the SBOM does not say (cyres_sbom::Component::direct, else the
-- product's stated dependencies).
ALTER TABLE component ADD COLUMN search_name TEXT;
ALTER TABLE component ADD COLUMN direct BIGINT;
UPDATE component SET search_name = lower(name);

-- Portfolio search: every lookup starts with the organisation, then the name, the match key
-- (purl) or the CPE key, then the version; sbom_id and ord complete the order so a page is
-- read from the index without sorting.
CREATE INDEX component_org_name ON component(org_id, search_name, version, sbom_id, ord);
CREATE INDEX component_org_key ON component(org_id, match_key, version, sbom_id, ord);
CREATE INDEX component_org_cpe ON component(org_id, cpe_key, version, sbom_id, ord);

-- component_edge: the SBOM's dependency graph (CycloneDX `dependencies`, SPDX relationships,
-- lockfile dependency lists), "from depends on to", by component position; from_ord -1 is the
-- product itself (CycloneDX metadata.component, SPDX DESCRIBES). SBOMs stored before this
-- migration have no edges.
CREATE TABLE component_edge (
    sbom_id BIGINT NOT NULL REFERENCES sbom(id),
    to_ord BIGINT NOT NULL,
    from_ord BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    PRIMARY KEY (sbom_id, to_ord, from_ord)
);

-- component_licence: each licence of a component, lower case, one row per SPDX licence id of an
-- expression (`MIT OR Apache-2.0` gives `mit` and `apache-2.0`) or per licence name as written,
-- so a licence search is a prefix range (`gpl` finds `gpl-2.0-only` and `gpl-3.0-or-later`).
-- Rows stored before this migration get their whole licence text as one entry.
CREATE TABLE component_licence (
    sbom_id BIGINT NOT NULL REFERENCES sbom(id),
    ord BIGINT NOT NULL,
    licence TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    PRIMARY KEY (sbom_id, ord, licence)
);
CREATE INDEX component_licence_org ON component_licence(org_id, licence, sbom_id, ord);
INSERT INTO component_licence (sbom_id, ord, licence, org_id)
    SELECT sbom_id, ord, lower(licenses), org_id FROM component WHERE licenses IS NOT NULL;
