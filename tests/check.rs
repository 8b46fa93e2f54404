//! End-to-end single-site audits on loopback: every rule, both sides of every threshold, GBK
//! declared only in <meta>, year-less dates across New Year, a path-prefix site, an
//! unreachable site. Sites come from `tests/fixtures/sites/thresholds.toml`, served by the
//! project's simulated server; the auditor sees only HTTP.

use crate::support;

#[path = "check/interaction.rs"]
mod interaction;
#[path = "check/markup.rs"]
mod markup;
#[path = "check/snapshots.rs"]
mod snapshots;

use chrono::NaiveDate;
use govaudit::findings::{Severity, Verdict};
use support::{audit, rules_fired};

const AS_OF: &str = "2018-03-01";

fn finding<'a>(
    r: &'a govaudit::audit::AuditResult,
    rule: &str,
) -> Option<&'a govaudit::findings::Finding> {
    r.evaluation.findings.iter().find(|f| f.rule == rule)
}

#[tokio::test]
async fn healthy_site_passes_with_full_marks() {
    let r = audit("thresholds", "http://base.gov.test/", AS_OF).await;
    assert!(r.observation.reachability.ok);
    assert_eq!(
        r.evaluation.verdict,
        Verdict::Pass,
        "{:#?}",
        r.evaluation.findings
    );
    assert!(
        r.evaluation
            .findings
            .iter()
            .all(|f| f.severity == Severity::Info),
        "{:#?}",
        r.evaluation.findings
    );
    let names: Vec<&str> = r
        .observation
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        names.contains(&"工作动态") && names.contains(&"网上调查"),
        "{names:?}"
    );
    let gzdt = r
        .observation
        .columns
        .iter()
        .find(|c| c.name == "工作动态")
        .expect("column");
    assert_eq!(
        gzdt.newest,
        Some(NaiveDate::from_ymd_opt(2018, 2, 28).expect("date"))
    );
    assert_eq!(r.observation.footer.site_code.found(), Some("6499010001"));
    assert!(r.observation.footer.jiucuo.present);
    assert!(
        r.observation.links.checked > 10,
        "links checked: {}",
        r.observation.links.checked
    );
    assert!(
        r.observation.links.problems.is_empty(),
        "{:#?}",
        r.observation.links.problems
    );
}

#[tokio::test]
async fn four_blank_columns_do_not_veto_five_do() {
    let four = audit("thresholds", "http://blank4.gov.test/", AS_OF).await;
    assert_eq!(
        four.observation.columns.iter().filter(|c| c.blank).count(),
        4
    );
    assert!(!four
        .evaluation
        .vetoes
        .contains(&"columns.blank".to_string()));
    let five = audit("thresholds", "http://blank5.gov.test/", AS_OF).await;
    assert_eq!(
        five.observation.columns.iter().filter(|c| c.blank).count(),
        5
    );
    assert_eq!(five.evaluation.verdict, Verdict::Fail);
    assert!(five
        .evaluation
        .vetoes
        .contains(&"columns.blank".to_string()));
    let f = finding(&five, "columns.blank").expect("finding");
    assert_eq!(f.evidence.len(), 5, "each blank column listed");
}

#[tokio::test]
async fn four_stale_columns_do_not_veto_five_do() {
    let four = audit("thresholds", "http://stale4.gov.test/", AS_OF).await;
    assert!(
        !four
            .evaluation
            .vetoes
            .contains(&"columns.stale".to_string()),
        "{:#?}",
        four.evaluation
    );
    let five = audit("thresholds", "http://stale5.gov.test/", AS_OF).await;
    assert!(
        five.evaluation
            .vetoes
            .contains(&"columns.stale".to_string()),
        "{:#?}",
        five.evaluation
    );
    let f = finding(&five, "columns.stale").expect("finding");
    assert_eq!(f.evidence.len(), 5);
    assert!(
        f.evidence
            .iter()
            .all(|e| e.days_overdue == Some(1) && e.newest.is_some()),
        "{:#?}",
        f.evidence
    );
}

