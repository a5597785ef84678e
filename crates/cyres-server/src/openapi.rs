//! The OpenAPI 3.1 description of `/api/v1`, built from one table of operations so that a test
//! can check every route is described and every described route exists.

use axum::Json;
use serde_json::{Value, json};

/// One operation: method, path, summary, minimum role, request body schema, response schema.
pub(crate) struct Op {
    /// HTTP method, lower case.
    pub method: &'static str,
    /// Path under `/api/v1`.
    pub path: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Minimum role (`viewer`, `editor`, `admin`, `operator`, `public`).
    pub role: &'static str,
    /// Request body schema name (`#/components/schemas/…`), `raw` for a file, or none.
    pub body: Option<&'static str>,
    /// Success response schema name, if JSON.
    pub response: Option<&'static str>,
    /// Query parameters.
    pub query: &'static [&'static str],
}

const fn op(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    role: &'static str,
    body: Option<&'static str>,
    response: Option<&'static str>,
    query: &'static [&'static str],
) -> Op {
    Op {
        method,
        path,
        summary,
        role,
        body,
        response,
        query,
    }
}

/// Every operation of the API.
#[rustfmt::skip]
pub(crate) const OPS: &[Op] = &[
    op("get", "/openapi.json", "This document", "public", None, None, &[]),
    op("post", "/session", "Log in with e-mail and password; sets the session cookie and returns the CSRF token", "public", Some("Login"), Some("Session"), &[]),
    op("get", "/session", "Who is calling, for which organisation and role", "viewer", None, Some("Session"), &[]),
    op("delete", "/session", "Log out", "viewer", None, None, &[]),
    op("post", "/session/org", "Act for another organisation the account belongs to", "viewer", Some("SwitchOrg"), None, &[]),
    op("get", "/orgs", "Organisations the caller can act for", "viewer", None, None, &[]),
    op("post", "/orgs", "Create an organisation (the creator becomes its admin)", "viewer", Some("NewOrg"), Some("Org"), &[]),
    op("get", "/members", "Members and roles", "viewer", None, None, &[]),
    op("post", "/members", "Invite an e-mail with a role (202, the same answer whether or not the address has an account; with a password an account is created for an address that has none); an existing member's role changes at once (200)", "admin", Some("NewMember"), None, &[]),
    op("delete", "/members/{account_id}", "Remove a member (never the organisation's last administrator: 409)", "admin", None, None, &[]),
    op("post", "/members/{account_id}/password-reset", "Issue a one-time password-reset link for a member (shown once, valid 24 h; refused with 403 for an account that also belongs to another organisation)", "admin", None, Some("PasswordResetLink"), &[]),
    op("post", "/password-reset", "Set a new password with a reset link's token; ends every session of the account", "public", Some("PasswordReset"), None, &[]),
    op("get", "/members/invitations", "The organisation's pending invitations", "admin", None, None, &[]),
    op("delete", "/members/invitations/{id}", "Withdraw a pending invitation", "admin", None, None, &[]),
    op("get", "/invitations", "Invitations waiting for the logged-in person (a session, also of an account in no organisation yet)", "viewer", None, None, &[]),
    op("post", "/invitations/{id}/accept", "Accept an invitation: become a member with the offered role", "viewer", None, None, &[]),
    op("post", "/invitations/{id}/decline", "Decline an invitation", "viewer", None, None, &[]),
    op("get", "/tokens", "API tokens (never their secrets)", "admin", None, None, &[]),
    op("post", "/tokens", "Create an API token; the secret is shown once", "admin", Some("NewToken"), None, &[]),
    op("delete", "/tokens/{id}", "Revoke a token, effective immediately", "admin", None, None, &[]),
    op("get", "/webhooks", "Webhooks", "admin", None, None, &[]),
    op("post", "/webhooks", "Add a webhook: the URL must reach a public address unless the operator's outbound_allow names it (else 422 naming the problem); the signing secret is shown once and stored encrypted", "admin", Some("NewWebhook"), None, &[]),
    op("delete", "/webhooks/{id}", "Remove a webhook", "admin", None, None, &[]),
    op("get", "/deliveries", "Alert delivery log", "admin", None, None, &[]),
    op("get", "/audit", "Audit events (read-only)", "admin", None, None, &[]),
    op("get", "/sources", "Advisory sources with last sync and counts (those of the running sync while one runs: its progress) and running", "viewer", None, None, &[]),
    op("post", "/sources/{id}/sync", "Sync one advisory source now, then re-match the portfolio; answers the counts (409 while a sync of the source runs)", "operator", None, None, &[]),
    op("get", "/alerts", "Alerts, newest first", "viewer", None, None, &[]),
    op("get", "/alerts.atom", "Alerts as an Atom feed (token in ?token= for feed readers)", "viewer", None, None, &["token"]),
    op("get", "/products", "Products", "viewer", None, None, &[]),
    op("post", "/products", "Create a product; its CRA category is computed from the catalogue entries", "editor", Some("ProductInput"), Some("Product"), &[]),
    op("get", "/products/{id}", "One product", "viewer", None, Some("Product"), &[]),
    op("put", "/products/{id}", "Replace a product's fields", "editor", Some("ProductInput"), Some("Product"), &[]),
    op("get", "/products/{id}/releases", "A product's releases", "viewer", None, None, &[]),
    op("post", "/products/{id}/releases", "Create a release", "editor", Some("ReleaseInput"), Some("Release"), &[]),
    op("get", "/releases/{id}", "One release", "viewer", None, Some("Release"), &[]),
    op("post", "/releases/{id}/sbom", "Upload the release's SBOM (CycloneDX 1.2-1.6 JSON/XML, SPDX 2.2/2.3 JSON, tag-value, YAML); body is the file", "editor", Some("raw"), Some("IngestResult"), &["filename"]),
    op("put", "/releases/{id}/sbom", "Replace the release's SBOM by a new version of it (its first when it has none): the old version and its findings are kept, superseded; decisions on the same component and vulnerability carry over; only vulnerabilities the old version lacked alert", "editor", Some("raw"), Some("IngestResult"), &["filename"]),
    op("delete", "/products/{id}", "Archive the product (never deleted): it leaves the product list and its findings the open lists, except actively exploited ones still open (CRA Art. 14(1)); cases continue and are named in the answer; an admin can restore it", "editor", None, Some("Archived"), &[]),
    op("get", "/products/archived", "Archived products with when each was archived", "viewer", None, None, &[]),
    op("post", "/products/{id}/restore", "Restore an archived product", "admin", None, Some("Product"), &[]),
    op("post", "/releases/{id}/retire", "Retire a release or mark the end of its support period (CRA Art. 13(8)): its findings leave the open lists and dashboards (kept on the release), except actively exploited ones still open", "editor", Some("Retire"), Some("ReleaseState"), &[]),
    op("post", "/releases/{id}/reinstate", "Bring a retired release back", "editor", None, Some("ReleaseState"), &[]),
    op("get", "/releases/{id}/lifecycle", "A release's retirement and SBOM versions", "viewer", None, Some("ReleaseState"), &[]),
    op("get", "/releases/{id}/sbom/diff", "What changed between two SBOM versions of the release (SBOM ids; default: the previous and the current): components added, removed, changed; findings new and resolved", "viewer", None, Some("SbomDiff"), &["from", "to"]),
    op("get", "/releases/{id}/gate", "The release's gate for CI: the policy that applies (the product's, else the organisation's) evaluated over its findings and components; result pass or fail with the violations (always 200)", "viewer", None, Some("Gate"), &[]),
    op("get", "/policies", "The organisation's policies (organisation-wide and per product)", "viewer", None, None, &[]),
    op("put", "/policies/organisation", "Set the organisation's policy (JSON, or the TOML file of cyres scan --policy as application/toml)", "admin", Some("Policy"), None, &[]),
    op("delete", "/policies/organisation", "Remove the organisation's policy", "admin", None, None, &[]),
    op("get", "/products/{id}/policy", "The policy that applies to the product (its own or the organisation's), null when none", "viewer", None, None, &[]),
    op("put", "/products/{id}/policy", "Set the product's own policy (replaces the organisation's for it)", "admin", Some("Policy"), None, &[]),
    op("delete", "/products/{id}/policy", "Remove the product's own policy", "admin", None, None, &[]),
    op("get", "/notification-rules", "Notification rules (never their secrets)", "admin", None, None, &[]),
    op("post", "/notification-rules", "Add a rule: events, products, minimum severity, channel (webhook signed JSON, slack, mattermost, email, atom); URLs must pass the outbound policy (else 422); a webhook rule's signing secret is shown once", "admin", Some("NotifyRule"), None, &[]),
    op("put", "/notification-rules/{id}", "Edit a rule (same fields and checks as when adding it); a webhook rule keeps its signing secret, a rule that becomes a webhook gets a new one, shown once; audited", "admin", Some("NotifyRule"), None, &[]),
    op("post", "/notification-rules/{id}/disable", "Switch a rule off: it matches no alert and its pending deliveries are skipped; audited", "admin", None, None, &[]),
    op("post", "/notification-rules/{id}/enable", "Switch a rule back on; audited", "admin", None, None, &[]),
    op("delete", "/notification-rules/{id}", "Remove a rule (its pending deliveries are skipped)", "admin", None, None, &[]),
    op("get", "/notification-rules/{id}/feed.atom", "The alerts a rule matches, as an Atom feed", "viewer", None, None, &[]),
    op("get", "/releases/{id}/sbom", "SBOM metadata and quality diagnostics", "viewer", None, None, &[]),
    op("get", "/releases/{id}/sbom/original", "The SBOM exactly as uploaded", "viewer", None, None, &[]),
    op("get", "/releases/{id}/sbom/quality", "The SBOM scored against BSI TR-03183-2 v2.0 (profile=bsi, default) or the NTIA minimum elements (profile=ntia)", "viewer", None, None, &["profile"]),
    op("get", "/metrics", "Trends: open findings per day by severity band, exploited, exposure (weighted), time to triage and to fix (days: 1-730, default 90)", "viewer", None, None, &["product", "days"]),
    op("get", "/metrics.csv", "The daily series of /metrics as CSV", "viewer", None, None, &["product", "days"]),
    op("get", "/releases/{id}/components", "Components in SBOM order (keyset pages by position), each with its licences, supplier, direct flag and findings; findings=only keeps components that have findings", "viewer", None, None, &["after", "limit", "findings"]),
    op("get", "/components", "Search every component of the organisation's releases: q (name prefix, case-insensitive; or a purl pkg:… or CPE cpe:2.3:…), purl (with or without version), version (exact or a vers: range), licence (licence id prefix, e.g. gpl); pages by offset (next_offset)", "viewer", None, Some("ComponentPage"), &["q", "purl", "version", "licence", "limit", "offset"]),
    op("get", "/findings/{id}/path", "How the finding's component came into its release: a shortest dependency path from the product and the components that pull it in", "viewer", None, Some("DependencyPath"), &[]),
    op("get", "/findings", "Findings, filtered (keyset pages by id with after=). With q (words matching the advisory id, any alias, the component name or purl, the summary), sort (triage, severity, score, advisory, component, product, status, first_seen; -word descending), offset or status=open: the search, actively exploited first across the whole result, next page in the x-next-offset header. Each row carries related_exploited (actively exploited CVEs its records name only as related) and severity_source (the alias its severity was borrowed from)", "viewer", None, None, &[ "product", "release", "severity", "exploited", "status", "advisory", "after", "limit", "q", "sort", "offset", ]),
    op("get", "/findings/{id}", "One finding (cpe_decision: who decided the CPE name and when, for match kind analyst_decision)", "viewer", None, Some("Finding"), &[]),
    op("get", "/cpe-decisions", "The organisation's CPE decisions (\"this component is vendor:product\"); withdrawn=true includes withdrawn ones", "viewer", None, None, &["withdrawn"]),
    op("post", "/cpe-decisions", "Record that a component (CPE vendor:product as written, purl or name) is NVD's vendor:product, for every release of the organisation: its components are re-matched (match kind analyst_decision), audited; replaces a live decision about the same component", "editor", Some("CpeDecisionInput"), Some("CpeDecided"), &[]),
    op("delete", "/cpe-decisions/{id}", "Withdraw a CPE decision (kept, marked): the components go back to their own names; findings only the decision gave are withdrawn with a reason", "editor", None, Some("CpeDecided"), &[]),
    op("get", "/cpe-candidates", "Derived CPE candidates for components without a CPE (state=proposed by default, confirmed, rejected, all), each with the findings it would give (pending_findings, never counted in lists, dashboards, Art. 14 proposals or gates)", "viewer", None, None, &["state"]),
    op("post", "/cpe-candidates/derive", "Derive candidates again for every component without a CPE (after an NVD import); answers how many were proposed", "editor", None, None, &[]),
    op("get", "/cpe-candidates/{id}", "One candidate with the findings it would give (match kind derived, status needs_confirmation)", "viewer", None, Some("CpeCandidate"), &[]),
    op("post", "/cpe-candidates/{id}/confirm", "Confirm a candidate: it becomes the CPE decision for its component, re-matched at once; optional note", "editor", Some("CpeNote"), Some("CpeDecided"), &[]),
    op("post", "/cpe-candidates/{id}/reject", "Reject a candidate: never proposed again for that component", "editor", None, Some("CpeCandidate"), &[]),
    op("post", "/findings/{id}/triage", "Set the VEX status (not_affected needs a justification)", "editor", Some("Triage"), Some("Finding"), &[]),
    op("get", "/findings/{id}/history", "Triage history", "viewer", None, None, &[]),
    op("get", "/findings.csv", "Findings as CSV (RFC 4180): exactly the findings the list gives for the same query (q and status=open included), every page, by id, streamed; columns include severity_source and related_exploited", "viewer", None, None, &[ "product", "release", "severity", "exploited", "status", "advisory", "q", ]),
    op("post", "/findings/triage", "One VEX decision on many findings (ids, or the whole result of a findings query: the same findings the list and the CSV export give for it), one transaction; carried to the same component version in the product's other releases", "editor", Some("BulkTriage"), Some("TriageSummary"), &[]),
    op("post", "/cases/{id}/dismiss", "Dismiss a proposal (case proposal or voluntary intake) with a reason; 204, 409 when the case is not a proposal", "editor", Some("Dismiss"), None, &[]),
    op("get", "/findings/{id}/origin", "Where the finding's decision comes from (inherited_from) and, when undecided, the suggestion from another component version", "viewer", None, None, &[]),
    op("get", "/releases/{id}/vex", "The release's VEX decisions as CycloneDX VEX 1.6 (default) or 1.5, OpenVEX 0.2 or CSAF 2.0 VEX", "viewer", None, None, &["format"]),
    op("post", "/releases/{id}/vex", "Import a VEX document (CycloneDX 1.4-1.6, OpenVEX 0.2, CSAF 2.0; body is the file) onto the release by explicit rules (policy newer, keep_recorded or replace), one outcome per statement", "editor", Some("raw"), Some("VexImport"), &["format", "policy"]),
    op("get", "/advisories", "Search advisories by id, alias or package", "viewer", None, None, &["q"]),
    op("post", "/advisories/import", "Import advisories (OSV record or archive, KEV, NVD); re-matches the portfolio", "operator", Some("raw"), None, &["filename"]),
    op("get", "/advisories/{id}", "One advisory by id or alias, with the caller's findings", "viewer", None, None, &[]),
    op("get", "/cases", "Article 14 cases with their clocks and submissions", "viewer", None, None, &[]),
    op("post", "/cases", "Open a case by hand (severe incident, or a vulnerability found elsewhere)", "editor", Some("NewCase"), None, &[]),
    op("get", "/cases/{id}", "One case: clocks, coordinator CSIRT, submissions, and maintainers_informed (the maintainers of integrated components informed of the vulnerability, who, how, when, by whom and the upstream report; CRA Art. 13(6))", "viewer", None, None, &[]),
    op("patch", "/cases/{id}", "Set case fields (severity, measures, fix, sensitivity, ...)", "editor", Some("CasePatch"), None, &[]),
    op("post", "/cases/{id}/confirm", "Confirm a proposed case: time of awareness and evidence", "editor", Some("Confirm"), None, &[]),
    op("post", "/cases/{id}/evidence", "Add to the evidence ledger", "editor", Some("Evidence"), None, &[]),
    op("get", "/cases/{id}/draft", "The prefilled report of a stage and its missing required fields", "viewer", None, None, &["stage"]),
    op("post", "/cases/{id}/notice/publish", "Publish the case's notice to impacted users (Art. 14(8)) as its next version and queue delivery to the product's subscribers", "editor", Some("PublishNotice"), None, &[]),
    op("get", "/cases/{id}/notices", "The case's published notices, newest version first, with their delivery logs", "viewer", None, None, &[]),
    op("get", "/products/{id}/subscribers", "Subscribers to the product's security notices (never their secrets)", "editor", None, None, &[]),
    op("post", "/products/{id}/subscribers", "Subscribe an e-mail address or a webhook (a public address unless allowed by the operator; its signing secret is shown once and stored encrypted) to the product's security notices", "editor", Some("NewSubscriber"), None, &[]),
    op("delete", "/subscribers/{id}", "Remove a subscriber (pending deliveries are cancelled)", "editor", None, None, &[]),
    op("get", "/products/{id}/notices", "The product's public notice feed URLs and its published notices", "viewer", None, None, &[]),
    op("get", "/public-face", "The organisation's public-face settings (security.txt contact, CVD policy texts, Annex II (1)-(2)) and its public URLs", "viewer", None, None, &[]),
    op("put", "/public-face", "Replace the public-face settings (RFC 9116 contact and encryption URIs, language tags, policy texts)", "admin", Some("PublicFace"), None, &[]),
    op("get", "/products/{id}/annex-ii", "A product's Annex II draft, its preview as the public would see it, what is published and, for editors, the required items still missing", "viewer", None, None, &[]),
    op("put", "/products/{id}/annex-ii", "Save the draft of a product's Annex II fields (the public page changes on publish)", "editor", Some("AnnexIiFields"), None, &[]),
    op("post", "/products/{id}/annex-ii/publish", "Publish the saved draft as the public page's next version", "editor", None, None, &[]),
    op("post", "/cases/{id}/csaf", "Draft the case's CSAF security advisory (or its next revision, a correction): body {tlp: WHITE|CLEAR|GREEN|AMBER|RED, change_summary}", "editor", None, None, &[]),
    op("post", "/releases/{id}/csaf-vex", "Draft the release's CSAF VEX document (or its next revision): body {tlp, change_summary}", "editor", None, None, &[]),
    op("get", "/csaf/documents", "Every CSAF revision of the organisation (draft, reviewed, published, superseded), newest first, each with its document", "viewer", None, None, &[]),
    op("get", "/csaf/documents/{id}", "One CSAF revision with its document", "viewer", None, None, &[]),
    op("post", "/csaf/documents/{id}/review", "Mark a draft reviewed (409 unless it is a draft)", "editor", None, None, &[]),
    op("post", "/csaf/documents/{id}/publish", "Publish a reviewed revision: the final document with its revision history and version (CSAF 2.0 section 3.1.11), never changed again (409 unless reviewed)", "admin", None, None, &[]),
    op("get", "/csaf/provider", "The organisation's CSAF provider-metadata URL and its OpenPGP signing key (fingerprint, URL; made on first need)", "viewer", None, None, &[]),
    op("get", "/products/{id}/requirements", "The compliance file: the Annex I record with gaps per item and completeness, the risk assessment, documents, issued declarations (each marked out of date naming the changed fact), retention (Art. 13(13))", "viewer", None, None, &[]),
    op("put", "/products/{id}/placing", "Record when the product's first and last units were placed on the market (audited; last empty while units are still being placed). The Art. 13(13) retention counts ten years from the last unit or to the support end, whichever is later, and has no end while units are still being placed; answers the compliance file", "editor", Some("Placing"), None, &[]),
    op("put", "/products/{id}/requirements", "Save the record (the [conformity] table of docs/conformity.md; documents and SBOMs come from uploads and releases); every save is a new version", "editor", Some("ConformityFacts"), None, &[]),
    op("post", "/products/{id}/documents", "Upload an evidence document (test report, penetration test, design); body is the file, bounded by max_upload_bytes; a new version per upload, kept with its SHA-256", "editor", Some("raw"), None, &["document", "title", "kind", "filename"]),
    op("post", "/products/{id}/declarations", "Issue the next EU declaration of conformity version (Art. 28, Annex V) from the current facts", "editor", None, None, &[]),
    op("get", "/products/{id}/declarations/{file}", "An issued declaration: {version}.html, {version}.pdf, {version}.txt (plain text) or {version}.json (Annex V points (1)-(8) and its currency), or with simplified=true the simplified declaration (Annex VI) carrying the public URL of the full one; header Cyres-Declaration-Status", "viewer", None, None, &["lang", "simplified"]),
    op("get", "/products/{id}/techdoc.zip", "The technical documentation (Art. 31, Annex VII) as a ZIP with index.html and manifest.json", "viewer", None, None, &["lang"]),
    op("delete", "/products/{id}/declarations/{file}", "Delete an issued declaration ({file} is its version): refused with 409 on or before the retention date (CRA Art. 13(13))", "admin", None, None, &[]),
    op("post", "/products/{id}/declarations/{version}/publish", "Publish an issued declaration at the product's public declaration address, the exact URL the simplified declaration carries (Annex VI); answers the URL", "editor", None, None, &[]),
    op("get", "/products/{id}/documents/{doc}/{version}", "An uploaded evidence document version, as uploaded", "viewer", None, None, &[]),
    op("delete", "/products/{id}/documents/{doc}/{version}", "Delete an uploaded document version: refused with 409 on or before the retention date (CRA Art. 13(13))", "admin", None, None, &[]),
    op("get", "/findings/{id}/upstream-reports", "Reports of the finding to its component's maintainer (CRA Art. 13(6)), with when the maintainer was informed", "viewer", None, None, &[]),
    op("post", "/findings/{id}/upstream-reports", "Draft a report to the component's maintainer (CRA Art. 13(6)): contacts from the SBOM (supplier, externalReferences), the purl's repository and the security.txt location (not fetched); affected versions; an OSV record", "editor", Some("NewUpstreamReport"), Some("UpstreamReport"), &[]),
    op("get", "/products/{id}/upstream-reports", "The product's reports to component maintainers", "viewer", None, None, &[]),
    op("get", "/upstream-reports/received", "Reports manufacturers sent to this organisation, a steward (CRA Art. 24) or a manufacturer of components, once sent", "viewer", None, None, &[]),
    op("get", "/upstream-reports/{id}/{file}", "The report in machine-readable form (Art. 13(6)): {file} is osv.json (OSV 1.6) or csaf.json (a CSAF 2.0 security advisory: the component's affected versions as the product tree, the vulnerability, the fix as remediation once known; the page offers it where the maintainer reads CSAF). The sender's members, or the recipient organisation's once sent", "viewer", None, None, &[]),
    op("put", "/upstream-reports/{id}/fix", "Add the manufacturer's fix (fixed_version, url, patch): the message and the OSV record are redrafted with it (Art. 13(6) second sentence)", "editor", Some("UpstreamFix"), Some("UpstreamReport"), &[]),
    op("post", "/upstream-reports/{id}/informed", "Record that the maintainer was informed, who, how and when (once; delivers it to a recipient organisation on this platform). Every Art. 14 case about the report's finding or advisory gets the record (the case's maintainers_informed)", "editor", Some("Informed"), Some("UpstreamReport"), &[]),
    op("get", "/supplied-products", "Economic operator organisations (kind operator): the listings manufacturers made naming this organisation as importer, distributor or authorised representative (Arts 18-20), each with its latest check and Art. 23 supply records", "viewer", None, None, &[]),
    op("post", "/supplied-products/{op}/checks", "The operator's own check of a listing's product before placing (Art. 19(2)) or making available (Art. 20(2)); recorded under its name; refusal names what stops it (Art. 19(3), 20(3))", "editor", Some("OperatorCheck"), None, &[]),
    op("post", "/supplied-products/{op}/supplies", "The operator's own Art. 23 supply record for a listing; 409 until its check passes (supplying onwards)", "editor", Some("Supply"), None, &[]),
    op("get", "/products/{id}/operators", "The product's economic operators per member state (authorised representatives, importers, distributors; CRA Arts 18-20) with their latest check, and the Art. 23 supply records", "viewer", None, None, &[]),
    op("post", "/products/{id}/operators", "Add an economic operator for a member state", "editor", Some("Operator"), None, &[]),
    op("post", "/products/{id}/operators/{op}/checks", "Run and record an importer's (Art. 19(2)) or distributor's (Art. 20(2)) checks; refusal names what stops placing (Art. 19(3), 20(3))", "editor", Some("OperatorCheck"), None, &[]),
    op("post", "/products/{id}/operators/{op}/supplies", "Record who supplied the operator or whom it supplied (Art. 23(1)), kept ten years (Art. 23(2)); 409 when an importer or distributor supplies onwards without a passing check", "editor", Some("Supply"), None, &[]),
    op("delete", "/products/{id}/supplies/{sid}", "Delete a supply record: refused with 409 on or before its Art. 23(2) date", "admin", None, None, &[]),
    op("get", "/products/{id}/authority-requests", "Market surveillance authorities' requests for the documentation and what was handed over when", "viewer", None, None, &[]),
    op("post", "/products/{id}/authority-requests", "Record a market surveillance authority's request", "editor", Some("AuthorityRequest"), None, &[]),
    op("post", "/products/{id}/authority-requests/{rid}/handover", "Record what was handed over now (techdoc, declaration:N, sbom:RELEASE, document:ID:VERSION), each with its SHA-256; once", "editor", Some("Handover"), None, &[]),
    op("get", "/public/orgs/{slug}/products/{id}/declaration", "The published EU declaration of conformity (html, pdf or json), the address the simplified declaration carries (Annex VI)", "public", None, None, &["format", "lang"]),
    op("get", "/public/orgs/{slug}/products/{id}", "A product's published Annex II user information (CRA Annex II (1)-(9)) as JSON, with its version", "public", None, None, &[]),
    op("get", "/public/notices/{slug}", "JSON Feed 1.1 of a product's published security notices, newest first (the slug is the product's unguessable feed id)", "public", None, None, &[]),
    op("get", "/public/notices/{slug}/feed.atom", "Atom feed of a product's published security notices", "public", None, None, &[]),
    op("get", "/public/notices/{slug}/{file}", "One published notice: {id}.json (the envelope subscribers receive) or {id}.html", "public", None, None, &[]),
    op("post", "/cases/{id}/reports", "Validate and submit a stage (outbox, delivered exactly once)", "editor", Some("Submit"), None, &[]),
    op("post", "/submissions/{id}/portal", "Record the ENISA portal reference and submission time", "editor", Some("Portal"), None, &[]),
    op("get", "/submissions/{id}/{file}", "The report pack: pack.json or pack.html", "viewer", None, None, &[]),
    op("post", "/authority/reports", "Authority intake of a report pack (Idempotency-Key header)", "editor", Some("raw"), None, &[]),
    op("get", "/authority/inbox", "Reports for this CSIRT (coordinator) or ENISA (all)", "viewer", None, None, &[]),
    op("get", "/authority/reports/{id}", "One received report, as this CSIRT or ENISA may see it", "viewer", None, None, &[]),
    op("post", "/authority/reports/{id}/decision", "Coordinator CSIRT: forward or delay (Art. 16(2))", "editor", Some("Decision"), None, &[]),
    op("post", "/authority/reports/{id}/review", "ENISA analyst: confirm or override the systemic-risk verdict (a systemic verdict is a recommendation of full dissemination to the coordinator)", "editor", Some("Review"), None, &[]),
    op("post", "/authority/reports/{id}/recommendation", "Coordinator CSIRT: accept or decline ENISA's recommendation of full dissemination (Art. 16(2), third subparagraph); recorded", "editor", Some("Recommendation"), None, &[]),
    op("post", "/authority/reports/{id}/users-informed", "Coordinator CSIRT: record that it informed the users itself (Art. 14(8), second subparagraph)", "editor", Some("UsersInformed"), None, &[]),
    op("post", "/public/vulnerability-reports", "A manufacturer's coordinated vulnerability disclosure intake (Annex I Part II (5)-(6)), routed by organisation_id; 404 for an unknown id", "public", Some("PublicReport"), None, &[]),
    op("post", "/public/voluntary-reports", "Alias of /public/vulnerability-reports (kept for existing clients)", "public", Some("PublicReport"), None, &[]),
    op("post", "/public/voluntary-notifications", "Art. 15 voluntary notification to a CSIRT or ENISA on this instance, routed by organisation_id; 404 for an unknown id", "public", Some("PublicReport"), None, &[]),
    op("post", "/authority/reports/{id}/intermediate-request", "Coordinator CSIRT: request an intermediate report (Art. 14(6))", "editor", None, None, &[]),
    op("get", "/authority/requests", "For a manufacturer: intermediate-report requests on its reports", "viewer", None, None, &["after"]),
    op("get", "/authority/assessment", "ENISA: systemic-risk assessment per notification and per CVE/component", "viewer", None, None, &[]),
    op("get", "/csaf/providers", "Authority (CSIRT, ENISA): the CSAF providers it lists (CSAF 2.0 lister role), each with its publisher, role, signing-key fingerprints and last pull (accepted and refused counts, error)", "viewer", None, None, &[]),
    op("post", "/csaf/providers", "Authority editors: list a CSAF provider by the URL of its provider-metadata.json or its domain (section 7.3.1: the well-known URL, then security.txt), under the outbound policy, https only; pulled once at once; audited", "editor", Some("NewCsafProvider"), Some("CsafSource"), &[]),
    op("get", "/csaf/providers/{id}", "Authority: one provider with the advisories held from it and what its last pull refused, each with the rule that refused it", "viewer", None, None, &[]),
    op("delete", "/csaf/providers/{id}", "Authority editors: stop listing a provider (its held advisories go with it); audited", "editor", None, None, &[]),
    op("post", "/csaf/providers/{id}/pull", "Authority editors: pull now (section 7.3.2: ROLIE feeds else index.txt; each new or changed document checked for hash, OpenPGP signature with the provider's published key, schema and mandatory tests, file name and TLP; refused ones named)", "editor", None, Some("CsafSource"), &[]),
    op("get", "/csaf/held/{id}", "Authority: a held CSAF document, byte for byte as read and verified", "viewer", None, None, &[]),
    op("get", "/devices", "Registered devices and their last reported state", "viewer", None, None, &[]),
    op("post", "/devices", "Register a device; its token is shown once", "admin", Some("NewDevice"), None, &[]),
    op("post", "/devices/{device_id}/state", "Device agent state report (device token)", "public", Some("DeviceState"), None, &[]),
    op("get", "/fleet/exposure", "Devices still running a release with an open finding, per advisory", "viewer", None, None, &[]),
];

