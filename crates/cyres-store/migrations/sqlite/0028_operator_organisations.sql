-- Economic operators with their own logins (issue 16, point 5; CRA Arts 18-20, 23): an
-- importer, distributor or authorised representative the manufacturer lists for a product may
-- be an organisation on this platform (kind `operator`). Its members then see that product's
-- listing, run their Art. 19(2) / 20(2) checks and record their Art. 23 supplies themselves.
ALTER TABLE economic_operator ADD COLUMN operator_org_id BIGINT REFERENCES organisation(id);
CREATE INDEX economic_operator_org ON economic_operator(operator_org_id);
