//! Stage 3 — crawl: one site → an [`Observation`].
//!
//! Opens the homepage, finds the columns (栏目: navigation, homepage blocks with a 更多 link,
//! second-level navigation on column pages), reads each column's list page (opening the newest
//! item when the list shows no dates), reads the footer, and checks every link found on the
//! homepage and the column pages. Only URLs inside the site's scope are crawled (a site may be a
//! path prefix); links anywhere are checked. Politeness is the fetcher's job: this stage just
//! asks for everything it needs concurrently and lets the per-host limits pace it.

mod columns;
mod consultation;
pub mod cpu;

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use url::Url;

use crate::analysis::{self, ColumnLink, CutShort};
use crate::config::CrawlConfig;
use crate::fetch::urls::{normalize, SiteScope};
use crate::fetch::{Fetcher, Page, RequestRecord};
use crate::linkcheck::{self, LinkCache};
use crate::observation::{
    AuditLimit, FutureItem, HomepageItem, LimitKind, NameSuspect, Observation, Reachability,
};
use crate::rules::RuleSet;

/// What one crawl produced: the observation and every HTTP request made.
#[derive(Debug)]
pub struct Crawl {
    /// What the crawl saw of the site (homepage, columns, links …), the input of the rules.
    pub observation: Observation,
    /// Every HTTP request the crawl made, pages and link checks (retries and redirect hops
    /// each one).
    pub requests: Vec<RequestRecord>,
}

