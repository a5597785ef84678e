//! Reports to the maintainer of an integrated component (CRA Art. 13(6)): "Manufacturers shall,
//! upon identifying a vulnerability in a component, including in an open-source component,
//! which is integrated in the product with digital elements, report the vulnerability to the
//! person or entity manufacturing or maintaining the component, and address and remediate the
//! vulnerability […]. Where manufacturers have developed a software or hardware modification
//! to address the vulnerability in that component, they shall share the relevant code or
//! documentation with the person or entity manufacturing or maintaining the component, where
//! appropriate in a machine-readable format."
//!
//! This module finds where to send the report ([`contacts`]: the SBOM's supplier and external
//! references, the purl's repository, the `security.txt` location of those hosts, RFC 9116 §3)
//! and drafts it ([`draft`]): the text a maintainer reads and the same facts as an OSV 1.6
//! record (machine-readable, with the fix as a `fixed` event and a `FIX` reference once the
//! manufacturer has one). Nothing is fetched here: the `security.txt` location is named for the
//! person sending the report to look at (fetching it is the caller's business, through the
//! platform's outbound policy).

use cyres_version::purl::Purl;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Where a contact came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContactSource {
    /// The SBOM's supplier of the component (CycloneDX `supplier`, SPDX `PackageSupplier`).
    SbomSupplier,
    /// An external reference of the component in the SBOM (CycloneDX `externalReferences`,
    /// SPDX `PackageHomePage` / `PackageDownloadLocation` / `externalRefs`).
    SbomReference,
    /// The repository the purl names (`pkg:github/…`, `pkg:golang/github.com/…`,
    /// `vcs_url` / `repository_url` qualifiers) or the registry page of the package.
    PurlRepository,
    /// The `/.well-known/security.txt` location of a host above (RFC 9116 §3), not fetched.
    SecurityTxt,
}

/// One way to reach the maintainer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Where it came from.
    pub source: ContactSource,
    /// `email`, `url` or `name` (a supplier named without an address).
    pub kind: String,
    /// The address, URL or name.
    pub value: String,
    /// What it is (`security-contact`, `vcs`, `private vulnerability reporting`, …).
    pub note: String,
}

fn contact(source: ContactSource, kind: &str, value: &str, note: &str) -> Contact {
    Contact {
        source,
        kind: kind.to_string(),
        value: value.trim().to_string(),
        note: note.to_string(),
    }
}

/// The component's entry in an SBOM document (CycloneDX JSON `components`, nested ones
/// included, or SPDX JSON `packages`), found by purl, else by name and version.
pub fn find_component<'a>(
    sbom: &'a Value,
    name: &str,
    version: Option<&str>,
    purl: Option<&str>,
) -> Option<&'a Value> {
    fn walk<'a>(list: &'a Value, hit: &dyn Fn(&Value) -> bool) -> Option<&'a Value> {
        for c in list.as_array()? {
            if hit(c) {
                return Some(c);
            }
            if let Some(found) = c.get("components").and_then(|n| walk(n, hit)) {
                return Some(found);
            }
        }
        None
    }
    let by_purl = |c: &Value| {
        purl.is_some_and(|p| {
            c.get("purl").and_then(Value::as_str) == Some(p)
                || c.get("externalRefs")
                    .and_then(Value::as_array)
                    .is_some_and(|refs| {
                        refs.iter()
                            .any(|r| r.get("referenceLocator").and_then(Value::as_str) == Some(p))
                    })
        })
    };
    let by_name = |c: &Value| {
        c.get("name").and_then(Value::as_str) == Some(name)
            && version.is_none_or(|v| {
                c.get("version")
                    .or_else(|| c.get("versionInfo"))
                    .and_then(Value::as_str)
                    == Some(v)
            })
    };
    for list in [sbom.get("components"), sbom.get("packages")]
        .into_iter()
        .flatten()
    {
        if let Some(c) = walk(list, &by_purl).or_else(|| walk(list, &by_name)) {
            return Some(c);
        }
    }
    None
}

/// An `http(s)` URL's host.
fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    (!host.is_empty()).then_some(host)
}

/// A `git+https://…` or `https://…git` address as a browsable https URL.
fn web_url(raw: &str) -> Option<String> {
    let s = raw.trim().trim_start_matches("git+");
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return None;
    }
    Some(s.trim_end_matches(".git").trim_end_matches('/').to_string())
}

