//! Admission: how many sites of a round run at once.
//!
//! A site's own pace is set by its host's politeness (2 requests/s by default), so one site
//! uses little of the global cap (64 requests in flight): a round needs many sites at once to
//! keep the cap busy, and how many depends on how fast the servers answer — a few hundred on the
//! real network, thousands on loopback. A fixed number is wrong one way or the other: too few
//! and the round takes many times its politeness bound, too many and memory grows with the
//! round. So sites are admitted while the global cap has room: every [`TICK`], as long as the
//! requests in flight and those ready and waiting for a global slot number under
//! [`HEADROOM`] × the cap, more sites start (at most `max_at_once` running, the memory ceiling).
//! When the cap is saturated, the next site waits; the round's time is then bounded by the cap,
//! and memory by what the cap can serve.
//!
//! Each site runs as its own task, so page analysis uses every core.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use tokio::task::JoinSet;

use crate::fetch::Fetcher;

/// How often the load is looked at between finished sites.
pub const TICK: Duration = Duration::from_millis(5);

/// Demand (requests in flight + ready and waiting) kept up to this many times the global cap,
/// so the cap stays full while sites come and go, and the round's last sites start early enough
/// not to leave the cap idle at the end.
/// (Measured on the 14,000-site loopback round: 2 left a 5-second tail of sites started late; 8
/// keeps the cap busy to the end for a third more sites in memory.)
pub const HEADROOM: usize = 8;

/// Sites to start now, given the global cap's load, how many run and how many are left.
///
/// The end game: once no more sites are left than run, the rest all start (up to the ceiling).
/// A site takes its politeness time (5 s for 11 requests) however busy the cap is, so a site
/// started late ends the round late while the cap idles; started with the others, it shares
/// the cap with them and the round ends when the cap's work does.
pub fn room(
    cap: usize,
    in_flight: usize,
    waiting: usize,
    running: usize,
    unstarted: usize,
    max: usize,
) -> usize {
    let by_cap = if unstarted <= running {
        unstarted
    } else {
        (HEADROOM * cap).saturating_sub(in_flight + waiting)
    };
    let by_memory = max.saturating_sub(running);
    let at_least_one = usize::from(running == 0);
    by_cap.max(at_least_one).min(by_memory.max(at_least_one))
}

/// A finished job: its key and its output, or the panic message if it panicked.
pub type Finished<K, T> = (K, Result<T, String>);

/// Jobs started as the global cap has room, each as a task.
pub struct Admission<K, J, T, F> {
    jobs: std::vec::IntoIter<(K, J)>,
    running: JoinSet<Finished<K, T>>,
    start: F,
    max_at_once: usize,
    fetcher: Arc<Fetcher>,
    /// Most jobs that ran at once.
    pub peak_running: usize,
}

impl<K, J, T, F, Fut> Admission<K, J, T, F>
where
    K: Send + 'static,
    T: Send + 'static,
    F: FnMut(J) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    /// Schedule `jobs`, each started with `start`; none starts before [`Admission::next`].
    pub fn new(
        fetcher: Arc<Fetcher>,
        jobs: Vec<(K, J)>,
        max_at_once: usize,
        start: F,
    ) -> Admission<K, J, T, F> {
        Admission {
            jobs: jobs.into_iter(),
            running: JoinSet::new(),
            start,
            max_at_once: max_at_once.max(1),
            fetcher,
            peak_running: 0,
        }
    }

    /// The next finished job, starting jobs as the cap has room; `None` when all are done.
    /// Dropping the admission aborts the jobs still running (a round leaves them pending).
    pub async fn next(&mut self) -> Option<Finished<K, T>> {
        loop {
            self.admit();
            if self.jobs.len() == 0 {
                // Nothing left to start: just wait. A task cancelled by a runtime shutting down
                // is skipped; its site stays pending and the next run audits it.
                while let Some(joined) = self.running.join_next().await {
                    if let Ok(finished) = joined {
                        return Some(finished);
                    }
                }
                return None;
            }
            tokio::select! {
                biased;
                Some(joined) = self.running.join_next() => {
                    if let Ok(finished) = joined {
                        return Some(finished);
                    }
                }
                () = tokio::time::sleep(TICK) => {}
            }
        }
    }

    /// A job that has already finished, without waiting or starting any.
    pub fn try_next(&mut self) -> Option<Finished<K, T>> {
        while let Some(joined) = self.running.try_join_next() {
            if let Ok(finished) = joined {
                return Some(finished);
            }
        }
        None
    }

    fn admit(&mut self) {
        let load = self.fetcher.global_load();
        let room = room(
            load.cap,
            load.in_flight,
            load.waiting,
            self.running.len(),
            self.jobs.len(),
            self.max_at_once,
        );
        for (key, job) in self.jobs.by_ref().take(room) {
            let work = AssertUnwindSafe((self.start)(job)).catch_unwind();
            self.running.spawn(async move {
                let out = work.await.map_err(|panic| {
                    panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panicked".to_string())
                });
                (key, out)
            });
        }
        self.peak_running = self.peak_running.max(self.running.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_follows_the_cap() {
        let left = 100_000;
        // Idle cap: start up to HEADROOM times the cap.
        assert_eq!(room(64, 0, 0, 0, left, 10_000), 64 * HEADROOM);
        // Busy but not full: start the difference.
        assert_eq!(room(64, 64, 32, 500, left, 10_000), 64 * HEADROOM - 96);
        // Saturated: nothing new.
        assert_eq!(room(64, 64, 64 * HEADROOM, 500, left, 10_000), 0);
        // The memory ceiling wins.
        assert_eq!(room(64, 0, 0, 9_990, left, 10_000), 10);
        assert_eq!(room(64, 0, 0, 10_000, left, 10_000), 0);
        // Nothing running: always start one, whatever the load.
        assert_eq!(room(64, 64, 500, 0, left, 10_000), 1);
        // The end game: no more left than run, so all of them start, saturated or not.
        assert_eq!(room(64, 64, 64 * HEADROOM, 500, 500, 10_000), 500);
        assert_eq!(room(64, 64, 64 * HEADROOM, 500, 501, 10_000), 0);
        assert_eq!(room(64, 64, 64 * HEADROOM, 9_800, 500, 10_000), 200);
    }
}
