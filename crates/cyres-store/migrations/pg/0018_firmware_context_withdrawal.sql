-- Firmware matching in context, and findings that stop matching (issue 20). Same conventions
-- as 0001.
--
-- `sbom.product_cpe`: the CPE of the product an SBOM describes (CycloneDX
-- `metadata.component.cpe`), one of the running-on platforms an NVD AND configuration may ask
-- for when a release is re-matched (its components' CPEs are in `component.cpe`). NULL for
-- SBOMs stored before this migration and for products without a CPE.
ALTER TABLE sbom ADD COLUMN product_cpe TEXT;

-- A finding whose component no longer matches after its advisory data changed is kept, closed
-- and marked: when (`withdrawn_at`, Unix seconds) and why (`withdrawn_reason`). A later
-- re-match that finds it again clears both.
ALTER TABLE finding ADD COLUMN withdrawn_at BIGINT;
ALTER TABLE finding ADD COLUMN withdrawn_reason TEXT;
