//! SSRF guard: links and redirects from public sites must not reach private addresses.
//!
//! A page on the public internet can link or redirect to `http://127.0.0.1/`,
//! `http://192.168.1.1/` or a name that resolves there; fetching it would probe the machine
//! running the audit or its network. Such URLs are not fetched and fail with
//! [`FetchFailure::Blocked`], which the audit reports.
//!
//! Private means: loopback (127/8, ::1), RFC 1918 private (10/8, 172.16/12, 192.168/16), unique
//! local fc00::/7, link-local (169.254/16, fe80::/10), unspecified (0.0.0.0/8, ::) and the name
//! `localhost` (and `*.localhost`). IPv4-mapped IPv6 addresses are judged as their IPv4 address.
//!
//! Exempt, because the user chose them: every host when `allow_private` is set, hosts given to
//! [`Fetcher::trust_host`](super::Fetcher::trust_host), hosts routed with `--resolve`, and the
//! proxy's own host.
//!
//! Judging happens in two places. IP-literal hosts and `localhost` are judged before the
//! request ([`Guard::check_url`]). DNS names are judged inside [`GuardedResolver`], the
//! client's DNS resolver, on the very addresses the connection will use, so there is no race
//! between check and use; `--resolve` routes are consulted there first. Through a proxy the
//! proxy resolves names, so only IP literals and `localhost` can be judged.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::{FetchError, FetchFailure};

/// Why an address counts as private, or `None` for a public address.
pub(crate) fn private_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_reason(v4),
            None => v6_reason(v6),
        },
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private network")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.octets()[0] == 0 {
        Some("unspecified")
    } else {
        None
    }
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if first & 0xfe00 == 0xfc00 {
        Some("unique local (private network)")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else {
        None
    }
}

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
    routes: HashMap<String, SocketAddr>,
}

impl Guard {
    pub(crate) fn new(allow_private: bool, routes: HashMap<String, SocketAddr>) -> Guard {
        Guard {
            allow_private,
            trusted: RwLock::new(HashSet::new()),
            routes,
        }
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
    if guard.is_exempt(host) {
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

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn classifies_addresses() {
        for private in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(private_reason(ip(private)).is_some(), "{private}");
        }
        for public in [
            "218.95.179.142",
            "172.32.0.1",
            "8.8.8.8",
            "2400:3200::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(private_reason(ip(public)).is_none(), "{public}");
        }
    }

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

    #[tokio::test]
    async fn resolver_uses_routes_first() {
        let routes = parse_routes(&["www.nxep.gov.cn=127.0.0.1:4321".into()]).unwrap();
        let guard = Guard::new(false, routes);
        let addrs = guarded_lookup(&guard, "WWW.NXEP.GOV.CN").await.unwrap();
        assert_eq!(addrs, vec!["127.0.0.1:4321".parse().unwrap()]);
        assert!(guard.is_exempt("www.nxep.gov.cn"));
    }
}
