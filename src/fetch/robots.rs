//! robots.txt: a small RFC 9309 parser and a per-origin cache.
//!
//! Our product token is [`AGENT_TOKEN`] (`govaudit`). The groups whose `User-agent` names it
//! (case-insensitively, ignoring a `/version` suffix) apply; if none does, the `*` groups
//! apply; rules of several matching groups are merged. The longest matching `Allow`/`Disallow`
//! pattern wins, `Allow` on a tie; `*` matches any run of characters and a trailing `$` anchors
//! the end. Patterns are matched against the URL's path and query, with non-ASCII characters in
//! patterns percent-encoded the way the `url` crate encodes paths. `Crawl-delay` (seconds, a
//! non-standard but common extension) is read from the same groups.
//!
//! A robots.txt that is missing, answers with an error status, cannot be fetched or cannot be
//! parsed allows everything and sets no delay. Each origin's file is fetched once per run.
//!
//! Hand-written rather than `texting_robots` (0.2.2, the maintained crate for this), which
//! differs where it matters to us (each difference has a test below):
//!
//! - it matches a `User-agent` line only when it equals our token, so a group written for
//!   `GovAudit/1.0` falls back to `*`; we ignore the `/version` suffix;
//! - it applies `Allow`/`Disallow` lines given before any `User-agent` line to everyone (a
//!   bare `Disallow: /` shuts us out); RFC 9309 puts rules in groups, and we ignore such lines;
//! - it takes the first `Crawl-delay` of the groups (or one before any group), as an `f32`; we
//!   take the longest of the groups that apply, which the fetcher then caps at
//!   `fetch.max_crawl_delay_secs` and reports (`crawl_delay_capped`);
//! - it returns `anyhow` errors from a library and brings `nom`, `bstr` 0.2 and `lazy_static`;
//!   an unparsable file here simply allows everything.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;
use url::Url;

/// The product token matched against `User-agent` lines.
pub(crate) const AGENT_TOKEN: &str = "govaudit";

/// The largest robots.txt read (Google's limit is 500 KiB).
pub(crate) const MAX_ROBOTS_BYTES: usize = 512 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// The rules of one robots.txt that apply to us.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Robots {
    rules: Vec<Rule>,
    crawl_delay: Option<f64>,
}

#[derive(Default)]
struct Group {
    agents: Vec<String>,
    rules: Vec<Rule>,
    crawl_delay: Option<f64>,
}

impl Robots {
    /// Rules that allow everything.
    pub(crate) fn allow_all() -> Robots {
        Robots::default()
    }

    /// Parse robots.txt text, keeping the groups that apply to `agent`.
    pub(crate) fn parse(text: &str, agent: &str) -> Robots {
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agent_lines = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default().trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "user-agent" => {
                    if !in_agent_lines {
                        groups.push(Group::default());
                        in_agent_lines = true;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.agents.push(value.to_ascii_lowercase());
                    }
                }
                key @ ("allow" | "disallow") => {
                    in_agent_lines = false;
                    if let (Some(g), false) = (groups.last_mut(), value.is_empty()) {
                        g.rules.push(Rule {
                            allow: key == "allow",
                            pattern: encode_pattern(value),
                        });
                    }
                }
                "crawl-delay" => {
                    in_agent_lines = false;
                    let delay = value
                        .parse::<f64>()
                        .ok()
                        .filter(|d| d.is_finite() && *d > 0.0);
                    if let (Some(g), Some(d)) = (groups.last_mut(), delay) {
                        g.crawl_delay = Some(d);
                    }
                }
                _ => {}
            }
        }

        let agent = agent.to_ascii_lowercase();
        let names_us = |g: &&Group| {
            g.agents.iter().any(|a| {
                let token = a.split(['/', ' ']).next().unwrap_or_default();
                token == agent
            })
        };
        let mut chosen: Vec<&Group> = groups.iter().filter(names_us).collect();
        if chosen.is_empty() {
            chosen = groups
                .iter()
                .filter(|g| g.agents.iter().any(|a| a == "*"))
                .collect();
        }
        Robots {
            rules: chosen
                .iter()
                .flat_map(|g| g.rules.iter().cloned())
                .collect(),
            crawl_delay: chosen.iter().filter_map(|g| g.crawl_delay).reduce(f64::max),
        }
    }

    /// Whether we may fetch `url`.
    pub(crate) fn is_allowed(&self, url: &Url) -> bool {
        let mut target = url.path().to_string();
        if let Some(q) = url.query() {
            target.push('?');
            target.push_str(q);
        }
        let best = self
            .rules
            .iter()
            .filter(|r| pattern_matches(&r.pattern, &target))
            .max_by_key(|r| (r.pattern.len(), r.allow));
        best.is_none_or(|r| r.allow)
    }

    /// The `Crawl-delay` that applies to us (a delay too long for a `Duration` is the
    /// longest one: the fetcher caps it).
    pub(crate) fn crawl_delay(&self) -> Option<Duration> {
        self.crawl_delay
            .map(|d| Duration::try_from_secs_f64(d).unwrap_or(Duration::MAX))
    }
}

