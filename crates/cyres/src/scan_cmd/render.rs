//! Rendering of a scan for people (an aligned table) and for code-scanning tools (SARIF 2.1.0).
//! JSON is `serde_json` over [`ScanOutput`] directly.

use super::output::{Finding, ScanOutput};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The table people read: one line per finding, exploited first, then a summary line per SBOM.
pub(super) fn table(out: &ScanOutput<'_>) -> String {
    let mut s = String::new();
    for sbom in &out.sboms {
        let product = sbom
            .product
            .as_ref()
            .map(|p| match &p.version {
                Some(v) => format!("{} {v}", p.name),
                None => p.name.clone(),
            })
            .unwrap_or_else(|| "(no product named)".into());
        let _ = writeln!(
            s,
            "{}: {product}, {} components ({} {}), {} findings",
            sbom.source, sbom.components, sbom.format, sbom.spec_version, sbom.findings
        );
        let warnings = sbom
            .diagnostics
            .iter()
            .filter(|d| d.severity == "warning")
            .count();
        if warnings > 0 {
            let _ = writeln!(
                s,
                "  {warnings} quality warnings (see --format json for the list)"
            );
        }
    }
    if out.findings.is_empty() {
        let _ = writeln!(s, "\nNo known vulnerabilities found.");
        return s;
    }
    let header = [
        "SEVERITY",
        "SCORE",
        "EXPLOITED",
        "ADVISORY",
        "COMPONENT",
        "VERSION",
        "FIXED IN",
        "PRODUCT",
    ];
    let rows: Vec<[String; 8]> = out.findings.iter().map(row).collect();
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    s.push('\n');
    push_row(&mut s, &header.map(String::from), &widths);
    for r in &rows {
        push_row(&mut s, r, &widths);
    }
    let m = &out.summary;
    let _ = writeln!(
        s,
        "\n{} findings in {} SBOMs ({} components): {} exploited, {} critical, {} high, {} medium, {} low, {} unknown severity, {} informational, {} unresolved",
        m.findings,
        m.sboms,
        m.components,
        m.exploited,
        m.critical,
        m.high,
        m.medium,
        m.low,
        m.unknown,
        m.informational,
        m.unresolved
    );
    if m.dev_only > 0 {
        let _ = writeln!(
            s,
            "{} of them in development-only dependencies, marked (dev): not shipped; --no-dev leaves them out",
            m.dev_only
        );
    }
    s
}

fn row(f: &Finding<'_>) -> [String; 8] {
    let severity = match (f.informational(), f.severity()) {
        (Some(kind), _) => kind,
        (None, Some(sev)) => sev,
        (None, None) if f.match_kind() == "unresolved" => "unresolved",
        (None, None) => "unknown",
    };
    let exploited = match f.kev() {
        Some(k) => format!("KEV {}", k.date_added),
        None => String::new(),
    };
    let id = f.id();
    let ids = match f
        .flaw()
        .aliases()
        .find(|a| a.starts_with("CVE-") && *a != id)
    {
        Some(cve) => format!("{id} ({cve})"),
        None => id.to_string(),
    };
    [
        severity.to_uppercase(),
        f.score().map(|x| format!("{x:.1}")).unwrap_or_default(),
        exploited,
        ids,
        if f.dev_only {
            format!("{} (dev)", f.component().name)
        } else {
            f.component().name.to_string()
        },
        f.component().version.unwrap_or_default().to_string(),
        join(f.flaw().fixed_versions(), ", "),
        f.product().map(|p| p.name.clone()).unwrap_or_default(),
    ]
}

/// The strings of `items` separated by `sep`.
fn join<'s>(items: impl Iterator<Item = &'s str>, sep: &str) -> String {
    let mut out = String::new();
    for (i, s) in items.enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(s);
    }
    out
}

fn push_row(s: &mut String, cells: &[String; 8], widths: &[usize; 8]) {
    let mut line = String::new();
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        if i + 1 == cells.len() {
            line.push_str(cell);
        } else {
            let _ = write!(line, "{cell:<w$}  ");
        }
    }
    s.push_str(line.trim_end());
    s.push('\n');
}

