//! The simulated 2018 Q1 Ningxia province, audited end to end through the real pipeline:
//! the generated registry imported, the seed's sample planned as two listed rounds, both rounds
//! run against the world served on loopback (as an HTTP proxy, so the IP-hosted
//! `218.95.179.142/gysfgw` is reached unchanged), and the stored results compared with the
//! notice's tables (a committed copy under tests/fixtures/seed/).
//!
//! The polite timing run (default 2 req/s per host) is `#[ignore]`d: run it with
//! `scripts/bench-province.sh`.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use govaudit::audit::Auditor;
use govaudit::config::{Config, HostOverride};
use govaudit::findings::Verdict;
use govaudit::registry::{self, SiteFilter};
use govaudit::rounds::{self, PlanOptions};
use govaudit::sim::province::{Extra, Province};
use govaudit::sim::{SimServer, SERVICE_HOSTS};
use govaudit::store::Store;
use sqlx::Row;

/// One row of the seed's attachment 1.
struct UnitRow {
    running: usize,
    sampled: usize,
    failed: usize,
}

fn seed_units() -> BTreeMap<String, UnitRow> {
    let text = std::fs::read_to_string(support::fixture("seed/units-2018q1.csv")).expect("seed");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let n = |i: usize| f[i].trim().parse::<usize>().expect("number");
            (
                f[0].to_string(),
                UnitRow {
                    running: n(1),
                    sampled: n(2),
                    failed: n(3),
                },
            )
        })
        .collect()
}

/// The seed's attachment 2: normalised URL → unit.
fn seed_problems() -> BTreeMap<String, String> {
    let path = support::fixture("seed/problem-sites-2018q1.csv");
    let text = std::fs::read_to_string(path).expect("seed");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let url = registry::parse_url(f[2]).expect("url").to_string();
            (url, f[3].to_string())
        })
        .collect()
}

/// A config that reaches the world through the server as an HTTP proxy.
fn proxy_config(server: &SimServer, polite: bool) -> Config {
    let mut cfg = Config::default();
    cfg.fetch.proxy = Some(server.proxy_url());
    cfg.fetch.timeout_secs = 10.0;
    if !polite {
        cfg.fetch.backoff_ms = 50;
        cfg.fetch.host_rate = 0.0;
        cfg.fetch.host_concurrency = 8;
    }
    cfg
}

async fn import(store: &Store, province: &Province) {
    let sites = registry::parse_csv(province.registry_csv().as_bytes(), Path::new("ningxia.csv"))
        .expect("registry parses");
    registry::import(store, &sites).await.expect("import");
}

async fn plan(store: &Store, province: &Province, dir: &Path, round: usize) -> rounds::Round {
    let r = &province.rounds[round];
    let list = dir.join(format!("round{}.txt", round + 1));
    std::fs::write(&list, province.round_list(round)).expect("write list");
    let opts = PlanOptions {
        month: r.month.clone(),
        ratio: 1.0,
        seed: 0,
        profile: "gb2015".into(),
        as_of: Some(r.as_of),
    };
    rounds::plan_list(store, &opts, &list).await.expect("plan")
}

/// Requests per simulated site host (not the identifier services): the most any host got.
fn busiest_host(server: &SimServer) -> (String, usize) {
    server
        .all_host_stats()
        .into_iter()
        .filter(|(h, _)| !SERVICE_HOSTS.contains(&h.as_str()))
        .map(|(h, s)| (h, s.hits))
        .max_by_key(|(_, n)| *n)
        .unwrap_or_default()
}

