//! `govaudit monitor` (站点可用性监测: scheduled homepage probes) and `govaudit uptime` (the
//! record per site and the official test per 7-day window).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, Utc};
use clap::Args;

use govaudit::config::Config;
use govaudit::fetch::Fetcher;
use govaudit::monitor::db::{self, MonitoredSite};
use govaudit::monitor::schedule::{beijing, beijing_day, day_start};
use govaudit::monitor::{summary, Event, Monitor, MonitorSettings, Schedule, SystemClock};
use govaudit::render;
use govaudit::rules::kinds::site::UnreachableParams;
use govaudit::rules::RuleSet;
use govaudit::store::Store;

use super::format::{Format, TEXT_JSON_MD};
use super::{EXIT_FAIL, EXIT_PASS};

#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// Sites to probe: `all` (every running registered site), or registry ids and URLs (a URL
    /// not in the registry is added with its URL only).
    #[arg(long, num_args = 1.., value_name = "all|ID|URL", default_value = "all")]
    pub sites: Vec<String>,
    /// Probes per site per day; the interval is a day ÷ N [default: 24, or monitor.per_day].
    #[arg(long, value_name = "N")]
    pub per_day: Option<u32>,
    /// Stop after this long (e.g. 90s, 30m, 12h, 7d) [default: until stopped with Ctrl-C].
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    pub duration: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct UptimeArgs {
    /// One site (registry id or URL) [default: every site with probes].
    pub site: Option<String>,
    /// First day (Beijing time) [default: the day of the first stored probe].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Last day [default: the day of the last stored probe].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
    #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON_MD))]
    pub format: Format,
}

/// `90s`, `30m`, `12h`, `7d` (a bare number is seconds).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c),
        _ => (t, 's'),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration {text:?}: use e.g. 90s, 30m, 12h, 7d"))?;
    let secs = match unit {
        's' => n,
        'm' => n * 60.0,
        'h' => n * 3600.0,
        'd' => n * 86_400.0,
        _ => {
            return Err(format!(
                "invalid duration {text:?}: the unit is s, m, h or d"
            ))
        }
    };
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("invalid duration {text:?}: must be above 0"))
}

fn availability(cfg: &Config) -> Result<UnreachableParams> {
    let rules = match &cfg.rules.dir {
        Some(dir) => RuleSet::from_dir(dir, &cfg.rules.profile)?,
        None => RuleSet::builtin(&cfg.rules.profile)?,
    };
    Ok(rules.availability())
}

/// Completes on Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

