//! CVSS objects in CSAF scores (section 3.2.3.13): building them from a vector, and the
//! mandatory tests on them: 6.1.7 Multiple Scores with same Version per Product, 6.1.8 Invalid
//! CVSS (FIRST's CVSS JSON schemas v2.0, v3.0, v3.1), 6.1.9 Invalid CVSS computation and 6.1.10
//! Inconsistent CVSS.
//!
//! One table per CVSS version maps each vector metric to its JSON property and value names;
//! building, the schema check and the consistency check all read it, so they cannot disagree.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use serde_json::{Map, Value, json};

use crate::model::Document;
use crate::validate::Report;

type MetricTable = &'static [(
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
)];

const NLH: &[(&str, &str)] = &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")];
const XNLH: &[(&str, &str)] = &[
    ("X", "NOT_DEFINED"),
    ("N", "NONE"),
    ("L", "LOW"),
    ("H", "HIGH"),
];
const REQ3: &[(&str, &str)] = &[
    ("X", "NOT_DEFINED"),
    ("L", "LOW"),
    ("M", "MEDIUM"),
    ("H", "HIGH"),
];

/// CVSS v3.0/v3.1: vector metric → JSON property → (vector value → JSON value).
const V3: MetricTable = &[
    (
        "AV",
        "attackVector",
        &[
            ("N", "NETWORK"),
            ("A", "ADJACENT_NETWORK"),
            ("L", "LOCAL"),
            ("P", "PHYSICAL"),
        ],
    ),
    ("AC", "attackComplexity", &[("L", "LOW"), ("H", "HIGH")]),
    ("PR", "privilegesRequired", NLH),
    ("UI", "userInteraction", &[("N", "NONE"), ("R", "REQUIRED")]),
    ("S", "scope", &[("U", "UNCHANGED"), ("C", "CHANGED")]),
    ("C", "confidentialityImpact", NLH),
    ("I", "integrityImpact", NLH),
    ("A", "availabilityImpact", NLH),
    (
        "E",
        "exploitCodeMaturity",
        &[
            ("X", "NOT_DEFINED"),
            ("U", "UNPROVEN"),
            ("P", "PROOF_OF_CONCEPT"),
            ("F", "FUNCTIONAL"),
            ("H", "HIGH"),
        ],
    ),
    (
        "RL",
        "remediationLevel",
        &[
            ("X", "NOT_DEFINED"),
            ("O", "OFFICIAL_FIX"),
            ("T", "TEMPORARY_FIX"),
            ("W", "WORKAROUND"),
            ("U", "UNAVAILABLE"),
        ],
    ),
    (
        "RC",
        "reportConfidence",
        &[
            ("X", "NOT_DEFINED"),
            ("U", "UNKNOWN"),
            ("R", "REASONABLE"),
            ("C", "CONFIRMED"),
        ],
    ),
    ("CR", "confidentialityRequirement", REQ3),
    ("IR", "integrityRequirement", REQ3),
    ("AR", "availabilityRequirement", REQ3),
    (
        "MAV",
        "modifiedAttackVector",
        &[
            ("X", "NOT_DEFINED"),
            ("N", "NETWORK"),
            ("A", "ADJACENT_NETWORK"),
            ("L", "LOCAL"),
            ("P", "PHYSICAL"),
        ],
    ),
    (
        "MAC",
        "modifiedAttackComplexity",
        &[("X", "NOT_DEFINED"), ("L", "LOW"), ("H", "HIGH")],
    ),
    ("MPR", "modifiedPrivilegesRequired", XNLH),
    (
        "MUI",
        "modifiedUserInteraction",
        &[("X", "NOT_DEFINED"), ("N", "NONE"), ("R", "REQUIRED")],
    ),
    (
        "MS",
        "modifiedScope",
        &[("X", "NOT_DEFINED"), ("U", "UNCHANGED"), ("C", "CHANGED")],
    ),
    ("MC", "modifiedConfidentialityImpact", XNLH),
    ("MI", "modifiedIntegrityImpact", XNLH),
    ("MA", "modifiedAvailabilityImpact", XNLH),
];

const NPC: &[(&str, &str)] = &[("N", "NONE"), ("P", "PARTIAL"), ("C", "COMPLETE")];
const REQ2: &[(&str, &str)] = &[
    ("L", "LOW"),
    ("M", "MEDIUM"),
    ("H", "HIGH"),
    ("ND", "NOT_DEFINED"),
];

