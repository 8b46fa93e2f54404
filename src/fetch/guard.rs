//! SSRF guard: links and redirects from public sites must not reach private addresses.
//!
//! A page on the public internet can link or redirect to `http://127.0.0.1/`,
//! `http://192.168.1.1/`, `http://100.100.100.200/` (a cloud metadata service) or a name that
//! resolves there; fetching it would probe the machine running the audit or its network. Such
//! URLs are not fetched and fail with [`FetchFailure::Blocked`], which the audit reports.
//!
//! Private means every address that is not on the public internet ([`private_reason`]:
//! loopback, private networks, shared address space, link-local, documentation, benchmarking,
//! multicast, reserved, and IPv6 addresses carrying one of those IPv4 addresses: mapped,
//! compatible, NAT64, 6to4, Teredo), and the name `localhost` (and `*.localhost`).
//!
//! Exempt, because the user chose them: every host when `allow_private` is set, hosts given to
//! [`Fetcher::trust_host`](super::Fetcher::trust_host) and hosts routed with `--resolve`. The
//! proxy's host (`--proxy`, or `HTTP_PROXY` and the like) is exempt **only as the proxy**: the
//! resolver may connect to it, but a URL naming it (`http://127.0.0.1:22/` with a proxy on
//! 127.0.0.1) is judged like any other.
//!
//! Judging happens in two places, in every mode (direct or through a proxy):
//!
//! - **Before the request**, [`Guard::check_url`] judges the target URL's host when it needs
//!   no DNS: IP literals in every spelling the `url` crate accepts (it normalises `2130706433`,
//!   `0177.0.0.1`, `0x7f.1` and `127.1` to `127.0.0.1`, and IPv6 to its canonical form) and
//!   `localhost`. Every request goes through it: the audit, the deep crawl, `links`, every
//!   redirect hop and robots.txt.
//! - **At connection time**, DNS names are judged inside [`GuardedResolver`], the client's DNS
//!   resolver, on the very addresses the connection will use, so there is no race between
//!   check and use; `--resolve` routes are consulted there first.
//!
//! **Limit:** through a proxy the proxy resolves host names, so a name that the proxy's DNS
//! maps to a private address cannot be judged here (only IP literals and `localhost` can);
//! the proxy's own policy has to cover that.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::private::private_reason;
use super::{FetchError, FetchFailure};

fn is_localhost(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost")
}