fn schemas() -> Value {
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "properties": {
            "status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": ["string", "null"]}}}}},
        "PasswordResetLink": {"type": "object", "properties": {"url": {"type": "string", "description": "Give this to the person; it is not shown again"}, "expires_at": {"type": "integer"}}},
        "PasswordReset": {"type": "object", "required": ["token", "password"], "additionalProperties": false, "properties": {"token": {"type": "string"}, "password": {"type": "string"}}},
        "Login": {"type": "object", "required": ["email", "password"], "properties": {"email": {"type": "string"}, "password": {"type": "string"}, "org_id": {"type": "integer"}}},
        "Session": {"type": "object", "properties": {"org": {"$ref": "#/components/schemas/Org"}, "role": {"$ref": "#/components/schemas/Role"}, "csrf_token": {"type": ["string", "null"]}}},
        "SwitchOrg": {"type": "object", "required": ["org_id"], "properties": {"org_id": {"type": "integer"}}},
        "Role": {"type": "string", "enum": ["viewer", "editor", "admin"]},
        "Org": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string", "description": "Unique, from the normalised name, fixed once made"},
            "kind": {"type": "string", "enum": ["manufacturer", "steward", "csirt", "enisa", "subscriber", "operator"]},
            "member_state": {"type": ["string", "null"]}, "size": {"type": ["string", "null"]}}},
        "NewOrg": {"type": "object", "required": ["name", "kind"], "properties": {"name": {"type": "string"},
            "kind": {"type": "string", "enum": ["manufacturer", "steward", "csirt", "enisa", "subscriber", "operator"]},
            "member_state": {"type": "string"}, "size": {"type": "string", "enum": ["micro", "small", "medium", "large"]}}},
        "NewMember": {"type": "object", "required": ["email", "role"], "properties": {"email": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}, "password": {"type": "string", "minLength": 12, "description": "Used only if the address has no account yet; refused when common, guessable, or containing the e-mail's local part or the display name (NIST SP 800-63B 5.1.1.2)"}, "display_name": {"type": "string"}}},
        "PublicFace": {"type": "object", "additionalProperties": false, "properties": {"contact_email": {"type": "string"}, "contact_url": {"type": "string"}, "postal_address": {"type": "string"}, "website": {"type": "string"}, "preferred_languages": {"type": "string"}, "encryption_url": {"type": "string"}, "policy_scope": {"type": "string"}, "policy_how_to_report": {"type": "string"}, "policy_expectations": {"type": "string"}, "policy_safe_harbour": {"type": "string"}}},
        "ConformityFacts": {"type": "object", "additionalProperties": false, "description": "The [conformity] table of docs/conformity.md", "properties": {"release": {"type": "string"}, "product_type": {"type": "string"}, "product_id": {"type": "string"}, "object": {"type": "string"}, "manufacturer": {"type": "object"}, "authorised_representative": {"type": "object"}, "route": {"type": "string", "enum": ["module-a", "module-b+c", "module-h", "eucc"]}, "notified_body": {"type": "object"}, "standards": {"type": "array"}, "other_legislation": {"type": "array", "items": {"type": "string"}}, "declaration": {"type": "object"}, "risk_assessment": {"type": "object"}, "requirements": {"type": "array"}, "history": {"type": "array"}, "techdoc": {"type": "object"}}},
        "NewUpstreamReport": {"type": "object", "additionalProperties": false, "properties": {"recipient_org_id": {"type": ["integer", "null"], "description": "A steward or manufacturer organisation on this platform that receives the report once sent"}}},
        "UpstreamFix": {"type": "object", "additionalProperties": false, "properties": {"fixed_version": {"type": "string"}, "url": {"type": "string", "format": "uri"}, "patch": {"type": "string", "description": "unified diff"}}},
        "Informed": {"type": "object", "required": ["via"], "additionalProperties": false, "properties": {"via": {"type": "string", "description": "The channel"}, "maintainer": {"type": "string", "description": "Who was informed; default the recipient organisation or the first contact found"}, "at": {"type": "string", "format": "date-time"}}},
        "Placing": {"type": "object", "additionalProperties": false, "properties": {"first": {"type": ["string", "null"], "format": "date", "description": "The first unit placed on the market"}, "last": {"type": ["string", "null"], "format": "date", "description": "The last unit placed on the market; null while units are still being placed"}}},
        "UpstreamReport": {"type": "object", "properties": {"id": {"type": "integer"}, "finding_id": {"type": "integer"}, "component": {"type": "string"}, "purl": {"type": ["string", "null"]}, "advisory_id": {"type": "string"}, "affected_versions": {"type": "array", "items": {"type": "string"}},
            "contacts": {"type": "array", "items": {"type": "object", "properties": {"source": {"type": "string", "enum": ["sbom-supplier", "sbom-reference", "purl-repository", "security-txt"]}, "kind": {"type": "string"}, "value": {"type": "string"}, "note": {"type": "string"}}}},
            "recipient_org_id": {"type": ["integer", "null"]}, "body": {"type": "object", "properties": {"subject": {"type": "string"}, "body": {"type": "string"}}}, "fix": {"type": ["object", "null"]}, "osv": {"type": "object", "description": "OSV 1.6 record"}, "informed_at": {"type": ["integer", "null"]}, "informed_via": {"type": ["string", "null"]}}},
        "Operator": {"type": "object", "required": ["role", "name", "address", "contact", "member_state"], "additionalProperties": false, "properties": {"role": {"type": "string", "enum": ["authorised-representative", "importer", "distributor"]}, "name": {"type": "string"}, "address": {"type": "string"}, "contact": {"type": "string"}, "member_state": {"type": "string"}, "organisation": {"type": ["string", "null"], "description": "Slug of the operator's own organisation on this platform (kind operator or manufacturer): its members then run their checks and record their supplies themselves"}}},
        "OperatorCheck": {"type": "object", "required": ["ce_marking_seen"], "additionalProperties": false, "properties": {"ce_marking_seen": {"type": "boolean", "description": "The operator saw the CE marking on the product (Art. 30)"}}},
        "Supply": {"type": "object", "required": ["direction", "party", "party_address", "supplied_on"], "additionalProperties": false, "properties": {"direction": {"type": "string", "enum": ["supplied-by", "supplied-to"]}, "party": {"type": "string"}, "party_address": {"type": "string"}, "supplied_on": {"type": "string", "format": "date"}, "quantity": {"type": ["integer", "null"]}}},
        "AuthorityRequest": {"type": "object", "required": ["authority", "member_state", "reference"], "additionalProperties": false, "properties": {"authority": {"type": "string"}, "member_state": {"type": "string"}, "reference": {"type": "string"}, "reason": {"type": "string"}, "received_at": {"type": "string", "format": "date-time"}}},
        "Handover": {"type": "object", "required": ["items"], "additionalProperties": false, "properties": {"items": {"type": "array", "items": {"type": "string"}}}},
        "AnnexIiFields": {"type": "object", "additionalProperties": false, "properties": {"product_type": {"type": "string"}, "identification": {"type": "string"}, "intended_purpose": {"type": "string"}, "security_environment": {"type": "string"}, "essential_functions": {"type": "string"}, "security_properties": {"type": "string"}, "foreseeable_risks": {"type": "string"}, "doc_url": {"type": "string"}, "support_type": {"type": "string"}, "instructions_secure_use": {"type": "string"}, "instructions_changes": {"type": "string"}, "instructions_updates": {"type": "string"}, "instructions_decommissioning": {"type": "string"}, "instructions_auto_updates_off": {"type": "string"}, "instructions_integration": {"type": "string"}, "sbom_url": {"type": "string"}}},
        "NewToken": {"type": "object", "required": ["name", "role"], "properties": {"name": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}}},
        "NewWebhook": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "format": "uri"}}},
        "NewSubscriber": {"type": "object", "description": "Exactly one of email and webhook_url.", "additionalProperties": false, "properties": {"email": {"type": "string", "format": "email"}, "webhook_url": {"type": "string", "format": "uri"}, "label": {"type": "string", "maxLength": 200}}},
        "PublishNotice": {"type": "object", "additionalProperties": false, "properties": {"audience": {"type": "string", "enum": ["impacted", "all"]}, "correction": {"type": "string", "maxLength": 2000, "description": "What this version corrects"}}},
        "ProductInput": {"type": "object", "required": ["name"], "additionalProperties": false, "properties": {
            "name": {"type": "string"}, "description": {"type": "string"},
            "catalogue_entries": {"type": "array", "items": {"type": "string", "description": "cyres catalogue id, e.g. annex3-class1-12"}},
            "member_states": {"type": "array", "items": {"type": "string", "description": "ISO 3166-1 alpha-2 code of an EU member state"}},
            "estimated_users": {"type": ["integer", "null"]}, "support_end": {"type": ["string", "null"], "format": "date"}}},
        "Product": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "category": {"type": "string", "enum": ["default", "important-class-1", "important-class-2", "critical"]}}},
        "ReleaseInput": {"type": "object", "required": ["version"], "additionalProperties": false, "properties": {"version": {"type": "string"}, "released_on": {"type": "string", "format": "date"}}},
        "Release": {"type": "object", "properties": {"id": {"type": "integer"}, "product_id": {"type": "integer"}, "version": {"type": "string"}, "sbom_id": {"type": ["integer", "null"]}}},
        "ComponentPage": {"type": "object", "properties": {"next_offset": {"type": ["integer", "null"]}, "hits": {"type": "array", "items": {"type": "object", "properties": {"product_id": {"type": "integer"}, "product_name": {"type": "string"}, "release_id": {"type": "integer"}, "release_version": {"type": "string"}, "ord": {"type": "integer"}, "name": {"type": "string"}, "version": {"type": ["string", "null"]}, "purl": {"type": ["string", "null"]}, "cpe": {"type": ["string", "null"]}, "supplier": {"type": ["string", "null"]}, "licenses": {"type": ["string", "null"]}, "direct": {"type": ["boolean", "null"]}, "findings": {"type": "integer"}, "exploited": {"type": "boolean"}}}}}},
        "DependencyPath": {"type": "object", "properties": {"from_product": {"type": "boolean"}, "path": {"type": "array", "items": {"$ref": "#/components/schemas/PathStep"}}, "parents": {"type": "array", "items": {"$ref": "#/components/schemas/PathStep"}}}},
        "PathStep": {"type": "object", "properties": {"ord": {"type": "integer"}, "name": {"type": "string"}, "version": {"type": ["string", "null"]}}},
        "IngestResult": {"type": "object", "properties": {"sbom_id": {"type": "integer"}, "components": {"type": "integer"}, "findings": {"type": "integer"}, "exploited": {"type": "integer"}, "decisions_carried": {"type": "integer", "description": "Findings that took a decision carried over from the same component version (another release, or the replaced SBOM), each with a history entry"}, "diagnostics": {"type": "array"}}},
        "CpeDecisionInput": {"type": "object", "required": ["subject", "cpe"], "additionalProperties": false, "properties": {
            "subject": {"type": "string", "description": "The component: CPE vendor:product as written (or a CPE 2.3 name), a package URL (version ignored) or a name"},
            "cpe": {"type": "string", "description": "NVD's vendor:product, e.g. dropbear_ssh_project:dropbear_ssh"},
            "note": {"type": ["string", "null"]}}},
        "CpeNote": {"type": "object", "additionalProperties": false, "properties": {"note": {"type": ["string", "null"]}}},
        "CpeDecision": {"type": "object", "properties": {"id": {"type": "integer"}, "subject": {"type": "string"}, "vendor": {"type": "string"}, "product": {"type": "string"},
            "origin": {"type": "string", "enum": ["analyst", "candidate"]}, "note": {"type": ["string", "null"]}, "decided_by": {"type": "string"}, "decided_at": {"type": "integer"},
            "withdrawn_by": {"type": ["string", "null"]}, "withdrawn_at": {"type": ["integer", "null"]}}},
        "CpeDecided": {"type": "object", "properties": {"decision": {"$ref": "#/components/schemas/CpeDecision"}, "rematch": {"type": "object", "description": "components, new_findings, withdrawn, reopened, relabelled, alerts"}}},
        "CpeCandidate": {"type": "object", "properties": {"id": {"type": "integer"}, "subject": {"type": "string"}, "vendor": {"type": "string"}, "product": {"type": "string"}, "reason": {"type": "string"},
            "state": {"type": "string", "enum": ["proposed", "confirmed", "rejected"]}, "proposed_at": {"type": "integer"}, "decided_by": {"type": ["string", "null"]}, "decided_at": {"type": ["integer", "null"]},
            "findings": {"type": "array", "items": {"type": "object", "properties": {"release_id": {"type": "integer"}, "component_name": {"type": "string"}, "advisory_id": {"type": "string"},
                "match_kind": {"type": "string", "const": "derived"}, "status": {"type": "string", "const": "needs_confirmation"}}}}}},
        "Retire": {"type": "object", "required": ["kind"], "additionalProperties": false, "properties": {"kind": {"type": "string", "enum": ["retired", "end_of_support"]}}},
        "ReleaseState": {"type": "object", "properties": {"release_id": {"type": "integer"}, "retired_at": {"type": ["integer", "null"]}, "retired_kind": {"type": ["string", "null"], "enum": ["retired", "end_of_support", null]},
            "sbom_versions": {"type": "array", "items": {"type": "object", "properties": {"sbom_id": {"type": "integer"}, "version": {"type": "integer"}, "file_name": {"type": "string"}, "sha256": {"type": "string"}, "component_count": {"type": "integer"}, "created_at": {"type": "integer"}, "superseded_at": {"type": ["integer", "null"]}}}},
            "cases_in_progress": {"type": "array", "description": "On retirement: the Art. 14 cases in progress about its findings, which continue"}}},
        "Archived": {"type": "object", "properties": {"product": {"$ref": "#/components/schemas/Product"}, "archived_at": {"type": "integer"}, "cases_in_progress": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "state": {"type": "string"}}}}}},
        "SbomDiff": {"type": "object", "properties": {"from_sbom": {"type": "integer"}, "to_sbom": {"type": "integer"}, "components_added": {"type": "array"}, "components_removed": {"type": "array"}, "components_changed": {"type": "array"}, "components_unchanged": {"type": "integer"}, "findings_new": {"type": "array"}, "findings_resolved": {"type": "array"}, "findings_unchanged": {"type": "integer"}}},
        "Policy": {"type": "object", "required": ["version"], "additionalProperties": false, "description": "The policy file format of cyres scan --policy (cyres_vuln::policy), version 1", "properties": {"version": {"type": "integer", "const": 1}, "rules": {"type": "object", "additionalProperties": false, "properties": {
            "severity_at_least": {"type": "string", "enum": ["none", "low", "medium", "high", "critical"]}, "exploited": {"type": "boolean"}, "undecided_after_days": {"type": "integer", "minimum": 0},
            "deny_licenses": {"type": "array", "items": {"type": "string", "description": "SPDX identifier; a trailing * matches a prefix"}}, "require_identifier": {"type": "boolean"}}}}},
        "Gate": {"type": "object", "properties": {"release_id": {"type": "integer"}, "product_id": {"type": "integer"}, "result": {"type": "string", "enum": ["pass", "fail"]}, "pass": {"type": "boolean"}, "policy": {"type": ["object", "null"]},
            "violations": {"type": "array", "items": {"type": "object", "properties": {"rule": {"type": "string", "enum": ["severity_at_least", "exploited", "undecided_after_days", "deny_licenses", "require_identifier"]}, "message": {"type": "string"}, "finding_id": {"type": "integer"}, "advisory_id": {"type": "string"}, "component": {"type": "string"}}}},
            "not_evaluated": {"type": "array", "items": {"type": "string"}}}},
        "NotifyRule": {"type": "object", "required": ["name", "events", "channel"], "additionalProperties": false, "properties": {"name": {"type": "string"},
            "events": {"type": "array", "items": {"type": "string", "enum": ["new_finding", "exploited", "policy_violation", "deadline_reminder", "case_event"]}},
            "product_ids": {"type": "array", "items": {"type": "integer"}, "description": "Empty: every product"},
            "min_severity": {"type": ["string", "null"], "enum": ["unknown", "none", "low", "medium", "high", "critical", null]},
            "channel": {"type": "string", "enum": ["webhook", "slack", "mattermost", "email", "atom"]},
            "target": {"type": ["string", "null"], "description": "Receiver URL (webhook, slack, mattermost) or e-mail address (email; none: the organisation's editors); none for atom"}}},
        "Finding": {"type": "object", "properties": {"id": {"type": "integer"}, "advisory_id": {"type": "string"}, "aliases": {"type": "array", "items": {"type": "string"}},
            "severity": {"type": "string"}, "score": {"type": ["number", "null"]},
            "severity_source": {"type": ["string", "null"], "description": "The other record of the flaw (GHSA, NVD CVE) whose CVSS gives severity and score when the finding's own records carry none; the highest when several do; null: the record's own"},
            "related_exploited": {"type": "array", "items": {"type": "string"}, "description": "Actively exploited CVEs the finding's records name only under related: for the analyst, not an Art. 14 trigger (list and one finding)"},
            "exploited": {"type": "boolean"}, "status": {"type": "string", "enum": ["under_investigation", "affected", "not_affected", "fixed"]},
            "match_kind": {"type": "string", "enum": ["purl", "cpe", "cpe_alias", "analyst_decision", "unresolved"]},
            "cpe_decision": {"oneOf": [{"$ref": "#/components/schemas/CpeDecision"}, {"type": "null"}], "description": "For match kind analyst_decision: the decision, who recorded it and when"},
            "provenance": {"type": ["string", "null"], "description": "For CPE findings, who wrote the configuration that matched: nvd, or override (e.g. Anchore's nvd-data-overrides); null for purl findings"}}},
        "NewCase": {"type": "object", "required": ["kind", "title", "product_id", "aware_at"], "properties": {"kind": {"type": "string", "enum": ["vulnerability", "incident"]}, "title": {"type": "string"}, "product_id": {"type": "integer"}, "advisory_id": {"type": "string", "description": "For a vulnerability: the id it goes by (CVE, GHSA, EUVD, ...). The case covers the findings of it and records maintainers informed of it (Art. 13(6)); one case per advisory (409 otherwise)"}, "aware_at": {"type": "string", "format": "date-time"}, "description": {"type": "string"}, "evidence": {"type": "array", "items": {"$ref": "#/components/schemas/Evidence"}}}},
        "CasePatch": {"type": "object", "description": "Fields of the cyres-report case (severity, measures_taken, user_measures, fix, sensitivity, nature, impact, root_cause, ...)"},
        "Confirm": {"type": "object", "required": ["aware_at"], "properties": {"aware_at": {"type": "string", "format": "date-time"}, "evidence": {"type": "array", "items": {"$ref": "#/components/schemas/Evidence"}}}},
        "Evidence": {"type": "object", "required": ["source", "reference"], "properties": {"source": {"type": "string", "enum": ["kev", "euvd", "own-telemetry", "researcher", "csirt", "other"]}, "reference": {"type": "string"}, "at": {"type": "string", "format": "date-time"}, "note": {"type": "string"}}},
        "Submit": {"type": "object", "required": ["stage"], "properties": {"stage": {"type": "string", "enum": ["early-warning", "notification", "intermediate-report", "final-report"]}}},
        "Portal": {"type": "object", "required": ["reference", "submitted_at"], "properties": {"reference": {"type": "string"}, "submitted_at": {"type": "string", "format": "date-time"}}},
        "Decision": {"type": "object", "required": ["dissemination"], "properties": {"dissemination": {"type": "object", "description": "{action: forward} or {action: delay, circumstances, ground, tlp_pap_considered, art3_condition, art3_condition_text, withheld_from, reason, planned_release}; an Art. 3 ground (DR (EU) 2026/881) needs tlp_pap_considered and art3_condition"}, "restrict_enisa": {"type": "boolean", "description": "compatibility only: ENISA's limited view follows the manufacturer's Art. 16(2) third-subparagraph indication"}}},
        "UsersInformed": {"type": "object", "properties": {"measures_included": {"type": "boolean"}}},
        "Recommendation": {"type": "object", "required": ["answer"], "properties": {"answer": {"type": "string", "enum": ["accepted", "declined"]}, "reason": {"type": "string", "description": "required to decline"}}},
        "PublicReport": {"type": "object", "required": ["organisation_id", "kind", "product", "title", "description"], "properties": {"organisation_id": {"type": "integer"}, "kind": {"type": "string", "enum": ["vulnerability", "cyber-threat", "incident", "near-miss"]}, "manufacturer": {"type": "string"}, "product": {"type": "string"}, "versions": {"type": "array", "items": {"type": "string"}}, "title": {"type": "string"}, "description": {"type": "string"}, "exploited": {"type": "boolean"}, "cve_ids": {"type": "array", "items": {"type": "string"}}, "references": {"type": "array", "items": {"type": "string"}}, "member_states": {"type": "array", "items": {"type": "string"}}, "reporter_name": {"type": "string"}, "reporter_contact": {"type": "string"}}},
        "Review": {"type": "object", "required": ["verdict", "reason"], "properties": {"verdict": {"type": "object", "description": "{verdict: confirm} or {verdict: override, systemic: bool}"}, "reason": {"type": "string"}}},
        "VoluntaryReport": {"type": "object", "required": ["manufacturer", "product", "title", "description"], "properties": {"kind": {"type": "string"}, "manufacturer": {"type": "string"}, "product": {"type": "string"}, "versions": {"type": "array", "items": {"type": "string"}}, "title": {"type": "string"}, "description": {"type": "string"}, "exploited": {"type": "boolean"}, "cve_ids": {"type": "array", "items": {"type": "string"}}, "references": {"type": "array", "items": {"type": "string"}}, "member_states": {"type": "array", "items": {"type": "string"}}, "reporter_name": {"type": "string"}, "reporter_contact": {"type": "string"}}},
        "NewDevice": {"type": "object", "required": ["device_id", "product_id"], "properties": {"device_id": {"type": "string"}, "product_id": {"type": "integer"}, "hardware": {"type": "string"}}},
        "DeviceState": {"type": "object", "description": "The cyres-agent state report: versions.installed, opt_outs.security, last_check, last_result, ..."},
        "BulkTriage": {"type": "object", "required": ["status"], "additionalProperties": false, "description": "Exactly one of ids and filter; an empty filter needs all: true", "properties": {
            "ids": {"type": "array", "items": {"type": "integer"}}, "filter": {"type": "object", "additionalProperties": {"type": "string"}, "description": "The findings list's query parameters (q, product, release, severity, exploited, status including open, advisory)"},
            "all": {"type": "boolean"}, "status": {"type": "string", "enum": ["under_investigation", "affected", "not_affected", "fixed"]},
            "justification": {"type": "string", "enum": cyres_store::JUSTIFICATIONS}, "impact_statement": {"type": "string"}, "action_statement": {"type": "string"},
            "responses": {"type": "array", "items": {"type": "string", "enum": cyres_store::RESPONSES}}, "comment": {"type": "string"}}},
        "NewCsafProvider": {"type": "object", "required": ["url"], "additionalProperties": false, "properties": {"url": {"type": "string", "description": "https://…/provider-metadata.json, or the provider's domain"}}},
        "CsafSource": {"type": "object", "properties": {"id": {"type": "integer"}, "url": {"type": "string"}, "publisher_name": {"type": ["string", "null"]}, "publisher_namespace": {"type": ["string", "null"]}, "publisher_category": {"type": ["string", "null"]}, "role": {"type": ["string", "null"]}, "provider_last_updated": {"type": ["string", "null"]}, "key_fingerprints": {"type": "array", "items": {"type": "string"}}, "added_by": {"type": "string"}, "added_at": {"type": "integer"}, "last_pull_at": {"type": ["integer", "null"]}, "last_error": {"type": ["string", "null"]}, "accepted": {"type": "integer"}, "refused": {"type": "integer"}}},
        "Dismiss": {"type": "object", "required": ["reason"], "additionalProperties": false, "properties": {"reason": {"type": "string", "minLength": 1}}},
        "TriageSummary": {"type": "object", "properties": {"decided": {"type": "integer"}, "carried": {"type": "integer", "description": "Findings of other releases that took the decision over"}}},
        "VexImport": {"type": "object", "properties": {"format": {"type": "string"}, "policy": {"type": "string", "enum": ["newer", "keep_recorded", "replace"]},
            "statements": {"type": "array", "items": {"type": "object", "properties": {"index": {"type": "integer"}, "vulnerability": {"type": "string"}, "component": {"type": "string"}, "finding_ids": {"type": "array", "items": {"type": "integer"}},
                "outcome": {"type": "string", "enum": ["invalid", "ambiguous", "unmatched", "unchanged", "applied", "kept", "replaced"]}, "reason": {"type": "string"}, "problems": {"type": "array", "items": {"type": "string"}}}}},
            "notes": {"type": "array"}}},
        "Triage": {"type": "object", "required": ["status"], "additionalProperties": false, "properties": {
            "status": {"type": "string", "enum": ["under_investigation", "affected", "not_affected", "fixed"]},
            "justification": {"type": "string", "enum": cyres_store::JUSTIFICATIONS}, "comment": {"type": "string"}}},
    })
}