#[tokio::test]
async fn dynamic_columns_14_days_old_are_not_stale() {
    let r = audit("thresholds", "http://fresh14.gov.test/", AS_OF).await;
    assert!(
        finding(&r, "columns.stale").is_none(),
        "{:#?}",
        r.evaluation
    );
}

#[tokio::test]
async fn homepage_14_days_is_fresh_15_days_is_stale() {
    let fresh = audit("thresholds", "http://home14.gov.test/", AS_OF).await;
    assert!(
        !fresh
            .evaluation
            .vetoes
            .contains(&"homepage.stale".to_string()),
        "{:#?}",
        fresh.evaluation
    );
    let stale = audit("thresholds", "http://home15.gov.test/", AS_OF).await;
    assert!(
        stale
            .evaluation
            .vetoes
            .contains(&"homepage.stale".to_string()),
        "{:#?}",
        stale.evaluation
    );
    assert_eq!(stale.evaluation.verdict, Verdict::Fail);
}

#[tokio::test]
async fn nine_long_unupdated_columns_do_not_veto_ten_do() {
    let nine = audit("thresholds", "http://long9.gov.test/", AS_OF).await;
    assert!(
        !nine
            .evaluation
            .vetoes
            .contains(&"columns.long_unupdated".to_string()),
        "{:#?}",
        nine.evaluation
    );
    let ten = audit("thresholds", "http://long10.gov.test/", AS_OF).await;
    assert!(
        ten.evaluation
            .vetoes
            .contains(&"columns.long_unupdated".to_string()),
        "{:#?}",
        ten.evaluation
    );
    assert_eq!(
        finding(&ten, "columns.long_unupdated")
            .expect("finding")
            .evidence
            .len(),
        10
    );
}

#[tokio::test]
async fn footer_problems_are_each_reported() {
    let r = audit("thresholds", "http://footer.gov.test/", AS_OF).await;
    let f = finding(&r, "footer.missing_identifier").expect("footer finding");
    assert_eq!(f.severity, Severity::Deduction);
    let text = serde_json::to_string(&f.evidence).expect("json");
    // A malformed ICP number, a missing 公安备案号 and a jiucuo sitecode that disagrees with
    // the 网站标识码.
    assert!(f.evidence.len() >= 3, "{text}");
    assert!(text.contains("0500"), "malformed ICP value shown: {text}");
    assert!(
        text.contains("6499019999"),
        "mismatching jiucuo sitecode shown: {text}"
    );
}

#[tokio::test]
async fn missing_survey_column_is_a_deduction() {
    let r = audit("thresholds", "http://nosurvey.gov.test/", AS_OF).await;
    assert!(rules_fired(&r).contains(&"interaction.no_survey".to_string()));
    let base = audit("thresholds", "http://base.gov.test/", AS_OF).await;
    assert!(!rules_fired(&base).contains(&"interaction.no_survey".to_string()));
}

#[tokio::test]
async fn nine_homepage_updates_are_too_few_ten_are_enough() {
    let nine = audit("thresholds", "http://few9.gov.test/", AS_OF).await;
    assert!(
        rules_fired(&nine).contains(&"homepage.few_updates".to_string()),
        "{:#?}",
        nine.evaluation
    );
    let ten = audit("thresholds", "http://few10.gov.test/", AS_OF).await;
    assert!(
        !rules_fired(&ten).contains(&"homepage.few_updates".to_string()),
        "{:#?}",
        ten.evaluation
    );
}

#[tokio::test]
async fn broken_links_are_listed_with_their_page() {
    let r = audit("thresholds", "http://broken.gov.test/", AS_OF).await;
    let f = finding(&r, "links.broken").expect("links.broken");
    assert_eq!(f.evidence.len(), 2, "{:#?}", f.evidence);
    for e in &f.evidence {
        assert_eq!(e.status, Some(404));
        assert!(
            e.pages
                .iter()
                .any(|p| p.starts_with("http://broken.gov.test/")),
            "{e:?}"
        );
    }
}

