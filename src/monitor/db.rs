//! The `monitor_probes` table (migration `20261201000000_monitor.sql`): one row per probe,
//! unique per (site, interval, slot), each written on its own as soon as the probe ends.

use chrono::{DateTime, TimeZone, Utc};

use crate::fetch::ProbeOutcome;
use crate::registry::db::{list, SiteFilter};
use crate::registry::{parse_url, Status};
use crate::store::Store;

use super::MonitorError;

/// One stored probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeRow {
    /// The probed site's id in the `sites` table.
    pub site_id: i64,
    /// The schedule's interval in milliseconds (a day ÷ probes per day); with `slot`, it names
    /// the slot.
    pub interval_ms: i64,
    /// Slot number, counted in intervals from 1970-01-01T00:00 Beijing time.
    pub slot: i64,
    /// When the schedule planned the probe (slot start + phase + jitter).
    pub planned_at: DateTime<Utc>,
    /// When the probe was sent.
    pub probed_at: DateTime<Utc>,
    /// How the probe ended (opened, timeout, refused …).
    pub outcome: ProbeOutcome,
    /// The final HTTP status, when one was received.
    pub status: Option<u16>,
    /// Time on the wire in milliseconds (all hops), capped at the limit for a timeout.
    pub latency_ms: u64,
    /// Body bytes read.
    pub bytes: u64,
    /// The failure in words, when not opened.
    pub error: Option<String>,
}

/// A site the monitor probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoredSite {
    /// Row id in the `sites` table.
    pub id: i64,
    /// Homepage URL probed, as stored.
    pub url: String,
    /// 网站名称; `None` for a site added by URL only.
    pub name: Option<String>,
}

/// Stores a probe. Returns `false` when its slot was already stored (nothing written): a
/// probe is never doubled.
pub async fn record(store: &Store, p: &ProbeRow) -> Result<bool, MonitorError> {
    let done = sqlx::query(
        "INSERT INTO monitor_probes (site_id, interval_ms, slot, planned_at, probed_at, probed_ms,
             outcome, status, latency_ms, bytes, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (site_id, interval_ms, slot) DO NOTHING",
    )
    .bind(p.site_id)
    .bind(p.interval_ms)
    .bind(p.slot)
    .bind(p.planned_at.to_rfc3339())
    .bind(p.probed_at.to_rfc3339())
    .bind(p.probed_at.timestamp_millis())
    .bind(p.outcome.key())
    .bind(p.status.map(i64::from))
    .bind(i64::try_from(p.latency_ms).unwrap_or(i64::MAX))
    .bind(i64::try_from(p.bytes).unwrap_or(i64::MAX))
    .bind(p.error.as_deref())
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The newest slot stored for a site on this schedule, if any.
pub async fn last_slot(
    store: &Store,
    site_id: i64,
    interval_ms: i64,
) -> Result<Option<i64>, MonitorError> {
    let slot: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(slot) FROM monitor_probes WHERE site_id = ? AND interval_ms = ?",
    )
    .bind(site_id)
    .bind(interval_ms)
    .fetch_one(store.pool())
    .await?;
    Ok(slot)
}

