//! The deep crawl (`check --deep`): every page of a site within its [`SiteScope`], breadth
//! first, with a page budget, a depth limit and crawler-trap guards ([`traps`]); every link
//! found, inside the site or not, is checked once, and each broken one is reported with the
//! pages it appears on.
//!
//! The frontier and the link results live in SQLite ([`db`]); memory holds one batch of
//! frontier rows (at most `deep_batch`) and the pages and link checks in flight. A crawl is
//! keyed by (site URL, as-of date): running the same site and as-of again while its crawl is
//! unfinished resumes it from the stored frontier; a finished crawl is never resumed. In a
//! round (`round run --deep`) the key includes the round, and link results are shared by the
//! round's sites through SQLite ([`linkcheck::round`]); every link is checked and judged by
//! the one link-check engine ([`linkcheck`]). Every request is logged as it happens
//! ([`db::insert_requests`]) and joins the check's request log when the check is stored.

pub mod db;
pub mod traps;

use std::collections::HashSet;

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};
use sqlx::SqlitePool;
use url::Url;

use crate::analysis::{self, ParseLimits};
use crate::config::CrawlConfig;
use crate::fetch::{FetchFailure, Fetcher, SiteScope};
use crate::linkcheck::{self, judge, LinkCache};
use crate::observation::{AuditLimit, LinkObservation, NameSuspect};
use crate::rules::RuleSet;
use crate::store::StoreError;

use db::{CrawlKey, Found, PageDone};

/// How far and how wide a deep crawl goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeepSettings {
    /// Most pages fetched (the homepage included).
    pub max_pages: usize,
    /// Most clicks from the homepage (the homepage is depth 0).
    pub max_depth: usize,
    /// Frontier rows held in memory at once (and pages fetched concurrently, up to 16).
    pub batch: usize,
    /// Distinct query strings admitted per path.
    pub max_query_variants: usize,
    /// Times one path segment may occur in a path.
    pub max_segment_repeats: usize,
    /// The round the crawl belongs to: its link results are shared with the round's other
    /// sites, and an unfinished crawl resumes only within it (`None`: `check --deep`).
    pub round: Option<i64>,
    /// How pages are parsed (`crawl.max_nesting_depth`).
    pub parse: ParseLimits,
}

impl DeepSettings {
    /// The settings of the `[crawl]` section.
    pub fn from_config(cfg: &CrawlConfig) -> DeepSettings {
        DeepSettings {
            max_pages: cfg.deep_max_pages,
            max_depth: cfg.deep_max_depth,
            batch: cfg.deep_batch.max(1),
            max_query_variants: cfg.deep_max_query_variants,
            max_segment_repeats: cfg.deep_max_segment_repeats,
            round: None,
            parse: cfg.parse_limits(),
        }
    }
}

/// A page of the deep crawl once read: where it ended up, its status and its links (the body
/// is gone by then).
struct ReadPage {
    url: Url,
    status: u16,
    links: Vec<Url>,
    /// The page was read in part (body cut at the cap, parse cut short).
    limits: Vec<AuditLimit>,
    /// 严重错误 candidates on it.
    suspects: Vec<NameSuspect>,
}

/// What a deep crawl found.
#[derive(Debug, Clone, PartialEq)]
pub struct DeepOutcome {
    /// The `deep_crawls` row.
    pub crawl_id: i64,
    /// Whether an unfinished crawl was continued.
    pub resumed: bool,
    /// Pages fetched over the whole crawl (earlier runs included).
    pub pages: usize,
    /// Unique links found and checked (internal and external).
    pub links: LinkObservation,
    /// Most frontier rows held in memory at once: never above `batch`.
    pub peak_in_memory_frontier: usize,
    /// Requests the crawl made (earlier runs included), logged in `crawl_requests` until the
    /// check is stored.
    pub requests: usize,
    /// Pages this run read in part (body cut at `fetch.max_body_bytes`, parse cut short): they
    /// join the audit's `limits` and its `audit.limited` 提示.
    pub limits: Vec<AuditLimit>,
    /// Leaders' names written wrong on the pages this run read (严重错误 candidates, when the
    /// profile screens for them).
    pub suspects: Vec<NameSuspect>,
}

