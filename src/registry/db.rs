//! Storing the registry in the `sites` table (see `migrations/20261129120000_registry.sql`).
//!
//! [`import`] upserts by normalised URL in one transaction: a site not yet known is added, a
//! known one (also one created by `govaudit check`, which has only a URL) is updated when any
//! field differs, and otherwise left alone. Sites absent from the file are kept as they are.

use chrono::{NaiveDate, Utc};
use serde::Serialize;

use super::units::UnitSpellings;
use super::{parse_url, Level, RegistryError, Site, Status};
use crate::sample::Candidate;
use crate::store::Store;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Sites not yet in the table, inserted.
    pub added: usize,
    /// Known sites (same normalised URL) with some field changed, updated.
    pub updated: usize,
    /// Known sites identical to the file, left alone.
    pub unchanged: usize,
    /// Unit names written differently from a unit already in use (bracket width, spaces) and
    /// stored under its spelling: (as written, stored as).
    pub units_merged: Vec<(String, String)>,
}

/// A row of the `sites` table. Registry fields are `None` for sites only ever checked with
/// `govaudit check`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteRecord {
    /// Row id (网站编号).
    pub id: i64,
    /// Normalised homepage URL, unique in the table; may be a path prefix.
    pub url: String,
    /// 网站名称; `None` for a site only created by `govaudit check`.
    pub name: Option<String>,
    /// 单位 the site is counted under; `None` when not registered.
    pub unit: Option<String>,
    /// 级别; `None` when not registered.
    pub level: Option<Level>,
    /// 网站标识码 from the registry file, if it gives one.
    pub site_code: Option<String>,
    /// 运行 or 关停; `None` when not registered.
    pub status: Option<Status>,
    /// When the row was created (RFC 3339, UTC).
    pub created_at: String,
    /// When a registry import last wrote the row (RFC 3339, UTC); `None` if none ever did.
    pub updated_at: Option<String>,
}

impl SiteRecord {
    /// Whether the site came from a registry file (has a unit, level and status).
    pub fn is_registered(&self) -> bool {
        self.unit.is_some() && self.level.is_some() && self.status.is_some()
    }

    /// The site as a sampling candidate; `None` when it has no unit or status (not registered).
    pub fn candidate(&self) -> Option<Candidate> {
        Some(Candidate {
            id: self.id,
            unit: self.unit.clone()?,
            url: self.url.clone(),
            running: self.status? == Status::Running,
        })
    }
}

/// A row of `sites` as stored, its level and status still keys.
#[derive(sqlx::FromRow)]
struct SiteRow {
    id: i64,
    url: String,
    name: Option<String>,
    unit: Option<String>,
    level: Option<String>,
    site_code: Option<String>,
    status: Option<String>,
    created_at: String,
    updated_at: Option<String>,
}

impl TryFrom<SiteRow> for SiteRecord {
    type Error = RegistryError;

