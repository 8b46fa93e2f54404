//! Faults of the connection and of HTTP itself: the site is unreachable, and says why, in
//! bounded time (timeouts, retries and redirects all capped by the test config).

use std::time::Duration;

use super::run::check;
use super::server::{host, server};
use super::{assert_reachable, unreachable_error, SMALL_MB};

/// The homepage is unreachable, vetoed with `site.unreachable`, and the error says `why`.
fn assert_unreachable(json: &serde_json::Value, why: &str, attempts: u64) {
    assert_eq!(json["reachable"], false, "{json}");
    assert_eq!(json["verdict"], "fail");
    assert_eq!(json["vetoes"], serde_json::json!(["site.unreachable"]));
    let error = unreachable_error(json);
    assert!(error.contains(why), "{error:?} should say {why:?}");
    assert!(
        error.contains(&format!("共尝试{attempts}次")),
        "{error:?}: {attempts} attempts"
    );
}

#[test]
fn reset_mid_body() {
    let run = check(&host("reset"), &[]);
    run.expect(1, Duration::from_secs(15), SMALL_MB);
    // A broken body is not retried (only timeouts, 5xx and 429 are).
    assert_unreachable(&run.json(), "connection error", 1);
}

#[test]
fn close_before_the_status_line() {
    let run = check(&host("close"), &[]);
    run.expect(1, Duration::from_secs(15), SMALL_MB);
    assert_unreachable(&run.json(), "connection error", 1);
}

#[test]
fn noise_instead_of_a_response() {
    let run = check(&host("noise"), &[]);
    run.expect(1, Duration::from_secs(15), SMALL_MB);
    assert_unreachable(&run.json(), "connection error", 1);
}

#[test]
fn black_hole_that_accepts_and_never_answers() {
    let run = check(&host("blackhole"), &[]);
    // robots.txt (1 s), then the homepage: 3 attempts of 1 s with 50 + 100 ms between.
    run.expect(1, Duration::from_secs(20), SMALL_MB);
    assert!(run.wall >= Duration::from_secs(3), "{:?}", run.wall);
    assert_unreachable(&run.json(), "timeout after 1 s", 3);
}

#[test]
fn body_that_drips_forever() {
    let run = check(&host("drip"), &[]);
    run.expect(1, Duration::from_secs(20), SMALL_MB);
    assert_unreachable(&run.json(), "timeout after 1 s", 3);
}

#[test]
fn storm_of_503() {
    let h = host("storm503");
    let run = check(&h, &[]);
    run.expect(1, Duration::from_secs(15), SMALL_MB);
    assert_unreachable(&run.json(), "HTTP 503", 3);
    let homepage = server()
        .seen
        .requests(&h)
        .iter()
        .filter(|(_, p)| p == "/")
        .count();
    assert_eq!(homepage, 3, "1 + 2 retries");
}

#[test]
fn too_many_requests_with_a_huge_retry_after() {
    let h = host("retry429");
    let run = check(&h, &[]);
    // A Retry-After of 136 years is not waited for, nor retried.
    run.expect(1, Duration::from_secs(10), SMALL_MB);
    assert_unreachable(&run.json(), "HTTP 429", 1);
    let homepage = server().seen.requests(&h);
    assert_eq!(homepage.iter().filter(|(_, p)| p == "/").count(), 1);
}

#[test]
fn redirect_loop() {
    let run = check(&host("loop"), &[]);
    run.expect(1, Duration::from_secs(10), SMALL_MB);
    assert_unreachable(&run.json(), "redirect loop", 1);
}

#[test]
fn fifty_hop_redirect_chain() {
    let h = host("chain");
    let run = check(&h, &[]);
    run.expect(1, Duration::from_secs(10), SMALL_MB);
    assert_unreachable(&run.json(), "too many redirects (more than 10)", 1);
    // The homepage and 10 hops; hop 11 is not asked for.
    let hops = server()
        .seen
        .requests(&h)
        .iter()
        .filter(|(_, p)| p != "/robots.txt")
        .count();
    assert_eq!(hops, 11);
}

#[test]
fn head_that_hangs_while_get_works() {
    let h = host("headhang");
    let run = check(&h, &[]);
    run.expect(0, Duration::from_secs(15), SMALL_MB);
    let json = run.json();
    assert_reachable(&json);
    let doc = format!("http://{h}/doc");
    for state in ["broken", "suspected", "blocked"] {
        let listed = json["links"][state].as_array().expect("list");
        assert!(
            listed.iter().all(|l| l["url"] != doc.as_str()),
            "{doc} is {state}: {listed:?}"
        );
    }
    let asked: Vec<_> = server()
        .seen
        .requests(&h)
        .into_iter()
        .filter(|(_, p)| p == "/doc")
        .map(|(m, _)| m)
        .collect();
    assert_eq!(asked, ["HEAD", "GET"], "one HEAD, then GET");
}
