//! Issue 14: availability monitoring the way the standard measures it. A simulated week of
//! hourly probes (driven clock) against sites with scheduled outages gives the official
//! verdicts, in the uptime figures and in the audit's `site.unreachable`; a restarted monitor
//! continues its schedule; probes share the per-host politeness of audits.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use govaudit::audit::Auditor;
use govaudit::fetch::Fetcher;
use govaudit::findings::Severity;
use govaudit::monitor::db::{self, MonitoredSite};
use govaudit::monitor::schedule::day_start;
use govaudit::monitor::summary::{self, WindowVerdict};
use govaudit::monitor::{Monitor, MonitorSettings, RunStats, Schedule, SimClock};
use govaudit::rules::kinds::site::UnreachableParams;
use govaudit::sim::SimServer;
use govaudit::store::Store;
use url::Url;

const SITES: [&str; 4] = [
    "http://ok.monitor.test/",
    "http://down6.monitor.test/",
    "http://down4.monitor.test/",
    "http://down2h.monitor.test/",
];

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

struct World {
    server: SimServer,
    store: Store,
    fetcher: Arc<Fetcher>,
    cfg: govaudit::config::Config,
    sites: Vec<MonitoredSite>,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let server = SimServer::start(support::scenario("outages"), day("2018-03-01"))
        .await
        .expect("server");
    let cfg = support::config_for(&server, false);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("monitor.db"))
        .await
        .expect("store");
    let mut sites = Vec::new();
    for url in SITES {
        sites.push(db::site(&store, url).await.expect("site"));
    }
    let fetcher = Arc::new(Fetcher::new(&cfg.fetch).expect("fetcher"));
    World {
        server,
        store,
        fetcher,
        cfg,
        sites,
        _dir: dir,
    }
}

/// Run the monitor on a simulated clock from `start` to `until`, 24 probes a day.
async fn simulate(w: &World, start: DateTime<Utc>, until: DateTime<Utc>) -> RunStats {
    let clock = Arc::new(SimClock::new(start));
    w.server.set_clock(clock.clone());
    let monitor = Monitor {
        fetcher: Arc::clone(&w.fetcher),
        store: w.store.clone(),
        clock,
        settings: MonitorSettings {
            schedule: Schedule::new(24).expect("schedule"),
            limit: Duration::from_secs(15),
            until: Some(until),
            summary_every: Duration::from_secs(86_400),
        },
    };
    monitor
        .run(&w.sites, std::future::pending(), &|_| {})
        .await
        .expect("monitor runs")
}

