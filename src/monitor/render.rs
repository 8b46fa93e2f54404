//! `govaudit uptime` output: text and Markdown in the standard's terms (站点无法访问, 监测1周 …),
//! and JSON. Site names and URLs come from the registry and are escaped for each language
//! ([`crate::escape`]).

use std::fmt::Write as _;

use crate::escape;
use crate::rules::kinds::site::{number, outage_text, percent, UnreachableParams};

use super::summary::{Latency, SiteUptime, Window};

fn latency_text(l: Option<Latency>) -> String {
    match l {
        Some(l) => format!(
            "P50 {} ms，P90 {} ms，P99 {} ms，最长 {} ms",
            l.p50, l.p90, l.p99, l.max
        ),
        None => "无（没有一次正常打开）".into(),
    }
}

fn kinds_text(u: &SiteUptime) -> String {
    if u.failures_by_kind.is_empty() {
        return "无".into();
    }
    u.failures_by_kind
        .iter()
        .map(|(k, n)| {
            let label = match crate::fetch::ProbeOutcome::from_key(k) {
                Some(o) => o.label(),
                None => "打开超过时限",
            };
            format!("{label}{n}次")
        })
        .collect::<Vec<_>>()
        .join("，")
}

fn window_line(w: &Window) -> String {
    let r = &w.record;
    let mut line = format!(
        "{}至{}：访问{}次，打不开{}次，占{}，{}",
        r.from,
        r.to,
        r.probes,
        r.failures,
        percent(w.share),
        w.verdict.label()
    );
    if let Some(gap) = &w.gap {
        let _ = write!(line, "（{gap}）");
    }
    line
}

fn name(u: &SiteUptime) -> String {
    u.name.clone().unwrap_or_else(|| u.url.clone())
}

/// Plain text for a terminal.
pub fn text(sites: &[SiteUptime], p: &UnreachableParams) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "站点可用性监测（判定标准：{}）", standard(p));
    if sites.is_empty() {
        out.push_str("\n没有监测记录。\n");
    }
    for u in sites {
        let _ = writeln!(out, "\n{}  {}", name(u), u.url);
        let _ = writeln!(out, "  监测期间：{}至{}", u.from, u.to);
        let _ = writeln!(
            out,
            "  访问{}次，打不开{}次，占{}（{}）",
            u.probes,
            u.failures,
            percent(u.share),
            kinds_text(u)
        );
        let longest = u
            .longest_outage
            .as_ref()
            .map(outage_text)
            .unwrap_or_else(|| "无".into());
        let _ = writeln!(out, "  最长中断：{longest}");
        let _ = writeln!(out, "  响应时间：{}", latency_text(u.latency));
        let _ = writeln!(out, "  按{}天窗口判定：", p.window_days);
        for w in &u.windows {
            let _ = writeln!(out, "    {}", window_line(w));
        }
    }
    escape::terminal::text(&out).into_owned()
}

/// Markdown: one table of sites, then each site's weeks.
pub fn markdown(sites: &[SiteUptime], p: &UnreachableParams) -> String {
    let md = escape::markdown::text;
    let mut out = String::from("# 站点可用性监测\n\n");
    let _ = writeln!(out, "判定标准：{}。\n", standard(p));
    out.push_str("| 网站 | 网址 | 监测期间 | 访问次数 | 打不开次数 | 占比 | 最长中断 | 响应时间P50/P90/P99 |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for u in sites {
        let lat = u
            .latency
            .map(|l| format!("{}/{}/{} ms", l.p50, l.p90, l.p99))
            .unwrap_or_else(|| "无".into());
        let longest = u
            .longest_outage
            .as_ref()
            .map(outage_text)
            .unwrap_or_else(|| "无".into());
        let _ = writeln!(
            out,
            "| {} | {} | {}至{} | {} | {} | {} | {} | {} |",
            md(&name(u)),
            md(&u.url),
            u.from,
            u.to,
            u.probes,
            u.failures,
            percent(u.share),
            md(&longest),
            lat
        );
    }
    for u in sites {
        let _ = writeln!(out, "\n## {}\n", md(&name(u)));
        let _ = writeln!(out, "失败类型：{}\n", md(&kinds_text(u)));
        for w in &u.windows {
            let _ = writeln!(out, "- {}", md(&window_line(w)));
        }
    }
    out
}

/// JSON: one object `{limit_secs, sites: [...]}`.
pub fn json(sites: &[SiteUptime], p: &UnreachableParams) -> serde_json::Result<String> {
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        window_days: u32,
        min_probes_per_day: u32,
        veto_share: f64,
        limit_secs: f64,
        sites: &'a [SiteUptime],
    }
    escape::json::to_string_pretty(&Doc {
        window_days: p.window_days,
        min_probes_per_day: p.min_probes_per_day,
        veto_share: p.veto_share,
        limit_secs: p.limit_secs,
        sites,
    })
}

/// The official test in words, with the rule's numbers.
fn standard(p: &UnreachableParams) -> String {
    let week = if p.window_days == 7 {
        "1周".to_string()
    } else {
        format!("{}天", p.window_days)
    };
    format!(
        "站点无法访问：监测{week}，每天间隔性访问{}次以上，超过（含）{}秒网站仍打不开的次数累计占比超过（含）{}，即单项否决",
        p.min_probes_per_day,
        number(p.limit_secs),
        percent(p.veto_share)
    )
}
