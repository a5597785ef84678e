-- Authority decisions on received reports, as an append-only log: the coordinator CSIRT's
-- forward/delay decision, ENISA's analyst reviews of the systemic-risk assessment, and
-- intermediate-report requests (picked up by the manufacturer's instance).

CREATE TABLE authority_action (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES authority_report(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX authority_action_report ON authority_action(report_id, kind, id);
CREATE INDEX authority_action_kind ON authority_action(kind, id);
