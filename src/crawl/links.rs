//! Link checking (链接可用性): every unique link found on the homepage and the column pages is
//! checked once (HEAD, falling back to GET); pages that already opened during the crawl are not
//! asked for again, and a [`LinkCache`] shares results between the sites of one run, so the
//! national services every footer links to (beian.miit.gov.cn, zfwzgl.www.gov.cn …) are asked
//! once per round, not once per site.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt};
use tokio::sync::OnceCell;
use url::Url;

use crate::fetch::{FetchFailure, Fetcher, RequestRecord};
use crate::observation::{LinkObservation, LinkProblem};

type LinkResult = Result<u16, FetchFailure>;

/// Link results shared by the sites audited in one run: each unique URL is checked once, and
/// sites asking for a URL being checked wait for that check instead of sending their own.
#[derive(Debug, Default)]
pub struct LinkCache {
    cells: Mutex<HashMap<Url, Arc<OnceCell<LinkResult>>>>,
}

impl LinkCache {
    /// URLs known (checked or being checked).
    pub fn len(&self) -> usize {
        self.cells.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Whether nothing was checked yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The result for `url` if a check of this run finished, without checking or waiting.
    pub fn peek(&self, url: &Url) -> Option<Result<u16, FetchFailure>> {
        let cells = self.cells.lock().ok()?;
        cells.get(url).and_then(|c| c.get().cloned())
    }

    /// The result for `url`, checking it if no site of this run has; the request log holds
    /// only the requests this call made.
    async fn check(&self, fetcher: &Fetcher, url: &Url) -> (LinkResult, Vec<RequestRecord>) {
        let cell = match self.cells.lock() {
            Ok(mut cells) => cells.entry(url.clone()).or_default().clone(),
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

/// Link checks in flight per site; per-host politeness still applies to each.
const LINK_TASKS: usize = 16;

pub(super) struct Checked {
    pub observation: LinkObservation,
    pub requests: Vec<RequestRecord>,
}

/// Check links (each mapped to the pages it appears on), skipping ones already fetched.
pub(super) async fn check_links(
    fetcher: &Fetcher,
    cache: &LinkCache,
    links: BTreeMap<Url, Vec<Url>>,
    already_ok: &HashSet<Url>,
    max_links: usize,
) -> Checked {
    let (known_ok, todo): (Vec<_>, Vec<_>) =
        links.into_iter().partition(|(u, _)| already_ok.contains(u));
    if todo.len() > max_links {
        tracing::warn!(
            links = todo.len(),
            max_links,
            "Link limit reached; the rest are not checked."
        );
    }
    let todo: Vec<(Url, Vec<Url>)> = todo.into_iter().take(max_links).collect();
    let results: Vec<_> = stream::iter(todo)
        .map(|(url, pages)| async move {
            let (result, log) = cache.check(fetcher, &url).await;
            (url, result, log, pages)
        })
        .buffer_unordered(LINK_TASKS)
        .collect()
        .await;

    let mut out = Checked {
        observation: LinkObservation {
            checked: known_ok.len() + results.len(),
            problems: Vec::new(),
        },
        requests: Vec::new(),
    };
    for (url, result, log, pages) in results {
        out.requests.extend(log);
        if let Err(failure) = result {
            if !failure.is_problem() {
                continue;
            }
            out.observation.problems.push(LinkProblem {
                url: url.to_string(),
                state: failure.link_state(),
                status: failure.status(),
                reason: failure.to_string(),
                pages: pages.iter().map(Url::to_string).collect(),
            });
        }
    }
    out.observation.problems.sort_by(|a, b| a.url.cmp(&b.url));
    out
}
