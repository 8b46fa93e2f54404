//! Round-scale benchmark (`#[ignore]`d; run with `scripts/bench-round.sh`): a round of
//! `ROUND_SITES` tiny simulated sites (default 1,000; the country runs about 14,000) audited
//! through the sim proxy with the default politeness (2 req/s and 2 in flight per host, 64 in
//! flight overall), all sites at once (`ROUND_SITES_AT_ONCE` to lower it).
//!
//! Prints the wall time against the politeness bound — the busiest host's requests (after the
//! first, which needs no token) ÷ its rate
//! (no schedule can beat it) and total requests ÷ the global cap × the mean request time, the
//! bound the global cap sets — and the process's peak RSS (VmHWM).

use std::fmt::Write;
use std::time::Instant;

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};
use govaudit::audit::Auditor;
use govaudit::config::Config;
use govaudit::sim::{Scenario, SimServer};
use url::Url;

/// `n` tiny sites: a homepage and two columns of 3 items each.
fn tiny_sites(n: usize) -> Scenario {
    let mut toml = String::new();
    for i in 0..n {
        let _ = write!(
            toml,
            "[[site]]\nname = \"测试网站{i}\"\nhost = \"www.s{i}.scale.gov.cn\"\n\
             [[site.column]]\nname = \"工作动态\"\nslug = \"gzdt\"\nitems = 3\nhome = true\n\
             [[site.column]]\nname = \"通知公告\"\nslug = \"tzgg\"\nitems = 3\n\n"
        );
    }
    Scenario::from_toml(&toml, "round_scale").expect("generated scenario")
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: scripts/bench-round.sh"]
async fn a_round_of_many_tiny_sites_is_bounded_by_politeness() {
    let n = env_usize("ROUND_SITES", 1000);
    let at_once = env_usize("ROUND_SITES_AT_ONCE", n);
    let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
    let server = SimServer::start(tiny_sites(n), as_of)
        .await
        .expect("server");
    let mut cfg = Config::default();
    cfg.fetch.proxy = Some(server.proxy_url());
    cfg.fetch.timeout_secs = 30.0;
    let rate = cfg.fetch.host_rate;
    let cap = cfg.fetch.concurrency;
    let auditor = Auditor::from_config(&cfg).expect("auditor");
    let urls: Vec<Url> = server
        .sites()
        .into_iter()
        .filter_map(|(_, url)| Url::parse(&url).ok())
        .collect();
    assert_eq!(urls.len(), n);

    let started = Instant::now();
    let (audited, requests, busy_ms) = stream::iter(&urls)
        .map(|u| {
            let auditor = &auditor;
            async move { auditor.audit(u, as_of).await }
        })
        .buffer_unordered(at_once.max(1))
        .fold((0usize, 0usize, 0u64), |(a, r, ms), result| async move {
            let log = &result.requests;
            let spent: u64 = log.iter().map(|q| q.elapsed_ms).sum();
            (a + 1, r + log.len(), ms + spent)
        })
        .await;
    let wall = started.elapsed().as_secs_f64();

    let stats = server.all_host_stats();
    let (busiest, hits) = stats
        .iter()
        .map(|(h, s)| (h.clone(), s.hits))
        .max_by_key(|(_, hits)| *hits)
        .unwrap_or_default();
    // A bucket with a burst of one: the first request goes at once, each next one 1/rate later.
    let host_bound = hits.saturating_sub(1) as f64 / rate;
    let cap_bound = busy_ms as f64 / 1000.0 / cap as f64;
    let bound = host_bound.max(cap_bound);
    eprintln!(
        "round of {audited} sites ({at_once} at once), {requests} requests: {wall:.1} s; \
         politeness bound {bound:.1} s (busiest host {busiest}: {hits} requests / {rate} req/s \
         = {host_bound:.1} s; global cap {cap}: {cap_bound:.1} s); ratio {:.2}; peak RSS {:.0} MB",
        wall / bound,
        peak_rss_mb()
    );
    assert_eq!(audited, n);
}
