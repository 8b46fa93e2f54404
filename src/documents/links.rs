//! A links report ([`LinkReport`], `govaudit links`) in the words its text and Markdown
//! ([`crate::render::text`], [`crate::render::markdown`]) say alike: each kind of failure under
//! its title, in the terms of the inspection standards (不可用链接, 疑似不可用链接 …). Its JSON
//! is [`crate::render::json`].

use crate::linkcheck::LinkReport;
use crate::observation::{LinkProblem, LinkState};

/// Each state's problems under its title (the suspected ones said to be maybe temporary).
pub(crate) fn sections(r: &LinkReport) -> Vec<(String, Vec<&LinkProblem>)> {
    [LinkState::Broken, LinkState::Suspected, LinkState::Blocked]
        .into_iter()
        .map(|s| {
            let title = match s {
                LinkState::Suspected => format!("{}（可能是暂时的，未计入不可用）", s.label()),
                _ => s.label().to_string(),
            };
            (title, r.links.in_state(s))
        })
        .collect()
}

/// A report of two pages with one broken link (a `|` in its URL) found on both, for the tests of
/// every format.
#[cfg(test)]
pub(crate) fn sample() -> LinkReport {
    LinkReport {
        pages: 2,
        links: crate::observation::LinkObservation {
            checked: 5,
            problems: vec![LinkProblem {
                url: "http://a.gov.cn/x|y".into(),
                state: LinkState::Broken,
                status: Some(404),
                reason: "HTTP 404".into(),
                pages: vec!["http://a.gov.cn/".into(), "http://a.gov.cn/b".into()],
            }],
        },
        ..LinkReport::default()
    }
}
