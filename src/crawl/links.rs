//! Link checking (链接可用性): every unique link found on the homepage and the column pages is
//! checked once (HEAD, falling back to GET); pages that already opened during the crawl are not
//! asked for again.

use std::collections::{BTreeMap, HashSet};

use futures::stream::{self, StreamExt};
use url::Url;

use crate::fetch::{Fetcher, RequestRecord};
use crate::observation::{LinkObservation, LinkProblem};

/// Link checks in flight per site; per-host politeness still applies to each.
const LINK_TASKS: usize = 16;

pub(super) struct Checked {
    pub observation: LinkObservation,
    pub requests: Vec<RequestRecord>,
}

/// Check links (each mapped to the pages it appears on), skipping ones already fetched.
pub(super) async fn check_links(
    fetcher: &Fetcher,
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
        .map(|(url, pages)| async move { (fetcher.check_link(&url).await, pages) })
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
    for (check, pages) in results {
        out.requests.extend(check.log);
        if let Err(failure) = check.result {
            if !failure.is_problem() {
                continue;
            }
            out.observation.problems.push(LinkProblem {
                url: check.url.to_string(),
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
