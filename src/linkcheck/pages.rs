//! `govaudit links`: check the links on given pages without crawling further (what lychee
//! does).
//!
//! Streaming, in two overlapping stages joined by a channel:
//!
//! 1. pages are fetched ([`Fetcher::page`]) up to `concurrency` at a time; each page's links are
//!    extracted ([`analysis::page_links`]) and the page body is dropped at once;
//! 2. each link seen for the first time is sent to the checkers, which run
//!    [`Fetcher::check_link`] (HEAD, falling back to GET) up to `concurrency` at a time, and
//!    each result is judged by [`super::judge`], as the audit's and the deep crawl's are.
//!
//! Each unique URL is checked once, however many pages carry it. Per-link state is one compact
//! `Entry` (the URL, the indexes of the pages it is on, and the outcome: a status code, or the
//! failure when it failed); request logs are not kept. Politeness (per-host rate and in-flight
//! cap, global cap) is the fetcher's, so `--host-rate`, `--host-concurrency` and
//! `--concurrency` apply to every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt};
use tokio::sync::mpsc;
use url::Url;

use super::judge;
use crate::analysis::{self, ParseLimits, Vocabulary};
use crate::fetch::{FetchFailure, Fetcher};
use crate::observation::LinkObservation;

/// A page that could not be fetched, so its links were not checked.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnreadablePage {
    /// The page as given.
    pub url: String,
    /// Why it could not be fetched (`HTTP 404`, `connection refused: …`).
    pub reason: String,
}

/// The outcome of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkReport {
    /// Pages given.
    pub pages: usize,
    /// Unique links checked, and the problems found (sorted by URL), each in the state
    /// [`judge`] gave it: the audit's result type.
    pub links: LinkObservation,
    /// Pages that could not be fetched.
    pub unreadable: Vec<UnreadablePage>,
}

/// A link's outcome, kept small: successes hold only the status.
#[derive(Debug)]
enum Outcome {
    Pending,
    Opened(u16),
    Failed(Box<FetchFailure>),
}

/// Everything kept per unique URL.
#[derive(Debug)]
struct Entry {
    url: Arc<str>,
    /// Indexes into the page list.
    pages: Vec<u32>,
    outcome: Outcome,
}

#[derive(Debug, Default)]
struct Index {
    ids: HashMap<Arc<str>, u32>,
    entries: Vec<Entry>,
}

impl Index {
    /// Record that `page` links to `url`; the entry id when the URL is new.
    fn add(&mut self, url: &Url, page: u32) -> Option<u32> {
        if let Some(&id) = self.ids.get(url.as_str()) {
            let pages = &mut self.entries[id as usize].pages;
            if pages.last() != Some(&page) {
                pages.push(page);
            }
            return None;
        }
        let id = u32::try_from(self.entries.len()).ok()?;
        let key: Arc<str> = Arc::from(url.as_str());
        self.ids.insert(Arc::clone(&key), id);
        self.entries.push(Entry {
            url: key,
            pages: vec![page],
            outcome: Outcome::Pending,
        });
        Some(id)
    }
}

/// Checks the links of a list of pages.
pub struct LinkChecker {
    fetcher: Arc<Fetcher>,
    vocab: Vocabulary,
    concurrency: usize,
    parse: ParseLimits,
}

impl LinkChecker {
    /// `concurrency` bounds the pages and the links being worked on at once (the fetcher's
    /// global cap bounds the requests).
    pub fn new(fetcher: Arc<Fetcher>, vocab: Vocabulary, concurrency: usize) -> LinkChecker {
        LinkChecker {
            fetcher,
            vocab,
            concurrency: concurrency.max(1),
            parse: ParseLimits::default(),
        }
    }

    /// Parse pages with these limits (`crawl.max_nesting_depth`) instead of the defaults.
    pub fn with_parse_limits(mut self, limits: ParseLimits) -> LinkChecker {
        self.parse = limits;
        self
    }

