-- The compliance file, closing issue 16. Same conventions as 0001: times are Unix seconds, dates
-- ISO text, rows scoped by org_id.
--
-- product_placing: when the product's units were placed on the market (Art. 3(40): placing is
-- per unit). `first_placed` is kept for the record; `last_placed` is NULL while units are still
-- being placed. The Art. 13(13) retention counts from the last unit (cyres_conformity::retention)
-- and has no end while it is NULL. One row per product, changed by editors, each change audited.
CREATE TABLE product_placing (
    product_id BIGINT PRIMARY KEY REFERENCES product(id),
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    first_placed TEXT,
    last_placed TEXT,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- case_maintainer_notice: on an Art. 14 case, the record that the maintainer of an integrated
-- component was informed (Art. 13(6)): who (maintainer), how (channel), when (informed_at), by
-- whom, and the upstream report it refers to. Written when the report is marked sent, once per
-- case and report; never changed. Separate from the evidence ledger (exploitation evidence).
CREATE TABLE case_maintainer_notice (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    case_id BIGINT NOT NULL REFERENCES report_case(id),
    upstream_report_id BIGINT NOT NULL REFERENCES upstream_report(id),
    maintainer TEXT NOT NULL,
    channel TEXT NOT NULL,
    informed_at BIGINT NOT NULL,
    informed_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (case_id, upstream_report_id)
);
CREATE INDEX case_maintainer_notice_case ON case_maintainer_notice(org_id, case_id);

-- Who was informed and who recorded it, on the report itself, so that a case proposed later for
-- the same advisory gets its maintainer notice too (cases::propose copies them).
ALTER TABLE upstream_report ADD COLUMN informed_maintainer TEXT;
ALTER TABLE upstream_report ADD COLUMN informed_by TEXT;
