//! The request engine: one exchange, retries with backoff, manual redirects, the body cap and
//! reqwest error classification.
//!
//! Layers, innermost first:
//!
//! - [`Fetcher::exchange`]: one HTTP request. Takes a politeness permit, applies `--resolve`
//!   port routing, sends, streams the body up to the cap and appends a [`RequestRecord`].
//! - [`Fetcher::with_retries`]: repeats an exchange for timeouts, 5xx (except 501) and 429,
//!   waiting `backoff_ms · 2^(n-1)` or the `Retry-After` (whichever is longer). A
//!   `Retry-After` above `max_retry_after_secs` ends the attempts at once. Nothing else is
//!   retried: not 4xx, DNS failures, refused or reset connections, and not a HEAD that timed
//!   out (the link check asks again with GET, which has its own retries).
//! - [`Fetcher::follow`]: follows redirects by hand (301, 302, 303, 307, 308 with a
//!   `Location`), keeping the method; every hop passes the SSRF guard, robots.txt and its own
//!   retries. A URL seen twice in the chain is a [`FetchFailure::RedirectLoop`]; more than
//!   `max_redirects` hops is [`FetchFailure::TooManyRedirects`].

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::Utc;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCEPT_LANGUAGE, CONTENT_TYPE, HOST, LOCATION, RETRY_AFTER,
};
use reqwest::Method;
use url::Url;

use super::guard::ResolveError;
use super::robots::{Robots, AGENT_TOKEN, MAX_ROBOTS_BYTES};
use super::urls::normalize;
use super::{FetchFailure, Fetcher, RequestRecord};
use crate::config::RobotsPolicy;

/// Headers sent with every request besides the User-Agent.
pub(super) fn default_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        ACCEPT,
        HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"),
    );
    headers.insert(
        ACCEPT_LANGUAGE,
        HeaderValue::from_static("zh-CN,zh;q=0.9,en;q=0.5"),
    );
    headers
}

