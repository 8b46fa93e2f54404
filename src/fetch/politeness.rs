//! Per-host politeness: a token bucket and an in-flight cap per host, plus a global cap.
//!
//! Government servers are small and easily overloaded, so every HTTP request — each retry, each
//! redirect hop, robots.txt, HEAD and GET alike — first takes a [`Permit`]:
//!
//! 1. a slot of the host's semaphore (`host_concurrency`, or the host's override);
//! 2. a token of the host's rate limiter (`host_rate` requests/s with a burst of one, or the
//!    host's override; a rate of 0 means unlimited);
//! 3. a slot of the global semaphore (`concurrency`).
//!
//! The permit is held until the response body has been read. Hosts are keyed by host name
//! (lowercase, as the `url` crate gives it), so different ports of one host share a budget and
//! different hosts never wait for each other except on the global cap.
//!
//! robots.txt `Crawl-delay` can only lower a host's rate ([`Politeness::apply_crawl_delay`]),
//! and never below one request per `fetch.max_crawl_delay_secs`: a longer delay is capped,
//! logged and remembered for the report ([`Politeness::capped_crawl_delay`]).

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::{FetchConfig, HostOverride};

/// Held while a request is in flight; dropping it frees the slots.
#[derive(Debug)]
pub(crate) struct Permit {
    _host: Option<OwnedSemaphorePermit>,
    _global: Option<OwnedSemaphorePermit>,
}

/// A host's rate: requests per second (0 = unlimited) and its limiter.
struct Rate {
    per_sec: f64,
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
}

impl Rate {
    /// A rate on the run's one `clock` (a clock of its own per host would calibrate anew for
    /// each of a round's thousands of hosts).
    fn new(per_sec: f64, clock: &DefaultClock) -> Rate {
        let limiter = (per_sec > 0.0 && per_sec.is_finite())
            .then(|| Duration::try_from_secs_f64(1.0 / per_sec).ok())
            .flatten()
            .and_then(Quota::with_period)
            .map(|q| {
                Arc::new(RateLimiter::direct_with_clock(
                    q.allow_burst(NonZeroU32::MIN),
                    clock.clone(),
                ))
            });
        Rate {
            // A period too short to represent is no limit at all.
            per_sec: if limiter.is_some() { per_sec } else { 0.0 },
            limiter,
        }
    }
}

/// One host's budget.
struct HostGate {
    semaphore: Arc<Semaphore>,
    rate: Mutex<Rate>,
    /// A `Crawl-delay` that was capped: (asked, used).
    capped: Mutex<Option<(Duration, Duration)>>,
}

/// Politeness for every host of a run.
pub(crate) struct Politeness {
    host_rate: f64,
    host_concurrency: usize,
    overrides: HashMap<String, HostOverride>,
    global: Arc<Semaphore>,
    global_size: usize,
    clock: DefaultClock,
    /// Requests that have their host's slot and token and wait for a global slot.
    waiting_global: AtomicUsize,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
}

/// How busy the global cap is: what a round's scheduler looks at before starting more sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalLoad {
    /// The global cap (`concurrency`).
    pub cap: usize,
    /// Requests holding a global slot now.
    pub in_flight: usize,
    /// Requests ready to go (host slot and token taken) waiting for a global slot.
    pub waiting: usize,
}