/// Host key used for trust and routes: lowercase, no IPv6 brackets, no trailing dot.
fn host_key(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Parse `--resolve HOST=IP:PORT` entries.
pub(crate) fn parse_routes(entries: &[String]) -> Result<HashMap<String, SocketAddr>, FetchError> {
    let mut routes = HashMap::new();
    for entry in entries {
        let bad = || FetchError::Resolve {
            entry: entry.clone(),
        };
        let (host, addr) = entry.split_once('=').ok_or_else(bad)?;
        let host = host_key(host);
        if host.is_empty() || host.contains(['/', ':', ' ']) {
            return Err(bad());
        }
        let addr: SocketAddr = addr.trim().parse().map_err(|_| bad())?;
        routes.insert(host, addr);
    }
    Ok(routes)
}

/// The guard's state, shared by the fetcher and its DNS resolver.
#[derive(Debug)]
pub(crate) struct Guard {
    allow_private: bool,
    trusted: RwLock<HashSet<String>>,
    /// Proxy hosts: the resolver may connect to them; they are not trusted as targets.
    proxies: RwLock<HashSet<String>>,
    routes: HashMap<String, SocketAddr>,
}

impl Guard {
    pub(crate) fn new(allow_private: bool, routes: HashMap<String, SocketAddr>) -> Guard {
        Guard {
            allow_private,
            trusted: RwLock::new(HashSet::new()),
            proxies: RwLock::new(HashSet::new()),
            routes,
        }
    }

    /// Let the resolver connect to a proxy's host, without trusting it as a target.
    pub(crate) fn allow_proxy(&self, host: &str) {
        let key = host_key(host);
        if key.is_empty() {
            return;
        }
        if let Ok(mut proxies) = self.proxies.write() {
            proxies.insert(key);
        }
    }

    /// Whether `host` is a proxy's host.
    fn is_proxy(&self, host: &str) -> bool {
        let key = host_key(host);
        self.proxies
            .read()
            .map(|p| p.contains(&key))
            .unwrap_or(false)
    }

    /// Exempt a host from the guard.
    pub(crate) fn trust(&self, host: &str) {
        let key = host_key(host);
        if key.is_empty() {
            return;
        }
        if let Ok(mut trusted) = self.trusted.write() {
            trusted.insert(key);
        }
    }

    /// The `--resolve` route for a host, if any.
    pub(crate) fn route(&self, host: &str) -> Option<SocketAddr> {
        self.routes.get(&host_key(host)).copied()
    }

    /// Whether private addresses are acceptable for this host.
    pub(crate) fn is_exempt(&self, host: &str) -> bool {
        if self.allow_private {
            return true;
        }
        let key = host_key(host);
        self.routes.contains_key(&key)
            || self
                .trusted
                .read()
                .map(|t| t.contains(&key))
                .unwrap_or(false)
    }

    /// Judge a URL whose host needs no DNS: IP literals and `localhost`.
    pub(crate) fn check_url(&self, url: &Url) -> Result<(), FetchFailure> {
        let (key, reason) = match url.host() {
            Some(Host::Ipv4(ip)) => (ip.to_string(), private_reason(IpAddr::V4(ip))),
            Some(Host::Ipv6(ip)) => (ip.to_string(), private_reason(IpAddr::V6(ip))),
            Some(Host::Domain(d)) => (d.to_string(), is_localhost(d).then_some("localhost")),
            None => return Ok(()),
        };
        match reason {
            Some(reason) if !self.is_exempt(&key) => {
                tracing::info!(%url, reason, "not fetching a private address");
                Err(FetchFailure::Blocked {
                    url: url.to_string(),
                    reason: reason.to_string(),
                })
            }
            _ => Ok(()),
        }
    }
}

/// Errors from [`GuardedResolver`]; the fetcher finds them in reqwest's error source chain.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveError {
    #[error("{host} resolves only to private addresses ({reason})")]
    Blocked { host: String, reason: String },
    #[error("DNS lookup for {host} failed: {source}")]
    Lookup {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("DNS lookup for {host} returned no address")]
    NoAddress { host: String },
}

/// Resolve `host` (a DNS name) for a connection: route, lookup, then drop private addresses
/// unless the host is exempt.
pub(crate) async fn guarded_lookup(
    guard: &Guard,
    host: &str,
) -> Result<Vec<SocketAddr>, ResolveError> {
    if let Some(addr) = guard.route(host) {
        return Ok(vec![addr]);
    }
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|source| ResolveError::Lookup {
            host: host.to_string(),
            source,
        })?
        .collect();
    if found.is_empty() {
        return Err(ResolveError::NoAddress {
            host: host.to_string(),
        });
    }
    if guard.is_exempt(host) || guard.is_proxy(host) {
        return Ok(found);
    }
    let (private, public): (Vec<_>, Vec<_>) = found
        .into_iter()
        .partition(|a| private_reason(a.ip()).is_some());
    if public.is_empty() {
        let reason = private
            .first()
            .and_then(|a| private_reason(a.ip()).map(|r| format!("{r} address {}", a.ip())))
            .unwrap_or_default();
        tracing::info!(host, %reason, "not connecting to a private address");
        return Err(ResolveError::Blocked {
            host: host.to_string(),
            reason,
        });
    }
    Ok(public)
}

/// The client's DNS resolver: `--resolve` routes first, then the system resolver, judged by
/// the guard.
pub(crate) struct GuardedResolver {
    guard: Arc<Guard>,
}

