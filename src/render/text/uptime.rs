//! `govaudit uptime` as plain text for a terminal, in the standard's terms (站点无法访问,
//! 监测1周 …). Site names and URLs come from the registry: the whole text is made terminal-safe
//! ([`crate::escape::terminal`]) before it is returned.

use std::fmt::Write as _;

use crate::documents::uptime::{kinds_text, name, standard, window_line};
use crate::escape;
use crate::monitor::summary::{Latency, SiteUptime};
use crate::rules::kinds::site::{outage_text, percent, UnreachableParams};

fn latency_text(l: Option<Latency>) -> String {
    match l {
        Some(l) => format!(
            "P50 {} ms，P90 {} ms，P99 {} ms，最长 {} ms",
            l.p50, l.p90, l.p99, l.max
        ),
        None => "无（没有一次正常打开）".into(),
    }
}

/// Each site's uptime for a person at a terminal: the official test, then per site its probes,
/// failures by kind, longest outage, latency and the verdict of each window.
pub fn uptime_text(sites: &[SiteUptime], p: &UnreachableParams) -> String {
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
