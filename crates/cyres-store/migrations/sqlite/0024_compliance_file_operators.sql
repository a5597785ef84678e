-- The compliance file, continued (issue 16, points 3-5). Same conventions as 0001: times are
-- Unix seconds, JSON is text, booleans 0/1, rows scoped by org_id.
--
-- upstream_report: a report of a vulnerability found in an integrated component to that
-- component's maintainer (CRA Art. 13(6)). `contacts` is the JSON list of contacts found
-- (SBOM supplier / externalReferences, the purl's repository, security.txt location), `osv`
-- the machine-readable report (OSV 1.6 JSON), `fix` the manufacturer's fix once it has one.
-- `recipient_org_id` names a steward or manufacturer organisation on this platform that
-- receives it (Art. 24: stewards see the reports manufacturers sent them). `informed_at`
-- records when the maintainer was informed, and how (`informed_via`).
CREATE TABLE upstream_report (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    finding_id BIGINT NOT NULL REFERENCES finding(id),
    component TEXT NOT NULL,
    purl TEXT,
    advisory_id TEXT NOT NULL,
    affected_versions TEXT NOT NULL,
    contacts TEXT NOT NULL,
    recipient_org_id BIGINT REFERENCES organisation(id),
    body TEXT NOT NULL,
    fix TEXT,
    osv TEXT NOT NULL,
    informed_at BIGINT,
    informed_via TEXT,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX upstream_report_finding ON upstream_report(org_id, finding_id);
CREATE INDEX upstream_report_recipient ON upstream_report(recipient_org_id);

-- economic_operator: the authorised representatives, importers and distributors of a product
-- per member state (CRA Arts 18-20), with their name, postal address and contact.
CREATE TABLE economic_operator (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    contact TEXT NOT NULL,
    member_state TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX economic_operator_product ON economic_operator(org_id, product_id);

-- operator_check: an importer's (Art. 19(2)) or distributor's (Art. 20(2)) checks before
-- placing or making available, each item with its result (JSON), kept as evidence.
CREATE TABLE operator_check (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    operator_id BIGINT NOT NULL REFERENCES economic_operator(id),
    passed BIGINT NOT NULL,
    items TEXT NOT NULL,
    author TEXT NOT NULL,
    checked_at BIGINT NOT NULL
);
CREATE INDEX operator_check_operator ON operator_check(operator_id);

-- supply_record: Art. 23 traceability: which operator supplied the product to this operator
-- (`direction` = 'supplied-by') or was supplied by it ('supplied-to'), on which day; kept
-- until `keep_until` (Art. 23(2): ten years after the supply), ISO date.
CREATE TABLE supply_record (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    operator_id BIGINT NOT NULL REFERENCES economic_operator(id),
    direction TEXT NOT NULL,
    party TEXT NOT NULL,
    party_address TEXT NOT NULL,
    supplied_on TEXT NOT NULL,
    quantity BIGINT,
    keep_until TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX supply_record_operator ON supply_record(operator_id);

-- declaration_publication: the manufacturer published issued declaration `version` at its
-- public address (the exact URL the simplified declaration carries, Annex VI).
CREATE TABLE declaration_publication (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    version BIGINT NOT NULL,
    author TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
CREATE INDEX declaration_publication_product ON declaration_publication(product_id);

-- authority_request: a market surveillance authority's request for the documentation
-- (Art. 13(13), Art. 31(3), Art. 52) and what was handed over (JSON list of items with their
-- SHA-256) and when; rows are written once and the hand-over set once.
CREATE TABLE authority_request (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    authority TEXT NOT NULL,
    member_state TEXT NOT NULL,
    reference TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    handed_over TEXT,
    handed_over_at BIGINT,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX authority_request_product ON authority_request(org_id, product_id);
