//! Stage 1 — fetch: a polite, rate-limited HTTP client for fragile government servers.
//!
//! Per-host politeness (token bucket + in-flight cap, overridable per host), a global cap,
//! timeouts, retries with backoff (honouring `Retry-After`), manual redirects with a cap and
//! loop detection, a body size cap, charset decoding (BOM → header → meta → chardetng), URL
//! normalisation and site scope, robots.txt policy, proxy / `--resolve` routing and an SSRF
//! guard. Every HTTP request made is returned as a [`RequestRecord`] for the request log, and
//! recorded in the running audit's evidence capture when it has one ([`crate::archive::record`]).
//! A fetcher built with [`Fetcher::replaying`] answers every request from an archived capture
//! instead of the network (re-evaluation).

pub mod charset;
mod client;
mod guard;
mod politeness;
mod private;
mod probe;
mod robots;
pub mod urls;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::FetchConfig;

pub use charset::{decode_html, Decoded};
pub use politeness::GlobalLoad;
pub use probe::{Probe, ProbeOutcome};
pub use urls::{normalize, SiteScope};

/// Errors building a [`Fetcher`] from configuration.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// `fetch.proxy` is not a proxy URL reqwest accepts.
    #[error("invalid proxy URL {url}: {message}")]
    Proxy {
        /// The proxy URL as configured.
        url: String,
        /// reqwest's reason.
        message: String,
    },
    /// A `resolve` entry is not `HOST=IP:PORT`.
    #[error("invalid --resolve entry {entry:?}: expected HOST=IP:PORT")]
    Resolve {
        /// The entry as given.
        entry: String,
    },
    /// The HTTP client could not be built (a timeout that is not a positive number of
    /// seconds, or a TLS setup error); the reason.
    #[error("cannot build HTTP client: {0}")]
    Client(String),
}

/// Why a fetch did not produce a usable response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FetchFailure {
    /// The final response (after redirects and retries) was not a success.
    #[error("HTTP {status}")]
    Status {
        /// Its HTTP status code.
        status: u16,
    },
    /// No answer in time (`fetch.timeout_secs`, or the connect timeout).
    #[error("timeout after {secs} s")]
    Timeout {
        /// The request timeout (`fetch.timeout_secs`), in whole seconds, rounded up.
        secs: u64,
    },
    /// The host name did not resolve.
    #[error("DNS failure: {message}")]
    Dns {
        /// The resolver's error.
        message: String,
    },
    /// The host refused the connection.
    #[error("connection refused: {message}")]
    Refused {
        /// The error chain, in words.
        message: String,
    },
    /// The connection failed or broke (reset, closed, TLS error, body cut off).
    #[error("connection error: {message}")]
    Connect {
        /// The error chain, in words.
        message: String,
    },
    /// More redirect hops than `fetch.max_redirects`.
    #[error("too many redirects (more than {max})")]
    TooManyRedirects {
        /// The `fetch.max_redirects` exceeded.
        max: usize,
    },
    /// A redirect led back to a URL already in the chain.
    #[error("redirect loop at {url}")]
    RedirectLoop {
        /// The URL seen twice.
        url: String,
    },
    /// Not requested: the host resolves to a private address (SSRF guard).
    #[error("not fetched: {url} is a private address ({reason})")]
    Blocked {
        /// The URL refused.
        url: String,
        /// Which address, and why it is private.
        reason: String,
    },
    /// Not requested: robots.txt disallows the path for our user agent.
    #[error("disallowed by robots.txt")]
    RobotsDisallowed,
    /// Not requested: the scheme is not `http` or `https`.
    #[error("unsupported URL scheme: {scheme}")]
    Scheme {
        /// The scheme found (`ftp`, `javascript` …).
        scheme: String,
    },
    /// Anything else (a URL with no host, a bad redirect `Location`, an unclassified
    /// client error).
    #[error("{message}")]
    Other {
        /// What went wrong, in words.
        message: String,
    },
}

impl FetchFailure {
    /// The HTTP status, when the failure is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchFailure::Status { status } => Some(*status),
            _ => None,
        }
    }
}

/// One HTTP request as it went over the wire (retries and redirect hops each get one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// The URL requested.
    pub url: String,
    /// HTTP method (`GET`, `HEAD`).
    pub method: String,
    /// HTTP status received; `None` when no response came (see `error`).
    pub status: Option<u16>,
    /// Wall time of the request, body included, in milliseconds (politeness wait excluded).
    pub elapsed_ms: u64,
    /// Body bytes read (0 when the body was not asked for or not read).
    pub bytes: u64,
    /// Why no response came, in words; `None` when one did.
    pub error: Option<String>,
    /// When the request was sent (after the politeness wait).
    pub at: DateTime<Utc>,
}

