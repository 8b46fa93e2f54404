//! Kind `unreachable`: 站点无法访问, the way the national test measures it.
//!
//! The official rule (国办发〔2015〕15号, 国办秘函〔2019〕19号) is statistical: 「监测1周，每天间隔性
//! 访问20次以上，超过（含）15秒网站仍打不开的次数累计占比超过（含）5%，即单项否决」. So:
//!
//! 1. When the observation carries the availability monitor's record
//!    ([`MonitorRecord`], `govaudit monitor`) and it **covers** the window — `window_days` days
//!    before the as-of date, each with at least `min_probes_per_day` probes — the record
//!    decides: a veto when failures ≥ `veto_share` of the probes, else a 提示 finding with the
//!    figures. The message is `monitored_message`; the evidence names the window, the counts
//!    per day and the worst outages.
//! 2. Otherwise the audit's own homepage fetch is the only probe: if it failed, the rule vetoes
//!    that run (`message`), and the evidence says this is an approximation of the official
//!    statistic (and why the record, if any, did not cover the window).
//!
//! When the homepage did not open, [`super::Kind::runs_when_unreachable`] makes the engine skip
//! every other rule: the observation is empty and would otherwise read as "not updated".

use serde::Deserialize;

use crate::findings::{Evidence, Finding, Severity};
use crate::observation::{MonitorOutage, MonitorRecord};

use super::{check_template, Ctx, RuleMeta};

/// Placeholders of `message`: `{error}` (the failure), `{attempts}`, `{status}` (HTTP status
/// or 无).
pub const PLACEHOLDERS: &[&str] = &["error", "attempts", "status"];

/// Placeholders of `params.monitored_message`.
pub const MONITORED_PLACEHOLDERS: &[&str] = &[
    "from",
    "to",
    "days",
    "probes",
    "failures",
    "share",
    "threshold",
    "limit",
];

/// The official test's numbers, as data (`[params]` of `site.unreachable.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UnreachableParams {
    /// 监测1周: days of monitoring before the as-of date.
    #[serde(default = "default_window_days")]
    pub window_days: u32,
    /// 每天间隔性访问20次以上: fewest probes a day for the record to count.
    #[serde(default = "default_min_per_day")]
    pub min_probes_per_day: u32,
    /// 超过（含）5%: the failure share that vetoes (≥).
    #[serde(default = "default_veto_share")]
    pub veto_share: f64,
    /// 超过（含）15秒仍打不开: a probe taking this long (or longer) failed.
    #[serde(default = "default_limit_secs")]
    pub limit_secs: f64,
    /// Message when the monitor's record decides (veto or 提示).
    #[serde(default = "default_monitored_message")]
    pub monitored_message: String,
}

fn default_window_days() -> u32 {
    7
}
fn default_min_per_day() -> u32 {
    20
}
fn default_veto_share() -> f64 {
    0.05
}
fn default_limit_secs() -> f64 {
    15.0
}
fn default_monitored_message() -> String {
    "监测{days}天（{from}至{to}）共访问首页{probes}次，超过（含）{limit}秒仍打不开{failures}次，\
     占{share}（超过（含）{threshold}即单项否决）"
        .into()
}

impl Default for UnreachableParams {
    fn default() -> Self {
        UnreachableParams {
            window_days: default_window_days(),
            min_probes_per_day: default_min_per_day(),
            veto_share: default_veto_share(),
            limit_secs: default_limit_secs(),
            monitored_message: default_monitored_message(),
        }
    }
}

impl UnreachableParams {
    /// Rejects values that mean nothing.
    pub fn validate(&self) -> Result<(), String> {
        if self.window_days == 0 || self.window_days > 366 {
            return Err("[params] window_days must be 1 to 366".into());
        }
        if self.min_probes_per_day == 0 {
            return Err("[params] min_probes_per_day must be at least 1".into());
        }
        if !(self.veto_share > 0.0 && self.veto_share <= 1.0) {
            return Err("[params] veto_share must be above 0 and at most 1".into());
        }
        if !(self.limit_secs > 0.0 && self.limit_secs <= 600.0) {
            return Err("[params] limit_secs must be above 0 and at most 600".into());
        }
        check_template(
            "[params] monitored_message",
            &self.monitored_message,
            MONITORED_PLACEHOLDERS,
        )
    }

    /// Whether a covering record's failures reach the veto share (≥), compared in parts per
    /// million so that 7 of 140 is exactly 5 %.
    pub fn vetoes(&self, record: &MonitorRecord) -> bool {
        let share = if record.probes == 0 {
            0.0
        } else {
            f64::from(record.failures) / f64::from(record.probes)
        };
        (share * 1e6).round() >= (self.veto_share * 1e6).round()
    }

    /// Why `record` does not cover the window, or `None` when it does.
    pub fn gap(&self, record: &MonitorRecord) -> Option<String> {
        if record.per_day.len() != self.window_days as usize {
            return Some(format!(
                "监测记录覆盖{}天，不足{}天",
                record.per_day.len(),
                self.window_days
            ));
        }
        let short = record
            .per_day
            .iter()
            .filter(|&&n| n < self.min_probes_per_day)
            .count();
        (short > 0).then(|| {
            format!(
                "{}至{}有{short}天访问不足{}次",
                record.from, record.to, self.min_probes_per_day
            )
        })
    }
}