impl Politeness {
    pub(crate) fn new(cfg: &FetchConfig) -> Politeness {
        Politeness {
            host_rate: cfg.host_rate,
            host_concurrency: cfg.host_concurrency.max(1),
            overrides: lowercase_keys(&cfg.hosts),
            global: Arc::new(Semaphore::new(cfg.concurrency.max(1))),
            global_size: cfg.concurrency.max(1),
            clock: DefaultClock::default(),
            waiting_global: AtomicUsize::new(0),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn gate(&self, host: &str) -> Arc<HostGate> {
        let key = host.to_ascii_lowercase();
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        let gate = hosts.entry(key).or_insert_with_key(|key| {
            let o = self.overrides.get(key);
            let rate = o.and_then(|o| o.rate).unwrap_or(self.host_rate);
            let concurrency = o
                .and_then(|o| o.concurrency)
                .unwrap_or(self.host_concurrency)
                .max(1);
            Arc::new(HostGate {
                semaphore: Arc::new(Semaphore::new(concurrency)),
                rate: Mutex::new(Rate::new(rate, &self.clock)),
                capped: Mutex::new(None),
            })
        });
        Arc::clone(gate)
    }

    /// Wait until a request to `host` may start.
    pub(crate) async fn acquire(&self, host: &str) -> Permit {
        let gate = self.gate(host);
        let host_permit = acquire(&gate.semaphore).await;
        let limiter = gate
            .rate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .limiter
            .clone();
        if let Some(limiter) = limiter {
            // Wait on tokio's timer rather than `until_ready`'s, which runs a thread of its
            // own: with thousands of hosts waiting, every wake-up would cross threads.
            while let Err(not_until) = limiter.check() {
                tracing::trace!(host, "waiting for the host's rate limit");
                let wait = not_until.wait_time_from(self.clock.now());
                tokio::time::sleep(wait.max(Duration::from_micros(100))).await;
            }
        }
        let global = {
            let _waiting = Waiting::enter(&self.waiting_global);
            acquire(&self.global).await
        };
        Permit {
            _host: host_permit,
            _global: global,
        }
    }

    /// The global cap's load now.
    pub(crate) fn global_load(&self) -> GlobalLoad {
        GlobalLoad {
            cap: self.global_size,
            in_flight: self
                .global_size
                .saturating_sub(self.global.available_permits()),
            waiting: self.waiting_global.load(Ordering::Relaxed),
        }
    }

    /// Lower `host`'s rate to one request per `asked` (robots.txt `Crawl-delay`), or per `max`
    /// when `asked` is longer (the cap is logged and remembered); a delay that would raise the
    /// rate is ignored.
    pub(crate) fn apply_crawl_delay(&self, host: &str, asked: Duration, max: Duration) {
        let gate = self.gate(host);
        let delay = if asked > max {
            tracing::info!(
                host,
                asked_secs = asked.as_secs_f64(),
                max_secs = max.as_secs_f64(),
                "robots.txt Crawl-delay is longer than fetch.max_crawl_delay_secs: capped"
            );
            *gate.capped.lock().unwrap_or_else(|e| e.into_inner()) = Some((asked, max));
            max
        } else {
            asked
        };
        let Some(per_sec) = (!delay.is_zero()).then(|| 1.0 / delay.as_secs_f64()) else {
            return;
        };
        let mut rate = gate.rate.lock().unwrap_or_else(|e| e.into_inner());
        if rate.per_sec == 0.0 || per_sec < rate.per_sec {
            tracing::debug!(
                host,
                delay_secs = delay.as_secs_f64(),
                "honouring Crawl-delay"
            );
            *rate = Rate::new(per_sec, &self.clock);
        }
    }

    /// The `Crawl-delay` robots.txt asked of `host` and the delay used instead, when it was
    /// capped.
    pub(crate) fn capped_crawl_delay(&self, host: &str) -> Option<(Duration, Duration)> {
        let gate = self
            .hosts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&host.to_ascii_lowercase())
            .cloned()?;
        let capped = *gate.capped.lock().unwrap_or_else(|e| e.into_inner());
        capped
    }

    /// The host's current rate in requests per second (0 = unlimited).
    pub(crate) fn rate(&self, host: &str) -> f64 {
        self.gate(host)
            .rate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .per_sec
    }
}

/// Counts a request waiting for the global cap, also when its future is dropped mid-wait.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(counter: &'a AtomicUsize) -> Waiting<'a> {
        counter.fetch_add(1, Ordering::Relaxed);
        Waiting(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Take a slot; `None` only if the semaphore were closed, which never happens (they live as
/// long as the [`Politeness`]), and then the request proceeds rather than panicking.
async fn acquire(semaphore: &Arc<Semaphore>) -> Option<OwnedSemaphorePermit> {
    Arc::clone(semaphore).acquire_owned().await.ok()
}

fn lowercase_keys(hosts: &BTreeMap<String, HostOverride>) -> HashMap<String, HostOverride> {
    hosts
        .iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn cfg(rate: f64, conc: usize) -> FetchConfig {
        FetchConfig {
            host_rate: rate,
            host_concurrency: conc,
            ..FetchConfig::default()
        }
    }

    #[tokio::test]
    async fn rate_limits_one_host_but_not_another() {
        let p = Politeness::new(&cfg(10.0, 8));
        let start = Instant::now();
        for _ in 0..4 {
            drop(p.acquire("a.gov.cn").await);
        }
        let a = start.elapsed();
        assert!(a >= Duration::from_millis(280), "{a:?}");
        // Another host does not queue behind it: a ratio, not a wall-clock bound, so a busy
        // machine cannot break it.
        let start = Instant::now();
        drop(p.acquire("b.gov.cn").await);
        let b = start.elapsed();
        assert!(b * 3 < a, "b.gov.cn waited {b:?}, a.gov.cn {a:?}");
    }

    #[tokio::test]
    async fn overrides_and_unlimited() {
        let mut c = cfg(1.0, 2);
        c.hosts.insert(
            "Fast.gov.cn".into(),
            HostOverride {
                rate: Some(0.0),
                concurrency: Some(5),
            },
        );
        let p = Politeness::new(&c);
        assert_eq!(p.rate("fast.gov.cn"), 0.0);
        assert_eq!(p.rate("slow.gov.cn"), 1.0);
        let start = Instant::now();
        let permits: Vec<_> =
            futures::future::join_all((0..5).map(|_| p.acquire("fast.gov.cn"))).await;
        assert_eq!(permits.len(), 5);
        let fast = start.elapsed();
        assert_eq!(p.gate("fast.gov.cn").semaphore.available_permits(), 0);
        // The limited host at 1/s needs about a second for its second permit; the unlimited
        // one gave five at once.
        let start = Instant::now();
        for _ in 0..2 {
            drop(p.acquire("slow.gov.cn").await);
        }
        let slow = start.elapsed();
        assert!(slow >= Duration::from_millis(900), "{slow:?}");
        assert!(fast * 4 < slow, "unlimited host waited {fast:?}");
    }

    #[test]
    fn crawl_delay_only_lowers() {
        let max = Duration::from_secs(30);
        let p = Politeness::new(&cfg(2.0, 2));
        p.apply_crawl_delay("h", Duration::from_millis(100), max); // 10/s: would raise
        assert_eq!(p.rate("h"), 2.0);
        p.apply_crawl_delay("h", Duration::from_secs(2), max);
        assert_eq!(p.rate("h"), 0.5);
        assert_eq!(p.capped_crawl_delay("h"), None);
        let unlimited = Politeness::new(&cfg(0.0, 2));
        unlimited.apply_crawl_delay("h", Duration::from_secs(1), max);
        assert_eq!(unlimited.rate("h"), 1.0);
    }

    #[test]
    fn a_crawl_delay_above_the_ceiling_is_capped_and_remembered() {
        let p = Politeness::new(&cfg(2.0, 2));
        let day = Duration::from_secs(86_400);
        p.apply_crawl_delay("H.gov.cn", day, Duration::from_secs(4));
        assert_eq!(p.rate("h.gov.cn"), 0.25);
        assert_eq!(
            p.capped_crawl_delay("h.gov.cn"),
            Some((day, Duration::from_secs(4)))
        );
        assert_eq!(p.capped_crawl_delay("other.gov.cn"), None);
    }
}
