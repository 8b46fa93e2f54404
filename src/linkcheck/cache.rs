//! Sharing of link results within one run ([`LinkCache`]): each unique URL is checked once,
//! and sites asking for a URL being checked wait for that check instead of sending their own.
//! The national services every footer links to (beian.miit.gov.cn, zfwzgl.www.gov.cn …) are
//! thus asked once per run, not once per site. A round's deep crawls share their results
//! through SQLite instead ([`super::round`]) and use [`LinkCache::once_in_flight`] only so
//! that two sites never check the same URL at the same moment.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;
use url::Url;

use super::LinkResult;
use crate::fetch::{FetchFailure, Fetcher, RequestRecord};

/// One host's link results, each a cell that checks once and shares the result.
type HostLinks = HashMap<Url, Arc<OnceCell<LinkResult>>>;

/// Link results shared by the sites audited in one run: each unique URL is checked once, and
/// sites asking for a URL being checked wait for that check instead of sending their own.
///
/// Results are kept per host, and a round forgets a site's own host once the site is done
/// ([`LinkCache::forget_host`]): its internal links matter to no other site, and keeping them
/// would make memory grow with every link of the round.
#[derive(Debug, Default)]
pub struct LinkCache {
    cells: Mutex<HashMap<String, HostLinks>>,
    /// Checks in flight only ([`LinkCache::once_in_flight`]): an entry is dropped as soon as
    /// its result is known, so this map never grows with the number of links checked.
    in_flight: Mutex<HashMap<String, Arc<OnceCell<LinkResult>>>>,
}

impl LinkCache {
    /// URLs known (checked or being checked).
    pub fn len(&self) -> usize {
        self.cells
            .lock()
            .map(|c| c.values().map(HashMap::len).sum())
            .unwrap_or(0)
    }

    /// Drop the results for `host`'s URLs (a finished site's internal links). Checks in
    /// flight still reach the tasks waiting for them.
    pub fn forget_host(&self, host: &str) {
        if let Ok(mut cells) = self.cells.lock() {
            cells.remove(&host.to_ascii_lowercase());
        }
    }

    /// Whether nothing was checked yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The result for `url` if a check of this run finished, without checking or waiting.
    pub fn peek(&self, url: &Url) -> Option<Result<u16, FetchFailure>> {
        let cells = self.cells.lock().ok()?;
        cells
            .get(url.host_str().unwrap_or_default())
            .and_then(|h| h.get(url))
            .and_then(|c| c.get().cloned())
    }

    /// Run `check` for `key` unless a task of this run is running it right now, in which case
    /// wait for that task's result instead. Nothing is kept once the result is known: `check`
    /// itself must store results that have to outlive it (and look them up first). When
    /// `check` fails, its caller gets the error and a waiting task runs its own `check`.
    pub async fn once_in_flight<F, Fut, E>(&self, key: &str, check: F) -> Result<LinkResult, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<LinkResult, E>>,
    {
        let cell = match self.in_flight.lock() {
            Ok(mut m) => m.entry(key.to_string()).or_default().clone(),
            // A poisoned map only loses deduplication, never a check.
            Err(_) => Arc::new(OnceCell::new()),
        };
        let out = cell.get_or_try_init(check).await.cloned();
        if let Ok(mut m) = self.in_flight.lock() {
            if m.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                m.remove(key);
            }
        }
        out
    }

    /// Checks in flight through [`LinkCache::once_in_flight`].
    pub fn in_flight_len(&self) -> usize {
        self.in_flight.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// The result for `url`, checking it if no site of this run has; the request log holds
    /// only the requests this call made.
    pub(super) async fn check(
        &self,
        fetcher: &Fetcher,
        url: &Url,
    ) -> (LinkResult, Vec<RequestRecord>) {
        let cell = match self.cells.lock() {
            Ok(mut cells) => cells
                .entry(url.host_str().unwrap_or_default().to_string())
                .or_default()
                .entry(url.clone())
                .or_default()
                .clone(),
            // A poisoned map only loses sharing, never a check.
            Err(_) => Arc::new(OnceCell::new()),
        };
        let mut log = Vec::new();
        let result = cell
            .get_or_init(|| async {
                let checked = fetcher.check_link(url).await;
                log = checked.log;
                checked.result
            })
            .await
            .clone();
        (result, log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn concurrent_checks_of_one_url_run_once_and_nothing_is_kept() {
        let cache = LinkCache::default();
        let runs = AtomicUsize::new(0);
        let check = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok::<LinkResult, ()>(Ok(200))
        };
        let (a, b) = tokio::join!(
            cache.once_in_flight("http://x.test/", check),
            cache.once_in_flight("http://x.test/", check)
        );
        assert_eq!((a, b), (Ok(Ok(200)), Ok(Ok(200))));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(cache.in_flight_len(), 0, "results are not kept");
        // Not in flight any more: the next call runs its own check (its caller stores results).
        let again = cache.once_in_flight("http://x.test/", check).await;
        assert_eq!(again, Ok(Ok(200)));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_finished_sites_host_is_forgotten_and_other_hosts_kept() {
        // Private addresses are refused by the fetcher's guard without a request: a result
        // (blocked) all the same, and no network needed.
        let fetcher = Fetcher::new(&crate::config::FetchConfig::default()).expect("fetcher");
        let cache = LinkCache::default();
        let own = Url::parse("http://10.0.0.1/a.html").expect("url");
        let other = Url::parse("http://10.0.0.2/b.html").expect("url");
        let _ = cache.check(&fetcher, &own).await;
        let _ = cache.check(&fetcher, &other).await;
        assert_eq!(cache.len(), 2);
        assert!(cache.peek(&own).is_some());
        cache.forget_host("10.0.0.1");
        assert_eq!(cache.len(), 1);
        assert!(cache.peek(&own).is_none());
        assert!(cache.peek(&other).is_some());
    }

    #[tokio::test]
    async fn a_failed_check_leaves_the_next_caller_to_try() {
        let cache = LinkCache::default();
        let failed = cache
            .once_in_flight("http://y.test/", || async {
                Err::<LinkResult, &str>("db down")
            })
            .await;
        assert_eq!(failed, Err("db down"));
        let ok = cache
            .once_in_flight("http://y.test/", || async {
                Ok::<LinkResult, &str>(Ok(204))
            })
            .await;
        assert_eq!(ok, Ok(Ok(204)));
        assert_eq!(cache.in_flight_len(), 0);
    }
}
