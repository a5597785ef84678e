//! Trends (issue 17, point 8), computed once for every surface: the dashboard chart, the
//! Trends page, `GET /api/v1/metrics` and its CSV twin all call [`metrics`].
//!
//! Definitions (also in the page's legend and the API description):
//! - A finding is **open** at time `t` when it was first seen at or before `t` and its status
//!   at `t` is under investigation or affected. Its status at `t` is the last triage decision
//!   at or before `t`, under investigation before any; a finding never triaged keeps its
//!   current status throughout.
//! - Severity **bands**: critical, high, medium, low, and other (none or unknown).
//! - **Exploited**: open findings whose vulnerability is actively exploited now (KEV, EUVD);
//!   the flag is today's, applied to the whole window.
//! - **Exposure**: the open findings weighted by severity, critical 10, high 5, medium 3,
//!   low 1, other 5 (the weights Dependency-Track's "inherited risk score" uses, so the number
//!   reads the same for people moving from it), plus 10 for each exploited one: an exploited
//!   vulnerability is what Art. 14(1) makes urgent.
//! - **Time to triage**: from first seen to the first decision other than under
//!   investigation; **time to fix**: from first seen to the first `fixed` decision. Counted
//!   for decisions taken inside the window.
//!
//! Points are taken once a day for `days` days, the last at `now`.

use super::{Principal, ServiceError};
use crate::App;
use cyres_store::{FindingTimeline, Role, VexStatus};
use serde::Serialize;
use std::fmt::Write;

/// The severity bands, in display order.
pub(crate) const BANDS: [&str; 5] = ["critical", "high", "medium", "low", "other"];

/// Exposure weight of each band (see the module documentation).
const WEIGHTS: [i64; 5] = [10, 5, 3, 1, 5];

/// Extra exposure weight of an exploited finding.
const EXPLOITED_WEIGHT: i64 = 10;

/// The longest window a caller may ask for (two years of daily points).
pub(crate) const MAX_DAYS: i64 = 730;

const DAY: i64 = 86_400;

/// The band index of a severity word.
pub(crate) fn band(severity: &str) -> usize {
    match severity {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    }
}

/// One day of the series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct DayPoint {
    /// Unix seconds.
    pub at: i64,
    /// Open findings per band, in [`BANDS`] order.
    pub open: [i64; 5],
    /// Open and actively exploited.
    pub exploited: i64,
    /// Weighted open findings.
    pub exposure: i64,
}

impl DayPoint {
    /// Open findings of every band.
    pub(crate) fn total(&self) -> i64 {
        self.open.iter().sum()
    }
}

/// How long a decision took, for one band (or all).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Duration {
    /// A band of [`BANDS`] or `all`.
    pub band: &'static str,
    /// Decisions counted.
    pub count: usize,
    /// Mean, in days.
    pub mean_days: Option<f64>,
    /// Median, in days.
    pub median_days: Option<f64>,
}

/// Everything the Trends page shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Metrics {
    /// One product, or the whole portfolio.
    pub product_id: Option<i64>,
    /// Window length in days.
    pub days: i64,
    /// `days + 1` daily points, oldest first, the last at `now`.
    pub series: Vec<DayPoint>,
    /// Time to triage per band, then `all`.
    pub time_to_triage: Vec<Duration>,
    /// Time to fix per band, then `all`.
    pub time_to_fix: Vec<Duration>,
    /// Open findings that never had a decision now.
    pub undecided: i64,
    /// Age in days of the oldest of them.
    pub oldest_undecided_days: Option<i64>,
}

/// The metrics of the caller's organisation (or one of its products) over `days` days.
pub(crate) async fn metrics(
    app: &App,
    who: &Principal,
    product_id: Option<i64>,
    days: i64,
    now: i64,
) -> Result<Metrics, ServiceError> {
    who.require(Role::Viewer)?;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ServiceError::invalid(
            "days",
            format!("the window must be 1 to {MAX_DAYS} days; {days} was asked"),
        ));
    }
    if let Some(p) = product_id {
        // A product of another organisation is answered like a missing one.
        app.store.product(who.org_id, p).await?;
    }
    let timelines = app.store.finding_timelines(who.org_id, product_id).await?;
    Ok(compute(&timelines, product_id, now, days))
}

/// The open intervals of a finding, `[from, to)` with `to = None` for still open.
fn open_intervals(f: &FindingTimeline) -> Vec<(i64, Option<i64>)> {
    if f.decisions.is_empty() {
        return if f.status.is_open() {
            vec![(f.first_seen, None)]
        } else {
            Vec::new()
        };
    }
    let mut out = Vec::new();
    let mut open_since = Some(f.first_seen);
    for &(status, at) in &f.decisions {
        let at = at.max(f.first_seen);
        match (status.is_open(), open_since) {
            (false, Some(since)) => {
                out.push((since, Some(at)));
                open_since = None;
            }
            (true, None) => open_since = Some(at),
            _ => {}
        }
    }
    if let Some(since) = open_since {
        out.push((since, None));
    }
    out
}

