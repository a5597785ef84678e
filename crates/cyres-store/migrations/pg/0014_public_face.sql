-- The manufacturer's public face (issue 18, points 4 and 5). Same conventions as 0001.
--
-- org_public_face: what an organisation shows the public (security.txt per RFC 9116, the
-- coordinated vulnerability disclosure policy page, CRA Annex I Part II (5)-(6), Annex II (1)-(2)):
-- contact e-mail and URL, postal address, website, preferred languages, the URL of its
-- encryption key and the policy's text fields. `body` is the JSON of
-- cyres_store::PublicFace, every string bounded by cyres_store::text.
CREATE TABLE org_public_face (
    org_id BIGINT PRIMARY KEY REFERENCES organisation(id),
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- product_annex_ii: the product's user information (CRA Annex II (1)-(9)). `draft` is the
-- JSON of cyres_store::AnnexIiFields, edited freely and previewed; publishing copies the
-- composed page into `published` (the JSON the public sees, with nothing missing named) and
-- raises `version`. The public reads only `published`.
CREATE TABLE product_annex_ii (
    product_id BIGINT PRIMARY KEY REFERENCES product(id),
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    draft TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    published TEXT,
    version BIGINT NOT NULL DEFAULT 0,
    published_at BIGINT
);
CREATE INDEX product_annex_ii_org ON product_annex_ii(org_id);