#[tokio::test]
async fn a_simulated_week_gives_the_official_verdicts() {
    let w = world().await;
    let week = day_start(day("2018-02-22"));
    let began = std::time::Instant::now();
    let stats = simulate(&w, week, day_start(day("2018-03-01"))).await;
    assert!(
        began.elapsed() < Duration::from_secs(20),
        "a simulated week runs in seconds"
    );
    assert_eq!(stats.probes, 4 * 168, "{stats:?}");
    assert_eq!((stats.duplicates, stats.missed), (0, 0));

    // The uptime figures and the official test per 7-day window.
    let params = UnreachableParams::default();
    let probes = db::probes(&w.store, None, week, day_start(day("2018-03-01")))
        .await
        .expect("probes");
    let mut verdicts = Vec::new();
    let mut failures = Vec::new();
    for site in &w.sites {
        let own: Vec<_> = probes
            .iter()
            .filter(|p| p.site_id == site.id)
            .cloned()
            .collect();
        let u = summary::uptime(
            (site.id, &site.url, None),
            &own,
            day("2018-02-22"),
            day("2018-02-28"),
            &params,
        );
        assert_eq!(u.probes, 168, "{}", site.url);
        assert_eq!(u.windows.len(), 1);
        assert_eq!(u.windows[0].record.per_day, vec![24; 7]);
        verdicts.push(u.windows[0].verdict);
        failures.push(u.failures);
        if site.url.contains("down2h") {
            let o = u.longest_outage.expect("an outage");
            assert_eq!(o.probes, 2);
            assert!(o
                .start
                .expect("start")
                .to_rfc3339()
                .starts_with("2018-02-25T09:"));
        }
    }
    assert_eq!(
        verdicts,
        vec![
            WindowVerdict::Pass,
            WindowVerdict::Veto,
            WindowVerdict::Pass,
            WindowVerdict::Pass
        ],
        "failures per site: {failures:?}"
    );
    assert_eq!(failures[0], 0);
    assert!((10..=11).contains(&failures[1]), "{failures:?}");
    assert!((6..=8).contains(&failures[2]), "{failures:?}");
    assert_eq!(failures[3], 2);

    // The audit as of 2018-03-01: the homepages all open now, and the record decides.
    let auditor = Auditor::from_config(&w.cfg).expect("auditor");
    let monitored = auditor.clone().with_monitor(&w.store);
    for (i, url) in SITES.iter().enumerate() {
        let url = Url::parse(url).expect("url");
        let r = monitored.audit(&url, day("2018-03-01")).await;
        assert!(r.observation.reachability.ok);
        let record = r.observation.monitor.as_ref().expect("record read");
        assert_eq!(record.probes, 168);
        let f = r
            .evaluation
            .findings
            .iter()
            .find(|f| f.rule == "site.unreachable")
            .expect("the record is reported either way");
        let vetoed = r
            .evaluation
            .vetoes
            .contains(&"site.unreachable".to_string());
        assert_eq!(vetoed, i == 1, "{url}: {}", f.message);
        if i == 1 {
            assert_eq!(f.severity, Severity::Veto);
            assert!(f.message.contains("168次"), "{}", f.message);
            let details: Vec<_> = f.evidence.iter().filter_map(|e| e.detail.clone()).collect();
            assert!(
                details.iter().any(|d| d.contains("2018-02-24 10:")),
                "{details:?}"
            );
        } else {
            assert_eq!(f.severity, Severity::Info, "{url}");
        }
        // Without the record the single probe of today sees nothing wrong.
        let alone = auditor.audit(&url, day("2018-03-01")).await;
        assert!(alone.observation.monitor.is_none());
        assert!(!alone
            .evaluation
            .vetoes
            .contains(&"site.unreachable".to_string()));
    }
}

#[tokio::test]
async fn a_restarted_monitor_continues_the_schedule() {
    let w = world().await;
    let d1 = day_start(day("2018-02-22"));
    let first = simulate(&w, d1, d1 + chrono::Duration::days(1)).await;
    assert_eq!(first.probes, 4 * 24);
    // Started again at noon of the day already probed, it probes neither the morning nor the
    // afternoon again, and goes on with the next day.
    let again = simulate(
        &w,
        d1 + chrono::Duration::hours(12),
        d1 + chrono::Duration::days(2),
    )
    .await;
    assert_eq!(again.probes, 4 * 24, "{again:?}");
    assert_eq!(again.duplicates, 0);
    let (rows, distinct): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT site_id || '/' || interval_ms || '/' || slot)
         FROM monitor_probes",
    )
    .fetch_one(w.store.pool())
    .await
    .expect("count");
    assert_eq!((rows, distinct), (4 * 48, 4 * 48));
}

