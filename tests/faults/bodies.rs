//! Faults of the body: too big, compressed to explode, NUL bytes, lying about its charset,
//! binary, nested 200,000 deep, 50 MB of links. The homepage opens (reachable), what is over
//! the cap is not read, and memory stays a small constant times the cap.

use std::time::Duration;

use super::hosts::{HUGE, LINKS};
use super::run::check;
use super::server::{host, server};
use super::{assert_reachable, limit_kinds, BODY_MB, SMALL_MB};

#[test]
fn two_gigabyte_body_streamed() {
    let h = host("huge");
    let run = check(&h, &[]);
    run.expect(1, Duration::from_secs(30), BODY_MB);
    let json = run.json();
    assert_reachable(&json);
    // Read to the cap; 5 MiB of `<p>` is also more elements than the parse allows.
    assert_eq!(limit_kinds(&json), ["body_cut", "page_cut_short"]);
    // The client stopped reading at the cap: the server produced little of its 2 GB.
    let produced = server().seen.produced(&h);
    assert!(produced < 64 << 20, "{produced} of {HUGE} bytes produced");
}

#[test]
fn gzip_bomb() {
    let run = check(&host("gzip"), &[]);
    run.expect(1, Duration::from_secs(30), BODY_MB);
    let json = run.json();
    assert_reachable(&json);
    assert_eq!(limit_kinds(&json), ["body_cut"]);
}

#[test]
fn nul_bytes() {
    let run = check(&host("nul"), &[]);
    run.expect(1, Duration::from_secs(30), BODY_MB);
    let json = run.json();
    assert_reachable(&json);
    assert_eq!(limit_kinds(&json), ["body_cut"]);
}

#[test]
fn binary_garbage() {
    let run = check(&host("garbage"), &[]);
    run.expect(1, Duration::from_secs(30), BODY_MB);
    let json = run.json();
    assert_reachable(&json);
    assert!(limit_kinds(&json).contains(&"body_cut".to_string()));
}

#[test]
fn charset_declared_gbk_sent_as_utf8() {
    let run = check(&host("charset"), &[]);
    run.expect(0, Duration::from_secs(15), SMALL_MB);
    let json = run.json();
    assert_reachable(&json);
    // Decoded as the header says (GBK): the columns' UTF-8 names come out garbled but the
    // links, being ASCII, are still found and followed.
    let columns = json["columns"].as_array().expect("columns");
    assert_eq!(columns.len(), 2, "{columns:?}");
    assert!(columns.iter().all(|c| c["name"] != "工作动态0"));
}

#[test]
fn charset_declared_gbk_sent_as_binary() {
    let run = check(&host("charset-bin"), &[]);
    run.expect(1, Duration::from_secs(15), SMALL_MB);
    assert_reachable(&run.json());
}

#[test]
fn nesting_200000_deep() {
    let run = check(&host("nesting"), &[]);
    run.expect(1, Duration::from_secs(30), BODY_MB);
    let json = run.json();
    assert_reachable(&json);
    assert_eq!(limit_kinds(&json), ["page_cut_short"]);
}

#[test]
fn fifty_megabytes_of_links() {
    let h = host("links");
    let run = check(&h, &[]);
    run.expect(1, Duration::from_secs(60), BODY_MB);
    let json = run.json();
    assert_reachable(&json);
    assert!(limit_kinds(&json).contains(&"body_cut".to_string()));
    // crawl.max_links of the test config.
    assert_eq!(json["links"]["checked"], 200);
    let produced = server().seen.produced(&h);
    assert!(produced < 64 << 20, "{produced} of {LINKS} bytes produced");
}
