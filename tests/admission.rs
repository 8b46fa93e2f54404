//! How many sites of a round run at once (src/rounds/admission.rs), on loopback: with an idle
//! global cap every site starts at once, however many; the `sites_at_once` ceiling is never
//! passed; and a saturated cap stops new sites from starting.

use crate::support;

use chrono::NaiveDate;
use govaudit::audit::Auditor;
use govaudit::config::Config;
use govaudit::registry;
use govaudit::rounds::{self, admission::HEADROOM, PlanOptions};
use govaudit::sim::SimServer;
use govaudit::store::Store;

const AS_OF: &str = "2018-03-01";

/// Serve `n` tiny sites, import them and plan a round of all of them.
async fn round_of(n: usize, dir: &std::path::Path) -> (SimServer, Store, rounds::Round) {
    let as_of: NaiveDate = AS_OF.parse().expect("date");
    let server = SimServer::start(support::tiny_sites(n), as_of)
        .await
        .expect("server");
    let csv = dir.join("registry.csv");
    std::fs::write(&csv, support::registry_csv(&server)).expect("registry");
    let store = Store::open(&dir.join("a.db")).await.expect("db");
    let sites = registry::load_file(&csv).expect("load");
    registry::import(&store, &sites).await.expect("import");
    let opts = PlanOptions {
        month: "2018-03".into(),
        ratio: 1.0,
        seed: 1,
        profile: "gb2015".into(),
        as_of: Some(as_of),
    };
    let (round, _) = rounds::plan_sample(&store, &opts).await.expect("plan");
    assert_eq!(round.sites, n);
    (server, store, round)
}

fn config(server: &SimServer) -> Config {
    let mut cfg = Config::default();
    cfg.fetch.proxy = Some(server.proxy_url());
    cfg.fetch.timeout_secs = 30.0;
    cfg
}

#[tokio::test(flavor = "multi_thread")]
async fn with_an_idle_cap_every_site_starts_at_once() {
    // Default politeness: each site needs ≥ 5 s (11 requests at 2/s) and 2.2 requests/s of the
    // cap, so 300 sites never fill 64 slots: all run together, not in waves of a fixed size.
    let dir = tempfile::tempdir().expect("tmp");
    let (server, store, round) = round_of(300, dir.path()).await;
    let auditor = Auditor::from_config(&config(&server)).expect("auditor");
    let as_of = AS_OF.parse().expect("date");
    let summary = rounds::run_round(&auditor, &store, &round, as_of, 10_000, |_| {})
        .await
        .expect("run");
    assert_eq!(summary.audited, 300);
    assert_eq!(summary.peak_sites_at_once, 300);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ceiling_is_never_passed() {
    let dir = tempfile::tempdir().expect("tmp");
    let (server, store, round) = round_of(30, dir.path()).await;
    let mut cfg = config(&server);
    cfg.fetch.host_rate = 0.0;
    let auditor = Auditor::from_config(&cfg).expect("auditor");
    let as_of = AS_OF.parse().expect("date");
    let summary = rounds::run_round(&auditor, &store, &round, as_of, 4, |_| {})
        .await
        .expect("run");
    assert_eq!(summary.audited, 30);
    assert_eq!(summary.peak_sites_at_once, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saturated_cap_starts_no_more_sites_than_it_can_serve() {
    // One request in flight overall and no per-host pacing: every running site is either in
    // flight or waiting for the one slot, so demand, and with it the sites started, stays near
    // HEADROOM × the cap instead of all 120 at once.
    let dir = tempfile::tempdir().expect("tmp");
    let (server, store, round) = round_of(120, dir.path()).await;
    let mut cfg = config(&server);
    cfg.fetch.host_rate = 0.0;
    cfg.fetch.concurrency = 1;
    let auditor = Auditor::from_config(&cfg).expect("auditor");
    let as_of = AS_OF.parse().expect("date");
    let summary = rounds::run_round(&auditor, &store, &round, as_of, 10_000, |_| {})
        .await
        .expect("run");
    assert_eq!(summary.audited, 120);
    assert!(
        summary.peak_sites_at_once <= 4 * HEADROOM,
        "{} sites ran at once with one slot",
        summary.peak_sites_at_once
    );
}