#[tokio::test]
async fn probes_share_the_per_host_politeness_of_audits() {
    // One host, one request in flight at a time, answers 40 ms late: while the audit crawls
    // the site, probes every 50 ms must wait for the same permit.
    let server = SimServer::start(
        support::tiny_sites_answering_after(1, 40),
        day("2018-03-01"),
    )
    .await
    .expect("server");
    let mut cfg = support::config_for(&server, false);
    cfg.fetch.host_concurrency = 1;
    let auditor = Auditor::from_config(&cfg).expect("auditor");
    let (_, url) = server.sites().into_iter().next().expect("a site");
    let host = Url::parse(&url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .expect("host");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("p.db")).await.expect("store");
    let site = db::site(&store, &url).await.expect("site");
    let monitor = Monitor {
        fetcher: Arc::clone(&auditor.fetcher),
        store: store.clone(),
        clock: Arc::new(govaudit::monitor::SystemClock),
        settings: MonitorSettings {
            schedule: Schedule::new(1_728_000).expect("every 50 ms"),
            limit: Duration::from_secs(5),
            until: Some(Utc::now() + chrono::Duration::milliseconds(1500)),
            summary_every: Duration::from_secs(60),
        },
    };
    let sites = vec![site];
    let site_url = Url::parse(&url).expect("url");
    let (stats, audit) = tokio::join!(
        monitor.run(&sites, std::future::pending(), &|_| {}),
        auditor.audit(&site_url, day("2018-03-01"))
    );
    let stats = stats.expect("monitor");
    assert!(stats.probes >= 5, "{stats:?}");
    assert!(audit.observation.reachability.ok);
    let st = server.host_stats(&host);
    assert!(st.hits > stats.probes as usize, "{st:?}");
    assert_eq!(
        st.max_in_flight, 1,
        "probes and audit share the host's cap: {st:?}"
    );
}

#[tokio::test]
async fn a_probe_is_one_get_without_retry_within_the_limit() {
    let server = SimServer::start(
        support::tiny_sites_answering_after(1, 300),
        day("2018-03-01"),
    )
    .await
    .expect("server");
    let cfg = support::config_for(&server, false);
    let fetcher = Fetcher::new(&cfg.fetch).expect("fetcher");
    let (_, url) = server.sites().into_iter().next().expect("a site");
    let url = Url::parse(&url).expect("url");
    let host = url.host_str().expect("host").to_string();
    fetcher.trust_host(&host);
    let slow = fetcher
        .probe_homepage(&url, Duration::from_millis(100))
        .await;
    assert_eq!(slow.outcome, govaudit::fetch::ProbeOutcome::Timeout);
    assert_eq!(slow.latency, Duration::from_millis(100));
    let ok = fetcher.probe_homepage(&url, Duration::from_secs(5)).await;
    assert_eq!(ok.outcome, govaudit::fetch::ProbeOutcome::Ok, "{ok:?}");
    assert!(ok.bytes > 0 && ok.latency >= Duration::from_millis(300));
    // Two probes, two requests: no retry, no robots.txt.
    assert_eq!(server.host_stats(&host).hits, 2);
}

async fn govaudit(args: &[String]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(args)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .await
        .expect("runs")
}

