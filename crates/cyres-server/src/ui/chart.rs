//! The dashboard's chart of open findings over time, drawn as SVG on the server.
//!
//! The series is derived, not stored: a finding counts as open at time `t` when it was first
//! seen at or before `t` and its status at `t` (the last triage decision at or before `t`, or
//! `under_investigation` before any) is open (under investigation or affected). Points are
//! taken once a day for the last 30 days and at `now`.

use cyres_store::{FindingRow, TriageEntry, VexStatus};
use std::collections::HashMap;
use std::fmt::Write;

/// One point of the series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    /// Unix seconds.
    pub at: i64,
    /// Open findings then.
    pub open: i64,
}

/// Whether `f` was open at `t`, given its triage history (oldest first).
fn open_at(f: &FindingRow, history: Option<&Vec<TriageEntry>>, t: i64) -> bool {
    if f.first_seen > t {
        return false;
    }
    let status = match history {
        Some(h) => h
            .iter()
            .rfind(|e| e.at <= t)
            .map(|e| e.status)
            .unwrap_or(VexStatus::UnderInvestigation),
        // No history fetched: the finding was never triaged, so it kept its current status.
        None => f.status,
    };
    status.is_open()
}

/// The series: `days + 1` points ending at `now`, one day apart.
pub fn series(
    findings: &[FindingRow],
    history: &HashMap<i64, Vec<TriageEntry>>,
    now: i64,
    days: i64,
) -> Vec<Point> {
    (0..=days)
        .rev()
        .map(|k| {
            let at = now - k * 86_400;
            let open = findings
                .iter()
                .filter(|f| open_at(f, history.get(&f.id), at))
                .count() as i64;
            Point { at, open }
        })
        .collect()
}

/// The chart as an SVG element with a title and a text description for screen readers.
pub fn svg(points: &[Point]) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 220.0, 44.0, 12.0, 12.0, 30.0);
    let max = points.iter().map(|p| p.open).max().unwrap_or(0).max(1);
    // A round top for the axis: 1, 2, 5 × 10^k.
    let mut top_value = 1i64;
    'outer: for mag in [1i64, 10, 100, 1000, 10_000, 100_000] {
        for m in [1, 2, 5, 10] {
            if m * mag >= max {
                top_value = m * mag;
                break 'outer;
            }
        }
    }
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + (w - left - right) * i as f64 / n;
    let y = |v: i64| top + (h - top - bottom) * (1.0 - v as f64 / top_value as f64);
    let first = points.first().copied().unwrap_or(Point { at: 0, open: 0 });
    let last = points.last().copied().unwrap_or(first);
    let peak = points.iter().map(|p| p.open).max().unwrap_or(0);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-labelledby=\"chart-title chart-desc\">\
         <title id=\"chart-title\">Open findings, last {} days</title>\
         <desc id=\"chart-desc\">{} open on {}, {} open on {}, at most {} in between.</desc>",
        points.len().saturating_sub(1),
        first.open,
        super::view::day(first.at),
        last.open,
        super::view::day(last.at),
        peak
    );
    // Grid lines and y labels at 0, half and top.
    for v in [0, top_value / 2, top_value] {
        let yy = y(v);
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#c9d1d9\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#4a5561\">{v}</text>",
            w - right,
            left - 6.0,
            yy + 4.0
        );
    }
    // Date labels at both ends and the middle.
    if !points.is_empty() {
        let mid = points.len() / 2;
        for (i, anchor) in [(0, "start"), (mid, "middle"), (points.len() - 1, "end")] {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"{anchor}\" fill=\"#4a5561\">{}</text>",
                x(i),
                h - 8.0,
                super::view::day(points[i].at)
            );
        }
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.open)))
        .collect();
    let _ = write!(
        s,
        "<polygon points=\"{left},{:.1} {} {:.1},{:.1}\" fill=\"#0b5cad\" fill-opacity=\"0.12\"/>\
         <polyline points=\"{}\" fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"2.5\"/>",
        y(0),
        path.join(" "),
        x(points.len().saturating_sub(1)),
        y(0),
        path.join(" ")
    );
    if let Some(p) = points.last() {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#0b5cad\"/>",
            x(points.len() - 1),
            y(p.open)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: i64, first_seen: i64, status: VexStatus) -> FindingRow {
        FindingRow {
            id,
            org_id: 1,
            product_id: 1,
            release_id: 1,
            component_name: "c".into(),
            component_version: None,
            component_purl: None,
            advisory_id: "A".into(),
            aliases: vec![],
            summary: None,
            severity: "high".into(),
            score: None,
            match_kind: "purl".into(),
            fixed_versions: vec![],
            exploited: false,
            status,
            justification: None,
            first_seen,
            updated_at: first_seen,
            provenance: None,
        }
    }

    #[test]
    fn series_follows_first_seen_and_triage() {
        let day = 86_400;
        let now = 100 * day;
        let fs = vec![
            finding(1, now - 10 * day, VexStatus::UnderInvestigation),
            finding(2, now - 5 * day, VexStatus::Fixed),
            finding(3, now + day, VexStatus::Affected),
        ];
        let mut history = HashMap::new();
        history.insert(
            2,
            vec![TriageEntry {
                id: 1,
                status: VexStatus::Fixed,
                justification: None,
                comment: String::new(),
                actor: "x".into(),
                at: now - 2 * day,
            }],
        );
        let s = series(&fs, &history, now, 30);
        assert_eq!(s.len(), 31);
        assert_eq!(s.last().unwrap().at, now);
        let at = |k: i64| s.iter().find(|p| p.at == now - k * day).unwrap().open;
        assert_eq!(at(11), 0);
        assert_eq!(at(10), 1);
        assert_eq!(at(5), 2, "finding 2 open until triaged");
        assert_eq!(at(2), 1, "fixed two days ago");
        assert_eq!(at(0), 1, "finding 3 is in the future");
        let svg = svg(&s);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"chart-title\">Open findings, last 30 days</title>"));
        assert!(svg.contains("at most 2 in between"));
    }

    #[test]
    fn empty_series_still_draws() {
        let s = series(&[], &HashMap::new(), 1_000_000, 3);
        assert!(s.iter().all(|p| p.open == 0));
        assert!(svg(&s).contains("</polyline>") || svg(&s).contains("<polyline"));
        assert!(svg(&[]).ends_with("</svg>"));
    }
}
