//! `cyres scan --policy FILE`: the platform's gate rules applied offline. The rules live in
//! one pure place (`cyres_vuln::policy`); this only reads the file, lowers the scan into the
//! policy's subjects and prints the violations.

use anyhow::Context;
use cyres_sbom::Sbom;
use cyres_vuln::Matches;
use cyres_vuln::policy::{ComponentSubject, Decision, FindingSubject, Policy, Verdict, evaluate};
use std::io::Write;
use std::path::Path;

/// Reads and checks a policy file (TOML, or JSON by its `.json` name); a bad file is an error
/// (exit 2) before any SBOM is read.
pub(super) fn load(path: &Path) -> anyhow::Result<Policy> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading policy {}", path.display()))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    Policy::from_file_text(name, &text).with_context(|| format!("in {}", path.display()))
}

/// The policy's answer for one scanned SBOM. Informational advisories (RustSec `unmaintained`
/// and the like) are not vulnerabilities and are left out, as for `--fail-on`. There is no
/// decision history offline: every finding is undecided and of unknown age.
pub(super) fn verdict(policy: &Policy, sbom: &Sbom, matches: &Matches<'_>, now: i64) -> Verdict {
    let findings: Vec<FindingSubject> = matches
        .findings
        .iter()
        .filter(|m| m.finding.informational().is_none())
        .map(|m| FindingSubject {
            advisory_id: m.finding.id().to_string(),
            component: m.component.name.clone(),
            severity: m.finding.severity().rating,
            exploited: m.finding.kev().is_some(),
            decision: Decision::Open,
            first_seen: None,
        })
        .collect();
    let components: Vec<ComponentSubject> = sbom
        .components
        .iter()
        .map(|c| ComponentSubject {
            name: c.name.clone(),
            version: c.version.clone(),
            has_purl: c.purl.is_some() || c.purl_raw.is_some(),
            has_cpe: c.cpe.is_some() || c.cpe_raw.is_some(),
            licenses: c.licenses.clone(),
        })
        .collect();
    evaluate(policy, &findings, &components, now)
}

/// Prints a verdict's violations for `source` to `err`; answers the number of violations.
pub(super) fn report(source: &str, v: &Verdict, err: &mut dyn Write) -> std::io::Result<usize> {
    for x in &v.violations {
        writeln!(err, "policy: {source}: [{}] {}", x.rule.as_str(), x.message)?;
    }
    for r in &v.not_evaluated {
        writeln!(
            err,
            "policy: {source}: rule {} not evaluated offline (no decision history)",
            r.as_str()
        )?;
    }
    Ok(v.violations.len())
}