#[tokio::test]
async fn uptime_prints_the_official_test_per_week() {
    let w = world().await;
    let week = day_start(day("2018-02-22"));
    simulate(&w, week, day_start(day("2018-03-01"))).await;
    let db = w._dir.path().join("monitor.db");
    w.store.close().await;
    let base = |format: &str| -> Vec<String> {
        vec![
            "uptime".into(),
            "--db".into(),
            db.display().to_string(),
            "--format".into(),
            format.into(),
        ]
    };
    let text = govaudit(&base("text")).await;
    let out = String::from_utf8_lossy(&text.stdout);
    assert_eq!(
        text.status.code(),
        Some(1),
        "a window vetoed: exit 1\n{out}"
    );
    for want in [
        "站点无法访问",
        "监测1周",
        "2018-02-22至2018-02-28",
        "单项否决",
        "未达否决线",
        "http://down6.monitor.test/",
        "最长中断",
        "P50",
    ] {
        assert!(out.contains(want), "missing {want}:\n{out}");
    }
    let json = govaudit(&base("json")).await;
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON object");
    let sites = doc["sites"].as_array().expect("sites");
    assert_eq!(sites.len(), 4);
    let verdicts: Vec<&str> = sites
        .iter()
        .map(|s| s["windows"][0]["verdict"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(verdicts, ["pass", "veto", "pass", "pass"]);
    assert_eq!(doc["limit_secs"], 15.0);
    let md = govaudit(&base("md")).await;
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("| 网站 | 网址 |") && md.contains("down2h.monitor.test"),
        "{md}"
    );
    // One site, one day range: no verdict for a partial week.
    let mut one = base("text");
    one.extend([
        "http://down2h.monitor.test/".into(),
        "--to".into(),
        "2018-02-24".into(),
    ]);
    let one = govaudit(&one).await;
    let out = String::from_utf8_lossy(&one.stdout);
    assert_eq!(one.status.code(), Some(0), "{out}");
    assert!(
        out.contains("监测次数不足") && !out.contains("down6.monitor.test"),
        "{out}"
    );
}

async fn stored(db: &std::path::Path) -> Vec<(i64, i64)> {
    let Ok(store) = Store::open(db).await else {
        return Vec::new();
    };
    let rows = sqlx::query_as("SELECT site_id, slot FROM monitor_probes ORDER BY site_id, slot")
        .fetch_all(store.pool())
        .await
        .unwrap_or_default();
    store.close().await;
    rows
}

#[tokio::test]
async fn a_killed_monitor_loses_no_probe_and_doubles_none() {
    let server = SimServer::start(support::tiny_sites(2), day("2018-03-01"))
        .await
        .expect("server");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("kill.db");
    let urls: Vec<String> = server.sites().into_iter().map(|(_, u)| u).collect();
    let mut args: Vec<String> = vec![
        "monitor".into(),
        "--per-day".into(),
        "864000".into(), // every 100 ms
        "--db".into(),
        db.display().to_string(),
        "--host-rate".into(),
        "0".into(),
        "--sites".into(),
    ];
    args.extend(urls.iter().cloned());
    for r in server.resolve_entries() {
        args.push("--resolve".into());
        args.push(r);
    }
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(&args)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut before = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        before = stored(&db).await;
        if before.len() >= 10 {
            break;
        }
    }
    child.start_kill().expect("SIGKILL");
    let _ = child.wait().await;
    assert!(
        before.len() >= 10,
        "probed before the kill: {}",
        before.len()
    );
    let killed = stored(&db).await;
    let hits_before: usize = server.all_host_stats().values().map(|s| s.hits).sum();
    // Every probe the servers answered is stored, but at most the one in flight per site.
    assert!(
        killed.len() <= hits_before && killed.len() + urls.len() >= hits_before,
        "stored {} of {hits_before} requests",
        killed.len()
    );

    args.extend(["--duration".into(), "1s".into()]);
    let rerun = govaudit(&args).await;
    let err = String::from_utf8_lossy(&rerun.stderr);
    assert!(rerun.status.success(), "{err}");
    assert!(err.contains("monitor stopped"), "{err}");
    let after = stored(&db).await;
    let hits: usize = server.all_host_stats().values().map(|s| s.hits).sum();
    assert!(after.len() > killed.len() + 5, "the rerun probed: {err}");
    assert!(
        after.len() <= hits && after.len() + urls.len() >= hits,
        "{} of {hits}",
        after.len()
    );
    let mut keys = after.clone();
    keys.dedup();
    assert_eq!(keys.len(), after.len(), "no slot probed twice");
    // The rerun went on after the last stored slot of each site, never before it.
    for (site, slot) in &killed {
        let last = killed.iter().filter(|(s, _)| s == site).map(|x| x.1).max();
        assert!(Some(*slot) <= last);
        let new_slots = after
            .iter()
            .filter(|(s, x)| s == site && !killed.contains(&(*s, *x)));
        assert!(
            new_slots.clone().all(|(_, x)| Some(*x) > last),
            "site {site}"
        );
    }
}