/// The committed copies equal the seed when the seed is present beside the repository.
#[test]
fn fixtures_match_the_seed_when_present() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    for name in ["units-2018q1.csv", "problem-sites-2018q1.csv"] {
        let Ok(seed) = std::fs::read_to_string(shared.join(name)) else {
            continue;
        };
        let copy =
            std::fs::read_to_string(support::fixture(&format!("seed/{name}"))).expect("fixture");
        assert_eq!(copy, seed, "{name} differs from ../shared/seed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_reproduces_the_notice() {
    let province = Province::ningxia_2018q1().expect("province");
    let seed = seed_units();
    let problems = seed_problems();
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("p.db")).await.expect("db");
    import(&store, &province).await;

    let registered = registry::list(&store, &SiteFilter::default())
        .await
        .expect("list");
    let running = registered
        .iter()
        .filter(|s| s.status == Some(registry::Status::Running))
        .count();
    assert_eq!(running, 248);
    assert_eq!(
        seed.values().map(|u| u.running).sum::<usize>(),
        248,
        "seed fixture"
    );
    for (unit, row) in &seed {
        let n = registered
            .iter()
            .filter(|s| s.unit.as_deref() == Some(unit.as_str()))
            .count();
        assert_eq!(n, row.running, "running sites of {unit}");
    }

    let first = province.rounds[0].as_of;
    let server = SimServer::start(province.scenario(), first)
        .await
        .expect("server");
    let auditor = Auditor::from_config(&proxy_config(&server, false)).expect("auditor");
    let mut rows = Vec::new();
    for i in 0..province.rounds.len() {
        let round = plan(&store, &province, dir.path(), i).await;
        let as_of: NaiveDate = province.rounds[i].as_of;
        server.set_as_of(as_of);
        server.reset_stats();
        let started = Instant::now();
        let summary = rounds::run_round(&auditor, &store, &round, as_of, 64, |_| {})
            .await
            .expect("run");
        let (host, hits) = busiest_host(&server);
        eprintln!(
            "round {} ({} sites, as of {as_of}): {:.1?}, {} failed; busiest site host {host}: {hits} requests",
            i + 1,
            round.sites,
            started.elapsed(),
            summary.failed
        );
        assert!(summary.finished);
        assert!(hits <= 60, "{host} needed {hits} requests");
        rows.extend(rounds::round_sites(&store, round.id).await.expect("rows"));
    }

    // 217 sampled, per unit as the seed.
    assert_eq!(rows.len(), 217);
    let unit_of = |r: &rounds::RoundSiteRow| r.unit.clone().unwrap_or_default();
    for (unit, row) in &seed {
        let sampled = rows.iter().filter(|r| unit_of(r) == *unit).count();
        let failed = rows
            .iter()
            .filter(|r| unit_of(r) == *unit && r.verdict == Some(Verdict::Fail))
            .count();
        assert_eq!(
            (sampled, failed),
            (row.sampled, row.failed),
            "sampled and failed sites of {unit}"
        );
    }

    // Exactly the 21 problem sites fail.
    let failed: BTreeSet<String> = rows
        .iter()
        .filter(|r| r.verdict == Some(Verdict::Fail))
        .map(|r| r.url.clone())
        .collect();
    let want: BTreeSet<String> = problems.keys().cloned().collect();
    let passing_problems: Vec<&String> = want.difference(&failed).collect();
    let failing_others: Vec<&String> = failed.difference(&want).collect();
    assert!(
        passing_problems.is_empty() && failing_others.is_empty(),
        "problem sites that passed: {passing_problems:?}; other sites that failed: {failing_others:?}"
    );

    // 11 with stale dynamic columns (52.4%), 14 with 5+ blank columns (66.7%): veto findings.
    // The other problems the notice names show up as deductions on the right sites.
    let extras: BTreeMap<String, Vec<Extra>> = province
        .sites
        .iter()
        .filter_map(|s| {
            let p = s.problem.as_ref()?;
            let url = registry::parse_url(&s.url).ok()?.to_string();
            Some((url, p.extras.clone()))
        })
        .collect();
    let mut stale = 0;
    let mut blank = 0;
    for r in rows.iter().filter(|r| r.verdict == Some(Verdict::Fail)) {
        let findings: Vec<(String, String)> =
            sqlx::query("SELECT rule, severity FROM findings WHERE check_id = ?1")
                .bind(r.check_id.expect("audited"))
                .fetch_all(store.pool())
                .await
                .expect("findings")
                .iter()
                .map(|row| (row.get::<String, _>(0), row.get::<String, _>(1)))
                .collect();
        let fired = |rule: &str| findings.iter().any(|(f, _)| f == rule);
        let rules: Vec<&str> = findings.iter().map(|(f, _)| f.as_str()).collect();
        eprintln!(
            "failed {} ({}): {rules:?}",
            r.url,
            r.name.as_deref().unwrap_or("")
        );
        for extra in extras.get(&r.url).into_iter().flatten() {
            let rule = match extra {
                Extra::Footer => "footer.missing_identifier",
                Extra::NoSurvey => "interaction.no_survey",
                Extra::FewUpdates => "homepage.few_updates",
                Extra::BrokenColumns => "links.broken",
            };
            assert!(fired(rule), "{}: no {rule} in {findings:?}", r.url);
        }
        let vetoes: Vec<String> = findings
            .iter()
            .filter(|(_, sev)| sev == "veto")
            .map(|(rule, _)| rule.clone())
            .collect();
        assert!(
            vetoes.iter().all(|v| v.starts_with("columns.")),
            "{}: {vetoes:?}",
            r.url
        );
        stale += usize::from(vetoes.iter().any(|v| v == "columns.stale"));
        blank += usize::from(vetoes.iter().any(|v| v == "columns.blank"));
    }
    assert_eq!((stale, blank), (11, 14));
}

/// One round with the default politeness (2 req/s, 2 in flight per host): under 2 minutes.
/// Slow (about a minute a round): `scripts/bench-province.sh` runs it. `PROVINCE_ROUNDS`
/// (default `1`; e.g. `1,2` for the whole quarter, as the demo runs it) picks the rounds;
/// `PROVINCE_SERVICE_RATE` (req/s) overrides the politeness of the identifier-service hosts;
/// `PROVINCE_SITES_AT_ONCE` (default 256, i.e. a whole round) bounds the sites audited at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing run with default politeness; scripts/bench-province.sh"]
async fn a_polite_round_finishes_in_under_two_minutes() {
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

/// Through `--resolve` entries the named hosts are reached too (the IP-hosted site needs the
/// proxy), and a flaky host's first homepage request answers 503 and the retry gets through.
#[tokio::test]
async fn resolve_mode_and_flaky_hosts() {
    let province = Province::ningxia_2018q1().expect("province");
    let as_of = province.rounds[1].as_of;
    let server = SimServer::start(province.scenario(), as_of)
        .await
        .expect("server");
    assert!(server
        .resolve_entries()
        .iter()
        .all(|e| !e.starts_with("218.95.179.142=")));
    let auditor = Auditor::from_config(&support::config_for(&server, false)).expect("auditor");
    let audit = |url: &str| {
        let url = url::Url::parse(url).expect("url");
        let auditor = &auditor;
        async move { auditor.audit(&url, as_of).await }
    };
    let gypf = audit("http://www.gypf.gov.cn/").await;
    assert_eq!(gypf.evaluation.verdict, Verdict::Fail);
    let flaky = province
        .sites
        .iter()
        .find(|s| s.spec.behaviour == govaudit::sim::spec::Behaviour::Flaky)
        .expect("a flaky site");
    let r = audit(&flaky.url).await;
    assert!(
        r.observation.reachability.ok,
        "{:?}",
        r.observation.reachability
    );
    assert_eq!(r.observation.reachability.attempts, 2);
    assert_eq!(r.evaluation.verdict, Verdict::Pass);
}
