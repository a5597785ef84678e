//! Charts drawn as SVG on the server (readable without JavaScript, each with a title and a
//! text description for screen readers). The numbers come from `service::metrics`; this
//! module only draws them: the dashboard's open findings over 30 days, and the Trends page's
//! open findings by severity band (stacked, exploited marked), exposure, and time to triage
//! and to fix.

use crate::service::metrics::{BANDS, DayPoint, Duration};
use std::fmt::Write;

/// Band colours, in [`BANDS`] order (the legend's `.band-*` classes in style.css match).
const COLOURS: [&str; 5] = ["#8b1a1a", "#c2410c", "#b7791f", "#2b6cb0", "#6b7280"];

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;

/// A round top for the axis: 1, 2, 5 × 10^k at or above `max`.
fn round_top(max: i64) -> i64 {
    let mut mag = 1i64;
    loop {
        for m in [1, 2, 5] {
            if m * mag >= max {
                return m * mag;
            }
        }
        mag = mag.saturating_mul(10);
        if mag >= i64::MAX / 10 {
            return max;
        }
    }
}

/// The frame shared by the time charts: opening tag with title and description, grid lines
/// with y labels, date labels at both ends and the middle, and the scales.
struct Frame {
    s: String,
    n: f64,
    top_value: i64,
}

impl Frame {
    fn new(id: &str, title: &str, desc: &str, ats: &[i64], max: i64) -> Self {
        let mut f = Self {
            s: String::new(),
            n: (ats.len().max(2) - 1) as f64,
            top_value: round_top(max.max(1)),
        };
        let _ = write!(
            f.s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" \
             aria-labelledby=\"{id}-title {id}-desc\">\
             <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            escape(title),
            escape(desc)
        );
        for v in [0, f.top_value / 2, f.top_value] {
            let yy = f.y(v);
            let _ = write!(
                f.s,
                "<line x1=\"{LEFT}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#c9d1d9\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#4a5561\">{v}</text>",
                W - RIGHT,
                LEFT - 6.0,
                yy + 4.0
            );
        }
        if !ats.is_empty() {
            let mid = ats.len() / 2;
            for (i, anchor) in [(0, "start"), (mid, "middle"), (ats.len() - 1, "end")] {
                let x = f.x(i);
                let _ = write!(
                    f.s,
                    "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"{anchor}\" fill=\"#4a5561\">{}</text>",
                    H - 8.0,
                    super::view::day(ats[i])
                );
            }
        }
        f
    }

    fn x(&self, i: usize) -> f64 {
        LEFT + (W - LEFT - RIGHT) * i as f64 / self.n
    }

    fn y(&self, v: i64) -> f64 {
        TOP + (H - TOP - BOTTOM) * (1.0 - v as f64 / self.top_value as f64)
    }