/// Crawl one site as of a date.
pub async fn crawl_site(
    fetcher: &Fetcher,
    link_cache: &LinkCache,
    rules: &RuleSet,
    cfg: &CrawlConfig,
    site: &Url,
    as_of: NaiveDate,
) -> Crawl {
    let mut requests = Vec::new();
    let mut obs = Observation {
        url: site.to_string(),
        as_of,
        ..Observation::default()
    };

    let home = fetcher.page(site).await;
    requests.extend(home.log);
    let page = match home.result {
        Ok(page) => page,
        Err(failure) => {
            tracing::info!(site = %site, error = %failure, "Homepage did not open.");
            obs.reachability = Reachability {
                ok: false,
                status: failure.status(),
                error: Some(failure.to_string()),
                attempts: home.attempts,
            };
            return Crawl {
                observation: obs,
                requests,
            };
        }
    };
    obs.reachability = Reachability {
        ok: true,
        status: Some(page.status),
        error: None,
        attempts: home.attempts,
    };
    obs.pages_fetched = 1;

    // A redirect may move the homepage (to https, to another host, to /portal/index.html): the
    // scope is then the final homepage's folder instead of the registered URL.
    let scope = if SiteScope::new(site).contains(&page.url) {
        SiteScope::new(site)
    } else {
        let mut folder = page.url.clone();
        if let Ok(mut segs) = folder.path_segments_mut() {
            segs.pop().push("");
        }
        SiteScope::new(&folder)
    };
    let home_an = cpu::analyse(page.html.len(), || {
        analysis::analyze_with(
            &page.html,
            &page.url,
            as_of,
            &rules.vocabulary,
            cfg.parse_limits(),
        )
    })
    .await;
    obs.limits.extend(page_limits(&page, home_an.cut_short));
    // The site is paced for seconds from here on: keep only the homepage's URL, not its body
    // (a real homepage is a few hundred KB, and a round audits thousands of sites at once)
    // nor its body slot.
    let page_url = page.url.clone();
    screen_names(rules, &page_url, &page.html, as_of, &mut obs.name_suspects);
    drop(page);
    obs.future_items
        .extend(future_items(&page_url, &home_an.future_items));
    obs.footer = home_an.footer;
    // An undated homepage's blocks are taken in turns (the first item of each, then the
    // second …), so the items opened to date it sample every block, not only the main one.
    let mut blocks: Vec<std::vec::IntoIter<analysis::ListItem>> = std::iter::once(home_an.items)
        .chain(home_an.other_undated_lists)
        .map(Vec::into_iter)
        .collect();
    let mut seen_urls = HashSet::new();
    while !blocks.is_empty() {
        blocks.retain_mut(|block| match block.next() {
            Some(i) => {
                let url = i.url.as_ref().map(Url::to_string);
                if url.as_ref().is_none_or(|u| seen_urls.insert(u.clone())) {
                    obs.homepage_items.push(HomepageItem {
                        title: i.title,
                        url,
                        date: i.date,
                        date_url: None,
                    });
                }
                true
            }
            None => false,
        });
    }
    let opened = date_undated_items(
        fetcher,
        rules,
        cfg,
        &scope,
        &page_url,
        as_of,
        &mut obs.homepage_items,
    )
    .await;
    obs.pages_fetched += opened.pages;
    obs.limits.extend(opened.limits);
    requests.extend(opened.requests);
    obs.name_suspects.extend(opened.suspects);

    let mut seen: HashSet<Url> = HashSet::new();
    seen.insert(normalize(site));
    seen.insert(normalize(&page_url));
    let top: Vec<ColumnLink> = home_an
        .columns
        .into_iter()
        .filter(|c| scope.contains(&c.url))
        .filter(|c| seen.insert(normalize(&c.url)))
        .take(cfg.max_columns)
        .collect();
    obs.homepage_is_hub = obs.homepage_items.is_empty() && !top.is_empty();

    // Pages whose links get checked: the homepage and every column page.
    let mut link_sources: BTreeMap<Url, Vec<Url>> = BTreeMap::new();
    let mut fetched_ok: HashSet<Url> = HashSet::new();
    fetched_ok.insert(normalize(&page_url));
    fetched_ok.insert(normalize(site));
    add_links(&mut link_sources, &page_url, &home_an.links);

    let ctx = columns::Ctx {
        fetcher,
        rules,
        cfg,
        as_of,
    };
    let level1 = columns::audit_columns(&ctx, &top, 1).await;
    let mut subnav: Vec<ColumnLink> = Vec::new();
    if cfg.subnav {
        for c in &level1 {
            for s in &c.subcolumns {
                if subnav.len() + level1.len() >= cfg.max_columns {
                    break;
                }
                if scope.contains(&s.url) && seen.insert(normalize(&s.url)) {
                    subnav.push(s.clone());
                }
            }
        }
    }
    let level2 = columns::audit_columns(&ctx, &subnav, 2).await;
    for c in level1.iter().chain(level2.iter()) {
        obs.pages_fetched += c.pages_fetched;
        if let Some(final_url) = &c.final_url {
            fetched_ok.insert(normalize(final_url));
            fetched_ok.insert(normalize(&c.link.url));
            add_links(&mut link_sources, final_url, &c.links);
        }
    }
    for mut c in level1.into_iter().chain(level2) {
        requests.extend(c.requests);
        obs.consultations.extend(c.consultation.take());
        obs.name_suspects.append(&mut c.suspects);
        obs.future_items.append(&mut c.future_items);
        obs.service_guides.append(&mut c.guides);
        obs.limits.extend(c.limits);
        obs.columns.push(c.observation);
    }

    if cfg.check_links {
        let checked = linkcheck::site::check_links(
            fetcher,
            link_cache,
            link_sources,
            &fetched_ok,
            cfg.max_links,
        )
        .await;
        requests.extend(checked.requests);
        obs.links = checked.observation;
    }
    obs.limits
        .extend(crawl_delay_capped(fetcher, site, &page_url));
    Crawl {
        observation: obs,
        requests,
    }
}

/// Pages opened to date undated homepage items.
struct Opened {
    pages: usize,
    requests: Vec<RequestRecord>,
    /// Pages opened that were read in part.
    limits: Vec<AuditLimit>,
    suspects: Vec<NameSuspect>,
}

/// The rows of a page dated after the as-of date, as 疑似伪造发稿日期 candidates.
pub(crate) fn future_items(page: &Url, items: &[analysis::ListItem]) -> Vec<FutureItem> {
    items
        .iter()
        .filter_map(|i| {
            Some(FutureItem {
                title: i.title.clone(),
                url: i.url.as_ref().map(Url::to_string),
                date: i.future_date?,
                page: page.to_string(),
            })
        })
        .collect()
}

/// Screen a page read for leaders' names written wrong (严重错误 candidates), when the profile
/// has a rule that asks ([`RuleSet::name_lexicon`]).
pub(crate) fn screen_names(
    rules: &RuleSet,
    url: &Url,
    html: &str,
    as_of: NaiveDate,
    out: &mut Vec<NameSuspect>,
) {
    let Some(lexicon) = rules.name_lexicon() else {
        return;
    };
    for hit in analysis::names::screen(html, lexicon, as_of) {
        out.push(NameSuspect {
            url: url.to_string(),
            found: hit.found,
            expected: hit.expected,
            sentence: hit.sentence,
        });
    }
}