/// Where to report a vulnerability in the component: from its SBOM entry (`entry`, as
/// [`find_component`] answers it), the supplier the platform stored, and its purl. Duplicates
/// are dropped; order is the order of trust (what the SBOM says first).
pub fn contacts(entry: Option<&Value>, supplier: Option<&str>, purl: Option<&str>) -> Vec<Contact> {
    let mut out: Vec<Contact> = Vec::new();
    fn add(out: &mut Vec<Contact>, c: Contact) {
        if !c.value.is_empty() && !out.iter().any(|o| o.value == c.value) {
            out.push(c);
        }
    }
    if let Some(e) = entry {
        // CycloneDX 1.5 §externalReferences: `security-contact` is the one meant for this.
        for r in e
            .get("externalReferences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ty = r.get("type").and_then(Value::as_str).unwrap_or("other");
            let Some(url) = r.get("url").and_then(Value::as_str) else {
                continue;
            };
            if !matches!(
                ty,
                "security-contact"
                    | "vcs"
                    | "issue-tracker"
                    | "website"
                    | "support"
                    | "mailing-list"
                    | "advisories"
            ) {
                continue;
            }
            let (kind, value) = match url.strip_prefix("mailto:") {
                Some(mail) => ("email", mail.to_string()),
                None => ("url", url.to_string()),
            };
            add(
                &mut out,
                contact(ContactSource::SbomReference, kind, &value, ty),
            );
        }
        for (field, note) in [
            ("homepage", "homepage"),
            ("downloadLocation", "download location"),
        ] {
            if let Some(url) = e.get(field).and_then(Value::as_str).and_then(web_url) {
                add(
                    &mut out,
                    contact(ContactSource::SbomReference, "url", &url, note),
                );
            }
        }
        // CycloneDX supplier.contact[].email / supplier.url[].
        if let Some(s) = e.get("supplier") {
            for c in s
                .get("contact")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(mail) = c.get("email").and_then(Value::as_str) {
                    add(
                        &mut out,
                        contact(
                            ContactSource::SbomSupplier,
                            "email",
                            mail,
                            "supplier contact",
                        ),
                    );
                }
            }
            for u in s.get("url").and_then(Value::as_array).into_iter().flatten() {
                if let Some(u) = u.as_str() {
                    add(
                        &mut out,
                        contact(ContactSource::SbomSupplier, "url", u, "supplier"),
                    );
                }
            }
        }
    }
    if let Some(name) = supplier.filter(|s| !s.trim().is_empty()) {
        // SPDX "Organization: Name (email)" keeps an address in parentheses.
        match name
            .rsplit_once('(')
            .and_then(|(_, rest)| rest.strip_suffix(')'))
        {
            Some(mail) if mail.contains('@') => add(
                &mut out,
                contact(ContactSource::SbomSupplier, "email", mail, "supplier"),
            ),
            _ => add(
                &mut out,
                contact(ContactSource::SbomSupplier, "name", name, "supplier"),
            ),
        }
    }
    if let Some(p) = purl.and_then(|p| Purl::parse(p).ok()) {
        for url in purl_repositories(&p) {
            let note = if url.ends_with("/security/advisories/new") {
                "private vulnerability reporting"
            } else {
                "repository"
            };
            add(
                &mut out,
                contact(ContactSource::PurlRepository, "url", &url, note),
            );
        }
    }
    // RFC 9116 §3: security.txt sits at /.well-known/ of the host a contact URL names.
    let hosts: Vec<String> = out
        .iter()
        .filter(|c| c.kind == "url")
        .filter_map(|c| host_of(&c.value).map(str::to_string))
        .collect();
    for h in hosts {
        add(
            &mut out,
            contact(
                ContactSource::SecurityTxt,
                "url",
                &format!("https://{h}/.well-known/security.txt"),
                "security.txt (RFC 9116), not fetched",
            ),
        );
    }
    out
}

