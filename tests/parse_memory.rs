//! Peak heap of analysing one hostile page, measured with a counting allocator (this test
//! binary's own, so nothing else runs in it): bodies made of NUL bytes (what a gzip bomb cut at
//! the body cap decompresses to), stray `<`, entities and bare tags must cost a small constant
//! times the body, not ~125× as before (5 MiB of NUL bytes took ~620 MB because every parse
//! error was recorded; 5 MiB of `<a>` built 1.7 million elements, ~360 MB). 2 MiB bodies keep
//! the test quick; the ratio is what is asserted.

// A test target sees every dependency and dev-dependency of the package and uses few of them.
#![allow(unused_crate_dependencies)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use govaudit::analysis::{self, Vocabulary};
use url::Url;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size > layout.size() {
                let grow = new_size - layout.size();
                let now = CURRENT.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const CAP: usize = 2 * 1024 * 1024;

/// `unit` repeated up to the cap.
fn body(unit: &str) -> String {
    unit.repeat(CAP / unit.len())
}

/// Peak heap above the baseline while `f` runs.
fn peak_during(f: impl FnOnce()) -> usize {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}

#[test]
fn hostile_bodies_cost_a_small_constant_times_their_size() {
    let base = Url::parse("http://www.example.gov.cn/").expect("url");
    let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
    let vocab = Vocabulary::builtin();
    let mut report = Vec::new();
    for (name, unit) in [
        ("NUL bytes", "\0"),
        ("stray <", "<"),
        ("bad entities", "&#0;&x;"),
        ("bare <a>", "<a>"),
    ] {
        let html = body(unit);
        let peak = peak_during(|| {
            let an = analysis::analyze(&html, &base, as_of, &vocab);
            std::hint::black_box(an);
        });
        report.push(format!("{name}: {} MB", peak / 1_000_000));
        // The tree and the analysis may take some multiples of the body (a node is ~200
        // bytes, at most one per 16 bytes of body).
        assert!(
            peak < 32 * CAP,
            "{name}: peak {} MB for a {} MiB body ({report:?})",
            peak / 1_000_000,
            CAP >> 20
        );
    }
    eprintln!("{report:?}");
}