/// The first sample index whose time is at or after `t` (sample `k` is at
/// `start + k * DAY`), clamped to `0..=n`.
fn first_sample_at_or_after(t: i64, start: i64, n: usize) -> usize {
    if t <= start {
        return 0;
    }
    let k = (t - start + DAY - 1) / DAY;
    usize::try_from(k).unwrap_or(n).min(n)
}

fn durations(samples: &mut [Vec<i64>; 5]) -> Vec<Duration> {
    let mut all: Vec<i64> = samples.iter().flatten().copied().collect();
    let mut out: Vec<Duration> = samples
        .iter_mut()
        .enumerate()
        .map(|(i, s)| summary(BANDS[i], s))
        .collect();
    out.push(summary("all", &mut all));
    out
}

fn summary(band: &'static str, secs: &mut [i64]) -> Duration {
    secs.sort_unstable();
    let days = |s: f64| (s / DAY as f64 * 10.0).round() / 10.0;
    let n = secs.len();
    Duration {
        band,
        count: n,
        mean_days: (n > 0).then(|| days(secs.iter().sum::<i64>() as f64 / n as f64)),
        median_days: (n > 0).then(|| {
            if n % 2 == 1 {
                days(secs[n / 2] as f64)
            } else {
                days((secs[n / 2 - 1] + secs[n / 2]) as f64 / 2.0)
            }
        }),
    }
}

/// The pure computation behind [`metrics`]: O(findings + decisions + days).
pub(crate) fn compute(
    timelines: &[FindingTimeline],
    product_id: Option<i64>,
    now: i64,
    days: i64,
) -> Metrics {
    let days = days.clamp(1, MAX_DAYS);
    let n = days as usize + 1;
    let start = now - days * DAY;
    // Difference arrays per band and for the exploited count.
    let mut diff = vec![[0i64; 6]; n + 1];
    let mut triage: [Vec<i64>; 5] = Default::default();
    let mut fix: [Vec<i64>; 5] = Default::default();
    let mut undecided = 0;
    let mut oldest: Option<i64> = None;
    for f in timelines {
        let b = band(&f.severity);
        for (from, to) in open_intervals(f) {
            if from > now {
                continue;
            }
            let a = first_sample_at_or_after(from, start, n);
            let z = to.map_or(n, |t| first_sample_at_or_after(t, start, n));
            if a < z {
                diff[a][b] += 1;
                diff[z][b] -= 1;
                if f.exploited {
                    diff[a][5] += 1;
                    diff[z][5] -= 1;
                }
            }
        }
        let in_window = |at: i64| at > start && at <= now;
        if let Some(&(_, at)) = f
            .decisions
            .iter()
            .find(|(s, _)| *s != VexStatus::UnderInvestigation)
            && in_window(at)
        {
            triage[b].push((at - f.first_seen).max(0));
        }
        if let Some(&(_, at)) = f.decisions.iter().find(|(s, _)| *s == VexStatus::Fixed)
            && in_window(at)
        {
            fix[b].push((at - f.first_seen).max(0));
        }
        let decided = f
            .decisions
            .iter()
            .any(|(s, _)| *s != VexStatus::UnderInvestigation)
            || f.status != VexStatus::UnderInvestigation;
        if !decided && f.first_seen <= now {
            undecided += 1;
            oldest = Some(oldest.map_or(f.first_seen, |o: i64| o.min(f.first_seen)));
        }
    }
    let mut running = [0i64; 6];
    let series = (0..n)
        .map(|k| {
            for (r, d) in running.iter_mut().zip(diff[k]) {
                *r += d;
            }
            let open: [i64; 5] = [running[0], running[1], running[2], running[3], running[4]];
            let exposure = open.iter().zip(WEIGHTS).map(|(o, w)| o * w).sum::<i64>()
                + running[5] * EXPLOITED_WEIGHT;
            DayPoint {
                at: start + k as i64 * DAY,
                open,
                exploited: running[5],
                exposure,
            }
        })
        .collect();
    Metrics {
        product_id,
        days,
        series,
        time_to_triage: durations(&mut triage),
        time_to_fix: durations(&mut fix),
        undecided,
        oldest_undecided_days: oldest.map(|o| (now - o) / DAY),
    }
}