/// Where the charset used to decode a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    /// A byte order mark at the start of the body.
    Bom,
    /// The `charset` of the `Content-Type` response header.
    Header,
    /// A `<meta charset>` or `<meta http-equiv="Content-Type">` in the page.
    Meta,
    /// None declared: chardetng's guess from the bytes.
    Guess,
}

/// A decoded HTML page.
#[derive(Debug, Clone)]
pub struct Page {
    /// URL after redirects.
    pub url: Url,
    /// HTTP status of the final response (always 2xx: any other is a failure).
    pub status: u16,
    /// The `Content-Type` response header, if sent.
    pub content_type: Option<String>,
    /// Body decoded to UTF-8.
    pub html: String,
    /// Encoding used (`UTF-8`, `GBK`, `gb18030` …).
    pub encoding: &'static str,
    /// Where `encoding` came from.
    pub charset_source: CharsetSource,
    /// Raw bytes received (after the size cap).
    pub bytes: usize,
    /// The body was cut at `max_body_bytes`.
    pub truncated: bool,
    /// The body slot this page holds until it is dropped ([`Fetcher::page`]).
    _slot: Option<std::sync::Arc<tokio::sync::OwnedSemaphorePermit>>,
}

/// The outcome of fetching a page.
#[derive(Debug)]
pub struct PageFetch {
    /// The page, or why there is none.
    pub result: Result<Page, FetchFailure>,
    /// Attempts made for the final URL (1 + retries).
    pub attempts: u32,
    /// Every request made for it (robots.txt the first time its origin is asked, redirect
    /// hops, retries), in order.
    pub log: Vec<RequestRecord>,
}

/// The outcome of checking a link (HEAD, falling back to GET).
#[derive(Debug)]
pub struct LinkCheck {
    /// The link checked, as given.
    pub url: Url,
    /// The final status on success (2xx/3xx resolved), or the failure.
    pub result: Result<u16, FetchFailure>,
    /// Every request made for it (HEAD, the GET fallback, redirects, retries), in order.
    pub log: Vec<RequestRecord>,
}

/// The polite HTTP client shared by all audits of a run.
///
/// How long an idle keep-alive connection is kept: several times the default host interval
/// (0.5 s), so a site keeps its connection while it is audited.
const POOL_IDLE: std::time::Duration = std::time::Duration::from_millis(1500);

/// The most requests any host may have in flight (the default or a host's override).
fn max_host_concurrency(cfg: &FetchConfig) -> usize {
    cfg.hosts
        .values()
        .filter_map(|o| o.concurrency)
        .chain([cfg.host_concurrency])
        .max()
        .unwrap_or(1)
        .max(1)
}

/// `Send + Sync`: share it behind an [`Arc`] between tasks; politeness, the robots.txt cache
/// and trusted hosts are shared by all of them.
pub struct Fetcher {
    cfg: FetchConfig,
    client: reqwest::Client,
    politeness: politeness::Politeness,
    /// Body slots, `concurrency` of them: a body read into memory takes one when its first
    /// byte is read and keeps it, in its [`Page`], until the page is dropped, so the bodies in
    /// memory (downloading, waiting to be analysed, being analysed) are never more than the
    /// requests allowed in flight, however slowly they are analysed (`docs/memory.md`).
    bodies: Arc<tokio::sync::Semaphore>,
    guard: Arc<guard::Guard>,
    robots: robots::RobotsCache,
    /// When set, every request is answered from the archive and none goes to the network
    /// ([`Fetcher::replaying`]).
    replay: Option<Arc<crate::archive::Replay>>,
}

