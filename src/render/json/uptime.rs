//! `govaudit uptime` as JSON: the official test's numbers and every site's [`SiteUptime`] as serde
//! serializes it, written with [`crate::escape::json::to_string_pretty`].

use crate::escape;
use crate::monitor::summary::SiteUptime;
use crate::rules::kinds::site::UnreachableParams;

/// JSON: one object `{window_days, min_probes_per_day, veto_share, limit_secs, sites: [...]}`.
pub fn uptime_json(sites: &[SiteUptime], p: &UnreachableParams) -> serde_json::Result<String> {
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