/// The document.
pub(crate) fn build() -> Value {
    let mut paths = serde_json::Map::new();
    for o in OPS {
        let mut params: Vec<Value> = Vec::new();
        for seg in o.path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                params.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": if (name == "id" && (o.path.starts_with("/advisories") || o.path.starts_with("/sources"))) || name == "device_id" || name == "file" || name == "slug" { "string" } else { "integer" }}}));
            }
        }
        for q in o.query {
            params.push(
                json!({"name": q, "in": "query", "required": false, "schema": {"type": "string"}}),
            );
        }
        let mut operation = json!({
            "summary": o.summary,
            "operationId": format!("{}{}", o.method, o.path.replace(['/', '{', '}', '.'], "_")),
            "parameters": params,
            "x-cyres-min-role": o.role,
            "responses": {
                "default": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        let ok = match o.response {
            Some(s) => {
                json!({"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{s}")}}}})
            }
            None => json!({"description": "OK"}),
        };
        operation["responses"][if o.method == "post" && o.response.is_some() {
            "201"
        } else {
            "200"
        }] = ok;
        match o.body {
            Some("raw") => {
                operation["requestBody"] = json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}})
            }
            Some(s) => {
                operation["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{s}")}}}})
            }
            None => {}
        }
        if o.role != "public" {
            operation["security"] = json!([{"bearer": []}, {"session": []}]);
        }
        paths
            .entry(o.path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object")
            .insert(o.method.to_string(), operation);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "cyres platform API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Products, releases, SBOMs, findings, advisories and alerts for EU Cyber Resilience Act work. Authenticate with an API token (Authorization: Bearer cyres_…) or a session cookie plus the X-CSRF-Token header on state-changing requests. A foreign or missing id answers 404.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE}
            }
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub(crate) async fn document() -> Json<Value> {
    Json(build())
}