    /// A level or status no version wrote is [`RegistryError::Corrupt`].
    fn try_from(row: SiteRow) -> Result<SiteRecord, RegistryError> {
        let id = row.id;
        let corrupt = |message: String| RegistryError::Corrupt { id, message };
        let level = row
            .level
            .map(|k| k.parse::<Level>().map_err(corrupt))
            .transpose()?;
        let status = row
            .status
            .map(|k| k.parse::<Status>().map_err(corrupt))
            .transpose()?;
        Ok(SiteRecord {
            id,
            url: row.url,
            name: row.name,
            unit: row.unit,
            level,
            site_code: row.site_code,
            status,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Which sites [`list`] returns; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteFilter {
    /// Only sites of this unit (单位).
    pub unit: Option<String>,
    /// Only sites of this level (级别).
    pub level: Option<Level>,
    /// Only sites with this status (运行 / 关停).
    pub status: Option<Status>,
    /// Only sites from a registry file (not those created by `govaudit check` alone).
    pub registered_only: bool,
}

const COLUMNS: &str = "id, url, name, unit, level, site_code, status, created_at, updated_at";

/// Store validated sites in one transaction, upserting by URL.
pub async fn import(store: &Store, sites: &[Site]) -> Result<ImportSummary, RegistryError> {
    import_inner(store, sites, None).await
}

/// [`import`], recording that the file `source` describes the registry as of `as_of` (in the
/// same transaction): notices say 截至 that date.
pub async fn import_dated(
    store: &Store,
    sites: &[Site],
    source: &str,
    as_of: NaiveDate,
) -> Result<ImportSummary, RegistryError> {
    import_inner(store, sites, Some((source, as_of))).await
}

/// The date of the registry as last imported with one ([`import_dated`]).
pub async fn registry_as_of(store: &Store) -> Result<Option<NaiveDate>, RegistryError> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT as_of FROM registry_imports ORDER BY id DESC LIMIT 1")
            .fetch_optional(store.pool())
            .await?;
    Ok(text.and_then(|t| t.parse().ok()))
}

async fn import_inner(
    store: &Store,
    sites: &[Site],
    dated: Option<(&str, NaiveDate)>,
) -> Result<ImportSummary, RegistryError> {
    let now = Utc::now().to_rfc3339();
    let mut summary = ImportSummary::default();
    let mut tx = store.pool().begin().await?;
    if let Some((source, as_of)) = dated {
        sqlx::query(
            "INSERT INTO registry_imports (source, as_of, imported_at, sites) VALUES (?, ?, ?, ?)",
        )
        .bind(source)
        .bind(as_of.to_string())
        .bind(&now)
        .bind(sites.len() as i64)
        .execute(&mut *tx)
        .await?;
    }
    let known: Vec<String> = sqlx::query_scalar(
        "SELECT unit FROM sites WHERE unit IS NOT NULL GROUP BY unit ORDER BY min(id)",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut spellings = UnitSpellings::new(known.iter().map(String::as_str));
    for site in sites {
        let unit = spellings.spell(&site.unit);
        let existing =
            sqlx::query_as::<_, SiteRow>(&format!("SELECT {COLUMNS} FROM sites WHERE url = ?"))
                .bind(site.url.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        match existing {
            None => {
                sqlx::query(
                    "INSERT INTO sites (url, name, unit, level, site_code, status, created_at, \
                     updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(site.url.as_str())
                .bind(&site.name)
                .bind(&unit)
                .bind(site.level.key())
                .bind(&site.site_code)
                .bind(site.status.key())
                .bind(&now)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                summary.added += 1;
            }
            Some(row) => {
                let old = SiteRecord::try_from(row)?;
                let same = old.name.as_deref() == Some(site.name.as_str())
                    && old.unit.as_deref() == Some(unit.as_str())
                    && old.level == Some(site.level)
                    && old.site_code == site.site_code
                    && old.status == Some(site.status);
                if same {
                    summary.unchanged += 1;
                    continue;
                }
                sqlx::query(
                    "UPDATE sites SET name = ?, unit = ?, level = ?, site_code = ?, status = ?, \
                     updated_at = ? WHERE id = ?",
                )
                .bind(&site.name)
                .bind(&unit)
                .bind(site.level.key())
                .bind(&site.site_code)
                .bind(site.status.key())
                .bind(&now)
                .bind(old.id)
                .execute(&mut *tx)
                .await?;
                summary.updated += 1;
            }
        }
    }
    tx.commit().await?;
    summary.units_merged = spellings.merged;
    Ok(summary)
}

/// Sites matching the filter, ordered by id (the order they were first stored).
pub async fn list(store: &Store, filter: &SiteFilter) -> Result<Vec<SiteRecord>, RegistryError> {
    let mut sql = format!("SELECT {COLUMNS} FROM sites WHERE 1 = 1");
    if filter.unit.is_some() {
        sql.push_str(" AND unit = ?");
    }
    if filter.level.is_some() {
        sql.push_str(" AND level = ?");
    }
    if filter.status.is_some() {
        sql.push_str(" AND status = ?");
    }
    if filter.registered_only {
        sql.push_str(" AND unit IS NOT NULL AND level IS NOT NULL AND status IS NOT NULL");
    }
    sql.push_str(" ORDER BY id");
    let mut query = sqlx::query_as::<_, SiteRow>(&sql);
    if let Some(unit) = &filter.unit {
        query = query.bind(unit.trim());
    }
    if let Some(level) = filter.level {
        query = query.bind(level.key());
    }
    if let Some(status) = filter.status {
        query = query.bind(status.key());
    }
    let rows = query.fetch_all(store.pool()).await?;
    rows.into_iter().map(SiteRecord::try_from).collect()
}

/// One site by id (all digits) or by URL (normalised as on import).
pub async fn get(store: &Store, id_or_url: &str) -> Result<SiteRecord, RegistryError> {
    let key = id_or_url.trim();
    let row = match key.parse::<i64>() {
        Ok(id) => {
            sqlx::query_as::<_, SiteRow>(&format!("SELECT {COLUMNS} FROM sites WHERE id = ?"))
                .bind(id)
                .fetch_optional(store.pool())
                .await?
        }
        Err(_) => {
            let url = parse_url(key).map_err(|_| RegistryError::NotFound(key.to_string()))?;
            sqlx::query_as::<_, SiteRow>(&format!("SELECT {COLUMNS} FROM sites WHERE url = ?"))
                .bind(url.as_str())
                .fetch_optional(store.pool())
                .await?
        }
    };
    match row {
        Some(row) => SiteRecord::try_from(row),
        None => Err(RegistryError::NotFound(key.to_string())),
    }
}

/// The id of the site stored under `url` (already normalised), if there is one.
pub async fn id_of_url(store: &Store, url: &str) -> Result<Option<i64>, RegistryError> {
    Ok(sqlx::query_scalar("SELECT id FROM sites WHERE url = ?")
        .bind(url)
        .fetch_optional(store.pool())
        .await?)
}

/// The id of the site stored under `url` (already normalised), adding it (URL only, as `check`
/// does) when it is not known.
pub async fn add_url(store: &Store, url: &str) -> Result<i64, RegistryError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO sites (url, created_at) VALUES (?, ?) \
         ON CONFLICT(url) DO UPDATE SET url = excluded.url RETURNING id",
    )
    .bind(url)
    .bind(Utc::now().to_rfc3339())
    .fetch_one(store.pool())
    .await?)
}

/// A text that changes whenever a site is added or a registry import writes one: the console
/// reads [`list`] again only when it changed.
pub async fn fingerprint(store: &Store) -> Result<String, RegistryError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) || ':' || IFNULL(MAX(id), 0) || ':' || \
         IFNULL(MAX(COALESCE(updated_at, created_at)), '') FROM sites",
    )
    .fetch_one(store.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::parse_url;

    fn site(unit: &str, url: &str, status: Status) -> Site {
        Site {
            unit: unit.into(),
            level: Level::CityDept,
            name: format!("{unit}网站"),
            url: parse_url(url).expect("url"),
            site_code: None,
            status,
        }
    }

    #[tokio::test]
    async fn import_upserts_by_url() {
        let store = Store::open_memory().await.expect("open");
        let first = [
            site("A", "a.gov.test", Status::Running),
            site("B", "b.gov.test", Status::Running),
        ];
        let s = import(&store, &first).await.expect("import");
        assert_eq!((s.added, s.updated, s.unchanged), (2, 0, 0));

        let second = [
            site("A", "a.gov.test", Status::Running),
            site("B", "b.gov.test", Status::Closed),
            site("C", "c.gov.test/sub", Status::Running),
        ];
        let s = import(&store, &second).await.expect("re-import");
        assert_eq!((s.added, s.updated, s.unchanged), (1, 1, 1));

        let b = get(&store, "http://b.gov.test").await.expect("by url");
        assert_eq!(b.status, Some(Status::Closed));
        assert!(b.updated_at.is_some());
        assert_eq!(
            get(&store, &b.id.to_string()).await.expect("by id").url,
            b.url
        );
        let closed = SiteFilter {
            status: Some(Status::Closed),
            ..SiteFilter::default()
        };
        assert_eq!(list(&store, &closed).await.expect("list").len(), 1);
        let unit_c = SiteFilter {
            unit: Some("C".into()),
            ..SiteFilter::default()
        };
        let c = list(&store, &unit_c).await.expect("list");
        assert_eq!(c[0].url, "http://c.gov.test/sub");
        let candidate = c[0].candidate().expect("registered");
        assert_eq!((candidate.unit.as_str(), candidate.running), ("C", true));
        assert!(matches!(
            get(&store, "nowhere.gov.test").await,
            Err(RegistryError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn a_checked_site_is_completed_by_the_registry() {
        let store = Store::open_memory().await.expect("open");
        sqlx::query("INSERT INTO sites (url, created_at) VALUES ('http://a.gov.test/', 'x')")
            .execute(store.pool())
            .await
            .expect("check-style row");
        let before = get(&store, "a.gov.test").await.expect("get");
        assert!(!before.is_registered());
        assert!(before.candidate().is_none());
        let registered = SiteFilter {
            registered_only: true,
            ..SiteFilter::default()
        };
        assert!(list(&store, &registered).await.expect("list").is_empty());
        let s = import(&store, &[site("A", "a.gov.test", Status::Running)])
            .await
            .expect("import");
        assert_eq!((s.added, s.updated), (0, 1));
        let after = get(&store, "a.gov.test").await.expect("get");
        assert_eq!((after.id, after.unit.as_deref()), (before.id, Some("A")));
    }
}
