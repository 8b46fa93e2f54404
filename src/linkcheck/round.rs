//! A deep crawl's link checks ([`check_crawl_link`]), and their results shared by the sites
//! of one round (`round run --deep`).
//!
//! A link's result is looked up in `round_links` (keyed by round and URL) before it is
//! checked and written there right after, with the requests made, in one transaction; the
//! round's [`LinkCache`] only makes sure two sites checking the same URL at the same moment
//! send one request. Memory therefore stays flat however many links a round has, a resumed
//! round reads the results of its killed run, and a new round (or a 复核 round) has no rows
//! yet, so it checks anew. The table's queries are in [`crate::deep::db`].

use sqlx::SqlitePool;
use url::Url;

use super::{LinkCache, LinkResult};
use crate::deep::db;
use crate::fetch::{FetchFailure, Fetcher, RequestRecord};
use crate::store::StoreError;

/// Check one link of crawl `crawl`: a result this run's audit already has, else (in a round)
/// the round's shared result or one shared check, else a check of its own. Returns the result
/// and the requests still to log (a shared check logs its own).
pub async fn check_crawl_link(
    fetcher: &Fetcher,
    cache: &LinkCache,
    pool: &SqlitePool,
    round: Option<i64>,
    crawl: i64,
    u: &str,
) -> Result<(LinkResult, Vec<RequestRecord>), StoreError> {
    let url = match Url::parse(u) {
        Ok(url) => url,
        Err(e) => {
            let failure = FetchFailure::Other {
                message: format!("invalid URL: {e}"),
            };
            return Ok((Err(failure), Vec::new()));
        }
    };
    if let Some(known) = cache.peek(&url) {
        return Ok((known, Vec::new()));
    }
    match round {
        Some(round) => Ok((
            check(fetcher, cache, pool, round, crawl, &url).await?,
            Vec::new(),
        )),
        None => {
            let checked = fetcher.check_link(&url).await;
            Ok((checked.result, checked.log))
        }
    }
}

/// The stored result of `url` in round `round`, if a site of the round checked it.
pub async fn lookup(
    pool: &SqlitePool,
    round: i64,
    url: &str,
) -> Result<Option<LinkResult>, StoreError> {
    Ok(db::round_link(pool, round, url)
        .await?
        .map(|(status, failure)| decode(status, failure)))
}

/// A stored (status, failure) pair back as a result.
fn decode(status: Option<i64>, failure: Option<String>) -> LinkResult {
    match (failure, status.and_then(|s| u16::try_from(s).ok())) {
        (None, Some(status)) => Ok(status),
        (Some(text), _) => {
            Err(serde_json::from_str(&text).unwrap_or(FetchFailure::Other { message: text }))
        }
        (None, None) => Err(FetchFailure::Other {
            message: "stored link result without a status".into(),
        }),
    }
}

/// Check `url` for crawl `crawl` of round `round`: the round's stored result when a site of
/// the round already checked it, else one check (shared with any site checking it right now)
/// whose result and requests are stored before it is returned.
pub async fn check(
    fetcher: &Fetcher,
    cache: &LinkCache,
    pool: &SqlitePool,
    round: i64,
    crawl: i64,
    url: &Url,
) -> Result<LinkResult, StoreError> {
    if let Some(known) = lookup(pool, round, url.as_str()).await? {
        return Ok(known);
    }
    cache
        .once_in_flight(url.as_str(), || async {
            // Another site may have stored it between the lookup above and now.
            if let Some(known) = lookup(pool, round, url.as_str()).await? {
                return Ok(known);
            }
            let checked = fetcher.check_link(url).await;
            let (status, failure) = match &checked.result {
                Ok(status) => (Some(*status), None),
                Err(f) => (f.status(), Some(f)),
            };
            db::record_round_link(
                pool,
                round,
                crawl,
                url.as_str(),
                status,
                failure,
                &checked.log,
            )
            .await?;
            Ok(checked.result)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_results_decode_back() {
        assert_eq!(decode(Some(200), None), Ok(200));
        let gone = FetchFailure::Status { status: 404 };
        let text = serde_json::to_string(&gone).expect("json");
        assert_eq!(decode(Some(404), Some(text)), Err(gone));
        assert!(decode(None, None).is_err());
        assert!(matches!(
            decode(None, Some("not json".into())),
            Err(FetchFailure::Other { .. })
        ));
    }
}