#[tokio::test]
async fn the_self_check_report_shows_the_last_week_of_the_record() {
    let w = world().await;
    let week = day_start(day("2018-02-22"));
    simulate(&w, week, day_start(day("2018-03-01"))).await;
    let auditor = Auditor::from_config(&w.cfg)
        .expect("auditor")
        .with_monitor(&w.store);
    for url in [SITES[1], SITES[0]] {
        let r = auditor
            .audit(&Url::parse(url).expect("url"), day("2018-03-01"))
            .await;
        r.save(&w.store).await.expect("stored");
    }
    let rules = govaudit::rules::RuleSet::builtin("gb2015").expect("rules");
    let templates = govaudit::documents::Templates::builtin().expect("templates");
    let report =
        govaudit::documents::SiteReport::for_site(&w.store, SITES[1], None, 7, &rules, &templates)
            .await
            .expect("report");
    let up = report.uptime.as_ref().expect("an uptime section");
    assert_eq!(up.heading, "站点可用性监测（近7天）");
    assert!(
        up.text.contains("2018-02-22至2018-02-28") && up.text.contains("单项否决"),
        "{}",
        up.text
    );
    assert!(
        up.outages.iter().any(|o| o.contains("2018-02-24 10:")),
        "{:?}",
        up.outages
    );
    let md = govaudit::render::markdown::render_site(&report);
    assert!(md.contains("## 站点可用性监测（近7天）"), "{md}");
    let html = govaudit::render::html::render_site(&report);
    assert!(html.contains("站点可用性监测（近7天）"));
    // A site the monitor never probed has no such section.
    let other = SimServer::start(support::scenario("thresholds"), day("2018-03-01"))
        .await
        .expect("server");
    let cfg = support::config_for(&other, false);
    let plain = Auditor::from_config(&cfg).expect("auditor");
    let r = plain
        .audit(
            &Url::parse("http://base.gov.test/").expect("url"),
            day("2018-03-01"),
        )
        .await;
    r.save(&w.store).await.expect("stored");
    let report = govaudit::documents::SiteReport::for_site(
        &w.store,
        "http://base.gov.test/",
        None,
        7,
        &rules,
        &templates,
    )
    .await
    .expect("report");
    assert!(report.uptime.is_none());
}

#[tokio::test]
async fn a_slot_interrupted_mid_way_is_probed_late_but_a_gap_is_not_filled() {
    let w = world().await;
    let d1 = day_start(day("2018-02-22"));
    let h = |n: i64| d1 + chrono::Duration::hours(n);
    // Stopped at 10:00: slot 10 (10:00–11:00) not probed yet for any site.
    assert_eq!(simulate(&w, d1, h(10)).await.probes, 4 * 10);
    // Back at 10:59: slot 10 is owed to every site, even where its time has passed.
    assert_eq!(
        simulate(&w, h(10) + chrono::Duration::minutes(59), h(12))
            .await
            .probes,
        4 * 2
    );
    // Back at 15:30 after a gap: slots 12–14 stay unprobed; slot 15 only where still ahead.
    let late = simulate(&w, h(15) + chrono::Duration::minutes(30), h(17)).await;
    let count = |slot_hour: i64| {
        let store = w.store.clone();
        let schedule = Schedule::new(24).expect("schedule");
        let slot = schedule.slot_of(h(slot_hour));
        async move {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM monitor_probes WHERE slot = ?")
                .bind(slot)
                .fetch_one(store.pool())
                .await
                .expect("count");
            n
        }
    };
    assert_eq!(count(10).await, 4);
    assert_eq!(count(13).await, 0, "a gap is not filled");
    assert_eq!(count(16).await, 4);
    let ahead = w
        .sites
        .iter()
        .filter(|s| {
            Schedule::new(24)
                .expect("s")
                .planned(s.id, Schedule::new(24).expect("s").slot_of(h(15)))
                >= h(15) + chrono::Duration::minutes(30)
        })
        .count() as i64;
    assert_eq!(count(15).await, ahead);
    assert_eq!(late.probes as i64, 4 + ahead);
}

