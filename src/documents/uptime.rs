//! Uptime ([`SiteUptime`], `govaudit uptime`) in the words its text and Markdown
//! ([`crate::render::text`], [`crate::render::markdown`]) say alike, in the standard's terms
//! (站点无法访问, 监测1周 …): the official test, a site's name, its failures by kind, one window's
//! verdict. Its JSON is [`crate::render::json`].

use std::fmt::Write as _;

use crate::monitor::summary::{SiteUptime, Window};
use crate::rules::kinds::site::{number, percent, UnreachableParams};

/// Failed probes by kind (`超时6次，HTTP错误1次`), or `无`.
pub(crate) fn kinds_text(u: &SiteUptime) -> String {
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

/// One window: its days, probes, failures, share and verdict (and why it has none).
pub(crate) fn window_line(w: &Window) -> String {
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

/// The site's 网站名称, or its URL when the registry has none.
pub(crate) fn name(u: &SiteUptime) -> String {
    u.name.clone().unwrap_or_else(|| u.url.clone())
}

/// The official test in words, with the rule's numbers.
pub(crate) fn standard(p: &UnreachableParams) -> String {
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
