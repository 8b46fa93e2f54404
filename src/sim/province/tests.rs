//! The province matches the notice's figures by construction.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::sim::render::item_date;
use crate::sim::spec::DateStyle;

fn province() -> Province {
    Province::ningxia_2018q1().expect("built-in province expands")
}

#[test]
fn levels_and_totals_match_the_notice() {
    let p = province();
    assert_eq!(p.sites.len(), 248);
    let mut by_level: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &p.sites {
        *by_level.entry(s.level.label()).or_default() += 1;
    }
    let want = [
        ("自治区门户", 1),
        ("自治区部门", 53),
        ("市级门户", 5),
        ("市级部门", 122),
        ("县级门户", 22),
        ("县级以下", 45),
    ];
    for (level, n) in want {
        assert_eq!(by_level.get(level).copied(), Some(n), "{level}");
    }
    assert_eq!(p.sampled_urls().len(), 217);
    assert_eq!(p.round_urls(0).len() + p.round_urls(1).len(), 217);
    for u in &p.units {
        let running = p.sites.iter().filter(|s| s.unit == u.name).count();
        let sampled = p
            .sites
            .iter()
            .filter(|s| s.unit == u.name && s.round.is_some())
            .count();
        assert_eq!((running, sampled), (u.running, u.sampled), "{}", u.name);
    }
}

#[test]
fn problem_sites_are_sampled_and_split_11_stale_14_blank() {
    let p = province();
    let problems: Vec<&ProvinceSite> = p.sites.iter().filter(|s| s.problem.is_some()).collect();
    assert_eq!(problems.len(), 21);
    assert!(problems.iter().all(|s| s.round.is_some()));
    let stale = problems
        .iter()
        .filter(|s| s.problem.as_ref().is_some_and(|d| d.veto.stale()))
        .count();
    let blank = problems
        .iter()
        .filter(|s| s.problem.as_ref().is_some_and(|d| d.veto.blank()))
        .count();
    assert_eq!((stale, blank), (11, 14));
    assert!(p
        .problem_urls()
        .contains(&"http://218.95.179.142/gysfgw".to_string()));
    let synthetic = p.sites.iter().filter(|s| s.problem.is_none());
    assert!(synthetic
        .clone()
        .all(|s| s.spec.host.ends_with(".sim.test") && s.spec.name.starts_with("示例")));
    assert_eq!(synthetic.count(), 227);
}

#[test]
fn variety_is_present_and_yearless_dates_stay_recent() {
    let p = province();
    let specs: Vec<&SiteSpec> = p.sites.iter().map(|s| &s.spec).collect();
    let as_of = NaiveDate::from_ymd_opt(2018, 3, 1).expect("date");
    for s in &specs {
        if s.dates == DateStyle::Yearless {
            for c in s.columns.iter().filter(|c| c.items > 0) {
                let oldest = item_date(c, as_of, c.items - 1);
                assert!((as_of - oldest).num_days() < 300, "{} {}", s.name, c.name);
            }
        }
    }
    let count = |f: &dyn Fn(&SiteSpec) -> bool| specs.iter().filter(|s| f(s)).count();
    assert!(count(&|s| s.encoding == "gbk") >= 20);
    assert!(count(&|s| s.dates == DateStyle::Yearless) >= 10);
    assert!(count(&|s| s.dates == DateStyle::ArticleOnly) >= 10);
    assert!(count(&|s| s.columns.iter().any(|c| c.page_size.is_some())) >= 20);
    assert!(count(&|s| s.delay_ms > 0) >= 3);
    assert!(count(&|s| s.behaviour == crate::sim::spec::Behaviour::Flaky) >= 3);
    for t in [
        crate::sim::spec::Template::Ul,
        crate::sim::spec::Template::Table,
        crate::sim::spec::Template::Div,
    ] {
        assert!(count(&|s| s.template == t) >= 20);
    }
}

#[test]
fn expansion_is_deterministic() {
    let a = province();
    let b = province();
    assert_eq!(a.registry_csv(), b.registry_csv());
    assert_eq!(format!("{:?}", a.scenario()), format!("{:?}", b.scenario()));
}

#[test]
fn the_registry_csv_imports() {
    let p = province();
    let sites = crate::registry::parse_csv(p.registry_csv().as_bytes(), Path::new("p.csv"))
        .expect("registry parses");
    assert_eq!(sites.len(), 248);
    let list = p.round_list(1);
    assert!(list.starts_with('#'));
    assert!(list.contains("http://218.95.179.142/gysfgw"));
}

#[test]
fn bad_descriptions_are_explained() {
    let text = NINGXIA_2018Q1.replace(
        "running = 3\nsampled = 3\nround = 2\n",
        "running = 3\nsampled = 4\nround = 2\n",
    );
    let err = Province::from_toml(&text, "x.toml").expect_err("sampled > running");
    assert!(err.to_string().contains("x.toml"), "{err}");
}
