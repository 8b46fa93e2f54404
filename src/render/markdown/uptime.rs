//! `govaudit uptime` as Markdown: one table of sites, then each site's windows, in the standard's
//! terms. Site names and URLs come from the registry: each goes through
//! [`crate::escape::markdown`].

use std::fmt::Write as _;

use crate::documents::uptime::{kinds_text, name, standard, window_line};
use crate::escape;
use crate::monitor::summary::SiteUptime;
use crate::rules::kinds::site::{outage_text, percent, UnreachableParams};

/// Markdown: one table of sites, then each site's weeks.
pub fn uptime_markdown(sites: &[SiteUptime], p: &UnreachableParams) -> String {
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
