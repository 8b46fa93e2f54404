//! Faults of robots.txt and of crawling: a 10 MB and a binary robots.txt, a day-long
//! `Crawl-delay`, and a calendar that walks on forever under `--deep`.

use std::time::Duration;

use chrono::NaiveDate;

use super::calendar;
use super::run::check;
use super::server::{host, server};
use super::{assert_reachable, limit_kinds, SMALL_MB};

#[test]
fn ten_megabyte_robots_txt() {
    let h = host("robots-big");
    let run = check(&h, &[]);
    run.expect(0, Duration::from_secs(15), SMALL_MB);
    let json = run.json();
    assert_reachable(&json);
    assert_eq!(json["columns"].as_array().map(Vec::len), Some(2));
    // Its Crawl-delay, past the first 512 KiB, was never read.
    assert_eq!(limit_kinds(&json), Vec::<String>::new());
    let produced = server().seen.produced(&h);
    assert!(
        produced < 16 << 20,
        "{produced} bytes of robots.txt produced"
    );
}

#[test]
fn binary_robots_txt() {
    let run = check(&host("robots-bin"), &[]);
    run.expect(0, Duration::from_secs(15), SMALL_MB);
    let json = run.json();
    assert_reachable(&json);
    assert_eq!(json["columns"].as_array().map(Vec::len), Some(2));
}

#[test]
fn crawl_delay_of_a_day() {
    let run = check(&host("delay"), &[]);
    // Capped at 1 s: the homepage, two columns and a link, one second apart.
    run.expect(0, Duration::from_secs(20), SMALL_MB);
    assert!(run.wall >= Duration::from_secs(2), "{:?}", run.wall);
    let json = run.json();
    assert_eq!(limit_kinds(&json), ["crawl_delay_capped"]);
    let limited = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "audit.limited")
        .expect("audit.limited");
    assert_eq!(limited["points"], 0.0);
}

#[test]
fn calendar_trap_under_deep() {
    let h = host("calendar");
    let run = check(&h, &["--deep", "--max-depth", "100000"]);
    run.expect(0, Duration::from_secs(60), SMALL_MB);
    let json = run.json();
    let seen = server().seen.requests(&h);
    let months: Vec<(i32, u32)> = seen
        .iter()
        .filter_map(|(_, p)| calendar::month(p))
        .collect();
    let days: Vec<NaiveDate> = seen
        .iter()
        .filter_map(|(_, p)| calendar::event_day(p))
        .collect();
    // Months up to a year after the as-of date (2019-03), no further.
    assert!(months.iter().all(|m| *m <= (2019, 3)), "{months:?}");
    assert!(months.contains(&(2019, 3)), "{months:?}");
    // Query variants per path: crawl.deep_max_query_variants (20).
    let mut distinct = days.clone();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() <= 21, "{} event days", distinct.len());
    let pages = json["deep"]["pages"].as_u64().expect("deep pages");
    assert!(pages < 100, "{pages} pages crawled");
}
