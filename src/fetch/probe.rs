//! One availability probe (监测访问) of a homepage, the way the national test counts it:
//! 「超过（含）15秒网站仍打不开」 is one failed access.
//!
//! A probe is one GET, with no retry (a retry would hide the failure the standard counts),
//! following the homepage's redirects as a browser does, each hop through the SSRF guard and
//! the host's politeness permit. The time limit covers the whole access — connect, first byte
//! and body of every hop — but not the wait for a politeness permit, which is our own pacing
//! and not the site's slowness. robots.txt is not read: a homepage probe is what any visitor
//! does, and its `Crawl-delay` cannot matter at one request per slot.

use std::time::{Duration, Instant};

use reqwest::header::LOCATION;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use url::Url;

use super::client::is_redirect;
use super::urls::normalize;
use super::{FetchFailure, Fetcher};

/// How a probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeOutcome {
    /// The homepage opened: a 2xx answer, body read, within the limit.
    Ok,
    /// Not opened within the limit.
    Timeout,
    /// Connection refused.
    Refused,
    /// The host name did not resolve.
    Dns,
    /// An HTTP status other than 2xx (after redirects).
    Http,
    /// TLS handshake or certificate failure.
    Tls,
    /// Another connection failure (reset, closed).
    Connect,
    /// Redirect loop or too many redirects.
    Redirect,
    /// Not sent: the SSRF guard refused the address.
    Blocked,
    /// Anything else (bad URL, unsupported scheme …).
    Other,
}

impl ProbeOutcome {
    /// All outcomes, in a stable order.
    pub const ALL: [ProbeOutcome; 10] = [
        ProbeOutcome::Ok,
        ProbeOutcome::Timeout,
        ProbeOutcome::Refused,
        ProbeOutcome::Dns,
        ProbeOutcome::Http,
        ProbeOutcome::Tls,
        ProbeOutcome::Connect,
        ProbeOutcome::Redirect,
        ProbeOutcome::Blocked,
        ProbeOutcome::Other,
    ];

    /// The key stored in the database and shown in JSON.
    pub fn key(self) -> &'static str {
        match self {
            ProbeOutcome::Ok => "ok",
            ProbeOutcome::Timeout => "timeout",
            ProbeOutcome::Refused => "refused",
            ProbeOutcome::Dns => "dns",
            ProbeOutcome::Http => "http",
            ProbeOutcome::Tls => "tls",
            ProbeOutcome::Connect => "connect",
            ProbeOutcome::Redirect => "redirect",
            ProbeOutcome::Blocked => "blocked",
            ProbeOutcome::Other => "other",
        }
    }

    /// Parses a stored key.
    pub fn from_key(key: &str) -> Option<ProbeOutcome> {
        ProbeOutcome::ALL.into_iter().find(|o| o.key() == key)
    }

    /// Chinese label for reports.
    pub fn label(self) -> &'static str {
        match self {
            ProbeOutcome::Ok => "正常打开",
            ProbeOutcome::Timeout => "超时",
            ProbeOutcome::Refused => "连接被拒绝",
            ProbeOutcome::Dns => "域名解析失败",
            ProbeOutcome::Http => "HTTP错误",
            ProbeOutcome::Tls => "TLS/证书错误",
            ProbeOutcome::Connect => "连接中断",
            ProbeOutcome::Redirect => "重定向错误",
            ProbeOutcome::Blocked => "地址被拦截",
            ProbeOutcome::Other => "其他错误",
        }
    }

    fn of(failure: &FetchFailure) -> ProbeOutcome {
        match failure {
            FetchFailure::Status { .. } => ProbeOutcome::Http,
            FetchFailure::Timeout { .. } => ProbeOutcome::Timeout,
            FetchFailure::Dns { .. } => ProbeOutcome::Dns,
            FetchFailure::Refused { .. } => ProbeOutcome::Refused,
            FetchFailure::Connect { message } => {
                let m = message.to_ascii_lowercase();
                if ["tls", "certificate", "handshake", "ssl"]
                    .iter()
                    .any(|w| m.contains(w))
                {
                    ProbeOutcome::Tls
                } else {
                    ProbeOutcome::Connect
                }
            }
            FetchFailure::TooManyRedirects { .. } | FetchFailure::RedirectLoop { .. } => {
                ProbeOutcome::Redirect
            }
            FetchFailure::Blocked { .. } => ProbeOutcome::Blocked,
            FetchFailure::RobotsDisallowed
            | FetchFailure::Scheme { .. }
            | FetchFailure::Other { .. } => ProbeOutcome::Other,
        }
    }
}