/// The repositories and registry pages a purl names (purl spec: `vcs_url`, `repository_url`
/// qualifiers; GitHub, GitLab and Bitbucket types; Go module paths on those hosts).
fn purl_repositories(p: &Purl) -> Vec<String> {
    let mut out = Vec::new();
    for q in ["vcs_url", "repository_url"] {
        if let Some(u) = p.qualifiers.get(q).and_then(|u| web_url(u)) {
            out.push(u);
        }
    }
    let forge = |host: &str, path: &str| {
        let mut v = vec![format!("https://{host}/{path}")];
        if host == "github.com" {
            // GitHub's private vulnerability reporting form of the repository.
            v.insert(
                0,
                format!("https://github.com/{path}/security/advisories/new"),
            );
        }
        v
    };
    match (p.ty.as_str(), p.namespace.as_deref()) {
        ("github", Some(ns)) => out.extend(forge("github.com", &format!("{ns}/{}", p.name))),
        ("gitlab", Some(ns)) => out.extend(forge("gitlab.com", &format!("{ns}/{}", p.name))),
        ("bitbucket", Some(ns)) => out.extend(forge("bitbucket.org", &format!("{ns}/{}", p.name))),
        ("golang", Some(ns)) => {
            let full = format!("{ns}/{}", p.name);
            let mut parts = full.splitn(4, '/');
            if let (Some(host), Some(owner), Some(repo)) =
                (parts.next(), parts.next(), parts.next())
                && matches!(host, "github.com" | "gitlab.com" | "bitbucket.org")
            {
                out.extend(forge(host, &format!("{owner}/{repo}")));
            }
        }
        ("cargo", _) => out.push(format!("https://crates.io/crates/{}", p.name)),
        ("npm", ns) => out.push(match ns {
            Some(ns) => format!("https://www.npmjs.com/package/{ns}/{}", p.name),
            None => format!("https://www.npmjs.com/package/{}", p.name),
        }),
        ("pypi", _) => out.push(format!("https://pypi.org/project/{}/", p.name)),
        _ => {}
    }
    out
}

/// Whether the maintainer reads CSAF, as far as its contacts tell: an `advisories` reference
/// (CycloneDX 1.5: "a URL to an automated list of security advisories", which is what a CSAF
/// provider publishes), or an address of a CSAF provider (CSAF 2.0 section 7.1.1:
/// `provider-metadata.json`, section 7.1.8: `/.well-known/csaf/`).
pub fn reads_csaf(contacts: &[Contact]) -> bool {
    contacts.iter().any(|c| {
        let v = c.value.to_ascii_lowercase();
        c.note == "advisories"
            || v.ends_with("provider-metadata.json")
            || v.contains("/.well-known/csaf")
    })
}

/// The manufacturer's fix for the component, once it has one (Art. 13(6) second sentence).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    /// The component version that contains the fix, if it was released upstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// Where the fix is (a commit, a pull request, a patch file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The patch itself (a unified diff), shared as code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
}

impl Fix {
    /// True when nothing is given.
    pub fn is_empty(&self) -> bool {
        self.fixed_version.is_none() && self.url.is_none() && self.patch.is_none()
    }
}

/// What the report is about.
#[derive(Clone, Debug)]
pub struct ReportInput<'a> {
    /// The manufacturer sending it.
    pub manufacturer: &'a str,
    /// Where the maintainer can answer (the manufacturer's security contact).
    pub reply_to: &'a str,
    /// The component's name.
    pub component: &'a str,
    /// Its purl, if known.
    pub purl: Option<&'a str>,
    /// The advisory the finding came from, and its aliases.
    pub advisory_id: &'a str,
    /// Aliases (CVE, GHSA, …).
    pub aliases: &'a [String],
    /// The advisory's summary, if any.
    pub summary: Option<&'a str>,
    /// The component versions found affected in the manufacturer's products.
    pub affected_versions: &'a [String],
    /// Versions the advisory names as fixed, if any.
    pub advisory_fixed: &'a [String],
    /// The manufacturer's own fix, once it has one.
    pub fix: Option<&'a Fix>,
    /// Report id (stable per report).
    pub report_id: i64,
    /// Draft time.
    pub at: OffsetDateTime,
}

/// The drafted report: text for a person and OSV JSON for a machine.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Draft {
    /// Subject line.
    pub subject: String,
    /// The message.
    pub body: String,
    /// The same facts as an OSV 1.6 record (`affected[].versions`, a `fixed` event and a `FIX`
    /// reference once there is a fix).
    pub osv: Value,
}

