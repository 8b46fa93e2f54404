//! Stored probes → figures (pure): the [`MonitorRecord`] of a window that `site.unreachable`
//! judges, and the per-site uptime that `govaudit uptime` prints, with the official test's
//! verdict for each 7-day window.
//!
//! A probe **failed** when it did not open the homepage, or opened it only at or after the
//! limit (「超过（含）15秒网站仍打不开」): `outcome != ok || latency ≥ limit`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::fetch::ProbeOutcome;
use crate::observation::{MonitorOutage, MonitorRecord};
use crate::rules::kinds::site::UnreachableParams;

use super::db::ProbeRow;
use super::schedule::{beijing, beijing_day, day_start};

/// Whether a probe counts as failed against a limit in seconds.
pub fn failed(p: &ProbeRow, limit_secs: f64) -> bool {
    p.outcome != ProbeOutcome::Ok || p.latency_ms as f64 >= limit_secs * 1000.0
}

/// The record of `days` Beijing days from `from` (inclusive), built from one site's probes
/// (oldest first; probes outside the window are ignored).
pub fn record(probes: &[ProbeRow], from: NaiveDate, days: u32, limit_secs: f64) -> MonitorRecord {
    let start = day_start(from);
    let end = start + Duration::days(i64::from(days));
    let inside: Vec<&ProbeRow> = probes
        .iter()
        .filter(|p| p.probed_at >= start && p.probed_at < end)
        .collect();
    let mut per_day = vec![0u32; days as usize];
    for p in &inside {
        let day = (beijing_day(p.probed_at) - from).num_days();
        if let Some(n) = usize::try_from(day).ok().and_then(|d| per_day.get_mut(d)) {
            *n += 1;
        }
    }
    MonitorRecord {
        from,
        to: from + Duration::days(i64::from(days.max(1)) - 1),
        per_day,
        probes: inside.len() as u32,
        failures: inside.iter().filter(|p| failed(p, limit_secs)).count() as u32,
        limit_secs,
        outages: outages(&inside, limit_secs, 3),
    }
}

/// Runs of failed probes, longest first, at most `keep`.
pub fn outages(probes: &[&ProbeRow], limit_secs: f64, keep: usize) -> Vec<MonitorOutage> {
    let at = |t: DateTime<Utc>| Some(t.with_timezone(&beijing()));
    let mut found: Vec<MonitorOutage> = Vec::new();
    let mut current: Option<MonitorOutage> = None;
    for p in probes {
        if failed(p, limit_secs) {
            let run = current.get_or_insert_with(|| MonitorOutage {
                start: at(p.probed_at),
                ..MonitorOutage::default()
            });
            run.probes += 1;
            run.end = at(p.probed_at);
        } else if let Some(mut run) = current.take() {
            run.end = at(p.probed_at);
            found.push(run);
        }
    }
    if let Some(mut run) = current {
        run.ongoing = true;
        found.push(run);
    }
    let length = |o: &MonitorOutage| match (o.start, o.end) {
        (Some(s), Some(e)) => (e - s).num_milliseconds(),
        _ => 0,
    };
    found.sort_by(|a, b| {
        length(b)
            .cmp(&length(a))
            .then(b.probes.cmp(&a.probes))
            .then(a.start.cmp(&b.start))
    });
    found.truncate(keep);
    found
}

/// The official test's verdict for one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowVerdict {
    /// Failures ≥ the veto share: 单项否决.
    Veto,
    /// Covered and below the share: 未达否决线.
    Pass,
    /// Too few probes on some day (or a partial window): 监测不足, no verdict.
    Insufficient,
}

impl WindowVerdict {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            WindowVerdict::Veto => "单项否决（站点无法访问）",
            WindowVerdict::Pass => "未达否决线",
            WindowVerdict::Insufficient => "监测次数不足，不作判定",
        }
    }
}

/// One window of the official test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    /// The probes of the window: counts per day, failures, worst outages.
    pub record: MonitorRecord,
    /// Failed probes / probes (0.0–1.0); 0 when there was no probe.
    pub share: f64,
    /// 单项否决, 未达否决线, or no verdict for too few probes.
    pub verdict: WindowVerdict,
    /// Why the window has no verdict.
    pub gap: Option<String>,
}

/// Latency percentiles of the probes that opened the homepage, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Slowest.
    pub max: u64,
}

/// One site's uptime over a range of days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteUptime {
    /// Row id in the `sites` table.
    pub site_id: i64,
    /// Homepage URL probed.
    pub url: String,
    /// 网站名称, when the registry has one.
    pub name: Option<String>,
    /// First Beijing day of the range.
    pub from: NaiveDate,
    /// Last Beijing day of the range (inclusive).
    pub to: NaiveDate,
    /// Probes stored in the range.
    pub probes: u32,
    /// Of those, failed: not opened, or opened only at or after the limit.
    pub failures: u32,
    /// failures / probes (0.0–1.0); 0 when there was no probe.
    pub share: f64,
    /// Failed probes by outcome key (`timeout`, `http`, `slow` for opened at or after the limit …).
    pub failures_by_kind: Vec<(String, u32)>,
    /// The longest run of consecutive failed probes, if any failed.
    pub longest_outage: Option<MonitorOutage>,
    /// Latency of the probes that opened the homepage; `None` when none did.
    pub latency: Option<Latency>,
    /// Consecutive windows of the rule's length from `from`; the last may be partial.
    pub windows: Vec<Window>,
}

