//! Statistics (`govaudit::stats`) against the seed notice 宁政办函〔2018〕27号 and against small
//! hand-computed cases; round diffs.
//!
//! The seed figures come from `tests/fixtures/stats/seed-2018q1.toml` (hand-derived, committed;
//! see its header) and, when `../shared/seed/` exists, from the seed CSVs themselves.

use crate::support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use govaudit::findings::Verdict;
use govaudit::render::text::{quarter_stats_text, round_diff_text};
use govaudit::stats::{
    format_rate, quarter_stats, round_diff, AuditRecord, FailRule, Quarter, QuarterStats,
    RoundDiff, RoundKind, SiteRecord, StatsSettings,
};
use serde::Deserialize;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stats")
}

fn shared_seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed")
}

#[derive(Deserialize)]
struct Fixture {
    sites: Vec<SiteRecord>,
    audits: Vec<AuditRecord>,
}

fn seed_fixture() -> Fixture {
    let path = fixtures().join("seed-2018q1.toml");
    let text = std::fs::read_to_string(&path).expect("read seed fixture");
    toml::from_str(&text).expect("parse seed fixture")
}

fn q1() -> Quarter {
    "2018Q1".parse().expect("quarter")
}

fn any() -> StatsSettings {
    StatsSettings::default()
}

fn latest() -> StatsSettings {
    StatsSettings {
        fail_rule: FailRule::LatestRegular,
    }
}

/// A CSV without quoted fields (the seed's), as rows of fields, header skipped.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|f| f.trim().to_string()).collect())
        .collect()
}

fn units_csv() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(fixtures().join("units-2018q1.csv")).expect("units csv");
    csv_rows(&text)
}

/// Every per-unit row, the totals and the subtotals of 附件1 and 一、总体情况.
fn assert_seed_table(st: &QuarterStats, units: &[Vec<String>]) {
    assert_eq!(st.units.len(), units.len());
    for (row, want) in st.units.iter().zip(units) {
        let got = [
            row.unit.clone(),
            row.running.to_string(),
            row.sampled.to_string(),
            row.failed.to_string(),
            row.pass_rate_text.clone(),
        ];
        assert_eq!(got.as_slice(), want.as_slice());
    }
    let t = &st.total;
    assert_eq!((t.running, t.sampled, t.failed), (248, 217, 21));
    assert_eq!(t.sample_ratio_text, "87.5%");
    assert_eq!(t.pass_rate_text, "90.3%");
    let sub = |label: &str| {
        let r = st.subtotals.iter().find(|r| r.unit == label).expect(label);
        (r.sampled, r.failed, r.pass_rate_text.clone())
    };
    assert_eq!(sub("市、县（区）"), (184, 15, "91.8%".to_string()));
    assert_eq!(sub("自治区部门（单位）"), (33, 6, "81.8%".to_string()));
}