/// Drafts the report (CRA Art. 13(6)).
pub fn draft(r: &ReportInput<'_>) -> Draft {
    let ids: Vec<&str> = std::iter::once(r.advisory_id)
        .chain(r.aliases.iter().map(String::as_str))
        .collect();
    let subject = format!(
        "Security: {} in {} (reported under CRA Art. 13(6))",
        ids.join(" / "),
        r.component
    );
    let mut body = format!(
        "Hello,\n\n{} integrates {} in a product with digital elements and identified the \
         vulnerability {} in it. The EU Cyber Resilience Act (Art. 13(6)) asks us to report it to \
         you as the component's maintainer.\n\n",
        r.manufacturer,
        r.purl.unwrap_or(r.component),
        if r.aliases.is_empty() {
            r.advisory_id.to_string()
        } else {
            format!("{} ({})", r.advisory_id, r.aliases.join(", "))
        },
    );
    if let Some(s) = r.summary.filter(|s| !s.trim().is_empty()) {
        body.push_str(&format!("Summary: {}\n\n", s.trim()));
    }
    body.push_str(&format!(
        "Affected versions we ship: {}\n",
        if r.affected_versions.is_empty() {
            "(unknown)".to_string()
        } else {
            r.affected_versions.join(", ")
        }
    ));
    if !r.advisory_fixed.is_empty() {
        body.push_str(&format!(
            "Fixed according to the advisory in: {}\n",
            r.advisory_fixed.join(", ")
        ));
    }
    match r.fix.filter(|f| !f.is_empty()) {
        Some(f) => {
            body.push_str("\nOur fix (Art. 13(6): shared with you):\n");
            if let Some(v) = &f.fixed_version {
                body.push_str(&format!("- fixed in version {v}\n"));
            }
            if let Some(u) = &f.url {
                body.push_str(&format!("- {u}\n"));
            }
            if let Some(p) = &f.patch {
                body.push_str(&format!("\n{}\n", p.trim_end()));
            }
        }
        None => body.push_str("\nWe have no fix of our own yet; we will share it when we do.\n"),
    }
    body.push_str(&format!(
        "\nThe same facts are attached as an OSV record (osv.json). Please reply to {}.\n",
        r.reply_to
    ));
    Draft {
        subject,
        body,
        osv: osv(r, &ids),
    }
}