/// A share as the notices print it: `6%`, `5.36%`, `0`.
pub fn percent(share: f64) -> String {
    if share <= 0.0 {
        return "0".into();
    }
    let text = format!("{:.2}", share * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// `{limit}` as written: `15`, `0.5`.
pub fn number(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An outage in words: 2018-02-23 10:00 起，连续8次打不开，约2小时.
pub fn outage_text(o: &MonitorOutage) -> String {
    let start = o
        .start
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "时间不详".into());
    let span = match (o.start, o.end) {
        (Some(s), Some(e)) => {
            let minutes = (e - s).num_minutes().max(0);
            if minutes >= 120 {
                format!("，约{}小时", number(minutes as f64 / 60.0))
            } else {
                format!("，约{minutes}分钟")
            }
        }
        _ => String::new(),
    };
    let still = if o.ongoing {
        "，记录结束时仍打不开"
    } else {
        ""
    };
    format!("{start}起连续{}次打不开{span}{still}", o.probes)
}

/// Evaluates `unreachable`.
pub fn unreachable(p: &UnreachableParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let reach = &ctx.obs.reachability;
    let url = Some(ctx.obs.url.clone()).filter(|u| !u.is_empty());
    let gap = match &ctx.obs.monitor {
        Some(record) => match p.gap(record) {
            None => return monitored(p, rule, ctx, record),
            Some(gap) => Some(gap),
        },
        None => None,
    };
    if reach.ok {
        return vec![];
    }
    let error = reach.error.clone().unwrap_or_else(|| "无法访问".into());
    let status = reach
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "无".into());
    let why = gap.unwrap_or_else(|| "无监测记录".into());
    let evidence = vec![Evidence {
        url,
        status: reach.status,
        detail: Some(format!(
            "{error}（共尝试{}次）。近似判定：{why}，以本次检查的首页访问代替「监测{}天、每天访问{}次以上」的统计",
            reach.attempts, p.window_days, p.min_probes_per_day
        )),
        ..Evidence::default()
    }];
    vec![rule.finding(
        rule.severity.level,
        1,
        &[
            ("error", error),
            ("attempts", reach.attempts.to_string()),
            ("status", status),
        ],
        evidence,
    )]
}

/// The monitor's record covers the window: it decides.
fn monitored(
    p: &UnreachableParams,
    rule: &RuleMeta,
    ctx: &Ctx,
    record: &MonitorRecord,
) -> Vec<Finding> {
    let share = if record.probes == 0 {
        0.0
    } else {
        f64::from(record.failures) / f64::from(record.probes)
    };
    let veto = p.vetoes(record);
    let url = Some(ctx.obs.url.clone()).filter(|u| !u.is_empty());
    let days: Vec<String> = record.per_day.iter().map(u32::to_string).collect();
    let mut detail = format!(
        "监测窗口{}至{}（北京时间），每天访问次数：{}；失败{}次/共{}次；判定标准：超过（含）{}秒仍打不开为失败",
        record.from,
        record.to,
        days.join("、"),
        record.failures,
        record.probes,
        number(record.limit_secs),
    );
    let reach = &ctx.obs.reachability;
    if !reach.ok {
        let error = reach.error.as_deref().unwrap_or("无法访问");
        detail.push_str(&format!(
            "。本次检查时首页未能打开（{error}），按监测记录判定；其他指标未能检查"
        ));
    }
    let mut evidence = vec![Evidence {
        url: url.clone(),
        detail: Some(detail),
        ..Evidence::default()
    }];
    evidence.extend(record.outages.iter().map(|o| Evidence {
        url: url.clone(),
        detail: Some(format!("中断：{}", outage_text(o))),
        ..Evidence::default()
    }));
    let severity = if veto {
        rule.severity.level
    } else {
        Severity::Info
    };
    let vars = [
        ("from", record.from.to_string()),
        ("to", record.to.to_string()),
        ("days", record.per_day.len().to_string()),
        ("probes", record.probes.to_string()),
        ("failures", record.failures.to_string()),
        ("share", percent(share)),
        ("threshold", percent(p.veto_share)),
        ("limit", number(p.limit_secs)),
    ];
    let mut finding = rule.finding(severity, usize::from(veto), &vars, evidence);
    finding.message = crate::template::fill(&p.monitored_message, &vars);
    vec![finding]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_print_as_in_notices() {
        assert_eq!(percent(0.05), "5%");
        assert_eq!(percent(0.0), "0");
        assert_eq!(percent(9.0 / 168.0), "5.36%");
        assert_eq!(percent(0.125), "12.5%");
    }

    #[test]
    fn a_record_covers_only_full_days() {
        let p = UnreachableParams::default();
        let mut r = MonitorRecord {
            per_day: vec![24; 7],
            ..MonitorRecord::default()
        };
        assert_eq!(p.gap(&r), None);
        r.per_day[3] = 19;
        assert!(p.gap(&r).is_some_and(|g| g.contains("1天访问不足20次")));
        r.per_day = vec![24; 6];
        assert!(p.gap(&r).is_some());
        assert!(p.validate().is_ok());
        let bad = UnreachableParams {
            monitored_message: "{nope}".into(),
            ..UnreachableParams::default()
        };
        assert!(bad.validate().is_err());
    }
}
