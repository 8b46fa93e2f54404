//! Markup shapes an inspector reads one way and a naive auditor another (issue 11), end to end
//! through the crawler against `tests/fixtures/sites/markup.toml`. Each test failed before its
//! fix: marker-less blank columns passed, undated homepages and label-only articles failed,
//! a code in the meta counted as a displayed 网站标识码.

use chrono::NaiveDate;
use govaudit::audit::AuditResult;
use govaudit::observation::{DateSource, Ident, ItemSource};

use super::support::{audit, rules_fired};
use super::{finding, AS_OF};

async fn site(host: &str) -> AuditResult {
    audit("markup", &format!("http://{host}/"), AS_OF).await
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[tokio::test]
async fn empty_lists_are_blank_columns_marker_or_not() {
    let r = site("emptylists.gov.test").await;
    let blank: Vec<&str> = r
        .observation
        .columns
        .iter()
        .filter(|c| c.blank)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(blank.len(), 5, "{blank:?}");
    for c in r.observation.columns.iter().filter(|c| c.blank) {
        assert_eq!(c.blank_marker, None, "{}: no marker on these pages", c.name);
        assert!(
            c.empty_list.is_some(),
            "{}: the empty list is evidence",
            c.name
        );
    }
    assert!(
        r.evaluation.vetoes.contains(&"columns.blank".to_string()),
        "{:#?}",
        r.evaluation
    );
    let f = finding(&r, "columns.blank").expect("finding");
    let seen: Vec<&str> = f
        .evidence
        .iter()
        .filter_map(|e| e.seen.as_deref())
        .collect();
    assert_eq!(seen.len(), 5);
    assert!(
        seen.iter().any(|s| s.contains("<ul class=\"list\">")),
        "{seen:?}"
    );
    assert!(seen.iter().any(|s| s.contains("<recordset>")), "{seen:?}");
    assert!(seen.iter().any(|s| s.contains("<th>标题</th>")), "{seen:?}");
}

#[tokio::test]
async fn a_list_a_script_fills_is_not_judged_blank_but_reported() {
    let r = site("scripted.gov.test").await;
    let c = r
        .observation
        .columns
        .iter()
        .find(|c| c.name == "人事信息")
        .expect("column");
    assert!(c.list_by_script && !c.blank, "{c:#?}");
    assert_eq!(r.observation.columns.iter().filter(|c| c.blank).count(), 4);
    assert!(!r.evaluation.vetoes.contains(&"columns.blank".to_string()));
    let info = r
        .evaluation
        .findings
        .iter()
        .find(|f| f.rule == "columns.blank" && f.message.contains("脚本加载"))
        .expect("a person is asked to look");
    assert_eq!(info.evidence.len(), 1);
    assert_eq!(info.evidence[0].column.as_deref(), Some("人事信息"));
}

#[tokio::test]
async fn undated_homepage_items_are_dated_by_clicking_through() {
    let r = site("homeundated.gov.test").await;
    let items = &r.observation.homepage_items;
    assert!(!items.is_empty());
    let opened: Vec<_> = items.iter().filter(|i| i.date_url.is_some()).collect();
    assert!(!opened.is_empty(), "{items:#?}");
    // The newest 工作动态 item is a day old.
    assert_eq!(
        items.iter().filter_map(|i| i.date).max(),
        Some(day(2018, 2, 28))
    );
    assert!(
        !rules_fired(&r).contains(&"homepage.stale".to_string()),
        "{:#?}",
        r.evaluation
    );
    // The JSON names each item dated by clicking through and the page its date came from.
    let doc = serde_json::to_value(govaudit::render::json::check_json(&r, None)).expect("json");
    let home = &doc["homepage"];
    assert_eq!(home["opened"].as_u64(), Some(opened.len() as u64));
    // At most `crawl.homepage_undated_opened` (5) are opened; the rest stay undated.
    assert_eq!(opened.len(), 5);
    assert_eq!(
        home["undated"].as_u64(),
        Some((items.len() - opened.len()) as u64)
    );
    let first = &home["opened_items"][0];
    assert!(first["date_url"]
        .as_str()
        .is_some_and(|u| u.starts_with("http://homeundated.gov.test/")));
    assert!(first["date"].is_string() && first["title"].is_string());
}

/// Every undated block of a homepage is clicked through, not only the one with the longest
/// titles: a fresh 工作动态 block beside a stale 专题 block means the homepage was updated.
#[tokio::test]
async fn every_undated_homepage_block_is_clicked_through() {
    let r = site("homeblocks.gov.test").await;
    let opened: Vec<&str> = r
        .observation
        .homepage_items
        .iter()
        .filter(|i| i.date_url.is_some())
        .filter_map(|i| i.url.as_deref())
        .collect();
    for block in ["/art/zfxxgk/", "/art/gzdt/"] {
        assert!(
            opened.iter().any(|u| u.contains(block)),
            "{block} not opened: {opened:?}"
        );
    }
    assert_eq!(
        r.observation
            .homepage_items
            .iter()
            .filter_map(|i| i.date)
            .max(),
        Some(day(2018, 2, 28)),
        "the newest 工作动态 item is a day old"
    );
    assert!(
        !rules_fired(&r).contains(&"homepage.stale".to_string()),
        "{:#?}",
        r.evaluation
    );
}

#[tokio::test]
async fn an_undated_homepage_whose_articles_are_old_is_stale_with_the_page_that_says_so() {
    let r = site("homestale.gov.test").await;
    assert!(r.evaluation.vetoes.contains(&"homepage.stale".to_string()));
    let f = finding(&r, "homepage.stale").expect("finding");
    let e = &f.evidence[0];
    assert_eq!(
        e.newest,
        Some(day(2018, 2, 9)),
        "20 days before the as-of date"
    );
    let seen = e.seen.as_deref().unwrap_or_default();
    assert!(
        seen.contains("发布时间见http://homestale.gov.test/"),
        "{seen}"
    );
}

#[tokio::test]
async fn articles_dated_by_the_line_under_their_heading_date_their_columns() {
    let r = site("labelonly.gov.test").await;
    let c = r
        .observation
        .columns
        .iter()
        .find(|c| c.name == "工作动态")
        .expect("column");
    assert_eq!(c.date_source, DateSource::Article);
    assert_eq!(c.newest, Some(day(2018, 2, 28)));
    assert!(
        !rules_fired(&r).contains(&"columns.stale".to_string()),
        "{:#?}",
        r.evaluation
    );
}

#[tokio::test]
async fn a_site_code_only_in_the_meta_is_not_displayed() {
    let r = site("hiddencode.gov.test").await;
    let f = &r.observation.footer;
    assert_eq!(f.site_code, Ident::Missing);
    assert_eq!(f.evidence.site_code.source, ItemSource::Meta);
    assert_eq!(f.evidence.site_code.text.as_deref(), Some("6499020006"));
    // The other items are displayed, each with the text read and where.
    assert_eq!(f.evidence.icp.source, ItemSource::Footer);
    assert_eq!(f.evidence.icp.text.as_deref(), Some("宁ICP备05001234号-1"));
    assert_eq!(f.evidence.police_record.source, ItemSource::Footer);
    assert_eq!(f.evidence.conac.source, ItemSource::Link);
    assert_eq!(f.evidence.jiucuo.source, ItemSource::Script);
    let finding = finding(&r, "footer.missing_identifier").expect("finding");
    let detail = finding.evidence[0].detail.as_deref().unwrap_or_default();
    assert!(
        detail.starts_with("网站标识码未在页面显示（仅见于网页元数据"),
        "{detail}"
    );
    assert!(detail.contains("规范形式如：网站标识码："), "{detail}");
    let seen = finding.evidence[0].seen.as_deref().unwrap_or_default();
    assert!(
        seen.starts_with("页面底部显示：「主办单位：测试标识码不显示"),
        "{seen}"
    );
}