/// CVSS v2.0, as [`V3`].
const V2: MetricTable = &[
    (
        "AV",
        "accessVector",
        &[("L", "LOCAL"), ("A", "ADJACENT_NETWORK"), ("N", "NETWORK")],
    ),
    (
        "AC",
        "accessComplexity",
        &[("H", "HIGH"), ("M", "MEDIUM"), ("L", "LOW")],
    ),
    (
        "Au",
        "authentication",
        &[("M", "MULTIPLE"), ("S", "SINGLE"), ("N", "NONE")],
    ),
    ("C", "confidentialityImpact", NPC),
    ("I", "integrityImpact", NPC),
    ("A", "availabilityImpact", NPC),
    (
        "E",
        "exploitability",
        &[
            ("U", "UNPROVEN"),
            ("POC", "PROOF_OF_CONCEPT"),
            ("F", "FUNCTIONAL"),
            ("H", "HIGH"),
            ("ND", "NOT_DEFINED"),
        ],
    ),
    (
        "RL",
        "remediationLevel",
        &[
            ("OF", "OFFICIAL_FIX"),
            ("TF", "TEMPORARY_FIX"),
            ("W", "WORKAROUND"),
            ("U", "UNAVAILABLE"),
            ("ND", "NOT_DEFINED"),
        ],
    ),
    (
        "RC",
        "reportConfidence",
        &[
            ("UC", "UNCONFIRMED"),
            ("UR", "UNCORROBORATED"),
            ("C", "CONFIRMED"),
            ("ND", "NOT_DEFINED"),
        ],
    ),
    (
        "CDP",
        "collateralDamagePotential",
        &[
            ("N", "NONE"),
            ("L", "LOW"),
            ("LM", "LOW_MEDIUM"),
            ("MH", "MEDIUM_HIGH"),
            ("H", "HIGH"),
            ("ND", "NOT_DEFINED"),
        ],
    ),
    (
        "TD",
        "targetDistribution",
        &[
            ("N", "NONE"),
            ("L", "LOW"),
            ("M", "MEDIUM"),
            ("H", "HIGH"),
            ("ND", "NOT_DEFINED"),
        ],
    ),
    ("CR", "confidentialityRequirement", REQ2),
    ("IR", "integrityRequirement", REQ2),
    ("AR", "availabilityRequirement", REQ2),
];

const V2_SCORES: &[&str] = &["baseScore", "temporalScore", "environmentalScore"];
const V3_SCORES: &[&str] = &[
    "baseScore",
    "baseSeverity",
    "temporalScore",
    "temporalSeverity",
    "environmentalScore",
    "environmentalSeverity",
];
const SEVERITIES: &[&str] = &["NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
/// The base metrics a v3 vector must carry (CVSS v3.1 specification, section 6).
const V3_BASE: &[&str] = &["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
const V2_BASE: &[&str] = &["AV", "AC", "Au", "C", "I", "A"];

/// Splits a vector into metric → value, refusing unknown metrics, unknown values, repeats and
/// missing base metrics (the `vectorString` patterns of FIRST's schemas).
fn parse_vector(
    table: MetricTable,
    base: &[&str],
    body: &str,
) -> Result<BTreeMap<&'static str, String>, String> {
    let mut out = BTreeMap::new();
    for part in body.split('/') {
        let (k, v) = part
            .split_once(':')
            .ok_or_else(|| format!("{part:?} is not METRIC:VALUE"))?;
        let (key, _, values) = table
            .iter()
            .find(|(m, _, _)| *m == k)
            .ok_or_else(|| format!("unknown metric {k:?}"))?;
        if !values.iter().any(|(code, _)| *code == v) {
            return Err(format!("metric {k} has no value {v:?}"));
        }
        if out.insert(*key, v.to_string()).is_some() {
            return Err(format!("metric {k} appears twice"));
        }
    }
    if let Some(missing) = base.iter().find(|m| !out.contains_key(**m)) {
        return Err(format!("base metric {missing} is missing"));
    }
    Ok(out)
}

fn severity_name(s: cvss::Severity) -> &'static str {
    match s {
        cvss::Severity::None => "NONE",
        cvss::Severity::Low => "LOW",
        cvss::Severity::Medium => "MEDIUM",
        cvss::Severity::High => "HIGH",
        cvss::Severity::Critical => "CRITICAL",
    }
}

