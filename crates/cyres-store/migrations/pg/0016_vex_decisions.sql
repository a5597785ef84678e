-- Triage that carries over, and the rest of a VEX decision (issue 17 points 3 and 4). Same
-- conventions as 0001.
--
-- A finding's decision is its own when decision_release_id = release_id (a person, a bulk
-- triage or a VEX import decided it there), inherited when it names another release of the
-- same product (the latest own decision on the same vulnerability in the same component
-- identity: name, version and package URL), and absent when NULL. decided_at is when that
-- decision was made. impact_statement, action_statement and responses (a JSON array of
-- CycloneDX response words) complete the VEX statement (CISA minimum requirements; CycloneDX
-- analysis.response).
ALTER TABLE finding ADD COLUMN impact_statement TEXT;
ALTER TABLE finding ADD COLUMN action_statement TEXT;
ALTER TABLE finding ADD COLUMN responses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE finding ADD COLUMN decision_release_id BIGINT;
ALTER TABLE finding ADD COLUMN decided_at BIGINT;
ALTER TABLE triage ADD COLUMN impact_statement TEXT;
ALTER TABLE triage ADD COLUMN action_statement TEXT;
ALTER TABLE triage ADD COLUMN responses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE triage ADD COLUMN source TEXT NOT NULL DEFAULT 'manual';

-- Findings triaged before this migration hold their own decision.
UPDATE finding SET decision_release_id = release_id,
    decided_at = (SELECT MAX(t.at) FROM triage t WHERE t.finding_id = finding.id)
WHERE id IN (SELECT finding_id FROM triage);

-- The carried-over decision is looked up by product, vulnerability and component name.
CREATE INDEX finding_identity ON finding(product_id, advisory_id, component_name);

-- A proposal (case proposal, voluntary intake) dismissed with a reason: state `dismissed`.
ALTER TABLE report_case ADD COLUMN dismissed_reason TEXT;