    /// Fetch `pages`, check every unique link on them once, and report the failures.
    pub async fn run(&self, pages: &[Url]) -> LinkReport {
        for p in pages {
            if let Some(host) = p.host_str() {
                self.fetcher.trust_host(host);
            }
        }
        let index = Mutex::new(Index::default());
        let unreadable = Mutex::new(Vec::new());
        let (tx, mut rx) = mpsc::unbounded_channel::<(u32, Url)>();

        let read_pages = async {
            stream::iter(pages.iter().enumerate())
                .for_each_concurrent(self.concurrency, |(i, page_url)| {
                    let tx = tx.clone();
                    let index = &index;
                    let unreadable = &unreadable;
                    async move {
                        let fetched = self.fetcher.page(page_url).await;
                        let page = match fetched.result {
                            Ok(page) => page,
                            Err(e) => {
                                if let Ok(mut u) = unreadable.lock() {
                                    u.push(UnreadablePage {
                                        url: page_url.to_string(),
                                        reason: e.to_string(),
                                    });
                                }
                                return;
                            }
                        };
                        let links = crate::crawl::cpu::analyse(page.html.len(), || {
                            analysis::page_links_with(
                                &page.html,
                                &page.url,
                                &self.vocab,
                                self.parse,
                            )
                        })
                        .await;
                        drop(page);
                        let page_no = u32::try_from(i).unwrap_or(u32::MAX);
                        let fresh: Vec<(u32, Url)> = match index.lock() {
                            Ok(mut idx) => links
                                .into_iter()
                                .filter_map(|l| idx.add(&l, page_no).map(|id| (id, l)))
                                .collect(),
                            Err(_) => Vec::new(),
                        };
                        for item in fresh {
                            // The receiver lives until every sender is gone.
                            let _ = tx.send(item);
                        }
                    }
                })
                .await;
            drop(tx);
        };

        let check_links = async {
            let queue = stream::poll_fn(|cx| rx.poll_recv(cx));
            queue
                .map(|(id, url)| async move {
                    let checked = self.fetcher.check_link(&url).await;
                    (id, checked.result)
                })
                .buffer_unordered(self.concurrency)
                .for_each(|(id, result)| {
                    if let Ok(mut idx) = index.lock() {
                        if let Some(e) = idx.entries.get_mut(id as usize) {
                            e.outcome = match result {
                                Ok(status) => Outcome::Opened(status),
                                Err(f) => Outcome::Failed(Box::new(f)),
                            };
                        }
                    }
                    futures::future::ready(())
                })
                .await;
        };

        tokio::join!(read_pages, check_links);

        let index = index.into_inner().unwrap_or_default();
        let mut unreadable = unreadable.into_inner().unwrap_or_default();
        unreadable.sort_by(|a, b| a.url.cmp(&b.url));
        collect(pages, index, unreadable)
    }
}

/// Turn the index into the report: problems sorted by URL, pages in input order.
fn collect(pages: &[Url], index: Index, unreadable: Vec<UnreadablePage>) -> LinkReport {
    let mut report = LinkReport {
        pages: pages.len(),
        unreadable,
        ..LinkReport::default()
    };
    for entry in index.entries {
        let result = match entry.outcome {
            Outcome::Pending => continue,
            Outcome::Opened(status) => Ok(status),
            Outcome::Failed(f) => Err(*f),
        };
        report.links.checked += 1;
        let on = entry
            .pages
            .iter()
            .filter_map(|&p| pages.get(p as usize).map(Url::to_string))
            .collect();
        report
            .links
            .problems
            .extend(judge::problem(&entry.url, &result, on));
    }
    report.links.problems.sort_by(|a, b| a.url.cmp(&b.url));
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_keeps_each_url_once_with_its_pages() {
        let mut idx = Index::default();
        let a = Url::parse("http://a.gov.cn/x").unwrap();
        let b = Url::parse("http://b.gov.cn/").unwrap();
        assert_eq!(idx.add(&a, 0), Some(0));
        assert_eq!(idx.add(&b, 0), Some(1));
        assert_eq!(idx.add(&a, 0), None);
        assert_eq!(idx.add(&a, 3), None);
        assert_eq!(idx.entries[0].pages, vec![0, 3]);
        assert_eq!(idx.entries.len(), 2);
    }
}