#[tokio::test]
async fn check_reads_the_record_from_its_database() {
    let w = world().await;
    simulate(
        &w,
        day_start(day("2018-02-22")),
        day_start(day("2018-03-01")),
    )
    .await;
    let db = w._dir.path().join("monitor.db");
    w.store.close().await;
    // The server's clock stays at the end of the simulated week: the homepage opens now.
    let mut args: Vec<String> = vec![
        "check".into(),
        SITES[1].into(),
        "--as-of".into(),
        "2018-03-01".into(),
        "--format".into(),
        "json".into(),
        "--db".into(),
        db.display().to_string(),
        "--host-rate".into(),
        "0".into(),
    ];
    for r in w.server.resolve_entries() {
        args.push("--resolve".into());
        args.push(r);
    }
    let out = govaudit(&args).await;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(out.status.code(), Some(1), "{doc}");
    assert_eq!(doc["reachable"], true);
    assert_eq!(doc["monitor"]["probes"], 168);
    assert!(doc["vetoes"]
        .as_array()
        .is_some_and(|v| v.iter().any(|x| x == "site.unreachable")));
}

/// Two sites' uptime built by hand — one named, down for hours in its first week and short of
/// probes in its second, with a name that must stay inert; one unnamed that never opened — as
/// `govaudit uptime` prints them in text, Markdown and JSON. Whole, as insta snapshots: moving the
/// renderers (issue 18) must not change a character.
#[test]
fn uptime_reads_the_same_in_every_format() {
    use govaudit::monitor::summary::{Latency, SiteUptime};
    use govaudit::observation::{MonitorOutage, MonitorRecord};
    use govaudit::render::{json::uptime_json, markdown::uptime_markdown, text::uptime_text};

    let params = UnreachableParams::default();
    let at = |s: &str| Some(DateTime::parse_from_rfc3339(s).expect("time"));
    let outage = MonitorOutage {
        start: at("2026-03-03T02:00:00+08:00"),
        end: at("2026-03-03T08:00:00+08:00"),
        probes: 6,
        ongoing: false,
    };
    let window = |from: &str, per_day: Vec<u32>, failures: u32, outages: Vec<MonitorOutage>| {
        let from = day(from);
        let to = from + chrono::Duration::days(per_day.len() as i64 - 1);
        let probes = per_day.iter().sum();
        summary::judge(
            &params,
            MonitorRecord {
                from,
                to,
                per_day,
                probes,
                failures,
                limit_secs: params.limit_secs,
                outages,
            },
        )
    };
    let named = SiteUptime {
        site_id: 1,
        url: "http://ok.monitor.test/".into(),
        name: Some("某市*人民政府*|门户\u{1b}[2J".into()),
        from: day("2026-03-01"),
        to: day("2026-03-10"),
        probes: 216,
        failures: 9,
        share: 9.0 / 216.0,
        failures_by_kind: vec![
            ("timeout".into(), 6),
            ("slow".into(), 2),
            ("http".into(), 1),
        ],
        longest_outage: Some(outage.clone()),
        latency: Some(Latency {
            p50: 120,
            p90: 480,
            p99: 2900,
            max: 15200,
        }),
        windows: vec![
            window("2026-03-01", vec![24; 7], 9, vec![outage]),
            window("2026-03-08", vec![24, 24, 0], 0, vec![]),
        ],
    };
    let down = SiteUptime {
        site_id: 2,
        url: "http://down.monitor.test/".into(),
        name: None,
        from: day("2026-03-01"),
        to: day("2026-03-07"),
        probes: 168,
        failures: 168,
        share: 1.0,
        failures_by_kind: vec![("refused".into(), 168)],
        longest_outage: Some(MonitorOutage {
            start: at("2026-03-01T00:10:00+08:00"),
            end: at("2026-03-07T23:10:00+08:00"),
            probes: 168,
            ongoing: true,
        }),
        latency: None,
        windows: vec![window("2026-03-01", vec![24; 7], 168, vec![])],
    };
    let sites = [named, down];
    support::snapshot("uptime.txt", &uptime_text(&sites, &params));
    support::snapshot("uptime.md", &uptime_markdown(&sites, &params));
    support::snapshot("uptime.json", &uptime_json(&sites, &params).expect("json"));
    support::snapshot("uptime-empty.txt", &uptime_text(&[], &params));
}