/// Judges one window with the rule's params.
pub fn judge(params: &UnreachableParams, record: MonitorRecord) -> Window {
    let share = if record.probes == 0 {
        0.0
    } else {
        f64::from(record.failures) / f64::from(record.probes)
    };
    let gap = params.gap(&record);
    let verdict = match (&gap, params.vetoes(&record)) {
        (Some(_), _) => WindowVerdict::Insufficient,
        (None, true) => WindowVerdict::Veto,
        (None, false) => WindowVerdict::Pass,
    };
    Window {
        record,
        share,
        verdict,
        gap,
    }
}

/// The uptime of one site over `[from, to]` (Beijing days), from its probes (oldest first).
pub fn uptime(
    site: (i64, &str, Option<&str>),
    probes: &[ProbeRow],
    from: NaiveDate,
    to: NaiveDate,
    params: &UnreachableParams,
) -> SiteUptime {
    let days = u32::try_from((to - from).num_days() + 1).unwrap_or(0);
    let whole = record(probes, from, days, params.limit_secs);
    let start = day_start(from);
    let end = start + Duration::days(i64::from(days));
    let inside: Vec<&ProbeRow> = probes
        .iter()
        .filter(|p| p.probed_at >= start && p.probed_at < end)
        .collect();
    let mut kinds: Vec<(String, u32)> = Vec::new();
    for p in inside.iter().filter(|p| failed(p, params.limit_secs)) {
        let key = if p.outcome == ProbeOutcome::Ok {
            "slow"
        } else {
            p.outcome.key()
        };
        match kinds.iter_mut().find(|(k, _)| k == key) {
            Some((_, n)) => *n += 1,
            None => kinds.push((key.to_string(), 1)),
        }
    }
    let mut ok: Vec<u64> = inside
        .iter()
        .filter(|p| p.outcome == ProbeOutcome::Ok)
        .map(|p| p.latency_ms)
        .collect();
    ok.sort_unstable();
    let pct = |q: f64| {
        let i = ((ok.len() as f64 * q).ceil() as usize).clamp(1, ok.len()) - 1;
        ok.get(i).copied().unwrap_or(0)
    };
    let latency = (!ok.is_empty()).then(|| Latency {
        p50: pct(0.5),
        p90: pct(0.9),
        p99: pct(0.99),
        max: ok.last().copied().unwrap_or(0),
    });
    let mut windows = Vec::new();
    let mut w = from;
    while w <= to {
        windows.push(judge(
            params,
            record(probes, w, params.window_days, params.limit_secs),
        ));
        w += Duration::days(i64::from(params.window_days));
    }
    SiteUptime {
        site_id: site.0,
        url: site.1.to_string(),
        name: site.2.map(str::to_string),
        from,
        to,
        probes: whole.probes,
        failures: whole.failures,
        share: if whole.probes == 0 {
            0.0
        } else {
            f64::from(whole.failures) / f64::from(whole.probes)
        },
        failures_by_kind: kinds,
        longest_outage: outages(&inside, params.limit_secs, 1).into_iter().next(),
        latency,
        windows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(day: NaiveDate, hour: i64, ok: bool) -> ProbeRow {
        let at = day_start(day) + Duration::hours(hour);
        ProbeRow {
            site_id: 1,
            interval_ms: 3_600_000,
            slot: hour,
            planned_at: at,
            probed_at: at,
            outcome: if ok {
                ProbeOutcome::Ok
            } else {
                ProbeOutcome::Timeout
            },
            status: ok.then_some(200),
            latency_ms: if ok { 100 } else { 15_000 },
            bytes: 10,
            error: None,
        }
    }

    #[test]
    fn a_week_of_hourly_probes_with_one_outage() {
        let from = NaiveDate::from_ymd_opt(2018, 2, 22).unwrap();
        let mut probes = Vec::new();
        for d in 0..7 {
            for h in 0..24 {
                // Down on day 2 from 10:00 to 19:59 Beijing time: 10 probes of 168 (5.95 %).
                let down = d == 2 && (10..20).contains(&h);
                probes.push(probe(from + Duration::days(d), h, !down));
            }
        }
        let r = record(&probes, from, 7, 15.0);
        assert_eq!(r.per_day, vec![24; 7]);
        assert_eq!((r.probes, r.failures), (168, 10));
        assert_eq!(r.outages.len(), 1);
        let o = &r.outages[0];
        assert_eq!(o.probes, 10);
        assert_eq!(o.start.unwrap().to_rfc3339(), "2018-02-24T10:00:00+08:00");
        assert_eq!(o.end.unwrap().to_rfc3339(), "2018-02-24T20:00:00+08:00");
        let w = judge(&UnreachableParams::default(), r);
        assert_eq!(w.verdict, WindowVerdict::Veto);

        let to = from + Duration::days(6);
        let u = uptime(
            (1, "http://a/", None),
            &probes,
            from,
            to,
            &Default::default(),
        );
        assert_eq!(u.windows.len(), 1);
        assert_eq!(u.failures_by_kind, vec![("timeout".to_string(), 10)]);
        assert_eq!(u.latency.map(|l| l.p50), Some(100));
    }

    #[test]
    fn a_slow_answer_at_the_limit_is_a_failure() {
        let from = NaiveDate::from_ymd_opt(2018, 2, 22).unwrap();
        let mut p = probe(from, 1, true);
        p.latency_ms = 15_000;
        assert!(failed(&p, 15.0));
        p.latency_ms = 14_999;
        assert!(!failed(&p, 15.0));
    }
}
