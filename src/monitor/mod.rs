//! Availability monitoring (`govaudit monitor`, `govaudit uptime`): 站点无法访问 measured the way
//! the national standard defines it — 「监测1周，每天间隔性访问20次以上，超过（含）15秒网站仍打不开
//! 的次数累计占比超过（含）5%，即单项否决」.
//!
//! - [`schedule`]: a day cut into `per_day` slots counted from a fixed epoch (Beijing midnight),
//!   each site probed once per slot at a hashed phase plus jitter.
//! - [`clock`]: the [`Clock`] the scheduler sleeps on — [`SystemClock`], or [`SimClock`] so a
//!   test runs a simulated week in seconds.
//! - [`run`]: the [`Monitor`] loop: one [`crate::fetch::Fetcher::probe_homepage`] per slot
//!   (one GET, no retry, the standard's 15 s limit, through the same politeness, SSRF guard,
//!   proxy and `--resolve` as audits), each probe stored as it ends.
//! - [`db`]: the `monitor_probes` table, unique per (site, interval, slot): never a probe
//!   twice, nothing probed lost.
//! - [`summary`]: stored probes → the [`MonitorRecord`] of a window (what `site.unreachable`
//!   judges) and per-site uptime with the official test's verdict per 7-day window.
//! - `uptime` is written as text, Markdown and JSON by [`crate::render`]
//!   ([`crate::render::text::uptime_text`], [`crate::render::markdown::uptime_markdown`],
//!   [`crate::render::json::uptime_json`]), escaped through [`crate::escape`].

pub mod clock;
pub mod db;
pub mod run;
pub mod schedule;
pub mod summary;

use chrono::{Duration, NaiveDate};

use crate::observation::MonitorRecord;
use crate::rules::kinds::site::UnreachableParams;
use crate::store::Store;

pub use clock::{Clock, SimClock, SystemClock};
pub use run::{Event, Monitor, MonitorSettings, RunStats};
pub use schedule::Schedule;

/// Monitoring errors.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// A query of `monitor_probes` or `sites` failed.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// Listing or finding the sites to probe in the registry failed.
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    /// A site given or stored whose URL cannot be probed.
    #[error("invalid {what}: {message}")]
    Invalid {
        /// What was invalid, e.g. `site 3 URL "…"`.
        what: String,
        /// The parse error.
        message: String,
    },
    /// A stored probe row holds a value no version writes.
    #[error("stored probe of site {site_id} is invalid: {message}")]
    Corrupt {
        /// The probed site's id.
        site_id: i64,
        /// Which column is bad and why.
        message: String,
    },
    /// A probe task panicked or was cancelled; the join error in words.
    #[error("probe task failed: {0}")]
    Task(String),
}

/// The monitor's record of site `url` for the `params.window_days` days before `as_of`
/// (Beijing time), or `None` when no probe of it was stored in that window. The rule decides
/// whether the record covers the window.
///
/// # Errors
/// A database error, or a stored probe that cannot be read.
pub async fn record_before(
    store: &Store,
    url: &str,
    as_of: NaiveDate,
    params: &UnreachableParams,
) -> Result<Option<MonitorRecord>, MonitorError> {
    let site_id = crate::registry::id_of_url(store, url).await?;
    let Some(site_id) = site_id else {
        return Ok(None);
    };
    let from = as_of - Duration::days(i64::from(params.window_days));
    let start = schedule::day_start(from);
    let end = schedule::day_start(as_of);
    let probes = db::probes(store, Some(site_id), start, end).await?;
    if probes.is_empty() {
        return Ok(None);
    }
    Ok(Some(summary::record(
        &probes,
        from,
        params.window_days,
        params.limit_secs,
    )))
}

/// The site's availability over the last `params.window_days` days of its record (ending on
/// the day of its newest probe), judged by the official test: for the self-check report.
/// `None` when the site has no probe.
///
/// # Errors
/// A database error, or a stored probe that cannot be read.
pub async fn last_window(
    store: &Store,
    site_id: i64,
    params: &UnreachableParams,
) -> Result<Option<summary::Window>, MonitorError> {
    let newest = db::newest_probe_ms(store, site_id).await?;
    let Some(newest) = newest.and_then(chrono::DateTime::from_timestamp_millis) else {
        return Ok(None);
    };
    let to = schedule::beijing_day(newest);
    let from = to - Duration::days(i64::from(params.window_days) - 1);
    let end = schedule::day_start(to) + Duration::days(1);
    let probes = db::probes(store, Some(site_id), schedule::day_start(from), end).await?;
    let record = summary::record(&probes, from, params.window_days, params.limit_secs);
    Ok(Some(summary::judge(params, record)))
}