#[test]
fn seed_fixture_reproduces_the_notice() {
    let f = seed_fixture();
    let st = quarter_stats(&f.sites, &f.audits, &q1(), &any());
    assert!(st.warnings.is_empty(), "{:?}", st.warnings);
    assert_seed_table(&st, &units_csv());

    let levels: Vec<(&str, usize)> = st
        .by_level
        .iter()
        .map(|l| (l.level.as_str(), l.running))
        .collect();
    assert_eq!(
        levels,
        [
            ("自治区门户", 1),
            ("自治区部门", 53),
            ("市级门户", 5),
            ("市级部门", 122),
            ("县级门户", 22),
            ("县级以下", 45)
        ]
    );

    let cat = |rule: &str| {
        let c = st.categories.iter().find(|c| c.rule == rule).expect(rule);
        (c.sites, c.share_text.clone(), c.label.clone())
    };
    assert_eq!(
        cat("columns.stale"),
        (11, "52.4%".into(), "动态类栏目2周以上未更新".into())
    );
    assert_eq!(
        cat("columns.blank"),
        (14, "66.7%".into(), "空白栏目数量超过5个".into())
    );
    assert_eq!(cat("footer.missing_identifier").0, 4);
    assert_eq!(cat("interaction.no_survey").0, 3);
    assert_eq!(cat("homepage.few_updates").0, 2);
    assert_eq!(cat("links.broken").0, 1);
    assert_eq!(st.categories[0].rule, "columns.stale", "the notice's order");

    // 附件2: the same 21 sites, each with every reason.
    let problems = std::fs::read_to_string(fixtures().join("problem-sites-2018q1.csv"))
        .expect("problem sites csv");
    let want: BTreeSet<(String, String)> = csv_rows(&problems)
        .into_iter()
        .map(|r| (r[1].clone(), r[3].clone()))
        .collect();
    let got: BTreeSet<(String, String)> = st
        .failed_sites
        .iter()
        .map(|s| (s.name.clone(), s.unit.clone()))
        .collect();
    assert_eq!(got, want);
    let sifa = st
        .failed_sites
        .iter()
        .find(|s| s.name == "固原市司法行政")
        .expect("固原市司法行政");
    let rules: Vec<&str> = sifa.reasons.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(rules, ["columns.stale", "links.broken"]);
    assert_eq!(sifa.reasons[1].label, "栏目链接无法打开");
    assert_eq!(sifa.reasons[1].messages, ["不可用链接3个，扣3.0分"]);
    let huanbao = st
        .failed_sites
        .iter()
        .find(|s| s.name == "宁夏环境保护")
        .expect("宁夏环境保护");
    assert_eq!(huanbao.failed_audits.len(), 2, "failed in both rounds");
    assert_eq!(huanbao.reasons.len(), 2, "reasons of both failing audits");
    let zhaoshang = st
        .failed_sites
        .iter()
        .find(|s| s.name == "中卫市招商")
        .expect("中卫市招商");
    let months: Vec<&str> = zhaoshang
        .failed_audits
        .iter()
        .map(|a| a.month.as_str())
        .collect();
    assert_eq!(
        months,
        ["2018-02"],
        "sampled twice, failing only in its second round"
    );

    // The notice's four repeat offenders; 兴庆区网站2 (failed only in 2017) is not called out.
    let offenders: Vec<&str> = st
        .repeat_offenders
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(
        offenders,
        [
            "宁夏环境保护",
            "宁夏统计信息",
            "石嘴山市档案信息",
            "固原市林业局"
        ]
    );
    let tongji = &st.repeat_offenders[1];
    let months: Vec<&str> = tongji
        .failed_rounds
        .iter()
        .map(|r| r.month.as_str())
        .collect();
    assert_eq!(months, ["2017-12", "2018-02"]);
    assert_eq!(tongji.failed_rechecks.len(), 1);
    assert_eq!(tongji.reasons.len(), 2, "{:?}", tongji.reasons);

    // JSON keys of the issue.
    let json = serde_json::to_value(&st).expect("json");
    for key in [
        "units",
        "total",
        "subtotals",
        "by_level",
        "categories",
        "repeat_offenders",
        "failed_sites",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    for key in ["unit", "running", "sampled", "failed", "pass_rate"] {
        assert!(json["units"][0].get(key).is_some(), "units[].{key}");
        assert!(json["total"].get(key).is_some(), "total.{key}");
    }
    for key in ["rule", "label", "sites", "share"] {
        assert!(
            json["categories"][0].get(key).is_some(),
            "categories[].{key}"
        );
    }
    assert_eq!(json["quarter"], "2018Q1");
    assert_eq!(json["fail_rule"], "any_regular");
    assert_eq!(json["total"]["sampled"], 217);

    let text = quarter_stats_text(&st);
    for needle in [
        "2018年第一季度",
        "正在运行的政府网站248家",
        "抽查政府网站217家，抽查比例为87.5%，不合格21家，总体合格率90.3%",
        "合格率为91.8%",
        "合格率为81.8%",
        "单位 | 运行网站数 | 抽查网站数 | 不合格网站数 | 合格率",
        "利通区 | 2 | 1 | 1 | 0",
        "合计 | 248 | 217 | 21 | 90.3%",
        "动态类栏目2周以上未更新：11家，占52.4%",
        "空白栏目数量超过5个：14家，占66.7%",
        "“固原市林业局”网",
        "整改后复核仍不合格",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
fn seed_fixture_under_latest_regular() {
    let f = seed_fixture();
    let st = quarter_stats(&f.sites, &f.audits, &q1(), &latest());
    // 吴忠市旅游 failed in January and passed in February: not failed under LatestRegular.
    assert_eq!((st.total.sampled, st.total.failed), (217, 20));
    let wuzhong = st
        .units
        .iter()
        .find(|u| u.unit == "吴忠市(本级)")
        .expect("吴忠");
    assert_eq!(
        (wuzhong.failed, wuzhong.pass_rate_text.as_str()),
        (1, "88.9%")
    );
    assert!(!st.failed_sites.iter().any(|s| s.name == "吴忠市旅游"));
    // 中卫市招商 failed in its latest round: still failed.
    assert!(st.failed_sites.iter().any(|s| s.name == "中卫市招商"));
}

#[test]
fn seed_csvs_from_shared_match_the_committed_copies_and_reproduce() {
    let dir = shared_seed();
    if !dir.join("units-2018q1.csv").exists() {
        eprintln!("note: {} absent; seed CSV check skipped", dir.display());
        return;
    }
    for name in ["units-2018q1.csv", "problem-sites-2018q1.csv"] {
        let shared = std::fs::read_to_string(dir.join(name)).expect("shared csv");
        let copy = std::fs::read_to_string(fixtures().join(name)).expect("fixture csv");
        assert_eq!(
            shared, copy,
            "{name}: the committed copy differs from ../shared/seed"
        );
    }
    // Build sites and one round straight from the seed CSVs: each unit's failing sites are the
    // 问题网站 of 附件2, the other sampled sites pass, the rest are not sampled.
    let units = csv_rows(&std::fs::read_to_string(dir.join("units-2018q1.csv")).expect("units"));
    let problems =
        csv_rows(&std::fs::read_to_string(dir.join("problem-sites-2018q1.csv")).expect("problems"));
    let (mut sites, mut audits) = (Vec::new(), Vec::new());
    for row in &units {
        let unit = &row[0];
        let running: usize = row[1].parse().expect("running");
        let sampled: usize = row[2].parse().expect("sampled");
        let failing: Vec<&Vec<String>> = problems.iter().filter(|p| &p[3] == unit).collect();
        let region = unit == "区直部门（单位）";
        for k in 0..running {
            let id = sites.len() as i64 + 1;
            let (name, url) = match failing.get(k) {
                Some(p) => (p[1].clone(), p[2].clone()),
                None => (format!("{unit}{k}"), format!("http://s{id}.example.gov.cn")),
            };
            let level = if region {
                "自治区部门"
            } else {
                "市级部门"
            };
            sites.push(site(id, unit, level, &name, &url));
            if k < sampled {
                let fail = k < failing.len();
                audits.push(regular(id, id, 1, "2018-02", fail, &[]));
            }
        }
    }
    let st = quarter_stats(&sites, &audits, &q1(), &any());
    assert_seed_table(&st, &units);
    assert_eq!(st.failed_sites.len(), problems.len());
}

// ---- small hand-computed cases ----

fn site(id: i64, unit: &str, level: &str, name: &str, url: &str) -> SiteRecord {
    SiteRecord {
        site_id: id,
        unit: unit.into(),
        level: level.into(),
        name: name.into(),
        url: url.into(),
        running: true,
    }
}

fn date(month: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&format!("{month}-20"), "%Y-%m-%d").expect("date")
}

fn regular(
    check: i64,
    site: i64,
    round: i64,
    month: &str,
    fail: bool,
    rules: &[&str],
) -> AuditRecord {
    AuditRecord {
        check_id: check,
        site_id: site,
        round_id: round,
        round_kind: RoundKind::Regular,
        month: month.into(),
        as_of: date(month),
        verdict: if fail { Verdict::Fail } else { Verdict::Pass },
        rules: rules.iter().map(|r| r.to_string()).collect(),
        evidence: Vec::new(),
        rechecks_check: None,
    }
}

fn recheck(check: i64, site: i64, round: i64, month: &str, fail: bool, of: i64) -> AuditRecord {
    AuditRecord {
        round_kind: RoundKind::Recheck,
        rechecks_check: Some(of),
        ..regular(
            check,
            site,
            round,
            month,
            fail,
            if fail { &["columns.stale"] } else { &[] },
        )
    }
}

/// Unit A: sites 1, 2 (区直, 自治区部门); unit B: sites 3, 4 (县级以下).
fn small_sites() -> Vec<SiteRecord> {
    vec![
        site(1, "A", "自治区部门", "a1", "http://a1"),
        site(2, "A", "自治区部门", "a2", "http://a2"),
        site(3, "B", "县级以下", "b3", "http://b3"),
        site(4, "B", "县级以下", "b4", "http://b4"),
    ]
}

#[test]
fn a_site_sampled_twice_counts_once() {
    let audits = [
        regular(1, 1, 1, "2018-01", false, &[]),
        regular(2, 1, 2, "2018-02", false, &[]),
        regular(3, 3, 2, "2018-02", false, &[]),
    ];
    let st = quarter_stats(&small_sites(), &audits, &q1(), &any());
    assert_eq!(
        (st.total.running, st.total.sampled, st.total.failed),
        (4, 2, 0)
    );
    assert_eq!(st.units[0].sampled, 1);
    assert_eq!(st.units[0].sample_ratio_text, "50%");
    assert_eq!(st.total.pass_rate_text, "100%");
}

#[test]
fn any_regular_versus_latest_regular() {
    // Site 1 fails in January and passes in February; site 3 passes, then fails.
    let audits = [
        regular(1, 1, 1, "2018-01", true, &["columns.blank"]),
        regular(2, 1, 2, "2018-02", false, &[]),
        regular(3, 3, 1, "2018-01", false, &[]),
        regular(4, 3, 2, "2018-02", true, &["columns.stale"]),
    ];
    let st = quarter_stats(&small_sites(), &audits, &q1(), &any());
    assert_eq!((st.total.sampled, st.total.failed), (2, 2));
    assert_eq!(st.total.pass_rate_text, "0");
    let st = quarter_stats(&small_sites(), &audits, &q1(), &latest());
    assert_eq!((st.total.sampled, st.total.failed), (2, 1));
    assert_eq!(st.total.pass_rate_text, "50%");
    assert_eq!(st.failed_sites.len(), 1);
    assert_eq!(st.failed_sites[0].site_id, 3);
    assert_eq!(st.categories.len(), 1);
    assert_eq!(
        (st.categories[0].rule.as_str(), st.categories[0].sites),
        ("columns.stale", 1)
    );
    assert_eq!(st.categories[0].share_text, "100%");
}

#[test]
fn recheck_audits_and_other_quarters_are_not_counted() {
    let audits = [
        regular(1, 1, 1, "2018-01", true, &["columns.stale"]),
        recheck(2, 1, 2, "2018-01", false, 1),
        recheck(3, 2, 2, "2018-02", true, 99), // a re-check alone never samples a site
        regular(4, 3, 0, "2017-12", true, &[]),
        regular(5, 4, 3, "2018-04", true, &[]),
    ];
    let st = quarter_stats(&small_sites(), &audits, &q1(), &any());
    assert_eq!((st.total.sampled, st.total.failed), (1, 1));
    assert_eq!(st.units[1].sampled, 0);
    assert_eq!(st.units[1].pass_rate, None);
    assert_eq!(st.units[1].pass_rate_text, "—");
    // Site 2's failed re-check makes it a repeat offender even though it was not sampled.
    let ids: Vec<i64> = st.repeat_offenders.iter().map(|o| o.site_id).collect();
    assert_eq!(ids, [2]);
}

#[test]
fn a_repeat_offender_across_quarters() {
    let audits = [
        regular(1, 1, 1, "2017-11", true, &["columns.stale"]),
        regular(2, 1, 3, "2018-02", true, &["columns.blank"]),
        // Site 3 failed twice in 2017 only: not called out in 2018Q1.
        regular(3, 3, 1, "2017-11", true, &[]),
        regular(4, 3, 2, "2017-12", true, &[]),
        regular(5, 3, 3, "2018-02", false, &[]),
        // Site 4 fails twice in one round (a repeated check): one round, not a repeat offender.
        regular(6, 4, 3, "2018-02", true, &[]),
        regular(7, 4, 3, "2018-02", true, &[]),
    ];
    let st = quarter_stats(&small_sites(), &audits, &q1(), &any());
    assert_eq!(st.repeat_offenders.len(), 1, "{:?}", st.repeat_offenders);
    let o = &st.repeat_offenders[0];
    assert_eq!(o.site_id, 1);
    let months: Vec<&str> = o.failed_rounds.iter().map(|r| r.month.as_str()).collect();
    assert_eq!(months, ["2017-11", "2018-02"]);
    assert_eq!(
        o.reasons,
        ["2轮抽查不合格（2017-11、2018-02），多次被抽查通报"]
    );
    // In 2017Q4 both sites 1 (one failure) and 3 (two) are looked at: only site 3 qualifies.
    let q4: Quarter = "2017-Q4".parse().expect("quarter");
    let st = quarter_stats(&small_sites(), &audits, &q4, &any());
    let ids: Vec<i64> = st.repeat_offenders.iter().map(|o| o.site_id).collect();
    assert_eq!(ids, [3]);
}

#[test]
fn a_failed_recheck() {
    let audits = [
        regular(1, 3, 1, "2018-03", true, &["columns.blank"]),
        recheck(2, 3, 2, "2018-03", true, 1),
        regular(3, 4, 1, "2018-03", true, &["columns.blank"]),
        recheck(4, 4, 2, "2018-03", false, 3),
    ];
    let st = quarter_stats(&small_sites(), &audits, &q1(), &any());
    assert_eq!((st.total.sampled, st.total.failed), (2, 2));
    assert_eq!(st.repeat_offenders.len(), 1);
    let o = &st.repeat_offenders[0];
    assert_eq!((o.site_id, o.failed_rechecks.len()), (3, 1));
    assert_eq!(o.reasons, ["整改后复核仍不合格（2018-03）"]);
}

#[test]
fn unknown_sites_and_bad_months_are_warned_about() {
    let audits = [
        regular(1, 99, 1, "2018-01", true, &[]),
        regular(2, 1, 1, "2018-1", true, &[]),
    ];
    let st = quarter_stats(&small_sites(), &audits, &q1(), &any());
    assert_eq!(st.total.sampled, 0);
    assert_eq!(st.warnings.len(), 2, "{:?}", st.warnings);
    assert_eq!(format_rate(st.total.pass_rate), "—");
}

// ---- round diff ----

/// Two rounds of five sites: one still failing with rules new, fixed and still there, one
/// fixed, one newly failing, one only in A, one (unregistered) only in B.
fn small_diff() -> RoundDiff {
    let sites = small_sites();
    let a = [
        regular(
            1,
            1,
            1,
            "2018-01",
            true,
            &["columns.stale", "columns.blank"],
        ),
        regular(2, 2, 1, "2018-01", true, &["columns.blank"]),
        regular(3, 3, 1, "2018-01", false, &["interaction.no_survey"]),
        regular(4, 4, 1, "2018-01", false, &[]),
    ];
    let b = [
        regular(
            11,
            1,
            2,
            "2018-02",
            true,
            &["columns.blank", "links.broken"],
        ),
        regular(12, 2, 2, "2018-02", false, &[]),
        regular(
            13,
            3,
            2,
            "2018-02",
            true,
            &["columns.stale", "interaction.no_survey"],
        ),
        regular(14, 5, 2, "2018-02", false, &[]),
    ];
    round_diff(&a, &b, &sites)
}

#[test]
fn round_diff_sorts_sites_and_rules() {
    let d = small_diff();
    let ids = |v: &[govaudit::stats::SiteDiff]| v.iter().map(|s| s.site_id).collect::<Vec<_>>();
    assert_eq!(ids(&d.still_failing), [1]);
    assert_eq!(ids(&d.fixed), [2]);
    assert_eq!(ids(&d.newly_failing), [3]);
    assert_eq!(ids(&d.only_in_a), [4]);
    assert_eq!(ids(&d.only_in_b), [5]);
    assert!(d.still_passing.is_empty());
    assert_eq!(
        (d.rounds_a.as_slice(), d.rounds_b.as_slice()),
        ([1].as_slice(), [2].as_slice())
    );
    let s1 = &d.still_failing[0];
    assert_eq!(s1.rules_new, ["links.broken"]);
    assert_eq!(s1.rules_fixed, ["columns.stale"]);
    assert_eq!(s1.rules_still, ["columns.blank"]);
    assert_eq!(d.fixed[0].rules_fixed, ["columns.blank"]);
    assert_eq!(d.newly_failing[0].rules_still, ["interaction.no_survey"]);
    assert_eq!(d.only_in_b[0].name, "", "site 5 is not registered");

    let text = round_diff_text(&d);
    for needle in [
        "新增不合格1家，已整改1家，仍不合格1家",
        "整改率50%",
        "a1（A，http://a1）：不合格 → 不合格",
        "新出现：栏目链接无法打开",
        "网站5（未登记）",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    let json = serde_json::to_value(&d).expect("json");
    assert_eq!(json["fixed"][0]["verdict_b"], "pass");
}

#[test]
fn round_diff_of_a_recheck_uses_each_sites_latest_audit() {
    let sites = small_sites();
    let a = [regular(1, 1, 1, "2018-01", true, &["columns.blank"])];
    let b = [
        recheck(2, 1, 2, "2018-01", true, 1),
        AuditRecord {
            as_of: date("2018-02"),
            ..recheck(3, 1, 2, "2018-01", false, 1)
        },
    ];
    let d = round_diff(&a, &b, &sites);
    assert_eq!(d.fixed.len(), 1);
    assert_eq!(d.fixed[0].check_b, Some(3));
    assert!(d.still_failing.is_empty());
}

/// The quarter of the seed and a small round diff as text, whole: moving the renderers (issue 18)
/// must not change a character.
#[test]
fn the_quarter_and_a_round_diff_read_the_same_as_text() {
    let f = seed_fixture();
    let st = quarter_stats(&f.sites, &f.audits, &q1(), &any());
    support::snapshot("stats-2018q1.txt", &quarter_stats_text(&st));
    support::snapshot("round-diff.txt", &round_diff_text(&small_diff()));
}
