//! Round-scale benchmark (a bench target, not run by `cargo test`; run with
//! `scripts/bench-round.sh`): a round of
//! `ROUND_SITES` tiny simulated sites (default 1,000; the country runs about 14,000) imported
//! into a registry, planned and run by the `govaudit` binary through the sim proxy with the
//! default politeness (2 req/s and 2 in flight per host, 64 in flight overall).
//!
//! The simulator runs in this test process and the auditor in its own (`round run`), so the
//! peak RSS printed is the auditor's alone, and the two do not share a file-descriptor table.
//!
//! Prints the wall time of `round run` against the politeness bound — the busiest host's
//! requests (after the first, which needs no token) ÷ its rate (no schedule can beat it), and
//! the total request time ÷ the global cap (what the cap allows) — and the auditor's peak RSS
//! (VmHWM, sampled while it runs), and the CPU seconds of auditor and simulator: on a small
//! machine a big round is CPU-bound, and their sum ÷ cores is a second floor no schedule can
//! beat. `ROUND_DELAY_MS=N`: every simulated server answers N ms late (a real network), so the
//! global cap, not the CPU, bounds a big round. Extra `round run` arguments: `ROUND_RUN_ARGS`;
//! `ROUND_TIMELINE=1` also prints the
//! requests made in each second of the round.

// A bench target sees every dependency and dev-dependency of the package and uses few of them.
#![allow(unused_crate_dependencies)]

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use govaudit::sim::SimServer;

#[path = "../support/mod.rs"]
mod support;
use sqlx::Row;
use support::{registry_csv, tiny_sites_answering_after};

/// The peak resident set (VmHWM) of process `pid` in MB, if it is still readable.
fn peak_rss_mb(pid: u32) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

