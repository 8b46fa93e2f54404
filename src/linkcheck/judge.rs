//! How a link's result is judged: the one place that turns a check's outcome into a
//! [`LinkProblem`] in one of the states [`LinkState::Broken`] (不可用链接),
//! [`LinkState::Suspected`] (疑似不可用) or [`LinkState::Blocked`] (not fetched on purpose), or
//! into nothing when the link works. The audit, the deep crawl and `govaudit links` all report
//! what [`problem`] says, so changing how a status is judged is an edit here and in the tests
//! below.

use url::Url;

use super::LinkResult;
use crate::fetch::FetchFailure;
use crate::observation::{LinkProblem, LinkState};

/// The state of a link that failed this way, or `None` when the failure is no problem.
///
/// - `Broken`: HTTP 4xx except 401 and 429 (404, 410, 403, 400 …), DNS failure, connection
///   refused, redirect loops and too many redirects (a browser shows an error page too).
/// - `Suspected` (may be temporary; reported, not counted as broken): timeouts, 5xx, 429,
///   401 (the link opens, behind a login), other connection errors (reset, TLS), an
///   unsupported scheme and anything else.
/// - `Blocked`: not fetched by the SSRF guard (a public site linking into a private address).
/// - `None`: disallowed by robots.txt, which only means we chose not to look.
pub fn state(failure: &FetchFailure) -> Option<LinkState> {
    Some(match failure {
        FetchFailure::Status { status } => match status {
            401 | 429 => LinkState::Suspected,
            400..=499 => LinkState::Broken,
            _ => LinkState::Suspected,
        },
        FetchFailure::Dns { .. }
        | FetchFailure::Refused { .. }
        | FetchFailure::RedirectLoop { .. }
        | FetchFailure::TooManyRedirects { .. } => LinkState::Broken,
        FetchFailure::Blocked { .. } => LinkState::Blocked,
        FetchFailure::RobotsDisallowed => return None,
        FetchFailure::Timeout { .. }
        | FetchFailure::Connect { .. }
        | FetchFailure::Scheme { .. }
        | FetchFailure::Other { .. } => LinkState::Suspected,
    })
}

/// The problem a link's result makes, with the pages it appears on; `None` when it opened or
/// its failure is no problem ([`state`]).
pub fn problem(url: &str, result: &LinkResult, pages: Vec<String>) -> Option<LinkProblem> {
    let failure = result.as_ref().err()?;
    Some(LinkProblem {
        url: url.to_string(),
        state: state(failure)?,
        status: failure.status(),
        reason: failure.to_string(),
        pages,
    })
}

/// [`problem`] for pages given as URLs.
pub fn problem_on(url: &Url, result: &LinkResult, pages: &[Url]) -> Option<LinkProblem> {
    problem(
        url.as_str(),
        result,
        pages.iter().map(Url::to_string).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> Option<LinkState> {
        state(&FetchFailure::Status { status })
    }

    #[test]
    fn client_errors_are_broken_but_401_and_429() {
        for s in [400, 403, 404, 410, 451] {
            assert_eq!(status(s), Some(LinkState::Broken), "{s}");
        }
        assert_eq!(status(401), Some(LinkState::Suspected));
        assert_eq!(status(429), Some(LinkState::Suspected));
    }

    #[test]
    fn server_errors_and_timeouts_are_suspected() {
        assert_eq!(status(500), Some(LinkState::Suspected));
        assert_eq!(status(503), Some(LinkState::Suspected));
        for f in [
            FetchFailure::Timeout { secs: 15 },
            FetchFailure::Connect {
                message: "reset".into(),
            },
            FetchFailure::Scheme {
                scheme: "ftp".into(),
            },
            FetchFailure::Other {
                message: "x".into(),
            },
        ] {
            assert_eq!(state(&f), Some(LinkState::Suspected), "{f}");
        }
    }

    #[test]
    fn dns_refusal_and_redirect_trouble_are_broken() {
        for f in [
            FetchFailure::Dns {
                message: "x".into(),
            },
            FetchFailure::Refused {
                message: "x".into(),
            },
            FetchFailure::RedirectLoop { url: "u".into() },
            FetchFailure::TooManyRedirects { max: 10 },
        ] {
            assert_eq!(state(&f), Some(LinkState::Broken), "{f}");
        }
    }

    #[test]
    fn the_guard_blocks_and_robots_is_no_problem() {
        let blocked = FetchFailure::Blocked {
            url: "u".into(),
            reason: "loopback".into(),
        };
        assert_eq!(state(&blocked), Some(LinkState::Blocked));
        assert_eq!(state(&FetchFailure::RobotsDisallowed), None);
        assert!(problem(
            "http://a.test/",
            &Err(FetchFailure::RobotsDisallowed),
            vec![]
        )
        .is_none());
    }

    #[test]
    fn a_problem_carries_status_reason_and_pages() {
        let p = problem(
            "http://a.test/x",
            &Err(FetchFailure::Status { status: 404 }),
            vec!["http://a.test/".into()],
        )
        .expect("a problem");
        assert_eq!(p.state, LinkState::Broken);
        assert_eq!(p.status, Some(404));
        assert_eq!(p.reason, "HTTP 404");
        assert_eq!(p.pages, ["http://a.test/"]);
        assert!(problem("http://a.test/", &Ok(200), vec![]).is_none());
    }
}