impl Fetcher {
    /// Build a fetcher from configuration.
    ///
    /// Fails on an invalid `proxy`, an invalid `resolve` entry (`HOST=IP:PORT`) or timeouts
    /// that are not positive numbers of seconds.
    pub fn new(cfg: &FetchConfig) -> Result<Fetcher, FetchError> {
        let routes = guard::parse_routes(&cfg.resolve)?;
        let guard = Arc::new(guard::Guard::new(cfg.allow_private, routes));
        let secs = |name: &str, v: f64| {
            Duration::try_from_secs_f64(v)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    FetchError::Client(format!(
                        "{name} must be a positive number of seconds, not {v}"
                    ))
                })
        };
        let mut builder = reqwest::Client::builder()
            .user_agent(cfg.user_agent.as_str())
            .timeout(secs("timeout_secs", cfg.timeout_secs)?)
            .connect_timeout(secs("connect_timeout_secs", cfg.connect_timeout_secs)?)
            .redirect(reqwest::redirect::Policy::none())
            // A round talks to thousands of hosts, each for a few seconds: idle connections
            // are kept only as long as the host's next request may take, and never more than
            // it may have in flight, so finished sites do not hold sockets and buffers.
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(max_host_concurrency(cfg))
            .default_headers(client::default_headers())
            .dns_resolver(Arc::new(guard::GuardedResolver::new(Arc::clone(&guard))));
        if let Some(proxy_url) = &cfg.proxy {
            let proxy = reqwest::Proxy::all(proxy_url.as_str()).map_err(|e| FetchError::Proxy {
                url: proxy_url.clone(),
                message: e.to_string(),
            })?;
            trust_proxy_host(&guard, proxy_url);
            builder = builder.proxy(proxy);
        } else {
            // reqwest reads these itself (we never call `no_proxy`); the guard must let the
            // client reach the proxy.
            for var in [
                "HTTP_PROXY",
                "http_proxy",
                "HTTPS_PROXY",
                "https_proxy",
                "ALL_PROXY",
                "all_proxy",
            ] {
                if let Ok(value) = std::env::var(var) {
                    trust_proxy_host(&guard, &value);
                }
            }
        }
        let client = builder
            .build()
            .map_err(|e| FetchError::Client(client::error_chain(&e)))?;
        Ok(Fetcher {
            cfg: cfg.clone(),
            client,
            politeness: politeness::Politeness::new(cfg),
            bodies: Arc::new(tokio::sync::Semaphore::new(cfg.concurrency.max(1))),
            guard,
            robots: robots::RobotsCache::default(),
            replay: None,
        })
    }

    /// A fetcher that answers every request from an archived capture and makes **no network
    /// request**: the code above the wire (redirects, retries, robots.txt, body cap, charset
    /// decoding, link checks) is the live one, so a re-evaluation reads the pages exactly as
    /// the audit did. Politeness waits and retry back-offs are skipped (nothing to be polite
    /// to).
    ///
    /// # Errors
    ///
    /// As [`Fetcher::new`], for the settings in `cfg`.
    pub fn replaying(
        cfg: &FetchConfig,
        replay: Arc<crate::archive::Replay>,
    ) -> Result<Fetcher, FetchError> {
        let mut fetcher = Fetcher::new(cfg)?;
        fetcher.replay = Some(replay);
        Ok(fetcher)
    }

    /// Whether this fetcher replays an archive ([`Fetcher::replaying`]).
    pub fn is_replaying(&self) -> bool {
        self.replay.is_some()
    }

    /// Mark a host as given by the user: exempt from the private-address guard.
    ///
    /// Accepts a host name or IP, with or without a port (`www.nxep.gov.cn`, `127.0.0.1:8080`,
    /// `[::1]`, `::1`) or a URL, whose host is taken. The port is ignored: trust is per host.
    /// The audit must call this for each site it was asked to audit, so that a registered site
    /// on a private address (an intranet audit) can be fetched.
    pub fn trust_host(&self, host: &str) {
        let host = host.trim();
        let parsed = if host.contains("://") {
            Url::parse(host).ok()
        } else {
            Url::parse(&format!("http://{host}")).ok()
        };
        match parsed.as_ref().and_then(Url::host_str) {
            Some(h) => self.guard.trust(h),
            None => self.guard.trust(host),
        }
    }

    /// The current rate limit for `host`, in requests per second (0 = unlimited): the
    /// configured rate, lowered by robots.txt `Crawl-delay` once that has been read.
    pub fn host_rate(&self, host: &str) -> f64 {
        self.politeness.rate(host)
    }

    /// The `Crawl-delay` robots.txt asked of `host` and the delay used instead, when the
    /// asked one was longer than `fetch.max_crawl_delay_secs` (once robots.txt has been read).
    pub fn capped_crawl_delay(&self, host: &str) -> Option<(Duration, Duration)> {
        self.politeness.capped_crawl_delay(host)
    }

    /// How busy the global cap is now (a round starts more sites only while it has room).
    pub fn global_load(&self) -> GlobalLoad {
        self.politeness.global_load()
    }

    /// GET a page: politeness, retries, redirects, size cap, charset decoding.
    ///
    /// Success means a final 2xx response; any other final status is
    /// `FetchFailure::Status`. The page holds one of the `concurrency` body slots until it is
    /// dropped: drop it (not only its `html`) before asking for another page, or a caller that
    /// holds pages while it waits for more can run out of slots.
    pub async fn page(&self, url: &Url) -> PageFetch {
        let mut log = Vec::new();
        let cap = self.cfg.max_body_bytes;
        let (result, attempts) = self
            .follow(reqwest::Method::GET, url, Some(cap), &mut log)
            .await;
        let result = result.and_then(|(final_url, reply)| {
            if !(200..300).contains(&reply.status) {
                return Err(FetchFailure::Status {
                    status: reply.status,
                });
            }
            let content_type = reply.content_type();
            let decoded = decode_html(&reply.body, content_type.as_deref());
            Ok(Page {
                url: final_url,
                status: reply.status,
                content_type,
                html: decoded.text,
                encoding: decoded.encoding.name(),
                charset_source: decoded.source,
                bytes: reply.body.len(),
                truncated: reply.truncated,
                _slot: reply.slot.map(std::sync::Arc::new),
            })
        });
        PageFetch {
            result,
            attempts,
            log,
        }
    }

    /// Check that a link opens: HEAD, falling back to GET when HEAD is refused or hangs.
    ///
    /// HEAD goes first (with the usual redirects, and retries for 5xx and 429, but a single
    /// attempt when it times out). A final status below 400 is success. Because many servers
    /// mishandle HEAD, the link is checked again with GET (headers only; the body is
    /// discarded) when HEAD ends in any 4xx except 429, in 500 or 501, in a timeout (servers
    /// whose HEAD never answers while GET works), or in a connection error (reset, closed); the
    /// GET result, with its own retries, is then the answer. 429, 502–504, DNS failure,
    /// refusal, redirect problems, the SSRF guard and robots.txt are final after HEAD: a GET
    /// would not fare better and only adds load.
    pub async fn check_link(&self, url: &Url) -> LinkCheck {
        let mut log = Vec::new();
        let head = self.probe(reqwest::Method::HEAD, url, &mut log).await;
        let retry_with_get = match &head {
            Err(FetchFailure::Status { status }) => (400..=501).contains(status) && *status != 429,
            Err(FetchFailure::Connect { .. } | FetchFailure::Timeout { .. }) => true,
            _ => false,
        };
        let result = if retry_with_get {
            tracing::debug!(%url, "HEAD failed, checking again with GET");
            self.probe(reqwest::Method::GET, url, &mut log).await
        } else {
            head
        };
        LinkCheck {
            url: url.clone(),
            result,
            log,
        }
    }

    async fn probe(
        &self,
        method: reqwest::Method,
        url: &Url,
        log: &mut Vec<RequestRecord>,
    ) -> Result<u16, FetchFailure> {
        let (result, _) = self.follow(method, url, None, log).await;
        let (_, reply) = result?;
        if reply.status < 400 {
            Ok(reply.status)
        } else {
            Err(FetchFailure::Status {
                status: reply.status,
            })
        }
    }
}

