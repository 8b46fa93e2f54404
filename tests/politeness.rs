//! The politeness bound on a whole site: a 40-page loopback site audited with a per-host rate
//! and the default in-flight cap (2) takes no more than 1.5 × (pages ÷ rate), and the server
//! never sees more than 2 requests at once or a rate above the limit. The rate is 10/s rather
//! than the default 2/s: the same token bucket, checked in 4 s instead of 20.

use crate::support;

use std::time::Instant;

use chrono::NaiveDate;
use govaudit::audit::Auditor;
use govaudit::sim::SimServer;
use url::Url;

#[tokio::test]
async fn forty_page_site_is_paced_by_politeness_alone() {
    let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
    let server = SimServer::start(support::scenario("forty"), as_of)
        .await
        .expect("server");
    let mut cfg = support::config_for(&server, true);
    assert_eq!(cfg.fetch.host_rate, 2.0, "default politeness");
    assert_eq!(cfg.fetch.host_concurrency, 2, "default politeness");
    cfg.fetch.host_rate = 10.0;
    let auditor = Auditor::from_config(&cfg).expect("auditor");

    let started = Instant::now();
    let r = auditor
        .audit(
            &Url::parse("http://www.forty.gov.test/").expect("url"),
            as_of,
        )
        .await;
    let secs = started.elapsed().as_secs_f64();

    let stats = server.host_stats("www.forty.gov.test");
    let pages = 40.0;
    let bound = 1.5 * pages / cfg.fetch.host_rate;
    eprintln!(
        "{} requests to the site in {secs:.1} s (bound {bound:.1} s)",
        stats.hits
    );
    assert!(r.observation.reachability.ok);
    assert!(stats.hits >= 40, "every page was asked for: {}", stats.hits);
    assert!(
        secs <= bound,
        "took {secs:.1} s, more than 1.5 × pages ÷ rate = {bound:.1} s"
    );
    assert!(
        stats.max_in_flight <= 2,
        "{} requests in flight at once",
        stats.max_in_flight
    );
    // A token bucket may start with a burst of 2: n requests need at least (n-2)/rate s.
    let floor = (stats.hits as f64 - 2.0) / cfg.fetch.host_rate;
    assert!(
        secs >= floor * 0.95,
        "{} requests in {secs:.1} s: faster than {}/s",
        stats.hits,
        cfg.fetch.host_rate
    );
}
