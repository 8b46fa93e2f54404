//! URL normalisation and site scope (links found on pages are resolved by
//! [`crate::analysis`], which normalises them here).
//!
//! Normalisation is deliberately conservative: it only removes differences that can never
//! change which resource a server returns. It drops the fragment and a default port (`:80` for
//! http, `:443` for https) and makes sure the path is at least `/`; the `url` crate already
//! lowercases the scheme and host, removes dot segments and percent-encodes what needs it. It
//! does **not** remove `index.html`, a trailing slash, `www.`, or reorder query parameters:
//! government CMSs often serve different pages for `/col/` and `/col/index.html`.

use url::Url;

/// Schemes a link can use and still be checked.
fn is_http(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// The normal form of a URL, used as the dedup key for pages and links.
pub fn normalize(url: &Url) -> Url {
    let mut out = url.clone();
    out.set_fragment(None);
    if out.port().is_some() && out.port() == default_port(out.scheme()) {
        // Cannot fail for http(s) URLs, which are the only ones with a default port here.
        let _ = out.set_port(None);
    }
    if out.path().is_empty() && !out.cannot_be_a_base() {
        out.set_path("/");
    }
    out
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Which URLs belong to a site.
///
/// A site is a host (plus port, when not the default) and a path prefix. The host comparison
/// ignores the scheme, so `http://` and `https://` pages of the same host both belong; an
/// explicit non-default port must match. The prefix comes from the registered URL's path:
/// `http://218.95.179.142/gysfgw` and `…/gysfgw/` both give `/gysfgw`, which contains
/// `/gysfgw` and `/gysfgw/…` but not `/gysfgwx`. A registered URL that names a file
/// (`…/gysfgw/index.html`, last segment with a dot) is scoped to its folder. A registered
/// path of `/` (a plain host) contains every path. Paths compare case-sensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteScope {
    host: String,
    port: Option<u16>,
    /// Without a trailing slash; empty for the whole host.
    prefix: String,
}

impl SiteScope {
    /// The scope of a site registered as `url`.
    pub fn new(url: &Url) -> SiteScope {
        let url = normalize(url);
        let path = url.path();
        let dir = match path.rsplit_once('/') {
            Some((dir, last)) if last.contains('.') => dir,
            _ => path,
        };
        SiteScope {
            host: url.host_str().unwrap_or_default().to_ascii_lowercase(),
            port: url.port(),
            prefix: dir.trim_end_matches('/').to_string(),
        }
    }

    /// Whether `url` belongs to the site.
    pub fn contains(&self, url: &Url) -> bool {
        if !is_http(url) {
            return false;
        }
        let url = normalize(url);
        let same_host = url
            .host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(&self.host));
        if !same_host || url.port() != self.port {
            return false;
        }
        match url.path().strip_prefix(self.prefix.as_str()) {
            Some(rest) => rest.is_empty() || rest.starts_with('/'),
            None => false,
        }
    }

    /// The host the site lives on.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The path prefix, without a trailing slash (empty for a whole host).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn normalize_is_conservative() {
        assert_eq!(
            normalize(&u("HTTP://WWW.Example.GOV.cn:80/a/index.html#top")).as_str(),
            "http://www.example.gov.cn/a/index.html"
        );
        assert_eq!(normalize(&u("https://h.cn:443")).as_str(), "https://h.cn/");
        assert_eq!(
            normalize(&u("https://h.cn:8443/x/")).as_str(),
            "https://h.cn:8443/x/"
        );
        assert_eq!(
            normalize(&u("http://h.cn/a/./b/../c?b=2&a=1")).as_str(),
            "http://h.cn/a/c?b=2&a=1"
        );
        assert_ne!(
            normalize(&u("http://h.cn/col/")),
            normalize(&u("http://h.cn/col/index.html"))
        );
    }

    #[test]
    fn path_prefix_scope() {
        let scope = SiteScope::new(&u("http://218.95.179.142/gysfgw"));
        assert_eq!(scope.prefix(), "/gysfgw");
        assert!(scope.contains(&u("http://218.95.179.142/gysfgw")));
        assert!(scope.contains(&u("http://218.95.179.142/gysfgw/")));
        assert!(scope.contains(&u("http://218.95.179.142/gysfgw/zwgk/index.html")));
        assert!(scope.contains(&u("https://218.95.179.142/gysfgw/a")));
        assert!(!scope.contains(&u("http://218.95.179.142/gysfgwx")));
        assert!(!scope.contains(&u("http://218.95.179.142/gysfgwx/a")));
        assert!(!scope.contains(&u("http://218.95.179.142/other/")));
        assert!(!scope.contains(&u("http://218.95.179.142/")));
        assert!(!scope.contains(&u("http://218.95.179.142:8080/gysfgw/a")));
        assert!(!scope.contains(&u("http://218.95.179.143/gysfgw/a")));
        assert_eq!(scope, SiteScope::new(&u("http://218.95.179.142/gysfgw/")));
    }

    #[test]
    fn file_url_scopes_to_its_folder() {
        let scope = SiteScope::new(&u("http://x.gov.cn/gysfgw/index.html"));
        assert_eq!(scope.prefix(), "/gysfgw");
        assert!(scope.contains(&u("http://x.gov.cn/gysfgw/list.html")));
        assert!(!scope.contains(&u("http://x.gov.cn/index.html")));
    }

    #[test]
    fn host_scope_contains_all_paths() {
        let scope = SiteScope::new(&u("http://WWW.NXEP.gov.cn"));
        assert_eq!(scope.host(), "www.nxep.gov.cn");
        assert_eq!(scope.prefix(), "");
        assert!(scope.contains(&u("http://www.nxep.gov.cn/")));
        assert!(scope.contains(&u("https://www.nxep.gov.cn:443/a/b?c")));
        assert!(!scope.contains(&u("http://nxep.gov.cn/")));
        assert!(!scope.contains(&u("http://sub.www.nxep.gov.cn/")));
        assert!(!scope.contains(&u("ftp://www.nxep.gov.cn/")));
        let ported = SiteScope::new(&u("http://x.gov.cn:8080/"));
        assert!(ported.contains(&u("http://x.gov.cn:8080/a")));
        assert!(!ported.contains(&u("http://x.gov.cn/a")));
    }
}
