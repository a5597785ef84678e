-- The facts ENISA's systemic-risk assessment needs, extracted once at intake (small JSON), so
-- an assessment over every stored notification does not re-read whole report packs.
ALTER TABLE authority_report ADD COLUMN facts TEXT;
