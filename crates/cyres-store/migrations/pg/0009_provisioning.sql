-- Who brought each organisation into being (issue 13: authority organisations are provisioned,
-- never self-declared). 'operator': the first organisation of the instance or `cyres admin org
-- create`; 'self_service': an account's request. The first organisation, and any whose creation
-- the audit trail records as done by the platform itself (first start from the environment, the
-- demo seeder), were made by the operator; every other existing organisation is marked
-- self-service, so an authority organisation an account declared for itself keeps the server
-- from starting until the operator reviews it (`cyres admin org list`, `confirm`, `set-kind`).
ALTER TABLE organisation ADD COLUMN provisioned_by TEXT NOT NULL DEFAULT 'self_service';
UPDATE organisation SET provisioned_by = 'operator'
 WHERE id = (SELECT MIN(id) FROM organisation)
    OR EXISTS (SELECT 1 FROM audit_event a
                WHERE a.action = 'organisation.create'
                  AND a.target_id = CAST(organisation.id AS TEXT)
                  AND a.actor LIKE 'system%');