/// Probes of one site (of every site with `None`) sent in `[from, to)`, by site, oldest first.
pub async fn probes(
    store: &Store,
    site: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ProbeRow>, MonitorError> {
    let rows = sqlx::query_as::<_, StoredProbe>(
        "SELECT site_id, interval_ms, slot, planned_at, probed_ms, outcome, status, latency_ms,
                bytes, error
         FROM monitor_probes WHERE probed_ms >= ? AND probed_ms < ? AND (? IS NULL OR site_id = ?)
         ORDER BY site_id, probed_ms, id",
    )
    .bind(from.timestamp_millis())
    .bind(to.timestamp_millis())
    .bind(site)
    .bind(site)
    .fetch_all(store.pool())
    .await?;
    rows.into_iter().map(ProbeRow::try_from).collect()
}

/// A row of `monitor_probes` as stored: times as text and milliseconds, the outcome as its key.
#[derive(sqlx::FromRow)]
struct StoredProbe {
    site_id: i64,
    interval_ms: i64,
    slot: i64,
    planned_at: String,
    probed_ms: i64,
    outcome: String,
    status: Option<i64>,
    latency_ms: i64,
    bytes: i64,
    error: Option<String>,
}

impl TryFrom<StoredProbe> for ProbeRow {
    type Error = MonitorError;

    /// A time or outcome no version wrote is [`MonitorError::Corrupt`].
    fn try_from(row: StoredProbe) -> Result<ProbeRow, MonitorError> {
        let site_id = row.site_id;
        let corrupt = |message: String| MonitorError::Corrupt { site_id, message };
        let (planned, probed_ms, outcome) = (&row.planned_at, row.probed_ms, &row.outcome);
        Ok(ProbeRow {
            site_id,
            interval_ms: row.interval_ms,
            slot: row.slot,
            planned_at: DateTime::parse_from_rfc3339(planned)
                .map_err(|e| corrupt(format!("planned_at {planned:?}: {e}")))?
                .with_timezone(&Utc),
            probed_at: Utc
                .timestamp_millis_opt(probed_ms)
                .single()
                .ok_or_else(|| corrupt(format!("probed_ms {probed_ms}")))?,
            outcome: ProbeOutcome::from_key(outcome)
                .ok_or_else(|| corrupt(format!("unknown outcome {outcome:?}")))?,
            status: row.status.and_then(|s| u16::try_from(s).ok()),
            latency_ms: u64::try_from(row.latency_ms).unwrap_or(0),
            bytes: u64::try_from(row.bytes).unwrap_or(0),
            error: row.error,
        })
    }
}

/// When the newest probe of site `site_id` was sent (Unix milliseconds), if it has one.
pub async fn newest_probe_ms(store: &Store, site_id: i64) -> Result<Option<i64>, MonitorError> {
    Ok(
        sqlx::query_scalar("SELECT MAX(probed_ms) FROM monitor_probes WHERE site_id = ?")
            .bind(site_id)
            .fetch_one(store.pool())
            .await?,
    )
}

/// The span of all stored probes, if any.
pub async fn span(store: &Store) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, MonitorError> {
    let (lo, hi): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(probed_ms), MAX(probed_ms) FROM monitor_probes")
            .fetch_one(store.pool())
            .await?;
    Ok(lo.zip(hi).and_then(|(lo, hi)| {
        Some((
            Utc.timestamp_millis_opt(lo).single()?,
            Utc.timestamp_millis_opt(hi).single()?,
        ))
    }))
}

/// Every running registered site (状态 running), by id.
pub async fn running_sites(store: &Store) -> Result<Vec<MonitoredSite>, MonitorError> {
    let filter = SiteFilter {
        status: Some(Status::Running),
        registered_only: true,
        ..SiteFilter::default()
    };
    Ok(list(store, &filter)
        .await?
        .into_iter()
        .map(|s| MonitoredSite {
            id: s.id,
            url: s.url,
            name: s.name,
        })
        .collect())
}

/// A site by registry id or URL; an unregistered URL is added to `sites` (URL only, as `check`
/// does) so its probes have a site to belong to.
pub async fn site(store: &Store, id_or_url: &str) -> Result<MonitoredSite, MonitorError> {
    match crate::registry::db::get(store, id_or_url).await {
        Ok(s) => Ok(MonitoredSite {
            id: s.id,
            url: s.url,
            name: s.name,
        }),
        Err(crate::registry::RegistryError::NotFound(_)) if id_or_url.parse::<i64>().is_err() => {
            let url = parse_url(id_or_url).map_err(|message| MonitorError::Invalid {
                what: format!("site {id_or_url:?}"),
                message,
            })?;
            let id = crate::registry::add_url(store, url.as_str()).await?;
            Ok(MonitoredSite {
                id,
                url: url.to_string(),
                name: None,
            })
        }
        Err(e) => Err(e.into()),
    }
}