/// The scores a CVSS object's vector yields, by JSON property.
fn computed(version: &str, vector: &str) -> Result<BTreeMap<&'static str, Value>, String> {
    let mut out = BTreeMap::new();
    if version == "2.0" {
        let v = cvss::v2::Vector::from_str(vector).map_err(|e| e.to_string())?;
        out.insert("baseScore", json!(v.score().value()));
        let has = |m: &str| vector.split('/').any(|p| p.starts_with(&format!("{m}:")));
        if ["E", "RL", "RC"].iter().any(|m| has(m)) {
            out.insert("temporalScore", json!(v.temporal_score().value()));
        }
        if ["CDP", "TD", "CR", "IR", "AR"].iter().any(|m| has(m)) {
            out.insert("environmentalScore", json!(v.environmental_score().value()));
        }
        return Ok(out);
    }
    let v = cvss::v3::Vector::from_str(vector).map_err(|e| e.to_string())?;
    let base = v.base_score();
    out.insert("baseScore", json!(base.value()));
    out.insert("baseSeverity", json!(severity_name(base.severity())));
    use cvss::v3::Metric;
    use cvss::v3::metric::temporal::{ExploitCodeMaturity, RemediationLevel, ReportConfidence};
    if v.e.is_some() || v.rl.is_some() || v.rc.is_some() {
        // CVSS v3.1 specification, section 7.2: Roundup(BaseScore × E × RL × RC).
        let t = base.value()
            * v.e.unwrap_or(ExploitCodeMaturity::NotDefined).score()
            * v.rl.unwrap_or(RemediationLevel::NotDefined).score()
            * v.rc.unwrap_or(ReportConfidence::NotDefined).score();
        let t = cvss::v3::Score::new(t).roundup_for_version(v.minor_version);
        out.insert("temporalScore", json!(t.value()));
        out.insert("temporalSeverity", json!(severity_name(t.severity())));
    }
    let environmental = [
        v.cr.is_some(),
        v.ir.is_some(),
        v.ar.is_some(),
        v.mav.is_some(),
        v.mac.is_some(),
        v.mpr.is_some(),
        v.mui.is_some(),
        v.ms.is_some(),
        v.mc.is_some(),
        v.mi.is_some(),
        v.ma.is_some(),
    ];
    if environmental.into_iter().any(|x| x) {
        let e = v.environmental_score();
        out.insert("environmentalScore", json!(e.value()));
        out.insert("environmentalSeverity", json!(severity_name(e.severity())));
    }
    Ok(out)
}

/// Builds the CSAF `cvss_v3` object of a CVSS v3.0 or v3.1 vector (`CVSS:3.1/AV:N/…`): version,
/// vector, every metric the vector sets, and the computed scores and severities, so tests
/// 6.1.8 to 6.1.10 hold by construction.
pub fn cvss_v3_object(vector: &str) -> Result<Map<String, Value>, String> {
    let (version, body) = match vector.split_once('/') {
        Some(("CVSS:3.0", b)) => ("3.0", b),
        Some(("CVSS:3.1", b)) => ("3.1", b),
        _ => return Err(format!("{vector:?} is not a CVSS v3.0 or v3.1 vector")),
    };
    object(V3, V3_BASE, version, vector, body)
}

/// Builds the CSAF `cvss_v2` object of a CVSS v2.0 vector (`AV:N/AC:L/…`), as
/// [`cvss_v3_object`].
pub fn cvss_v2_object(vector: &str) -> Result<Map<String, Value>, String> {
    object(V2, V2_BASE, "2.0", vector, vector)
}

fn object(
    table: MetricTable,
    base: &[&str],
    version: &str,
    vector: &str,
    body: &str,
) -> Result<Map<String, Value>, String> {
    let metrics = parse_vector(table, base, body)?;
    let mut m = Map::new();
    m.insert("version".into(), json!(version));
    m.insert("vectorString".into(), json!(vector));
    for (k, prop, values) in table {
        if let Some(code) = metrics.get(k) {
            let name = values
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, n)| *n)
                .unwrap_or_default();
            m.insert((*prop).into(), json!(name));
        }
    }
    for (k, v) in computed(version, vector)? {
        m.insert(k.into(), v);
    }
    Ok(m)
}

/// Tests 6.1.7 to 6.1.10 over every score of the document.
pub(crate) fn scores(doc: &Document, r: &mut Report) {
    for (vi, v) in doc.vulnerabilities.iter().flatten().enumerate() {
        let mut seen: BTreeSet<(&str, String)> = BTreeSet::new();
        for (si, s) in v.scores.iter().flatten().enumerate() {
            let p = format!("/vulnerabilities/{vi}/scores/{si}");
            for (field, obj) in [("cvss_v2", &s.cvss_v2), ("cvss_v3", &s.cvss_v3)] {
                let Some(obj) = obj else { continue };
                let path = format!("{p}/{field}");
                let version = obj
                    .get("version")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                // 6.1.7: one score per CVSS version and product.
                for id in &s.products {
                    if !seen.insert((id.as_str(), version.clone())) {
                        r.fail(
                            "6.1.7",
                            path.clone(),
                            format!("product {id} has a second CVSS {version} score"),
                        );
                    }
                }
                check_object(field == "cvss_v2", obj, &path, r);
            }
        }
    }
}