/// Let the resolver reach a proxy's host (which may well be private: a proxy on loopback or
/// the office network). The host is not trusted as a target.
fn trust_proxy_host(guard: &guard::Guard, proxy_url: &str) {
    let parsed = Url::parse(proxy_url).or_else(|_| Url::parse(&format!("http://{proxy_url}")));
    if let Some(host) = parsed.ok().as_ref().and_then(Url::host_str) {
        guard.allow_proxy(host);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetcher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Fetcher>();
        assert_send_sync::<Arc<Fetcher>>();
    }

    #[test]
    fn bad_settings_are_errors() {
        let resolve = FetchConfig {
            resolve: vec!["www.nxep.gov.cn".into()],
            ..FetchConfig::default()
        };
        assert!(matches!(
            Fetcher::new(&resolve),
            Err(FetchError::Resolve { .. })
        ));
        let proxy = FetchConfig {
            proxy: Some("http://[bad".into()),
            ..FetchConfig::default()
        };
        assert!(matches!(
            Fetcher::new(&proxy),
            Err(FetchError::Proxy { .. })
        ));
        let timeout = FetchConfig {
            timeout_secs: -1.0,
            ..FetchConfig::default()
        };
        assert!(matches!(Fetcher::new(&timeout), Err(FetchError::Client(_))));
        assert!(Fetcher::new(&FetchConfig::default()).is_ok());
    }
}
