-- Article 14 reporting: cases (proposed automatically for actively exploited findings, or
-- opened by hand), their report submissions (the durable outbox towards the reporting
-- endpoint), and the authority side's received reports. Same conventions as 0001.

CREATE TABLE report_case (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    advisory_id TEXT,
    finding_ids TEXT NOT NULL,
    body TEXT,
    aware_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, advisory_id)
);
CREATE INDEX report_case_org ON report_case(org_id, state);

CREATE TABLE report_submission (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES report_case(id),
    stage TEXT NOT NULL,
    revision BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    pack TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    receipt_ref TEXT,
    receipt_at BIGINT,
    portal_ref TEXT,
    portal_submitted_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_submission_due ON report_submission(state, next_attempt_at);

CREATE TABLE authority_report (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    sender_org_id BIGINT NOT NULL,
    sender TEXT NOT NULL,
    coordinator TEXT,
    stage TEXT NOT NULL,
    pack TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX authority_report_coordinator ON authority_report(coordinator, id);

CREATE TABLE reminder_sent (
    case_id BIGINT NOT NULL,
    stage TEXT NOT NULL,
    lead_secs BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, stage, lead_secs)
);