/// The daily series as CSV (RFC 4180, CRLF line ends): the numbers behind the charts.
pub(crate) fn csv(m: &Metrics) -> String {
    let mut s = String::from("date,critical,high,medium,low,other,open,exploited,exposure\r\n");
    for p in &m.series {
        let date = time::OffsetDateTime::from_unix_timestamp(p.at)
            .map(|t| t.date().to_string())
            .unwrap_or_default();
        let _ = write!(s, "{date}");
        for o in p.open {
            let _ = write!(s, ",{o}");
        }
        let _ = write!(s, ",{},{},{}\r\n", p.total(), p.exploited, p.exposure);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tl(
        id: i64,
        severity: &str,
        first_seen: i64,
        exploited: bool,
        decisions: Vec<(VexStatus, i64)>,
    ) -> FindingTimeline {
        FindingTimeline {
            id,
            product_id: 1,
            severity: severity.into(),
            exploited,
            first_seen,
            status: decisions
                .last()
                .map_or(VexStatus::UnderInvestigation, |d| d.0),
            decisions,
        }
    }

    /// A direct, slow definition of "open at t" to compare the sweep against.
    fn open_at(f: &FindingTimeline, t: i64) -> bool {
        if f.first_seen > t {
            return false;
        }
        if f.decisions.is_empty() {
            return f.status.is_open();
        }
        f.decisions
            .iter()
            .rfind(|d| d.1 <= t)
            .map_or(VexStatus::UnderInvestigation, |d| d.0)
            .is_open()
    }

    #[test]
    fn series_follows_first_seen_decisions_and_bands() {
        let now = 1000 * DAY + 3600;
        let fs = vec![
            tl(1, "critical", now - 10 * DAY, true, vec![]),
            tl(
                2,
                "high",
                now - 5 * DAY,
                false,
                vec![(VexStatus::Fixed, now - 2 * DAY)],
            ),
            tl(3, "low", now + DAY, false, vec![]),
            tl(
                4,
                "unknown",
                now - 20 * DAY,
                false,
                vec![
                    (VexStatus::NotAffected, now - 15 * DAY),
                    (VexStatus::Affected, now - 3 * DAY),
                ],
            ),
        ];
        let m = compute(&fs, None, now, 30);
        assert_eq!(m.series.len(), 31);
        assert_eq!(m.series.last().unwrap().at, now);
        let at = |k: i64| m.series.iter().find(|p| p.at == now - k * DAY).unwrap();
        assert_eq!(at(11).open, [0, 0, 0, 0, 0]);
        assert_eq!(
            at(16).open,
            [0, 0, 0, 0, 1],
            "4 open before its first decision"
        );
        assert_eq!(at(10).open, [1, 0, 0, 0, 0]);
        assert_eq!(at(5).open, [1, 1, 0, 0, 0]);
        assert_eq!(
            at(2).open,
            [1, 0, 0, 0, 1],
            "2 closed by its fix, 4 reopened"
        );
        assert_eq!(at(0).open, [1, 0, 0, 0, 1], "4 reopened as affected");
        assert_eq!(at(0).exploited, 1);
        assert_eq!(at(0).exposure, 10 + 5 + 10);
        // Slow definition agrees at every point.
        for p in &m.series {
            let mut want = [0i64; 5];
            for f in &fs {
                if open_at(f, p.at) {
                    want[band(&f.severity)] += 1;
                }
            }
            assert_eq!(p.open, want, "at {}", p.at);
        }
        assert_eq!(m.time_to_fix[1].count, 1);
        assert_eq!(m.time_to_fix[1].mean_days, Some(3.0));
        assert_eq!(m.time_to_triage[5].count, 2, "all: finding 2 and 4");
        assert_eq!(m.time_to_triage[5].median_days, Some(4.0));
        assert_eq!(m.undecided, 1, "finding 1 (3 is not seen yet)");
        assert_eq!(m.oldest_undecided_days, Some(10));
        let csv = csv(&m);
        assert!(csv.starts_with("date,critical,"));
        assert_eq!(csv.lines().count(), 32);
        assert!(csv.ends_with(",1,0,0,0,1,2,1,25\r\n"), "{csv}");
    }

    #[test]
    fn sweep_equals_the_direct_definition_on_many_histories() {
        let now = 500 * DAY + 777;
        let statuses = [
            VexStatus::UnderInvestigation,
            VexStatus::Affected,
            VexStatus::NotAffected,
            VexStatus::Fixed,
        ];
        let mut fs = Vec::new();
        let mut seed = 12345u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for id in 0..400 {
            let first = now - next(80) as i64 * 3600 * 7;
            let mut t = first;
            let mut ds = Vec::new();
            for _ in 0..next(4) {
                t += next(200_000) as i64;
                ds.push((statuses[next(4) as usize], t));
            }
            fs.push(tl(id, BANDS[next(5) as usize], first, next(3) == 0, ds));
        }
        let m = compute(&fs, None, now, 40);
        for p in &m.series {
            let mut want = [0i64; 5];
            let mut exploited = 0;
            for f in &fs {
                if open_at(f, p.at) {
                    want[band(&f.severity)] += 1;
                    exploited += i64::from(f.exploited);
                }
            }
            assert_eq!((p.open, p.exploited), (want, exploited), "at {}", p.at);
        }
    }
}
