//! What the pages read of the whole database, kept between requests: the registry (网站名录),
//! the rounds with their progress, and for the 总览 the sites and every stored audit (as
//! [`crate::rounds::site_records`] and [`crate::rounds::audit_records`] give them) and the
//! quarterly statistics computed from them. Reading 42,000 audits with their evidence takes far
//! longer than a page may; the cache is reused while a cheap fingerprint of the tables it reads
//! (counts and newest ids and times of checks, reviews, rounds, slots and sites) is unchanged;
//! a check stored by a round, a CLI command or another process shows on the next request (within
//! [`RELOAD_SECS`] while the console runs a round).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::ServeError;
use crate::registry;
use crate::rounds::{self, Round};
use crate::stats::{quarter_stats, AuditRecord, Quarter, QuarterStats, SiteRecord, StatsSettings};
use crate::store::Store;

/// The data of one fingerprint.
#[derive(Debug)]
pub struct Data {
    fingerprint: String,
    loaded: std::time::Instant,
    /// Every registered site, as the statistics read them.
    pub sites: Vec<SiteRecord>,
    /// Every stored audit, as the statistics read them.
    pub audits: Vec<AuditRecord>,
    quarters: Mutex<HashMap<(i32, u8), Arc<QuarterStats>>>,
}

impl Data {
    /// The statistics of a quarter, computed once per fingerprint.
    pub fn quarter(&self, q: &Quarter, settings: &StatsSettings) -> Arc<QuarterStats> {
        let key = (q.year, q.q);
        if let Some(st) = self
            .quarters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Arc::clone(st);
        }
        let st = Arc::new(quarter_stats(&self.sites, &self.audits, q, settings));
        self.quarters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, Arc::clone(&st));
        st
    }
}

/// The cache.
#[derive(Debug, Default)]
pub struct Cache {
    data: tokio::sync::Mutex<Option<Arc<Data>>>,
    registry: tokio::sync::Mutex<Option<(String, Arc<Vec<registry::SiteRecord>>)>>,
    rounds: tokio::sync::Mutex<Option<(String, Arc<Vec<Round>>)>>,
}

/// A cached value of a fingerprint, read again when the fingerprint changes.
async fn cached<T, F, Fut>(
    slot: &tokio::sync::Mutex<Option<(String, Arc<T>)>>,
    fingerprint: String,
    read: F,
) -> Result<Arc<T>, ServeError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, ServeError>>,
{
    let mut slot = slot.lock().await;
    if let Some((f, v)) = slot.as_ref() {
        if *f == fingerprint {
            return Ok(Arc::clone(v));
        }
    }
    let v = Arc::new(read().await?);
    *slot = Some((fingerprint, Arc::clone(&v)));
    Ok(v)
}

/// Least time between two reads of the audits.
pub const RELOAD_SECS: u64 = 5;

impl Cache {
    /// The registered sites, in id order, as [`registry::list`] gives them.
    pub async fn registry(
        &self,
        store: &Store,
    ) -> Result<Arc<Vec<registry::SiteRecord>>, ServeError> {
        let f = registry::fingerprint(store).await?;
        cached(&self.registry, f, || async {
            let filter = registry::SiteFilter {
                registered_only: true,
                ..registry::SiteFilter::default()
            };
            Ok(registry::list(store, &filter).await?)
        })
        .await
    }

    /// Every round with its progress, as [`rounds::list`] gives them.
    pub async fn rounds(&self, store: &Store) -> Result<Arc<Vec<Round>>, ServeError> {
        let f = rounds::fingerprint(store).await?;
        cached(&self.rounds, f, || async { Ok(rounds::list(store).await?) }).await
    }

    /// The current data, read again only when the database changed — or, with `busy` (a round
    /// is running and storing checks all the time), at most every [`RELOAD_SECS`].
    pub async fn data(&self, store: &Store, busy: bool) -> Result<Arc<Data>, ServeError> {
        let fingerprint = rounds::records_fingerprint(store).await?;
        // One reader at a time: concurrent first requests wait for one read, not all do it.
        let mut slot = self.data.lock().await;
        // While a round stores a check every few milliseconds the fingerprint changes all the
        // time: the data is then read at most every RELOAD_SECS, not on every request.
        if let Some(d) = slot.as_ref().filter(|d| {
            d.fingerprint == fingerprint || (busy && d.loaded.elapsed().as_secs() < RELOAD_SECS)
        }) {
            return Ok(Arc::clone(d));
        }
        let d = Arc::new(Data {
            fingerprint,
            loaded: std::time::Instant::now(),
            sites: rounds::site_records(store).await?,
            audits: rounds::audit_records(store).await?,
            quarters: Mutex::new(HashMap::new()),
        });
        *slot = Some(Arc::clone(&d));
        Ok(d)
    }
}