/// Open up to `crawl.homepage_undated_opened` undated homepage items inside the site (in page
/// order) and date each from its page: the article's publish date, else the newest item of the
/// column page it leads to.
async fn date_undated_items(
    fetcher: &Fetcher,
    rules: &RuleSet,
    cfg: &CrawlConfig,
    scope: &SiteScope,
    home: &Url,
    as_of: NaiveDate,
    items: &mut [HomepageItem],
) -> Opened {
    let limits = cfg.parse_limits();
    let mut seen = HashSet::new();
    let targets: Vec<(usize, Url)> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.date.is_none())
        .filter_map(|(n, i)| Some((n, Url::parse(i.url.as_deref()?).ok()?)))
        .filter(|(_, u)| scope.contains(u) && normalize(u) != normalize(home))
        .filter(|(_, u)| seen.insert(normalize(u)))
        .take(cfg.homepage_undated_opened)
        .collect();
    // Each page is analysed as soon as it arrives and dropped: none waits for the others.
    let opened = futures::future::join_all(targets.into_iter().map(|(n, u)| async move {
        let f = fetcher.page(&u).await;
        let dated = match f.result {
            Ok(page) => {
                let an = cpu::analyse(page.html.len(), || {
                    analysis::analyze_body_with(
                        &page.html,
                        &page.url,
                        as_of,
                        &rules.vocabulary,
                        limits,
                    )
                })
                .await;
                let date = an.publish_date.or_else(|| an.newest_item_date());
                let mut suspects = Vec::new();
                screen_names(rules, &page.url, &page.html, as_of, &mut suspects);
                Some((
                    date.map(|d| (d, page.url.to_string())),
                    page_limits(&page, an.cut_short),
                    suspects,
                ))
            }
            Err(_) => None,
        };
        (n, dated, f.log)
    }))
    .await;
    let mut out = Opened {
        pages: 0,
        requests: Vec::new(),
        limits: Vec::new(),
        suspects: Vec::new(),
    };
    for (n, dated, log) in opened {
        out.requests.extend(log);
        let Some((date, limits, suspects)) = dated else {
            continue;
        };
        out.pages += 1;
        out.limits.extend(limits);
        out.suspects.extend(suspects);
        if let (Some((d, url)), Some(item)) = (date, items.get_mut(n)) {
            item.date = Some(d);
            item.date_url = Some(url);
        }
    }
    out
}

/// The limits to report for a page: its body cut at `fetch.max_body_bytes` (a 2 GB page, a
/// gzip bomb), its parse cut short (nesting, cost). What was not read was not judged.
pub(crate) fn page_limits(page: &Page, cut: Option<CutShort>) -> Vec<AuditLimit> {
    let mut out = Vec::new();
    if page.truncated {
        out.push(AuditLimit {
            kind: LimitKind::BodyCut,
            url: page.url.to_string(),
            detail: format!(
                "页面内容超过大小上限（fetch.max_body_bytes），只读取了前{}字节",
                page.bytes
            ),
        });
    }
    if let Some(cut) = cut {
        out.push(AuditLimit {
            kind: LimitKind::PageCutShort,
            url: page.url.to_string(),
            detail: cut.to_string(),
        });
    }
    out
}

/// The limit to report when the site's robots.txt asked for a longer `Crawl-delay` than
/// `fetch.max_crawl_delay_secs` (for the registered host and, after a redirect, the final one).
fn crawl_delay_capped(fetcher: &Fetcher, site: &Url, home: &Url) -> Vec<AuditLimit> {
    let mut hosts: Vec<&str> = [site.host_str(), home.host_str()]
        .into_iter()
        .flatten()
        .collect();
    hosts.dedup();
    hosts
        .into_iter()
        .filter_map(|host| {
            let (asked, used) = fetcher.capped_crawl_delay(host)?;
            Some(AuditLimit {
                kind: LimitKind::CrawlDelayCapped,
                url: format!("{}://{host}/robots.txt", home.scheme()),
                detail: format!(
                    "robots.txt 要求两次访问间隔（Crawl-delay）{} 秒，超过上限，按 {} 秒检查",
                    asked.as_secs_f64(),
                    used.as_secs_f64()
                ),
            })
        })
        .collect()
}

fn add_links(map: &mut BTreeMap<Url, Vec<Url>>, page: &Url, links: &[Url]) {
    for l in links {
        let pages = map.entry(normalize(l)).or_default();
        if !pages.contains(page) {
            pages.push(page.clone());
        }
    }
}