/// The OSV 1.6 record of the report (OSV schema: `id`, `modified`, `aliases`, `summary`,
/// `affected[].package`, `affected[].versions`, `affected[].ranges[].events`, `references`).
fn osv(r: &ReportInput<'_>, ids: &[&str]) -> Value {
    let parsed = r.purl.and_then(|p| Purl::parse(p).ok());
    let mut package = json!({ "name": r.component });
    if let Some(p) = &parsed {
        if let Some((eco, name)) = p.package_key() {
            package = json!({ "ecosystem": eco.osv_name(), "name": name });
        }
        // OSV `package.purl` is the package without its version.
        let mut bare = p.clone();
        bare.version = None;
        bare.qualifiers.clear();
        bare.subpath = None;
        package["purl"] = Value::String(bare.to_string());
    }
    let mut affected = json!({ "package": package, "versions": r.affected_versions });
    let fixed = r
        .fix
        .and_then(|f| f.fixed_version.clone())
        .or_else(|| r.advisory_fixed.first().cloned());
    if let Some(fixed) = fixed
        && package.get("ecosystem").is_some()
    {
        affected["ranges"] = json!([{
            "type": "ECOSYSTEM",
            "events": [{ "introduced": "0" }, { "fixed": fixed }],
        }]);
    }
    let mut references = Vec::new();
    if let Some(u) = r.fix.and_then(|f| f.url.as_deref()) {
        references.push(json!({ "type": "FIX", "url": u }));
    }
    let mut v = json!({
        "schema_version": "1.6.0",
        "id": format!("CYRES-UPSTREAM-{}", r.report_id),
        "modified": r.at.format(&Rfc3339).unwrap_or_default(),
        "aliases": ids,
        "affected": [affected],
        "references": references,
    });
    if let Some(s) = r.summary {
        v["summary"] = Value::String(s.to_string());
    }
    if let Some(p) = r.fix.and_then(|f| f.patch.as_deref()) {
        v["details"] = Value::String(format!("Patch:\n\n```diff\n{}\n```", p.trim_end()));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn contacts_from_sbom_purl_and_security_txt() {
        let sbom = json!({"bomFormat": "CycloneDX", "components": [
            {"name": "other", "version": "1"},
            {"name": "parent", "components": [{
                "name": "openssl", "version": "3.0.1", "purl": "pkg:github/openssl/openssl@3.0.1",
                "externalReferences": [
                    {"type": "security-contact", "url": "mailto:openssl-security@openssl.org"},
                    {"type": "distribution", "url": "https://dl.example/x.tgz"},
                    {"type": "website", "url": "https://www.openssl.org/"}
                ]
            }]}
        ]});
        let entry = find_component(&sbom, "openssl", Some("3.0.1"), None).unwrap();
        assert_eq!(entry["purl"], "pkg:github/openssl/openssl@3.0.1");
        let c = contacts(
            Some(entry),
            Some("OpenSSL Foundation"),
            Some("pkg:github/openssl/openssl@3.0.1"),
        );
        let values: Vec<(&str, ContactSource)> =
            c.iter().map(|c| (c.value.as_str(), c.source)).collect();
        assert_eq!(
            values,
            vec![
                ("openssl-security@openssl.org", ContactSource::SbomReference),
                ("https://www.openssl.org/", ContactSource::SbomReference),
                ("OpenSSL Foundation", ContactSource::SbomSupplier),
                (
                    "https://github.com/openssl/openssl/security/advisories/new",
                    ContactSource::PurlRepository
                ),
                (
                    "https://github.com/openssl/openssl",
                    ContactSource::PurlRepository
                ),
                (
                    "https://www.openssl.org/.well-known/security.txt",
                    ContactSource::SecurityTxt
                ),
                (
                    "https://github.com/.well-known/security.txt",
                    ContactSource::SecurityTxt
                ),
            ]
        );
        // SPDX: packages, by purl in externalRefs; a supplier with an address.
        let spdx = json!({"packages": [{"name": "zlib", "versionInfo": "1.2.11",
            "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:golang/github.com/madler/zlib@v1.2.11"}],
            "homepage": "https://zlib.net"}]});
        let purl = "pkg:golang/github.com/madler/zlib@v1.2.11";
        let e = find_component(&spdx, "nope", None, Some(purl)).unwrap();
        let c = contacts(
            Some(e),
            Some("Jean-loup Gailly (jloup@gzip.org)"),
            Some(purl),
        );
        assert!(
            c.iter()
                .any(|c| c.value == "jloup@gzip.org" && c.kind == "email")
        );
        assert!(
            c.iter()
                .any(|c| c.value == "https://github.com/madler/zlib")
        );
        assert!(
            c.iter()
                .any(|c| c.value == "https://zlib.net/.well-known/security.txt")
        );
    }

    #[test]
    fn csaf_is_offered_for_advisories_feeds_and_providers_only() {
        let c = |note: &str, value: &str| contact(ContactSource::SbomReference, "url", value, note);
        assert!(!reads_csaf(&[c("vcs", "https://github.com/foo/bar")]));
        assert!(reads_csaf(&[c("advisories", "https://foo.example/feed")]));
        assert!(reads_csaf(&[c(
            "website",
            "https://foo.example/.well-known/csaf/provider-metadata.json"
        )]));
        assert!(!reads_csaf(&[]));
    }

    #[test]
    fn draft_names_versions_and_fix_in_text_and_osv() {
        let aliases = vec!["CVE-2024-0001".to_string()];
        let versions = vec!["1.2.3".to_string(), "1.2.4".to_string()];
        let fix = Fix {
            fixed_version: Some("1.2.5".into()),
            url: Some("https://github.com/acme/lib/pull/7".into()),
            patch: Some("--- a/x\n+++ b/x\n".into()),
        };
        let mut input = ReportInput {
            manufacturer: "Acme Networks GmbH",
            reply_to: "psirt@acme.example",
            component: "lib",
            purl: Some("pkg:cargo/lib@1.2.3"),
            advisory_id: "GHSA-xxxx-yyyy-zzzz",
            aliases: &aliases,
            summary: Some("Overflow"),
            affected_versions: &versions,
            advisory_fixed: &[],
            fix: None,
            report_id: 7,
            at: datetime!(2028-05-01 10:00 UTC),
        };
        let d = draft(&input);
        assert!(d.subject.contains("GHSA-xxxx-yyyy-zzzz / CVE-2024-0001"));
        assert!(d.body.contains("1.2.3, 1.2.4") && d.body.contains("no fix of our own yet"));
        assert_eq!(d.osv["affected"][0]["package"]["ecosystem"], "crates.io");
        assert_eq!(d.osv["affected"][0]["package"]["purl"], "pkg:cargo/lib");
        assert!(d.osv["affected"][0].get("ranges").is_none());
        input.fix = Some(&fix);
        let d = draft(&input);
        assert!(d.body.contains("fixed in version 1.2.5") && d.body.contains("+++ b/x"));
        assert_eq!(
            d.osv["affected"][0]["ranges"][0]["events"][1]["fixed"],
            "1.2.5"
        );
        assert_eq!(d.osv["references"][0]["type"], "FIX");
        assert_eq!(d.osv["id"], "CYRES-UPSTREAM-7");
        assert_eq!(d.osv["modified"], "2028-05-01T10:00:00Z");
    }
}