/// User + system CPU seconds of process `pid` so far (clock ticks of 1/100 s).
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Run the binary to completion; panics with its stderr when it fails.
async fn govaudit(db: &Path, args: &[&str]) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .await
        .expect("spawn govaudit");
    assert!(
        out.status.success(),
        "govaudit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n = env_usize("ROUND_SITES", 1000);
    // Milliseconds each simulated server takes to answer (0: loopback speed). With a delay the
    // round is bounded by the global cap, as on the real network, not by this machine's CPU.
    let delay_ms = env_usize("ROUND_DELAY_MS", 0) as u64;
    let extra = std::env::var("ROUND_RUN_ARGS").unwrap_or_default();
    let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
    let server = SimServer::start(tiny_sites_answering_after(n, delay_ms), as_of)
        .await
        .expect("server");
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("scale.db");
    let registry = dir.path().join("registry.csv");
    std::fs::write(&registry, registry_csv(&server)).expect("registry");
    govaudit(&db, &["sites", "import", &registry.display().to_string()]).await;
    govaudit(
        &db,
        &[
            "round",
            "plan",
            "--month",
            "2018-03",
            "--ratio",
            "1",
            "--seed",
            "1",
            "--as-of",
            "2018-03-01",
        ],
    )
    .await;

    let world_cpu_before = cpu_secs(std::process::id()).unwrap_or(0.0);
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .arg("--db")
        .arg(&db)
        .args(["--proxy", &server.proxy_url(), "round", "run"])
        .args(extra.split_whitespace())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn round run");
    let pid = child.id().expect("pid");
    let mut peak = 0.0f64;
    let mut cpu = 0.0f64;
    let mut stderr = child.stderr.take().expect("stderr");
    let log = tokio::spawn(async move {
        let mut text = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut text).await;
        text
    });
    let status = loop {
        if let Some(mb) = peak_rss_mb(pid) {
            peak = peak.max(mb);
        }
        if let Some(secs) = cpu_secs(pid) {
            cpu = cpu.max(secs);
        }
        tokio::select! {
            s = child.wait() => break s.expect("wait"),
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let world_cpu = cpu_secs(std::process::id()).unwrap_or(0.0) - world_cpu_before;
    let log = log.await.unwrap_or_default();
    assert!(status.success(), "round run failed: {status}\n{log}");
    for line in log.lines().filter(|l| {
        std::env::var_os("ROUND_LOG").is_some()
            || l.contains("sites_at_once")
            || l.contains("TIMING")
    }) {
        eprintln!("{line}");
    }

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("db");
    let row = sqlx::query(
        "SELECT count(*) AS n, coalesce(sum(elapsed_ms), 0) AS ms,
                sum(error IS NOT NULL) AS errors FROM requests",
    )
    .fetch_one(&pool)
    .await
    .expect("requests");
    let (requests, busy_ms, errors): (i64, i64, i64) =
        (row.get("n"), row.get("ms"), row.get("errors"));
    // The span from the first request to the last: the round's work without start-up and the
    // final bookkeeping.
    let span: f64 = sqlx::query_scalar(
        "SELECT (julianday(max(at)) - julianday(min(at))) * 86400.0 FROM requests",
    )
    .fetch_one(&pool)
    .await
    .unwrap_or(0.0);
    // Before the first request: process start, opening the store, loading the round's jobs.
    let first: String = sqlx::query_scalar("SELECT min(at) FROM requests")
        .fetch_one(&pool)
        .await
        .expect("first request");
    let since_start = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at)
            .map(|t| (t.with_timezone(&chrono::Utc) - started_at).as_seconds_f64())
            .unwrap_or(f64::NAN)
    };
    let startup = since_start(&first);
    // After the last site's audit finished: storing the last checks, closing the round, exit.
    let last_audit: String = sqlx::query_scalar("SELECT max(finished_at) FROM checks")
        .fetch_one(&pool)
        .await
        .expect("last audit");
    let wind_down = wall - since_start(&last_audit);
    if std::env::var_os("ROUND_TIMELINE").is_some() {
        // Requests started per second of the round, and checks finished.
        let rows = sqlx::query(
            "SELECT CAST((julianday(at) - (SELECT julianday(min(at)) FROM requests)) * 86400 AS INTEGER) AS s, \
             count(*) AS n FROM requests GROUP BY s ORDER BY s",
        )
        .fetch_all(&pool)
        .await
        .expect("timeline");
        let line: Vec<String> = rows
            .iter()
            .map(|r| format!("{}:{}", r.get::<i64, _>("s"), r.get::<i64, _>("n")))
            .collect();
        eprintln!("requests per second: {}", line.join(" "));
    }
    // When each site started (its first request, from the round's first) and how long it took
    // (first to last request): a late start or a long site is what makes a round overrun.
    let sites = sqlx::query(
        "SELECT (julianday(min(at)) - (SELECT julianday(min(at)) FROM requests)) * 86400.0 AS start, \
         (julianday(max(at)) - julianday(min(at))) * 86400.0 AS took \
         FROM requests GROUP BY check_id",
    )
    .fetch_all(&pool)
    .await
    .expect("site spans");
    let mut starts: Vec<f64> = sites.iter().map(|r| r.get("start")).collect();
    let mut took: Vec<f64> = sites.iter().map(|r| r.get("took")).collect();
    starts.sort_by(f64::total_cmp);
    took.sort_by(f64::total_cmp);
    let pct = |v: &[f64], p: f64| {
        v.get(((v.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    eprintln!(
        "  sites started (s after the first request): median {:.2}, 90% {:.2}, last {:.2}; \
         a site took (first to last request): median {:.2} s, 90% {:.2} s, longest {:.2} s",
        pct(&starts, 0.5),
        pct(&starts, 0.9),
        pct(&starts, 1.0),
        pct(&took, 0.5),
        pct(&took, 0.9),
        pct(&took, 1.0),
    );
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM checks")
        .fetch_one(&pool)
        .await
        .expect("checks");
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM checks WHERE verdict = 'fail'")
        .fetch_one(&pool)
        .await
        .expect("failed");

    let rate = 2.0;
    let cap = 64.0;
    let stats = server.all_host_stats();
    let (busiest, hits) = stats
        .iter()
        .map(|(h, s)| (h.clone(), s.hits))
        .max_by_key(|(_, hits)| *hits)
        .unwrap_or_default();
    let served: usize = stats.values().map(|s| s.hits).sum();
    // A bucket with a burst of one: the first request goes at once, each next one 1/rate later.
    let host_bound = hits.saturating_sub(1) as f64 / rate;
    let cap_bound = busy_ms as f64 / 1000.0 / cap;
    let bound = host_bound.max(cap_bound);
    // What this machine can do at all: every CPU second spent, the simulator's included,
    // spread over every core. Past a few thousand sites on two cores this, not politeness, is
    // the floor; the ratio to it says how well the round keeps the machine busy.
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let cpu_floor = (cpu + world_cpu) / cores as f64;
    eprintln!(
        "round of {audited} sites answering after {delay_ms} ms ({failed} failed), {requests} requests ({errors} errors; \
         {served} served): {wall:.1} s (start-up {startup:.2} s, requests span {span:.1} s, after the last audit {wind_down:.2} s)\n  \
         politeness bound {bound:.1} s (busiest host {busiest}: {hits} requests / {rate} req/s = \
         {host_bound:.1} s; global cap {cap}: {cap_bound:.1} s): ratio {:.2}\n  \
         CPU: auditor {cpu:.1} s, simulator {world_cpu:.1} s, {cores} cores: floor \
         {cpu_floor:.1} s: ratio to max(bound, floor) {:.2}\n  auditor peak RSS {peak:.0} MB",
        wall / bound,
        wall / bound.max(cpu_floor),
    );
    assert_eq!(audited, i64::try_from(n).expect("n"));
}