/// Percent-encode non-ASCII characters so patterns compare with `url`'s encoded paths.
fn encode_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Match a robots pattern (`*` wildcard, optional trailing `$`) against a path.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if anchored && i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    !anchored || rest.is_empty()
}

/// robots.txt per origin (`scheme://host:port`), each fetched at most once.
#[derive(Default)]
pub(crate) struct RobotsCache {
    origins: Mutex<HashMap<String, Arc<OnceCell<Arc<Robots>>>>>,
}

impl RobotsCache {
    /// The cell for `url`'s origin; the first caller initialises it, the others wait.
    pub(crate) fn cell(&self, url: &Url) -> Arc<OnceCell<Arc<Robots>>> {
        let key = url.origin().ascii_serialization();
        let mut origins = self.origins.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(origins.entry(key).or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(robots: &Robots, path: &str) -> bool {
        robots.is_allowed(&Url::parse(&format!("http://h.gov.cn{path}")).unwrap())
    }

    #[test]
    fn star_group_and_longest_match() {
        let r = Robots::parse(
            "# comment\nUser-agent: *\nDisallow: /private\nAllow: /private/open\nDisallow: /*.pdf$\nCrawl-delay: 2\n",
            AGENT_TOKEN,
        );
        assert!(allowed(&r, "/"));
        assert!(!allowed(&r, "/private"));
        assert!(!allowed(&r, "/private/x.html"));
        assert!(allowed(&r, "/private/open/x.html"));
        assert!(!allowed(&r, "/files/a.pdf"));
        assert!(allowed(&r, "/files/a.pdf?x=1"));
        assert_eq!(r.crawl_delay(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn our_group_beats_star() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nUser-agent: GovAudit/1.0\nDisallow: /admin\n";
        let r = Robots::parse(text, AGENT_TOKEN);
        assert!(allowed(&r, "/zwgk/"));
        assert!(!allowed(&r, "/admin/login"));
        let other = Robots::parse(text, "otherbot");
        assert!(!allowed(&other, "/zwgk/"));
    }

    #[test]
    fn garbage_and_empty_allow_all() {
        for text in [
            "",
            "<html><body>404 页面不存在</body></html>",
            "Disallow: /\n",
            "User-agent: *\nDisallow:\n",
        ] {
            let r = Robots::parse(text, AGENT_TOKEN);
            assert!(allowed(&r, "/anything"), "{text:?}");
            assert_eq!(r.crawl_delay(), None);
        }
        assert!(allowed(&Robots::allow_all(), "/x"));
        let huge = Robots::parse("User-agent: *\nCrawl-delay: 1e300\n", AGENT_TOKEN);
        assert_eq!(huge.crawl_delay(), Some(Duration::MAX));
    }

    #[test]
    fn crawl_delay_is_the_longest_of_the_groups_that_apply() {
        let text =
            "User-agent: govaudit\nCrawl-delay: 1\n\nUser-agent: GovAudit/2\nCrawl-delay: 7.5\n";
        let r = Robots::parse(text, AGENT_TOKEN);
        assert_eq!(r.crawl_delay(), Some(Duration::from_secs_f64(7.5)));
        // A delay before any group belongs to no group.
        let r = Robots::parse("Crawl-delay: 9\nUser-agent: *\nDisallow: /x\n", AGENT_TOKEN);
        assert_eq!(r.crawl_delay(), None);
    }

    #[test]
    fn wildcards_and_non_ascii() {
        assert!(pattern_matches("/a*/b", "/axx/b/c"));
        assert!(!pattern_matches("/a*/b$", "/axx/b/c"));
        assert!(pattern_matches("/a*/b$", "/axx/b"));
        assert!(pattern_matches("*", "/anything"));
        assert!(pattern_matches("/$", "/"));
        assert!(!pattern_matches("/$", "/x"));
        let r = Robots::parse("User-agent: *\nDisallow: /政务\n", AGENT_TOKEN);
        assert!(!allowed(&r, "/政务/公开"));
        assert!(allowed(&r, "/zw/"));
    }
}
