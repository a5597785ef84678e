-- Upstream reports marked informed before 0030 kept neither who was informed nor who recorded
-- it, so no case could carry their maintainer notice (CRA Art. 13(6)). Who recorded it is in
-- the audit log (the `upstream.report.informed` event of that report); who was informed was
-- never recorded: the recipient organisation on this platform where there is one, otherwise
-- the row says so rather than guessing. The notices themselves are written at start by the
-- store's one copy rule (maintainer_notices.rs), for every case that covers the report.
UPDATE upstream_report SET informed_by = COALESCE(
    (SELECT a.actor FROM audit_event a
      WHERE a.org_id = upstream_report.org_id AND a.action = 'upstream.report.informed'
        AND a.target_id = CAST(upstream_report.finding_id AS TEXT)
        AND json_extract(a.details, '$.report') = upstream_report.id
      ORDER BY a.id LIMIT 1),
    'not recorded (marked informed before cyres kept who recorded it)')
WHERE informed_at IS NOT NULL AND informed_by IS NULL;

UPDATE upstream_report SET informed_maintainer = COALESCE(
    (SELECT o.name FROM organisation o WHERE o.id = upstream_report.recipient_org_id),
    'not recorded (marked informed before cyres kept who was informed)')
WHERE informed_at IS NOT NULL AND informed_maintainer IS NULL;

CREATE TABLE IF NOT EXISTS maintainer_notice_backfill (pending BIGINT NOT NULL);
INSERT INTO maintainer_notice_backfill (pending) VALUES (1);