/// A response as far as we read it.
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    /// The body, when asked for and the status was 2xx; cut at the cap.
    pub(super) body: Bytes,
    pub(super) truncated: bool,
    /// The body slot the body holds (see [`Fetcher::page`]), released when it is dropped.
    pub(super) slot: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Reply {
    pub(super) fn content_type(&self) -> Option<String> {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

pub(super) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// 429 and 5xx are worth another try, except 501 Not Implemented, which is permanent by
/// definition (and is how many servers answer HEAD).
fn is_retryable_status(status: u16) -> bool {
    status == 429 || ((500..600).contains(&status) && status != 501)
}

impl Fetcher {
    /// Follow `url` through redirects. Returns the final URL and reply (any status), with the
    /// attempts made for the final URL.
    pub(super) async fn follow(
        &self,
        method: Method,
        start: &Url,
        body_cap: Option<usize>,
        log: &mut Vec<RequestRecord>,
    ) -> (Result<(Url, Reply), FetchFailure>, u32) {
        let mut url = start.clone();
        let mut seen = vec![normalize(&url)];
        let mut hops = 0usize;
        loop {
            if let Err(failure) = self.admit(&url, log).await {
                return (Err(failure), 0);
            }
            let (result, attempts) = self.with_retries(&method, &url, body_cap, log).await;
            let reply = match result {
                Ok(reply) => reply,
                Err(failure) => return (Err(failure), attempts),
            };
            let location = is_redirect(reply.status)
                .then(|| reply.headers.get(LOCATION))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string());
            let Some(location) = location else {
                return (Ok((url, reply)), attempts);
            };
            let next = match url.join(&location) {
                Ok(next) => next,
                Err(e) => {
                    let message = format!("bad redirect Location {location:?} from {url}: {e}");
                    return (Err(FetchFailure::Other { message }), attempts);
                }
            };
            hops += 1;
            let key = normalize(&next);
            if seen.contains(&key) {
                tracing::debug!(%url, %next, "redirect loop");
                return (
                    Err(FetchFailure::RedirectLoop {
                        url: next.to_string(),
                    }),
                    attempts,
                );
            }
            if hops > self.cfg.max_redirects {
                let max = self.cfg.max_redirects;
                return (Err(FetchFailure::TooManyRedirects { max }), attempts);
            }
            tracing::debug!(from = %url, to = %next, status = reply.status, "following redirect");
            seen.push(key);
            url = next;
        }
    }

    /// May `url` be requested at all: scheme, SSRF guard, robots.txt.
    async fn admit(&self, url: &Url, log: &mut Vec<RequestRecord>) -> Result<(), FetchFailure> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchFailure::Scheme {
                scheme: url.scheme().to_string(),
            });
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(FetchFailure::Other {
                message: format!("URL has no host: {url}"),
            });
        }
        self.guard.check_url(url)?;
        if self.cfg.robots == RobotsPolicy::Ignore {
            return Ok(());
        }
        let cell = self.robots.cell(url);
        let robots = cell.get_or_init(|| self.load_robots(url, log)).await;
        if self.cfg.robots == RobotsPolicy::Respect && !robots.is_allowed(url) {
            tracing::debug!(%url, "disallowed by robots.txt");
            return Err(FetchFailure::RobotsDisallowed);
        }
        Ok(())
    }

    /// Fetch and parse the robots.txt of `url`'s origin (one attempt per hop, up to five
    /// same-guarded redirects), and apply its `Crawl-delay` to the host.
    async fn load_robots(&self, url: &Url, log: &mut Vec<RequestRecord>) -> std::sync::Arc<Robots> {
        let mut robots_url = match url.join("/robots.txt") {
            Ok(u) => u,
            Err(_) => return std::sync::Arc::new(Robots::allow_all()),
        };
        let cap = MAX_ROBOTS_BYTES.min(self.cfg.max_body_bytes);
        let mut robots = Robots::allow_all();
        for _ in 0..5 {
            if self.guard.check_url(&robots_url).is_err() {
                break;
            }
            let Ok(reply) = self
                .exchange(&Method::GET, &robots_url, Some(cap), log)
                .await
            else {
                break;
            };
            let location = is_redirect(reply.status)
                .then(|| reply.headers.get(LOCATION))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .and_then(|loc| robots_url.join(loc.trim()).ok());
            match location {
                Some(next) if matches!(next.scheme(), "http" | "https") => robots_url = next,
                Some(_) => break,
                None => {
                    if (200..300).contains(&reply.status) {
                        let text = String::from_utf8_lossy(&reply.body);
                        robots = Robots::parse(&text, AGENT_TOKEN);
                    }
                    break;
                }
            }
        }
        if let (Some(delay), Some(host)) = (robots.crawl_delay(), url.host_str()) {
            let max = Duration::from_secs(self.cfg.max_crawl_delay_secs);
            self.politeness.apply_crawl_delay(host, delay, max);
        }
        std::sync::Arc::new(robots)
    }

    /// Repeat an exchange for timeouts, 5xx and 429.
    pub(super) async fn with_retries(
        &self,
        method: &Method,
        url: &Url,
        body_cap: Option<usize>,
        log: &mut Vec<RequestRecord>,
    ) -> (Result<Reply, FetchFailure>, u32) {
        let max_attempts = self.cfg.retries.saturating_add(1);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = self.exchange(method, url, body_cap, log).await;
            let backoff = self.backoff(attempt);
            let wait = match &result {
                Ok(reply) if is_retryable_status(reply.status) => {
                    match retry_after(&reply.headers) {
                        Some(asked)
                            if asked > Duration::from_secs(self.cfg.max_retry_after_secs) =>
                        {
                            tracing::info!(%url, status = reply.status, asked_secs = asked.as_secs(), "Retry-After too long, giving up");
                            None
                        }
                        Some(asked) => Some(asked.max(backoff)),
                        None => Some(backoff),
                    }
                }
                Err(FetchFailure::Timeout { .. }) if *method != Method::HEAD => Some(backoff),
                _ => None,
            };
            match wait {
                Some(wait) if attempt < max_attempts => {
                    tracing::debug!(%url, attempt, wait_ms = wait.as_millis() as u64, "retrying");
                    if self.replay.is_none() {
                        tokio::time::sleep(wait).await;
                    }
                }
                _ => return (result, attempt),
            }
        }
    }

    /// `backoff_ms · 2^(attempt-1)`.
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u64
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u64::MAX);
        Duration::from_millis(self.cfg.backoff_ms.saturating_mul(factor))
    }

    /// One HTTP request through politeness, recorded in `log`. The body is read (up to
    /// `body_cap`) only when a cap is given and the status is 2xx.
    pub(super) async fn exchange(
        &self,
        method: &Method,
        url: &Url,
        body_cap: Option<usize>,
        log: &mut Vec<RequestRecord>,
    ) -> Result<Reply, FetchFailure> {
        let host = url.host_str().unwrap_or_default();
        let _permit = match self.replay {
            Some(_) => None,
            None => Some(self.politeness.acquire(host).await),
        };
        let at = Utc::now();
        let started = Instant::now();
        let result = self.send(method, url, body_cap).await;
        if self.replay.is_none() {
            self.archive(method, url, body_cap, &result, at).await;
        }
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (status, bytes, error) = match &result {
            Ok(reply) => (Some(reply.status), reply.body.len() as u64, None),
            Err(failure) => (None, 0, Some(failure.to_string())),
        };
        tracing::debug!(%method, %url, ?status, elapsed_ms, ?error, "request");
        log.push(RequestRecord {
            url: url.to_string(),
            method: method.to_string(),
            status,
            elapsed_ms,
            bytes,
            error,
            at,
        });
        result
    }

    /// Record an exchange in the running audit's capture, if it has one
    /// ([`crate::archive::record`]).
    async fn archive(
        &self,
        method: &Method,
        url: &Url,
        body_cap: Option<usize>,
        result: &Result<Reply, FetchFailure>,
        at: chrono::DateTime<Utc>,
    ) {
        let mut request_headers = vec![("User-Agent".to_string(), self.cfg.user_agent.clone())];
        for (name, value) in &default_headers() {
            if let Ok(v) = value.to_str() {
                request_headers.push((name.as_str().to_string(), v.to_string()));
            }
        }
        let outcome = match result {
            Ok(reply) => Ok(crate::archive::Response {
                status: reply.status,
                headers: &reply.headers,
                body: &reply.body,
                truncated: reply.truncated,
            }),
            Err(failure) => Err(failure),
        };
        crate::archive::record(crate::archive::Exchange {
            method: method.as_str(),
            url,
            body_read: body_cap.is_some(),
            request_headers,
            at,
            outcome,
        })
        .await;
    }

    /// Answer a request from the archive (a replaying fetcher): the body, as archived, is
    /// cut at `body_cap` like a live one and holds a body slot the same way.
    async fn replay_send(
        &self,
        replay: &crate::archive::Replay,
        method: &Method,
        url: &Url,
        body_cap: Option<usize>,
    ) -> Result<Reply, FetchFailure> {
        let answer = replay
            .answer(method.as_str(), url.as_str(), body_cap.is_some())
            .await?;
        let mut body = answer.body;
        let mut truncated = answer.truncated;
        let mut slot = None;
        match body_cap {
            Some(cap) if (200..300).contains(&answer.status) => {
                slot = std::sync::Arc::clone(&self.bodies)
                    .acquire_owned()
                    .await
                    .ok();
                if body.len() > cap {
                    body.truncate(cap);
                    truncated = true;
                }
            }
            _ => body.clear(),
        }
        Ok(Reply {
            status: answer.status,
            headers: answer.headers,
            body: Bytes::from(body),
            truncated,
            slot,
        })
    }

    pub(super) async fn send(
        &self,
        method: &Method,
        url: &Url,
        body_cap: Option<usize>,
    ) -> Result<Reply, FetchFailure> {
        if let Some(replay) = &self.replay {
            return self.replay_send(replay, method, url, body_cap).await;
        }
        let (wire_url, host_header) = self.wire_url(url);
        let mut request = self.client.request(method.clone(), wire_url);
        if let Some(host) = host_header {
            request = request.header(HOST, host);
        }
        let classify = |e: reqwest::Error| classify(&e, url, self.cfg.timeout_secs);
        // A body is read into a body slot, taken before the request is sent: the request's
        // timeout is the server's time alone, never a wait here for a slot that pages queued
        // for analysis hold (that wait once timed out healthy pages under load). The
        // semaphore is never closed; were it, the body would only go unmetered.
        let mut slot = match body_cap {
            Some(_) => std::sync::Arc::clone(&self.bodies)
                .acquire_owned()
                .await
                .ok(),
            None => None,
        };
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        let mut truncated = false;
        if !(200..300).contains(&status) {
            slot = None;
        }
        if let (Some(cap), true) = (body_cap, (200..300).contains(&status)) {
            while let Some(chunk) = response.chunk().await.map_err(classify)? {
                let room = cap.saturating_sub(body.len());
                // Grow as a Vec does (doubling) but never past the cap: a body at the cap
                // holds `cap` bytes, not the next power of two.
                let wanted = body.len() + chunk.len().min(room);
                if wanted > body.capacity() {
                    let grown = (body.capacity() * 2).max(wanted).min(cap);
                    body.reserve_exact(grown - body.len());
                }
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    tracing::debug!(%url, cap, "body cut at max_body_bytes");
                    break;
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(Reply {
            status,
            headers,
            body: Bytes::from(body),
            truncated,
            slot,
        })
    }

    /// The URL to put on the wire and the `Host` header to send with it.
    ///
    /// A `--resolve` route overrides the port too, but hyper lets an explicit port in the URL
    /// win over the resolver's; so for a routed host with an explicit, different port we send
    /// to the route's port and keep the original `Host` header.
    fn wire_url(&self, url: &Url) -> (Url, Option<String>) {
        if let (Some(host), Some(port)) = (url.host_str(), url.port()) {
            if let Some(route) = self.guard.route(host) {
                if route.port() != port {
                    let mut wire = url.clone();
                    if wire.set_port(Some(route.port())).is_ok() {
                        return (wire, Some(format!("{host}:{port}")));
                    }
                }
            }
        }
        (url.clone(), None)
    }
}

/// Parse `Retry-After`: delay-seconds or an HTTP-date.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = date.with_timezone(&Utc) - Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// Every message in an error's source chain, joined with `: `.
pub(super) fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

/// Map a reqwest error to a [`FetchFailure`], looking through its source chain for our
/// resolver's errors and the I/O error kind.
fn classify(err: &reqwest::Error, url: &Url, timeout_secs: f64) -> FetchFailure {
    let message = error_chain(err);
    let timeout = FetchFailure::Timeout {
        secs: timeout_secs.ceil() as u64,
    };
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(resolve) = e.downcast_ref::<ResolveError>() {
            return match resolve {
                ResolveError::Blocked { reason, .. } => FetchFailure::Blocked {
                    url: url.to_string(),
                    reason: reason.clone(),
                },
                _ => FetchFailure::Dns {
                    message: resolve.to_string(),
                },
            };
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return FetchFailure::Refused { message },
                std::io::ErrorKind::TimedOut => return timeout,
                // Broken in the middle, the body too: reqwest calls a body that fails while
                // it decompresses it a decode error, but the connection is what failed.
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof => return FetchFailure::Connect { message },
                _ => {}
            }
        }
        source = e.source();
    }
    if err.is_timeout() {
        timeout
    } else if err.is_connect() || err.is_request() || err.is_body() {
        FetchFailure::Connect { message }
    } else {
        FetchFailure::Other { message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_date() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static(" 7 "));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = (Utc::now() + chrono::Duration::seconds(90))
            .to_rfc2822()
            .replace("+0000", "GMT");
        h.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(80) && d <= Duration::from_secs(90),
            "{d:?}"
        );
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
