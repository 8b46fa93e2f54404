//! What the 总览 reads, kept between requests: the sites and every stored audit (as
//! [`crate::rounds::site_records`] and [`crate::rounds::audit_records`] give them) and the
//! quarterly statistics computed from them. Reading 42,000 audits with their evidence takes far
//! longer than a page may; the cache is reused while a cheap fingerprint of the tables it reads
//! (counts and newest ids and times of checks, reviews, rounds, slots and sites) is unchanged,
//! so a check stored by a round, a CLI command or another process shows on the next request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::Row;

use super::ServeError;
use crate::rounds;
use crate::stats::{quarter_stats, AuditRecord, Quarter, QuarterStats, SiteRecord, StatsSettings};
use crate::store::Store;

/// The data of one fingerprint.
#[derive(Debug)]
pub struct Data {
    fingerprint: String,
    pub sites: Vec<SiteRecord>,
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
}

const FINGERPRINT: &str = "SELECT \
    (SELECT COUNT(*) || ':' || IFNULL(MAX(id), 0) FROM checks) || '/' || \
    (SELECT COUNT(*) || ':' || IFNULL(MAX(decided_at), '') FROM finding_reviews) || '/' || \
    (SELECT COUNT(*) || ':' || IFNULL(MAX(id), 0) FROM rounds) || '/' || \
    (SELECT COUNT(*) FROM round_sites WHERE check_id IS NOT NULL) || '/' || \
    (SELECT COUNT(*) || ':' || IFNULL(MAX(COALESCE(updated_at, created_at)), '') FROM sites)";

impl Cache {
    /// The current data, read again only when the database changed.
    pub async fn data(&self, store: &Store) -> Result<Arc<Data>, ServeError> {
        let fingerprint: String = sqlx::query(FINGERPRINT)
            .fetch_one(store.pool())
            .await?
            .try_get(0)?;
        // One reader at a time: concurrent first requests wait for one read, not all do it.
        let mut slot = self.data.lock().await;
        if let Some(d) = slot.as_ref().filter(|d| d.fingerprint == fingerprint) {
            return Ok(Arc::clone(d));
        }
        let d = Arc::new(Data {
            fingerprint,
            sites: rounds::site_records(store).await?,
            audits: rounds::audit_records(store).await?,
            quarters: Mutex::new(HashMap::new()),
        });
        *slot = Some(Arc::clone(&d));
        Ok(d)
    }
}