impl DeepOutcome {
    /// The outcome of a crawl that did not run (the homepage did not open).
    pub fn not_run() -> DeepOutcome {
        DeepOutcome {
            crawl_id: 0,
            resumed: false,
            pages: 0,
            links: LinkObservation::default(),
            peak_in_memory_frontier: 0,
            requests: 0,
            limits: Vec::new(),
            suspects: Vec::new(),
        }
    }
}

/// File types that are checked as links but never opened as pages.
fn is_document(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "pdf"
            | "doc"
            | "docx"
            | "xls"
            | "xlsx"
            | "ppt"
            | "pptx"
            | "wps"
            | "zip"
            | "rar"
            | "7z"
            | "jpg"
            | "jpeg"
            | "png"
            | "gif"
            | "bmp"
            | "mp3"
            | "mp4"
            | "avi"
            | "flv"
            | "swf"
            | "apk"
            | "exe"
    )
}

/// Whether a link inside the scope must not be crawled or checked: a crawler trap.
fn is_trap(url: &Url, as_of: NaiveDate, s: &DeepSettings) -> bool {
    traps::has_repeated_segments(url, s.max_segment_repeats) || traps::is_calendar_trap(url, as_of)
}

/// Crawl `site` as of `as_of`, resuming its unfinished crawl if the store holds one.
pub async fn deep_crawl(
    fetcher: &Fetcher,
    cache: &LinkCache,
    rules: &RuleSet,
    pool: &SqlitePool,
    site: &Url,
    as_of: NaiveDate,
    s: &DeepSettings,
) -> Result<DeepOutcome, StoreError> {
    let vocab = &rules.vocabulary;
    let home = traps::crawl_key(site);
    let key = CrawlKey {
        site: home.as_str(),
        as_of,
        round: s.round,
        max_pages: s.max_pages,
        max_depth: s.max_depth,
    };
    let row = db::open_crawl(pool, &key, home.as_str(), &traps::path_key(&home)).await?;
    if row.resumed {
        tracing::info!(site = %site, crawl = row.id, "Resuming the unfinished deep crawl.");
    }
    // The scope is the site's, or the homepage's folder when it redirected out of it (as in
    // the audit); a resumed crawl reads it back.
    let mut scope = row
        .scope
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .map(|u| SiteScope::new(&u))
        .unwrap_or_else(|| SiteScope::new(site));
    let mut admitted = db::frontier_len(pool, row.id).await?;
    let mut peak = 0usize;
    // Pages this run read in part (a resumed crawl's earlier runs are not repeated here).
    let mut limits: Vec<AuditLimit> = Vec::new();
    let mut suspects: Vec<NameSuspect> = Vec::new();
    loop {
        let batch = db::next_batch(pool, row.id, s.batch).await?;
        if batch.is_empty() {
            break;
        }
        peak = peak.max(batch.len());
        // Each page is read for its links as soon as it arrives and its body dropped: a page
        // done early does not hold its body while the loop below stores another.
        let mut pages = stream::iter(batch)
            .map(|r| async move {
                let fetched = match Url::parse(&r.url) {
                    Ok(u) => {
                        let f = fetcher.page(&u).await;
                        let read = match f.result {
                            Ok(page) => {
                                let (links, cut) =
                                    crate::crawl::cpu::analyse(page.html.len(), || {
                                        analysis::page_links_read(
                                            &page.html, &page.url, vocab, s.parse,
                                        )
                                    })
                                    .await;
                                let mut suspects = Vec::new();
                                crate::crawl::screen_names(
                                    rules,
                                    &page.url,
                                    &page.html,
                                    as_of,
                                    &mut suspects,
                                );
                                Ok(ReadPage {
                                    limits: crate::crawl::page_limits(&page, cut),
                                    suspects,
                                    links,
                                    url: page.url,
                                    status: page.status,
                                })
                            }
                            Err(failure) => Err(failure),
                        };
                        Some((read, f.log))
                    }
                    Err(_) => None,
                };
                (r, fetched)
            })
            .buffer_unordered(s.batch.clamp(1, 16));
        while let Some((r, fetched)) = pages.next().await {
            let (result, log) = match fetched {
                Some((read, log)) => (Some(read), log),
                None => (None, Vec::new()),
            };
            let (status, failure, found) = match result {
                Some(Ok(page)) => {
                    if r.depth == 0 && !scope.contains(&page.url) {
                        let mut folder = page.url.clone();
                        if let Ok(mut segs) = folder.path_segments_mut() {
                            segs.pop().push("");
                        }
                        scope = SiteScope::new(&folder);
                        db::set_scope(pool, row.id, folder.as_str()).await?;
                    }
                    limits.extend(page.limits);
                    suspects.extend(page.suspects);
                    let found = classify(&page.links, &scope, r.depth, as_of, s);
                    (Some(page.status), None, found)
                }
                Some(Err(failure)) => (failure.status(), Some(failure), Vec::new()),
                None => (
                    None,
                    Some(FetchFailure::Other {
                        message: format!("invalid URL {}", r.url),
                    }),
                    Vec::new(),
                ),
            };
            let budget = (s.max_pages as i64 - admitted).max(0);
            let done = PageDone {
                url: &r.url,
                status,
                failure: failure.as_ref(),
                log: &log,
            };
            admitted +=
                db::record_page(pool, row.id, &done, &found, budget, s.max_query_variants).await?;
        }
    }

    db::resolve_page_links(pool, row.id).await?;
    loop {
        let urls = db::next_links(pool, row.id, s.batch.max(linkcheck::LINK_TASKS)).await?;
        if urls.is_empty() {
            break;
        }
        let crawl = row.id;
        // Each check stores its own result: the loop awaits nothing else, so no check is left
        // unpolled in the middle of a transaction (holding SQLite's write lock).
        let mut checks = stream::iter(urls)
            .map(|u| async move {
                let (result, log) =
                    linkcheck::round::check_crawl_link(fetcher, cache, pool, s.round, crawl, &u)
                        .await?;
                let (status, failure) = match &result {
                    Ok(status) => (Some(*status), None),
                    Err(f) => (f.status(), Some(f)),
                };
                db::record_link(pool, crawl, &u, status, failure, &log).await
            })
            .buffer_unordered(linkcheck::LINK_TASKS);
        while let Some(stored) = checks.next().await {
            stored?;
        }
    }
    db::finish(pool, row.id).await?;

    let (pages, links) = db::counts(pool, row.id).await?;
    let requests = db::count_requests(&mut *pool.acquire().await?, row.id).await?;
    let problems = db::failed_links(pool, row.id)
        .await?
        .into_iter()
        .filter_map(|(url, f, pages)| judge::problem(&url, &Err(f), pages))
        .collect();
    Ok(DeepOutcome {
        crawl_id: row.id,
        resumed: row.resumed,
        pages: usize::try_from(pages).unwrap_or(0),
        links: LinkObservation {
            checked: usize::try_from(links).unwrap_or(0),
            problems,
        },
        peak_in_memory_frontier: peak,
        requests: usize::try_from(requests).unwrap_or(0),
        limits,
        suspects,
    })
}

/// Sort a page's links: traps dropped, the rest recorded as links, those inside the scope
/// and the depth limit (and not documents) offered to the frontier.
fn classify(
    links: &[Url],
    scope: &SiteScope,
    depth: i64,
    as_of: NaiveDate,
    s: &DeepSettings,
) -> Vec<Found> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for l in links {
        let key = traps::crawl_key(l);
        if !seen.insert(key.to_string()) {
            continue;
        }
        let inside = scope.contains(&key);
        if inside && is_trap(&key, as_of, s) {
            continue;
        }
        let admit = (inside && !is_document(&key) && depth < s.max_depth as i64)
            .then(|| (depth + 1, traps::path_key(&key)));
        out.push(Found {
            url: key.to_string(),
            admit,
        });
    }
    out
}
