//! Benchmark (a bench target, not run by `cargo test`): rounds of the simulated 2018 Q1 Ningxia
//! province with the default politeness through the real pipeline on loopback. Run with
//! `scripts/bench-province.sh`; figures in `docs/benchmarks.md`.

// A bench target sees every dependency and dev-dependency of the package and uses few of them.
#![allow(unused_crate_dependencies)]

#[path = "../support/mod.rs"]
mod support;

use std::time::Instant;

use govaudit::audit::Auditor;
use govaudit::config::HostOverride;
use govaudit::rounds;
use govaudit::sim::province::Province;
use govaudit::sim::{SimServer, SERVICE_HOSTS};
use govaudit::store::Store;
use support::province::{busiest_host, import, plan, proxy_config};

/// One round with the default politeness (2 req/s, 2 in flight per host): under 2 minutes.
/// About a minute a round: `scripts/bench-province.sh` runs it. `PROVINCE_ROUNDS`
/// (default `1`; e.g. `1,2` for the whole quarter, as the demo runs it) picks the rounds;
/// `PROVINCE_SERVICE_RATE` (req/s) overrides the politeness of the identifier-service hosts;
/// `PROVINCE_SITES_AT_ONCE` (default 256, i.e. a whole round) bounds the sites audited at once.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let province = Province::ningxia_2018q1().expect("province");
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("b.db")).await.expect("db");
    import(&store, &province).await;
    let wanted: Vec<usize> = std::env::var("PROVINCE_ROUNDS")
        .unwrap_or_else(|_| "1".into())
        .split(',')
        .filter_map(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=province.rounds.len()).contains(n))
        .collect();
    let server = SimServer::start(province.scenario(), province.rounds[0].as_of)
        .await
        .expect("server");
    let mut cfg = proxy_config(&server, true);
    if let Some(rate) = std::env::var("PROVINCE_SERVICE_RATE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        for h in SERVICE_HOSTS {
            cfg.fetch.hosts.insert(
                h.to_string(),
                HostOverride {
                    rate: Some(rate),
                    concurrency: Some(8),
                },
            );
        }
    }
    let auditor = Auditor::from_config(&cfg).expect("auditor");
    let at_once: usize = std::env::var("PROVINCE_SITES_AT_ONCE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let all = Instant::now();
    for round_no in wanted {
        let i = round_no - 1;
        let as_of = province.rounds[i].as_of;
        server.set_as_of(as_of);
        server.reset_stats();
        let round = plan(&store, &province, dir.path(), i).await;
        let started = Instant::now();
        let summary = rounds::run_round(&auditor, &store, &round, as_of, at_once, |_| {})
            .await
            .expect("run");
        let took = started.elapsed();
        let (host, hits) = busiest_host(&server);
        let mut services: Vec<(String, usize)> = server
            .all_host_stats()
            .into_iter()
            .filter(|(h, _)| SERVICE_HOSTS.contains(&h.as_str()))
            .map(|(h, s)| (h, s.hits))
            .collect();
        services.sort();
        eprintln!(
            "polite round {round_no}: {} sites in {took:.1?}, {} failed; busiest site host {host}: {hits} requests; service hosts: {services:?}",
            round.sites, summary.failed
        );
        assert!(took.as_secs() < 120, "round {round_no} took {took:?}");
    }
    eprintln!("polite rounds in total: {:.1?}", all.elapsed());
}