impl GuardedResolver {
    pub(crate) fn new(guard: Arc<Guard>) -> GuardedResolver {
        GuardedResolver { guard }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = Arc::clone(&self.guard);
        Box::pin(async move {
            let addrs = guarded_lookup(&guard, name.as_str()).await?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_url_blocks_literals_and_localhost() {
        let guard = Guard::new(false, HashMap::new());
        for url in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://localhost/",
            "http://a.localhost/",
            "http://192.168.0.1/",
        ] {
            let url = Url::parse(url).unwrap();
            assert!(
                matches!(guard.check_url(&url), Err(FetchFailure::Blocked { .. })),
                "{url}"
            );
        }
        assert!(guard
            .check_url(&Url::parse("http://218.95.179.142/").unwrap())
            .is_ok());
        assert!(guard
            .check_url(&Url::parse("http://www.gov.cn/").unwrap())
            .is_ok());
        guard.trust("127.0.0.1");
        guard.trust("[::1]");
        assert!(guard
            .check_url(&Url::parse("http://127.0.0.1:8080/").unwrap())
            .is_ok());
        assert!(guard
            .check_url(&Url::parse("http://[::1]/").unwrap())
            .is_ok());
        let open = Guard::new(true, HashMap::new());
        assert!(open
            .check_url(&Url::parse("http://10.0.0.1/").unwrap())
            .is_ok());
    }

    #[test]
    fn routes_parse_and_reject_garbage() {
        let routes = parse_routes(&[
            "WWW.nxep.gov.cn=127.0.0.1:8080".into(),
            "v6.cn=[::1]:80".into(),
        ])
        .unwrap();
        assert_eq!(routes["www.nxep.gov.cn"], "127.0.0.1:8080".parse().unwrap());
        assert_eq!(routes["v6.cn"], "[::1]:80".parse().unwrap());
        for bad in [
            "nohost",
            "=127.0.0.1:80",
            "h.cn=127.0.0.1",
            "h.cn=nowhere:80",
            "h.cn:80:127.0.0.1",
        ] {
            assert!(
                matches!(parse_routes(&[bad.into()]), Err(FetchError::Resolve { .. })),
                "{bad}"
            );
        }
    }

    #[tokio::test]
    async fn resolver_blocks_names_of_private_addresses() {
        let guard = Guard::new(false, HashMap::new());
        let err = guarded_lookup(&guard, "localhost").await.unwrap_err();
        assert!(matches!(err, ResolveError::Blocked { .. }), "{err}");
        guard.trust("localhost");
        assert!(!guarded_lookup(&guard, "localhost")
            .await
            .unwrap()
            .is_empty());
    }

    #[test]
    fn check_url_judges_every_spelling_of_a_literal() {
        let guard = Guard::new(false, HashMap::new());
        for url in [
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://0x7f.1/",
            "http://127.1/",
            "http://127.0.0.1./",
            "http://[::7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:7f00:1::]/",
            "http://100.100.100.200/latest/meta-data/",
            "http://LOCALHOST./",
        ] {
            let parsed = Url::parse(url).unwrap();
            assert!(
                matches!(guard.check_url(&parsed), Err(FetchFailure::Blocked { .. })),
                "{url} (parsed as {parsed})"
            );
        }
    }

    #[test]
    fn a_proxy_host_is_not_a_trusted_target() {
        let guard = Guard::new(false, HashMap::new());
        guard.allow_proxy("127.0.0.1");
        guard.allow_proxy("localhost");
        for url in ["http://127.0.0.1:22/", "http://localhost:22/"] {
            let parsed = Url::parse(url).unwrap();
            assert!(
                matches!(guard.check_url(&parsed), Err(FetchFailure::Blocked { .. })),
                "{url}"
            );
        }
    }

    #[tokio::test]
    async fn the_resolver_connects_to_a_proxy_host() {
        let guard = Guard::new(false, HashMap::new());
        guard.allow_proxy("localhost");
        assert!(!guarded_lookup(&guard, "localhost")
            .await
            .unwrap()
            .is_empty());
        assert!(!guard.is_exempt("localhost"));
    }

    #[tokio::test]
    async fn resolver_uses_routes_first() {
        let routes = parse_routes(&["www.nxep.gov.cn=127.0.0.1:4321".into()]).unwrap();
        let guard = Guard::new(false, routes);
        let addrs = guarded_lookup(&guard, "WWW.NXEP.GOV.CN").await.unwrap();
        assert_eq!(addrs, vec!["127.0.0.1:4321".parse().unwrap()]);
        assert!(guard.is_exempt("www.nxep.gov.cn"));
    }
}
