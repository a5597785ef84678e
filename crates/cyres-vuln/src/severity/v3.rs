//! CVSS v3.0 and v3.1 base, temporal and environmental scores, straight from the FIRST
//! specifications: v3.1 spec §7 (equations) and Appendix A (`Roundup`); v3.0 spec §8 (equations,
//! with the original "round up to one decimal" rule and the v3.0 modified-impact formula).

use super::{CvssScores, CvssVersion, metric_pairs};

/// Which v3 minor version's rounding and environmental formula to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Minor {
    /// CVSS v3.0.
    Zero,
    /// CVSS v3.1.
    One,
}

/// Looks up `key` in `pairs`, mapping the letter through `table`; `default` when absent.
fn metric(
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

fn value<'a>(pairs: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

const AV: &[(&str, f64)] = &[("N", 0.85), ("A", 0.62), ("L", 0.55), ("P", 0.2)];
const AC: &[(&str, f64)] = &[("L", 0.77), ("H", 0.44)];
const UI: &[(&str, f64)] = &[("N", 0.85), ("R", 0.62)];
const CIA: &[(&str, f64)] = &[("H", 0.56), ("L", 0.22), ("N", 0.0)];
const E: &[(&str, f64)] = &[
    ("X", 1.0),
    ("H", 1.0),
    ("F", 0.97),
    ("P", 0.94),
    ("U", 0.91),
];
const RL: &[(&str, f64)] = &[
    ("X", 1.0),
    ("U", 1.0),
    ("W", 0.97),
    ("T", 0.96),
    ("O", 0.95),
];
const RC: &[(&str, f64)] = &[("X", 1.0), ("C", 1.0), ("R", 0.96), ("U", 0.92)];
const REQ: &[(&str, f64)] = &[("X", 1.0), ("H", 1.5), ("M", 1.0), ("L", 0.5)];

/// Privileges Required depends on Scope (v3.1 spec §7.4, Table 16).
fn pr_weight(letter: &str, scope_changed: bool) -> Result<f64, String> {
    Ok(match (letter, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return Err(format!("PR:{letter} is not a valid value")),
    })
}

/// v3.1 Appendix A `Roundup`: smallest one-decimal number ≥ input, computed on integers so that
/// floating-point noise (e.g. 4.000000000000001) does not round up.
fn roundup_31(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) as f64 + 1.0) / 10.0
    }
}

/// v3.0 §8.5: "Round up … to one decimal place": a plain ceiling on tenths.
fn roundup_30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

/// Scores the metric part of a v3 vector (after `CVSS:3.x/`).
pub fn score(body: &str, minor: Minor) -> Result<CvssScores, String> {
    let pairs = metric_pairs(body)?;
    const KNOWN: &[&str] = &[
        "AV", "AC", "PR", "UI", "S", "C", "I", "A", "E", "RL", "RC", "CR", "IR", "AR", "MAV",
        "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA",
    ];
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !KNOWN.contains(k)) {
        return Err(format!("unknown metric {k}"));
    }
    let roundup = match minor {
        Minor::Zero => roundup_30,
        Minor::One => roundup_31,
    };

    // Base metrics (spec §7.1).
    let scope = value(&pairs, "S").ok_or("mandatory metric S is missing")?;
    let changed = match scope {
        "U" => false,
        "C" => true,
        other => return Err(format!("S:{other} is not a valid value")),
    };
    let av = metric(&pairs, "AV", AV, None)?;
    let ac = metric(&pairs, "AC", AC, None)?;
    let pr = pr_weight(
        value(&pairs, "PR").ok_or("mandatory metric PR is missing")?,
        changed,
    )?;
    let ui = metric(&pairs, "UI", UI, None)?;
    let c = metric(&pairs, "C", CIA, None)?;
    let i = metric(&pairs, "I", CIA, None)?;
    let a = metric(&pairs, "A", CIA, None)?;

    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    let base = if impact <= 0.0 {
        0.0
    } else if changed {
        roundup((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup((impact + exploitability).min(10.0))
    };

    // Temporal metrics (spec §7.2).
    let e = metric(&pairs, "E", E, Some(1.0))?;
    let rl = metric(&pairs, "RL", RL, Some(1.0))?;
    let rc = metric(&pairs, "RC", RC, Some(1.0))?;
    let temporal = roundup(base * e * rl * rc);

    // Environmental metrics (spec §7.3): each modified metric falls back to its base value.
    let modified = |key: &str, table: &[(&str, f64)], base_value: f64| -> Result<f64, String> {
        match value(&pairs, key) {
            None | Some("X") => Ok(base_value),
            Some(_) => metric(&pairs, key, table, None),
        }
    };
    let m_changed = match value(&pairs, "MS") {
        None | Some("X") => changed,
        Some("U") => false,
        Some("C") => true,
        Some(other) => return Err(format!("MS:{other} is not a valid value")),
    };
    let mav = modified("MAV", AV, av)?;
    let mac = modified("MAC", AC, ac)?;
    let mpr = match value(&pairs, "MPR") {
        None | Some("X") => pr_weight(value(&pairs, "PR").unwrap_or("N"), m_changed)?,
        Some(l) => pr_weight(l, m_changed)?,
    };
    let mui = modified("MUI", UI, ui)?;
    let mc = modified("MC", CIA, c)?;
    let mi = modified("MI", CIA, i)?;
    let ma = modified("MA", CIA, a)?;
    let cr = metric(&pairs, "CR", REQ, Some(1.0))?;
    let ir = metric(&pairs, "IR", REQ, Some(1.0))?;
    let ar = metric(&pairs, "AR", REQ, Some(1.0))?;

    let miss = (1.0 - (1.0 - cr * mc) * (1.0 - ir * mi) * (1.0 - ar * ma)).min(0.915);
    let m_impact = if !m_changed {
        6.42 * miss
    } else {
        match minor {
            // v3.1 §7.3 changed the scope-changed modified impact formula.
            Minor::One => 7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02).powi(13),
            Minor::Zero => 7.52 * (miss - 0.029) - 3.25 * (miss - 0.02).powi(15),
        }
    };
    let m_exploitability = 8.22 * mav * mac * mpr * mui;
    let environmental = if m_impact <= 0.0 {
        0.0
    } else if m_changed {
        roundup(roundup((1.08 * (m_impact + m_exploitability)).min(10.0)) * e * rl * rc)
    } else {
        roundup(roundup((m_impact + m_exploitability).min(10.0)) * e * rl * rc)
    };

    Ok(CvssScores {
        version: match minor {
            Minor::Zero => CvssVersion::V3_0,
            Minor::One => CvssVersion::V3_1,
        },
        base,
        temporal: Some(temporal),
        environmental: Some(environmental),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundup_follows_appendix_a() {
        assert_eq!(roundup_31(4.000_000_000_000_01), 4.0);
        assert_eq!(roundup_31(4.02), 4.1);
        assert_eq!(roundup_30(4.02), 4.1);
    }

    #[test]
    fn environmental_with_modified_scope() {
        let s = score("AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H/MS:C", Minor::One).unwrap();
        assert_eq!(s.base, 8.8);
        assert_eq!(s.environmental, Some(10.0));
    }
}