    /// A polyline through `values`.
    fn line(&mut self, values: &[i64], colour: &str, dashed: bool) {
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", self.x(i), self.y(*v)))
            .collect();
        let dash = if dashed {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let _ = write!(
            self.s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>",
            pts.join(" ")
        );
    }

    /// A filled area between `lower` and `upper`.
    fn band(&mut self, lower: &[i64], upper: &[i64], colour: &str, opacity: f64) {
        let mut pts: Vec<String> = upper
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", self.x(i), self.y(*v)))
            .collect();
        pts.extend(
            lower
                .iter()
                .enumerate()
                .rev()
                .map(|(i, v)| format!("{:.1},{:.1}", self.x(i), self.y(*v))),
        );
        let _ = write!(
            self.s,
            "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"{opacity}\"/>",
            pts.join(" ")
        );
    }

    fn finish(mut self) -> String {
        self.s.push_str("</svg>");
        self.s
    }
}

/// The few characters that matter inside SVG text.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The dashboard chart: open findings (all bands) per day.
pub(super) fn open_total(series: &[DayPoint]) -> String {
    let ats: Vec<i64> = series.iter().map(|p| p.at).collect();
    let totals: Vec<i64> = series.iter().map(DayPoint::total).collect();
    let peak = totals.iter().copied().max().unwrap_or(0);
    let (first, last) = (
        series.first().map_or((0, 0), |p| (p.at, p.total())),
        series.last().map_or((0, 0), |p| (p.at, p.total())),
    );
    let desc = format!(
        "{} open on {}, {} open on {}, at most {peak} in between.",
        first.1,
        super::view::day(first.0),
        last.1,
        super::view::day(last.0)
    );
    let title = format!(
        "Open findings, last {} days",
        series.len().saturating_sub(1)
    );
    let mut f = Frame::new("chart", &title, &desc, &ats, peak);
    let zeros = vec![0; totals.len()];
    f.band(&zeros, &totals, "#0b5cad", 0.12);
    f.line(&totals, "#0b5cad", false);
    if let Some(v) = totals.last() {
        let (cx, cy) = (f.x(totals.len() - 1), f.y(*v));
        let _ = write!(
            f.s,
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"4\" fill=\"#0b5cad\"/>"
        );
    }
    f.finish()
}

/// Open findings per day stacked by severity band, with the exploited ones as a dashed line.
pub(super) fn by_band(series: &[DayPoint]) -> String {
    let ats: Vec<i64> = series.iter().map(|p| p.at).collect();
    let peak = series.iter().map(DayPoint::total).max().unwrap_or(0);
    let last = series.last();
    let desc = match last {
        Some(p) => format!(
            "On {}: {}; {} actively exploited. At most {peak} open in the window.",
            super::view::day(p.at),
            BANDS
                .iter()
                .zip(p.open)
                .map(|(b, n)| format!("{n} {b}"))
                .collect::<Vec<_>>()
                .join(", "),
            p.exploited
        ),
        None => "No data.".into(),
    };
    let mut f = Frame::new(
        "bands",
        "Open findings by severity, exploited dashed",
        &desc,
        &ats,
        peak,
    );
    let mut lower = vec![0i64; series.len()];
    // Stack from the most severe at the bottom.
    for (b, colour) in COLOURS.iter().enumerate() {
        let upper: Vec<i64> = series
            .iter()
            .zip(&lower)
            .map(|(p, l)| l + p.open[b])
            .collect();
        f.band(&lower, &upper, colour, 0.75);
        lower = upper;
    }
    let exploited: Vec<i64> = series.iter().map(|p| p.exploited).collect();
    f.line(&exploited, "#111111", true);
    f.finish()
}

/// Exposure (weighted open findings) per day.
pub(super) fn exposure(series: &[DayPoint]) -> String {
    let ats: Vec<i64> = series.iter().map(|p| p.at).collect();
    let values: Vec<i64> = series.iter().map(|p| p.exposure).collect();
    let peak = values.iter().copied().max().unwrap_or(0);
    let desc = format!(
        "Exposure {} now, at most {peak} in the window.",
        values.last().copied().unwrap_or(0)
    );
    let mut f = Frame::new("exposure", "Exposure over time", &desc, &ats, peak);
    f.line(&values, "#7c2d12", false);
    f.finish()
}

/// Mean time (days) per band as horizontal bars, with the count of decisions.
pub(super) fn durations(id: &str, title: &str, rows: &[Duration]) -> String {
    let row_h = 26.0;
    let h = TOP + row_h * rows.len() as f64 + 8.0;
    let max = rows
        .iter()
        .filter_map(|r| r.mean_days)
        .fold(0.0f64, f64::max)
        .max(1.0);
    let label_w = 70.0;
    let span = W - label_w - 150.0;
    let desc = rows
        .iter()
        .map(|r| match r.mean_days {
            Some(m) => format!("{}: {m} days on average over {}", r.band, r.count),
            None => format!("{}: none", r.band),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title>\
         <desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(&desc)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + row_h * i as f64;
        let colour = BANDS
            .iter()
            .position(|b| *b == r.band)
            .map_or("#0b5cad", |b| COLOURS[b]);
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#4a5561\">{}</text>",
            label_w - 6.0,
            y + 15.0,
            r.band
        );
        let (bar, text) = match r.mean_days {
            Some(m) => (
                span * m / max,
                format!(
                    "{m} d mean, {} d median ({})",
                    r.median_days.unwrap_or(m),
                    r.count
                ),
            ),
            None => (0.0, "no decisions".to_string()),
        };
        let _ = write!(
            s,
            "<rect x=\"{label_w}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"18\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1f2328\">{text}</text>",
            y + 3.0,
            label_w + bar + 6.0,
            y + 15.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(at: i64, open: [i64; 5], exploited: i64) -> DayPoint {
        DayPoint {
            at,
            open,
            exploited,
            exposure: 0,
        }
    }

    #[test]
    fn charts_describe_their_numbers() {
        let s = vec![
            point(0, [0, 1, 0, 0, 0], 0),
            point(86_400, [1, 1, 0, 0, 0], 1),
        ];
        let total = open_total(&s);
        assert!(total.starts_with("<svg") && total.ends_with("</svg>"));
        assert!(total.contains("<title id=\"chart-title\">Open findings, last 1 days</title>"));
        assert!(total.contains("1 open on 1970-01-01, 2 open on 1970-01-02, at most 2"));
        let bands = by_band(&s);
        assert!(
            bands.contains("1 critical, 1 high, 0 medium, 0 low, 0 other; 1 actively exploited")
        );
        assert_eq!(bands.matches("<polygon").count(), 5);
        assert!(bands.contains("stroke-dasharray"));
        let d = durations(
            "ttt",
            "Time to triage",
            &[Duration {
                band: "high",
                count: 3,
                mean_days: Some(2.5),
                median_days: Some(2.0),
            }],
        );
        assert!(d.contains("high: 2.5 days on average over 3"));
        assert!(d.contains("2.5 d mean, 2 d median (3)"));
    }

    #[test]
    fn empty_series_still_draws() {
        assert!(open_total(&[]).ends_with("</svg>"));
        assert!(by_band(&[]).contains("No data."));
        assert_eq!(round_top(0), 1);
        assert_eq!(round_top(3), 5);
        assert_eq!(round_top(101), 200);
    }
}