/// The result of one probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// How the probe ended (`Ok`: the homepage opened within the limit).
    pub outcome: ProbeOutcome,
    /// The final HTTP status, when one was received.
    pub status: Option<u16>,
    /// Time spent on the wire (all hops), capped at the limit for a timeout.
    pub latency: Duration,
    /// Body bytes read.
    pub bytes: u64,
    /// The failure in words, when not `Ok`.
    pub error: Option<String>,
}

impl Fetcher {
    /// Probe a homepage once: one GET (following redirects), no retry, opened within `limit`
    /// or failed. See the module documentation.
    pub async fn probe_homepage(&self, url: &Url, limit: Duration) -> Probe {
        let mut spent = Duration::ZERO;
        let mut bytes = 0u64;
        let mut current = url.clone();
        let mut seen = vec![normalize(&current)];
        let fail = |failure: FetchFailure, spent: Duration, bytes: u64| Probe {
            outcome: ProbeOutcome::of(&failure),
            status: failure.status(),
            latency: spent,
            bytes,
            error: Some(failure.to_string()),
        };
        loop {
            if !matches!(current.scheme(), "http" | "https") {
                let scheme = current.scheme().to_string();
                return fail(FetchFailure::Scheme { scheme }, spent, bytes);
            }
            if let Err(failure) = self.guard.check_url(&current) {
                return fail(failure, spent, bytes);
            }
            let host = current.host_str().unwrap_or_default().to_string();
            let _permit = self.politeness.acquire(&host).await;
            let remaining = limit.saturating_sub(spent);
            let started = Instant::now();
            let sent = tokio::time::timeout(
                remaining,
                self.send(&Method::GET, &current, Some(self.cfg.max_body_bytes)),
            )
            .await;
            spent += started.elapsed();
            let reply = match sent {
                Err(_) => {
                    let secs = limit.as_secs_f64().ceil() as u64;
                    return fail(FetchFailure::Timeout { secs }, limit, bytes);
                }
                Ok(Err(failure)) => return fail(failure, spent.min(limit), bytes),
                Ok(Ok(reply)) => reply,
            };
            bytes += reply.body.len() as u64;
            let location = is_redirect(reply.status)
                .then(|| reply.headers.get(LOCATION))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| current.join(v.trim()).ok());
            let Some(next) = location else {
                if (200..300).contains(&reply.status) {
                    return Probe {
                        outcome: ProbeOutcome::Ok,
                        status: Some(reply.status),
                        latency: spent,
                        bytes,
                        error: None,
                    };
                }
                let status = reply.status;
                return fail(FetchFailure::Status { status }, spent, bytes);
            };
            let key = normalize(&next);
            if seen.contains(&key) {
                let url = next.to_string();
                return fail(FetchFailure::RedirectLoop { url }, spent, bytes);
            }
            if seen.len() > self.cfg.max_redirects {
                let max = self.cfg.max_redirects;
                return fail(FetchFailure::TooManyRedirects { max }, spent, bytes);
            }
            seen.push(key);
            current = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_keys_round_trip() {
        for o in ProbeOutcome::ALL {
            assert_eq!(ProbeOutcome::from_key(o.key()), Some(o));
        }
        assert_eq!(ProbeOutcome::from_key("nope"), None);
        let tls = FetchFailure::Connect {
            message: "invalid peer certificate: UnknownIssuer".into(),
        };
        assert_eq!(ProbeOutcome::of(&tls), ProbeOutcome::Tls);
        assert_eq!(
            ProbeOutcome::of(&FetchFailure::Status { status: 503 }),
            ProbeOutcome::Http
        );
    }
}
