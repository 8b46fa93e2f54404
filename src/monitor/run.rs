//! The scheduler: probes each site once per slot at its planned time, stores every probe as it
//! ends, and continues a stored schedule when started again.
//!
//! **Restart.** For each site the run starts at the slot after the newest one stored for that
//! schedule, or at the current slot if that is later: a slot already stored is never probed
//! again (and the table's unique key refuses it anyway); when the previous slot is stored the
//! current one is probed even if its planned time has passed (a probe killed in flight is asked
//! again); a new site, or one after a gap, starts with the current slot only if its planned
//! time is still ahead (else the next), so starting does not probe every site at once; slots
//! that ended while no monitor ran stay unprobed — a probe now cannot say whether the site
//! opened then.
//! A slot whose planned time comes round while the run is held up past the slot's end is
//! skipped the same way, never probed late in a burst.
//!
//! **Stopping.** When the stop future completes (Ctrl-C) or the duration ends, no new probe
//! starts; the probes in flight finish (within the time limit) and are stored.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use url::Url;

use crate::fetch::{Fetcher, ProbeOutcome};
use crate::store::Store;

use super::clock::Clock;
use super::db::{self, MonitoredSite, ProbeRow};
use super::schedule::Schedule;
use super::summary::failed;
use super::MonitorError;

/// How a run is set up.
#[derive(Debug, Clone)]
pub struct MonitorSettings {
    /// Probes per day and where each site's probe falls in its slot.
    pub schedule: Schedule,
    /// The standard's limit: a probe not opened within it failed (15 s).
    pub limit: Duration,
    /// Stop planning probes at this time (`--duration`); `None` runs until stopped.
    pub until: Option<DateTime<Utc>>,
    /// Clock time between two [`Event::Summary`] reports.
    pub summary_every: Duration,
}

/// Counts of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Probes made and stored.
    pub probes: u64,
    /// Of those, failed (not opened within the limit).
    pub failures: u64,
    /// Probes whose slot another monitor had stored meanwhile (not stored again).
    pub duplicates: u64,
    /// Slots skipped because they ended before their probe could start.
    pub missed: u64,
}

/// What a run reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// A probe ended; `stored` is false when its slot was already stored.
    Probe {
        /// The site probed.
        site: &'a MonitoredSite,
        /// The probe as stored (or as it would have been).
        row: &'a ProbeRow,
        /// Whether this run wrote it.
        stored: bool,
    },
    /// Every `summary_every` of clock time.
    Summary {
        /// The clock's time of the summary.
        at: DateTime<Utc>,
        /// The run's counts so far.
        stats: RunStats,
    },
}

/// The monitor: the fetcher it probes through, the store, the clock.
#[derive(Clone)]
pub struct Monitor {
    /// Sends the probes (`probe_homepage`: one GET, no retry).
    pub fetcher: Arc<Fetcher>,
    /// Where probes are stored (`monitor_probes`) and the schedule is continued from.
    pub store: Store,
    /// The system clock, or a simulated one in tests.
    pub clock: Arc<dyn Clock>,
    /// Schedule, limit, end time and summary interval.
    pub settings: MonitorSettings,
}

type Done = Result<(usize, ProbeRow, bool), MonitorError>;