/// SARIF 2.1.0: one rule per advisory, one result per finding located in the SBOM file, with
/// `security-severity` so code-scanning tools rank them.
pub(super) fn sarif(out: &ScanOutput<'_>) -> Value {
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    for f in &out.findings {
        let (id, summary, flaw) = (f.id(), f.flaw().summary(), f.flaw());
        rules.entry(id).or_insert_with(|| {
            let mut tags = vec!["security".to_string()];
            if f.exploited() {
                tags.push("actively-exploited".into());
            }
            let fixed = if flaw.fixed_versions().len() == 0 {
                "no fix listed".to_string()
            } else {
                join(flaw.fixed_versions(), ", ")
            };
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": summary.unwrap_or(id) },
                "fullDescription": { "text": format!("{} (aliases: {})", summary.unwrap_or_default(), join(flaw.aliases(), ", ")) },
                "helpUri": help_uri(id),
                "help": { "text": format!("Affected: {}. Fixed in: {}.", join(flaw.affected_ranges(), "; "), fixed) },
                "properties": {
                    "security-severity": format!("{:.1}", security_severity(f)),
                    "tags": tags,
                },
            })
        });
    }
    let rule_index: BTreeMap<&str, usize> =
        rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let results: Vec<Value> = out
        .findings
        .iter()
        .map(|f| {
            let id = f.id();
            let c = f.component();
            let component = match c.version {
                Some(v) => format!("{}@{v}", c.name),
                None => c.name.to_string(),
            };
            let mut text = format!("{component} is affected by {id}");
            if let Some(s) = f.flaw().summary() {
                let _ = write!(text, ": {s}");
            }
            if f.exploited() {
                text.push_str(" [actively exploited: listed in CISA KEV]");
            }
            if f.flaw().fixed_versions().len() > 0 {
                let _ = write!(text, " Fixed in {}.", join(f.flaw().fixed_versions(), ", "));
            }
            if f.dev_only {
                text.push_str(" [development-only dependency: not shipped]");
            }
            let logical = c.purl.or(c.cpe).map_or_else(|| component.clone(), str::to_string);
            let mut result = json!({
                "ruleId": id,
                "ruleIndex": rule_index[id],
                "level": level(f),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": f.sbom() } },
                    "logicalLocations": [{ "fullyQualifiedName": logical, "kind": "module" }],
                }],
                "partialFingerprints": { "cyres/v1": format!("{}|{}|{}", id, logical, f.product().map(|p| p.name.as_str()).unwrap_or("")) },
                "properties": { "match_kind": f.match_kind(), "exploited": f.exploited() },
            });
            if f.dev_only {
                // A dev tool is not in the product: a note, not a warning or error.
                result["level"] = json!("note");
                result["properties"]["dev_only"] = json!(true);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cyres",
                "version": out.tool.version,
                "informationUri": "https://example.invalid/cyres",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

fn help_uri(id: &str) -> String {
    format!("https://osv.dev/vulnerability/{id}")
}

/// GitHub's convention: 9.0+ critical, 7.0+ high, 4.0+ medium, else low. An exploited finding
/// without a score is ranked critical: exploitation matters more than the missing vector.
fn security_severity(f: &Finding<'_>) -> f64 {
    match f.score() {
        Some(s) => s,
        None if f.exploited() => 9.0,
        None => match f.severity() {
            Some("critical") => 9.0,
            Some("high") => 7.0,
            Some("medium") => 5.0,
            Some("low") => 2.0,
            _ => 5.0,
        },
    }
}

fn level(f: &Finding<'_>) -> &'static str {
    if f.informational().is_some() {
        return "note";
    }
    if f.exploited() {
        return "error";
    }
    match f.severity() {
        Some("critical" | "high") => "error",
        Some("low" | "none") => "note",
        _ => "warning",
    }
}
