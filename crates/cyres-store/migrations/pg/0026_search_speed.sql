-- Search speed at 5 M component rows (issue 17, "Speed"). Same conventions as 0001.
--
-- The component search joins each component to its release by the release's current SBOM
-- (`product_release.sbom_id = component.sbom_id`, `Store::search_components`): a page is read
-- in index order and each row finds its release through this index.
CREATE INDEX product_release_sbom ON product_release(sbom_id);

-- The findings list sorted by first seen (`sort=-first_seen`, exploited first): read in this
-- index's order (backwards) and stopped after a page, instead of sorting the organisation's
-- findings.
CREATE INDEX finding_org_first_seen ON finding(org_id, exploited, first_seen, id);

-- finding.search_text: what the words of a findings search (`q=`) are matched against besides
-- the advisory id: the aliases as stored, the component's name and purl and the summary, lower
-- case, separated by a space (`finding_search::search_text`, written with the finding). One
-- `LIKE` per row instead of four `lower()` calls and four `LIKE`s. Findings stored before this
-- migration get SQL's lower() here.
ALTER TABLE finding ADD COLUMN search_text TEXT;
UPDATE finding SET search_text = lower(aliases || ' ' || component_name || ' ' ||
    COALESCE(component_purl, '') || ' ' || COALESCE(summary, ''));
