//! The audit's link check (链接可用性): every unique link found on the homepage and the column
//! pages is checked once (HEAD, falling back to GET: [`Fetcher::check_link`]); pages that
//! already opened during the crawl are not asked for again, and the run's [`LinkCache`] shares
//! results between the sites of one run.

use std::collections::{BTreeMap, HashSet};

use futures::stream::{self, StreamExt};
use url::Url;

use super::{judge, LinkCache, LINK_TASKS};
use crate::fetch::{Fetcher, RequestRecord};
use crate::observation::LinkObservation;

/// What checking a site's links produced.
#[derive(Debug)]
pub struct Checked {
    /// Links checked and the problems found.
    pub observation: LinkObservation,
    /// The requests made (a result shared from another site of the run adds none).
    pub requests: Vec<RequestRecord>,
}

/// Check links (each mapped to the pages it appears on), skipping the ones in `already_ok`
/// (pages that opened) and checking at most `max_links`.
pub async fn check_links(
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
        out.observation
            .problems
            .extend(judge::problem_on(&url, &result, &pages));
    }
    out.observation.problems.sort_by(|a, b| a.url.cmp(&b.url));
    out
}

/// Merge a deep crawl's links into the audit's: the deep crawl saw the homepage and column
/// pages too, so its problems come first and the audit's are added when not already there.
pub fn merge(audit: &LinkObservation, deep: &LinkObservation) -> LinkObservation {
    let mut problems = deep.problems.clone();
    for p in &audit.problems {
        match problems.iter_mut().find(|q| q.url == p.url) {
            Some(q) => {
                for page in &p.pages {
                    if !q.pages.contains(page) {
                        q.pages.push(page.clone());
                    }
                }
            }
            None => problems.push(p.clone()),
        }
    }
    problems.sort_by(|a, b| a.url.cmp(&b.url));
    LinkObservation {
        checked: audit.checked.max(deep.checked),
        problems,
    }
}