fn check_object(v2: bool, obj: &Map<String, Value>, path: &str, r: &mut Report) {
    let (table, base, scores, required): (MetricTable, &[&str], &[&str], &[&str]) = if v2 {
        (
            V2,
            V2_BASE,
            V2_SCORES,
            &["version", "vectorString", "baseScore"],
        )
    } else {
        (
            V3,
            V3_BASE,
            V3_SCORES,
            &["version", "vectorString", "baseScore", "baseSeverity"],
        )
    };
    // 6.1.8 Invalid CVSS: FIRST's schema (required properties, enumerations, the vector pattern).
    let mut schema_ok = true;
    for req in required {
        if !obj.contains_key(*req) {
            r.fail("6.1.8", path, format!("required property {req} is missing"));
            schema_ok = false;
        }
    }
    let version = obj.get("version").and_then(Value::as_str).unwrap_or("");
    let allowed: &[&str] = if v2 { &["2.0"] } else { &["3.0", "3.1"] };
    if !allowed.contains(&version) {
        r.fail(
            "6.1.8",
            format!("{path}/version"),
            format!("version {version:?} is not one of {allowed:?}"),
        );
        return;
    }
    let vector = obj
        .get("vectorString")
        .and_then(Value::as_str)
        .unwrap_or("");
    let body = if v2 {
        Some(vector)
    } else {
        vector.strip_prefix(&format!("CVSS:{version}/"))
    };
    let metrics = match body.map(|b| parse_vector(table, base, b)) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            r.fail(
                "6.1.8",
                format!("{path}/vectorString"),
                format!("invalid CVSS {version} vector {vector:?}: {e}"),
            );
            None
        }
        None => {
            r.fail(
                "6.1.8",
                format!("{path}/vectorString"),
                format!("vector {vector:?} does not start with CVSS:{version}/"),
            );
            None
        }
    };
    for (key, value) in obj {
        if key == "version" || key == "vectorString" {
            continue;
        }
        if let Some((_, _, values)) = table.iter().find(|(_, p, _)| p == key) {
            if !value
                .as_str()
                .is_some_and(|s| values.iter().any(|(_, n)| *n == s))
            {
                r.fail(
                    "6.1.8",
                    format!("{path}/{key}"),
                    format!("{value} is not a valid {key}"),
                );
                schema_ok = false;
            }
        } else if scores.contains(&key.as_str()) {
            let ok = if key.ends_with("Severity") {
                value.as_str().is_some_and(|s| SEVERITIES.contains(&s))
            } else {
                value.as_f64().is_some_and(|x| (0.0..=10.0).contains(&x))
            };
            if !ok {
                r.fail(
                    "6.1.8",
                    format!("{path}/{key}"),
                    format!("{value} is not a valid {key}"),
                );
                schema_ok = false;
            }
        } else {
            r.fail(
                "6.1.8",
                format!("{path}/{key}"),
                format!("{key} is not a CVSS {version} property"),
            );
            schema_ok = false;
        }
    }
    let Some(metrics) = metrics else { return };
    if !schema_ok {
        return;
    }
    // 6.1.9 Invalid CVSS computation: the scores and severities are the vector's.
    if let Ok(expected) = computed(version, vector) {
        for key in scores {
            if let (Some(given), Some(want)) = (obj.get(*key), expected.get(key)) {
                let equal = match (given.as_f64(), want.as_f64()) {
                    (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                    _ => given == want,
                };
                if !equal {
                    r.fail(
                        "6.1.9",
                        format!("{path}/{key}"),
                        format!("{key} is {given} but the vector gives {want}"),
                    );
                }
            }
        }
    }
    // 6.1.10 Inconsistent CVSS: the metric properties say what the vector says.
    for (k, prop, values) in table {
        let Some(given) = obj.get(*prop).and_then(Value::as_str) else {
            continue;
        };
        let in_vector = metrics.get(k).map(String::as_str);
        let want = values
            .iter()
            .find(|(c, _)| Some(*c) == in_vector)
            .map(|(_, n)| *n)
            .unwrap_or("NOT_DEFINED");
        if given != want {
            r.fail(
                "6.1.10",
                format!("{path}/{prop}"),
                format!("{prop} is {given} but the vector says {want}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_consistent_v31_object() {
        let o = cvss_v3_object("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!(o["baseScore"], json!(9.8));
        assert_eq!(o["baseSeverity"], json!("CRITICAL"));
        assert_eq!(o["attackVector"], json!("NETWORK"));
        let mut r = Report::default();
        check_object(false, &o, "/x", &mut r);
        assert!(r.failures.is_empty(), "{:?}", r.failures);
    }

    #[test]
    fn temporal_and_v2_scores() {
        let o =
            cvss_v3_object("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C").unwrap();
        assert_eq!(o["temporalScore"], json!(8.8));
        let o = cvss_v2_object("AV:N/AC:L/Au:N/C:P/I:P/A:P").unwrap();
        assert_eq!(o["baseScore"], json!(7.5));
        assert!(cvss_v3_object("CVSS:3.1/AV:N").is_err());
        assert!(cvss_v2_object("AV:X/AC:L/Au:N/C:P/I:P/A:P").is_err());
    }
}
