//! The simulated 2018 Q1 Ningxia province, audited end to end through the real pipeline:
//! the generated registry imported, the seed's sample planned as two listed rounds, both rounds
//! run against the world served on loopback (as an HTTP proxy, so the IP-hosted
//! `218.95.179.142/gysfgw` is reached unchanged), and the stored results compared with the
//! notice's tables (a committed copy under tests/fixtures/seed/).
//!
//! The polite timing run (default 2 req/s per host) is a bench target, `tests/bench/province.rs`,
//! run by `scripts/bench-province.sh`.

use crate::support;
use crate::support::province::{busiest_host, import, plan, proxy_config};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use govaudit::audit::Auditor;
use govaudit::findings::Verdict;
use govaudit::registry::{self, SiteFilter};
use govaudit::rounds;
use govaudit::sim::province::{Extra, Province};
use govaudit::sim::SimServer;
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