impl Monitor {
    /// Probe `sites` on the schedule until `stop` completes or `settings.until` is reached.
    ///
    /// # Errors
    /// A site URL that does not parse, or a database error (the probes stored so far stay).
    pub async fn run(
        &self,
        sites: &[MonitoredSite],
        stop: impl Future<Output = ()>,
        report: &(dyn Fn(Event<'_>) + Send + Sync),
    ) -> Result<RunStats, MonitorError> {
        let schedule = self.settings.schedule;
        let interval = schedule.interval_ms();
        let mut urls = Vec::with_capacity(sites.len());
        for site in sites {
            let url = Url::parse(&site.url).map_err(|e| MonitorError::Invalid {
                what: format!("site {} URL {:?}", site.id, site.url),
                message: e.to_string(),
            })?;
            if let Some(host) = url.host_str() {
                self.fetcher.trust_host(host);
            }
            urls.push(Arc::new(url));
        }
        let now = self.clock.now();
        let current = schedule.slot_of(now);
        let mut queue = BinaryHeap::new();
        for (i, site) in sites.iter().enumerate() {
            let next = match db::last_slot(&self.store, site.id, interval).await? {
                Some(last) if last >= current => last + 1,
                // The schedule ran through the previous slot: the current one is owed, even late.
                Some(last) if last == current - 1 => current,
                // A new site, or after a gap: the current slot only if its time is still ahead,
                // so a start does not probe every site at once.
                _ if schedule.planned(site.id, current) >= now => current,
                _ => current + 1,
            };
            queue.push(Reverse((schedule.planned(site.id, next), i, next)));
        }
        let mut stats = RunStats::default();
        let mut next_summary = now + self.settings.summary_every;
        let mut inflight: JoinSet<Done> = JoinSet::new();
        tokio::pin!(stop);
        while let Some(&Reverse((due, i, slot))) = queue.peek() {
            if self.settings.until.is_some_and(|until| due >= until) {
                break;
            }
            tokio::select! {
                biased;
                _ = &mut stop => break,
                Some(done) = inflight.join_next(), if !inflight.is_empty() => {
                    self.finish(done, sites, &mut stats, report)?;
                    continue;
                }
                _ = self.clock.sleep_until(due) => {}
            }
            queue.pop();
            let now = self.clock.now();
            let now_slot = schedule.slot_of(now);
            let next = (slot + 1).max(now_slot);
            if let Some(site) = sites.get(i) {
                queue.push(Reverse((schedule.planned(site.id, next), i, next)));
                if slot < now_slot {
                    stats.missed += 1;
                    tracing::info!(site = %site.url, slot, "Slot ended before its probe started; skipped.");
                } else if let Some(url) = urls.get(i) {
                    inflight.spawn(self.clone().probe(i, site.id, Arc::clone(url), slot, due));
                }
            }
            if now >= next_summary {
                report(Event::Summary { at: now, stats });
                next_summary = now + self.settings.summary_every;
            }
        }
        while let Some(done) = inflight.join_next().await {
            self.finish(done, sites, &mut stats, report)?;
        }
        Ok(stats)
    }

    /// One probe, stored as soon as it ends.
    async fn probe(
        self,
        i: usize,
        site_id: i64,
        url: Arc<Url>,
        slot: i64,
        due: DateTime<Utc>,
    ) -> Done {
        let _hold = self.clock.hold();
        let probed_at = self.clock.now();
        let probe = self.fetcher.probe_homepage(&url, self.settings.limit).await;
        let row = ProbeRow {
            site_id,
            interval_ms: self.settings.schedule.interval_ms(),
            slot,
            planned_at: due,
            probed_at,
            outcome: probe.outcome,
            status: probe.status,
            latency_ms: u64::try_from(probe.latency.as_millis()).unwrap_or(u64::MAX),
            bytes: probe.bytes,
            error: probe.error,
        };
        let stored = db::record(&self.store, &row).await?;
        Ok((i, row, stored))
    }

    fn finish(
        &self,
        done: Result<Done, tokio::task::JoinError>,
        sites: &[MonitoredSite],
        stats: &mut RunStats,
        report: &(dyn Fn(Event<'_>) + Send + Sync),
    ) -> Result<(), MonitorError> {
        let (i, row, stored) = done.map_err(|e| MonitorError::Task(e.to_string()))??;
        if stored {
            stats.probes += 1;
            if failed(&row, self.settings.limit.as_secs_f64()) {
                stats.failures += 1;
            }
        } else {
            stats.duplicates += 1;
        }
        if let Some(site) = sites.get(i) {
            report(Event::Probe {
                site,
                row: &row,
                stored,
            });
        }
        Ok(())
    }
}

/// A probe in words for `-v`: `ok 200 123 ms 4567 B` / `timeout 15000 ms`.
pub fn describe(row: &ProbeRow) -> String {
    let mut text = row.outcome.key().to_string();
    if let Some(status) = row.status {
        text.push_str(&format!(" {status}"));
    }
    text.push_str(&format!(" {} ms", row.latency_ms));
    if row.outcome == ProbeOutcome::Ok {
        text.push_str(&format!(" {} B", row.bytes));
    }
    if let Some(error) = &row.error {
        text.push_str(&format!(" ({error})"));
    }
    text
}
