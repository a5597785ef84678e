//! CVSS v2.0 base, temporal and environmental scores, from "A Complete Guide to the Common
//! Vulnerability Scoring System Version 2.0" (FIRST), §3.2 (equations). Scores are rounded to
//! one decimal, half up (`round_to_1_decimal`).

use super::{CvssScores, CvssVersion, metric_pairs};

fn weight(
    pairs: &[(&str, &str)],
    key: &str,
    table: &[(&str, f64)],
    default: Option<f64>,
) -> Result<f64, String> {
    match pairs.iter().find(|(k, _)| *k == key) {
        Some((_, v)) => table
            .iter()
            .find(|(l, _)| l == v)
            .map(|(_, s)| *s)
            .ok_or_else(|| format!("{key}:{v} is not a valid value")),
        None => default.ok_or_else(|| format!("mandatory metric {key} is missing")),
    }
}

const AV: &[(&str, f64)] = &[("L", 0.395), ("A", 0.646), ("N", 1.0)];
const AC: &[(&str, f64)] = &[("H", 0.35), ("M", 0.61), ("L", 0.71)];
const AU: &[(&str, f64)] = &[("M", 0.45), ("S", 0.56), ("N", 0.704)];
const CIA: &[(&str, f64)] = &[("N", 0.0), ("P", 0.275), ("C", 0.660)];
const E: &[(&str, f64)] = &[
    ("U", 0.85),
    ("POC", 0.9),
    ("F", 0.95),
    ("H", 1.0),
    ("ND", 1.0),
];
const RL: &[(&str, f64)] = &[
    ("OF", 0.87),
    ("TF", 0.90),
    ("W", 0.95),
    ("U", 1.0),
    ("ND", 1.0),
];
const RC: &[(&str, f64)] = &[("UC", 0.90), ("UR", 0.95), ("C", 1.0), ("ND", 1.0)];
const CDP: &[(&str, f64)] = &[
    ("N", 0.0),
    ("L", 0.1),
    ("LM", 0.3),
    ("MH", 0.4),
    ("H", 0.5),
    ("ND", 0.0),
];
const TD: &[(&str, f64)] = &[
    ("N", 0.0),
    ("L", 0.25),
    ("M", 0.75),
    ("H", 1.0),
    ("ND", 1.0),
];
const REQ: &[(&str, f64)] = &[("L", 0.5), ("M", 1.0), ("H", 1.51), ("ND", 1.0)];

/// Half-up rounding to one decimal, after clearing floating-point noise below 1e-9.
fn round1(x: f64) -> f64 {
    (x * 10.0 + 1e-9).round() / 10.0
}

/// The v2 base equation for a given impact (§3.2.1).
fn base_for(impact: f64, exploitability: f64) -> f64 {
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    round1((0.6 * impact + 0.4 * exploitability - 1.5) * f)
}

/// Scores a v2 vector (`AV:N/AC:L/Au:N/C:P/I:P/A:P[/E:…/RL:…/RC:…][/CDP:…/TD:…/CR:…/IR:…/AR:…]`).
/// `temporal`/`environmental` are `Some` only when the vector has metrics of that group.
pub fn score(body: &str) -> Result<CvssScores, String> {
    let pairs = metric_pairs(body)?;
    const KNOWN: &[&str] = &[
        "AV", "AC", "Au", "C", "I", "A", "E", "RL", "RC", "CDP", "TD", "CR", "IR", "AR",
    ];
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !KNOWN.contains(k)) {
        return Err(format!("unknown metric {k}"));
    }
    let av = weight(&pairs, "AV", AV, None)?;
    let ac = weight(&pairs, "AC", AC, None)?;
    let au = weight(&pairs, "Au", AU, None)?;
    let c = weight(&pairs, "C", CIA, None)?;
    let i = weight(&pairs, "I", CIA, None)?;
    let a = weight(&pairs, "A", CIA, None)?;
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let base = base_for(impact, exploitability);

    let has = |keys: &[&str]| pairs.iter().any(|(k, _)| keys.contains(k));
    let e = weight(&pairs, "E", E, Some(1.0))?;
    let rl = weight(&pairs, "RL", RL, Some(1.0))?;
    let rc = weight(&pairs, "RC", RC, Some(1.0))?;
    // §3.2.2: TemporalScore = round_to_1_decimal(BaseScore*E*RL*RC).
    let temporal = round1(base * e * rl * rc);

    let cdp = weight(&pairs, "CDP", CDP, Some(0.0))?;
    let td = weight(&pairs, "TD", TD, Some(1.0))?;
    let cr = weight(&pairs, "CR", REQ, Some(1.0))?;
    let ir = weight(&pairs, "IR", REQ, Some(1.0))?;
    let ar = weight(&pairs, "AR", REQ, Some(1.0))?;
    // §3.2.3: AdjustedImpact replaces Impact in the base equation, then the temporal one.
    let adjusted_impact =
        (10.41 * (1.0 - (1.0 - c * cr) * (1.0 - i * ir) * (1.0 - a * ar))).min(10.0);
    let adjusted_temporal = round1(base_for(adjusted_impact, exploitability) * e * rl * rc);
    let environmental = round1((adjusted_temporal + (10.0 - adjusted_temporal) * cdp) * td);

    Ok(CvssScores {
        version: CvssVersion::V2,
        base,
        temporal: has(&["E", "RL", "RC"]).then_some(temporal),
        environmental: has(&["CDP", "TD", "CR", "IR", "AR"]).then_some(environmental),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_cve_2002_0392() {
        // The v2 guide's §3.3.1 example: base 7.8, temporal 6.4, environmental (CDP:H, TD:H,
        // CR:M, IR:M, AR:H) 9.2.
        let s =
            score("AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H").unwrap();
        assert_eq!(s.base, 7.8);
        assert_eq!(s.temporal, Some(6.4));
        assert_eq!(s.environmental, Some(9.2));
    }
}