#[tokio::test]
async fn yearless_dates_across_new_year_take_last_year() {
    let r = audit("thresholds", "http://yearless.gov.test/", "2018-01-05").await;
    let gzdt = r
        .observation
        .columns
        .iter()
        .find(|c| c.name == "工作动态")
        .expect("column");
    assert_eq!(gzdt.newest, NaiveDate::from_ymd_opt(2017, 12, 28));
    assert!(
        !r.evaluation.vetoes.contains(&"homepage.stale".to_string()),
        "{:#?}",
        r.evaluation
    );
    assert!(
        finding(&r, "columns.stale").is_none(),
        "{:#?}",
        r.evaluation
    );
}

#[tokio::test]
async fn gbk_page_declared_only_in_meta_is_read() {
    let r = audit("thresholds", "http://gbk.gov.test/", AS_OF).await;
    let names: Vec<&str> = r
        .observation
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        names.contains(&"教育动态") && names.contains(&"民意征集"),
        "{names:?}"
    );
    let c = r
        .observation
        .columns
        .iter()
        .find(|c| c.name == "教育动态")
        .expect("column");
    assert_eq!(c.newest, NaiveDate::from_ymd_opt(2018, 2, 28));
    assert_eq!(r.evaluation.verdict, Verdict::Pass, "{:#?}", r.evaluation);
}

#[tokio::test]
async fn path_prefix_site_sees_only_its_own_pages() {
    let r = audit("thresholds", "http://www.prefix.gov.test/gysfgw", AS_OF).await;
    assert!(!r.observation.columns.is_empty());
    for c in &r.observation.columns {
        assert!(
            c.url.starts_with("http://www.prefix.gov.test/gysfgw/"),
            "{}",
            c.url
        );
    }
    assert!(
        r.observation.columns.iter().all(|c| !c.blank),
        "the /other site's blank columns leaked in"
    );
    assert_eq!(r.evaluation.verdict, Verdict::Pass, "{:#?}", r.evaluation);
}

#[tokio::test]
async fn unreachable_site_is_vetoed() {
    let r = audit("thresholds", "http://down.gov.test/", AS_OF).await;
    assert!(!r.observation.reachability.ok);
    assert!(r
        .evaluation
        .vetoes
        .contains(&"site.unreachable".to_string()));
    assert!(
        r.observation.reachability.attempts >= 2,
        "retried before giving up"
    );
    assert_eq!(
        rules_fired(&r),
        vec!["site.unreachable".to_string()],
        "no other rule on an empty page"
    );
}

#[tokio::test]
async fn undated_lists_are_dated_from_their_newest_article() {
    let r = audit("thresholds", "http://article.gov.test/", AS_OF).await;
    let c = r
        .observation
        .columns
        .iter()
        .find(|c| c.name == "部门动态")
        .expect("column");
    assert_eq!(c.date_source, govaudit::observation::DateSource::Article);
    assert_eq!(c.newest, NaiveDate::from_ymd_opt(2018, 2, 9));
    assert!(
        r.evaluation.vetoes.contains(&"columns.stale".to_string()),
        "{:#?}",
        r.evaluation
    );
}

#[tokio::test]
async fn links_shared_by_sites_of_one_run_are_checked_once() {
    let as_of: NaiveDate = AS_OF.parse().expect("date");
    let server = govaudit::sim::SimServer::start(support::scenario("thresholds"), as_of)
        .await
        .expect("server");
    let auditor = govaudit::audit::Auditor::from_config(&support::config_for(&server, false))
        .expect("auditor");
    for site in [
        "http://base.gov.test/",
        "http://blank4.gov.test/",
        "http://few10.gov.test/",
    ] {
        let r = auditor
            .audit(&url::Url::parse(site).expect("url"), as_of)
            .await;
        assert!(r.observation.links.checked > 5);
    }
    // Every footer links https://beian.miit.gov.cn/: asked once (plus its robots.txt), not
    // once per site.
    assert_eq!(server.host_stats("beian.miit.gov.cn").hits, 2);
    // A fresh run (a new round) asks again.
    let fresh = auditor.with_fresh_links();
    fresh
        .audit(
            &url::Url::parse("http://base.gov.test/").expect("url"),
            as_of,
        )
        .await;
    assert_eq!(server.host_stats("beian.miit.gov.cn").hits, 3);
}