pub async fn run_monitor(cfg: Config, args: MonitorArgs, verbose: u8) -> Result<u8> {
    let params = availability(&cfg)?;
    let per_day = args.per_day.unwrap_or(cfg.monitor.per_day);
    let schedule = Schedule::new(per_day).map_err(anyhow::Error::msg)?;
    let store = Store::open(&cfg.store.db).await?;
    let mut sites: Vec<MonitoredSite> = Vec::new();
    for s in &args.sites {
        if s.trim().eq_ignore_ascii_case("all") {
            sites.extend(db::running_sites(&store).await?);
        } else {
            if govaudit::registry::has_userinfo(s) {
                bail!("{}", govaudit::registry::USERINFO);
            }
            sites.push(db::site(&store, s).await?);
        }
    }
    sites.sort_by_key(|s| s.id);
    sites.dedup_by_key(|s| s.id);
    if sites.is_empty() {
        bail!(
            "no site to monitor: import a registry (`govaudit sites import`) or name sites with \
             --sites URL"
        );
    }
    if per_day < params.min_probes_per_day {
        eprintln!(
            "warning: {per_day} probes a day is fewer than the {} the standard asks \
             (每天间隔性访问{}次以上): site.unreachable will not use this record",
            params.min_probes_per_day, params.min_probes_per_day
        );
    }
    let fetcher = Arc::new(Fetcher::new(&cfg.fetch).context("cannot set up the fetcher")?);
    let limit = Duration::try_from_secs_f64(params.limit_secs).unwrap_or(Duration::from_secs(15));
    let now = Utc::now();
    let until = match args.duration {
        Some(d) => Some(now + chrono::Duration::from_std(d).context("--duration is too long")?),
        None => None,
    };
    let settings = MonitorSettings {
        schedule,
        limit,
        until,
        summary_every: Duration::from_secs(cfg.monitor.summary_every_secs),
    };
    eprintln!(
        "monitor (站点可用性监测): {} sites, {per_day} probes a day each (every {:.1} s), limit {} s per probe, {}; database {}",
        sites.len(),
        schedule.interval_ms() as f64 / 1000.0,
        params.limit_secs,
        match until {
            Some(t) => format!("until {}", t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S%:z")),
            None => "until stopped (Ctrl-C)".into(),
        },
        cfg.store.db.display()
    );
    let monitor = Monitor {
        fetcher,
        store: store.clone(),
        clock: Arc::new(SystemClock),
        settings,
    };
    let report = move |event: Event<'_>| match event {
        Event::Probe { site, row, stored } if verbose > 0 => {
            let note = if stored { "" } else { " (slot already stored)" };
            eprintln!(
                "{}",
                govaudit::escape::terminal::text(&format!(
                    "probe {} slot {}: {}{note}",
                    site.url,
                    row.slot,
                    govaudit::monitor::run::describe(row)
                ))
            );
        }
        Event::Probe { .. } => {}
        Event::Summary { at, stats } => eprintln!(
            "monitor {}: {} probes stored, {} failed (打不开), {} slots missed",
            at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S"),
            stats.probes,
            stats.failures,
            stats.missed
        ),
    };
    let stats = monitor.run(&sites, stop_signal(), &report).await?;
    store.close().await;
    eprintln!(
        "monitor stopped: {} probes stored, {} failed (打不开), {} slots missed, {} already stored",
        stats.probes, stats.failures, stats.missed, stats.duplicates
    );
    Ok(EXIT_PASS)
}

pub async fn run_uptime(cfg: Config, args: UptimeArgs) -> Result<u8> {
    let params = availability(&cfg)?;
    let store = Store::open_existing(&cfg.store.db).await?;
    let site = match &args.site {
        Some(s) => Some(
            govaudit::registry::db::get(&store, s)
                .await
                .with_context(|| format!("site {s:?}"))?,
        ),
        None => None,
    };
    let span = db::span(&store).await?;
    let (from, to) = match (args.from, args.to, span) {
        (Some(f), Some(t), _) => (f, t),
        (f, t, Some((lo, hi))) => (
            f.unwrap_or_else(|| beijing_day(lo)),
            t.unwrap_or_else(|| beijing_day(hi)),
        ),
        (f, t, None) => {
            let today = beijing_day(Utc::now());
            (f.or(t).unwrap_or(today), t.unwrap_or(today))
        }
    };
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    let probes = db::probes(
        &store,
        site.as_ref().map(|s| s.id),
        day_start(from),
        day_start(to) + chrono::Duration::days(1),
    )
    .await?;
    let mut ids: Vec<i64> = probes.iter().map(|p| p.site_id).collect();
    ids.dedup();
    if let Some(s) = &site {
        if ids.is_empty() {
            ids.push(s.id);
        }
    }
    let mut uptimes = Vec::new();
    for id in ids {
        let rec = govaudit::registry::db::get(&store, &id.to_string()).await?;
        let own: Vec<_> = probes.iter().filter(|p| p.site_id == id).cloned().collect();
        uptimes.push(summary::uptime(
            (id, &rec.url, rec.name.as_deref()),
            &own,
            from,
            to,
            &params,
        ));
    }
    match args.format {
        Format::Text => out!("{}", render::text::uptime_text(&uptimes, &params)),
        Format::Md => out!("{}", render::markdown::uptime_markdown(&uptimes, &params)),
        Format::Json => outln!("{}", render::json::uptime_json(&uptimes, &params)?),
        other => return Err(other.unsupported("uptime")),
    }
    let veto = uptimes
        .iter()
        .flat_map(|u| &u.windows)
        .any(|w| w.verdict == summary::WindowVerdict::Veto);
    Ok(if veto { EXIT_FAIL } else { EXIT_PASS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        for bad in ["", "0s", "-1m", "3w", "h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
