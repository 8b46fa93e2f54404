//! 互动回应差 end to end (issue 15): 政务咨询类 message lists read across pages, messages opened
//! when the list does not say whether they were answered, both sides of the 3-month limit, and
//! (gb2019) a site with no consultation channel. Sites: `tests/fixtures/sites/interaction.toml`.

use chrono::NaiveDate;
use govaudit::audit::{AuditResult, Auditor};
use govaudit::observation::ReplyStatus;
use govaudit::sim::SimServer;
use url::Url;

use super::support::{audit, config_for, scenario};
use super::{finding, AS_OF};

async fn site(host: &str) -> AuditResult {
    audit("interaction", &format!("http://{host}/"), AS_OF).await
}

#[tokio::test]
async fn answers_within_three_months_pass_and_the_counts_are_reported() {
    let r = site("lettersok.gov.test").await;
    assert!(!r
        .evaluation
        .vetoes
        .contains(&"interaction.poor_response".to_string()));
    let c = &r.observation.consultations;
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(c[0].column, "领导信箱");
    assert_eq!(c[0].messages.len(), 5);
    let f = finding(&r, "interaction.poor_response").expect("the counts, as a 提示");
    assert!(
        f.message.contains("读取留言5条") && f.message.contains("按时回复3条"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn a_late_answer_on_the_third_list_page_fails_the_site() {
    let r = site("letterslate.gov.test").await;
    let c = &r.observation.consultations[0];
    assert_eq!(c.pages, 3, "read behind 下一页");
    assert_eq!(c.messages.len(), 10);
    assert!(
        r.evaluation
            .vetoes
            .contains(&"interaction.poor_response".to_string()),
        "{:#?}",
        r.evaluation
    );
    let f = finding(&r, "interaction.poor_response").expect("finding");
    assert_eq!(f.evidence.len(), 1);
    let e = &f.evidence[0];
    assert_eq!(e.column.as_deref(), Some("在线咨询"));
    let detail = e.detail.as_deref().unwrap_or_default();
    // Left 200 days before 2018-03-01, answered 95 days later.
    assert!(
        detail.contains("留言时间2017-08-13") && detail.contains("95天后才回复"),
        "{detail}"
    );
    assert!(e
        .url
        .as_deref()
        .is_some_and(|u| u.starts_with("http://letterslate.gov.test/letter/zxzx/")));
}

#[tokio::test]
async fn messages_are_opened_when_the_list_does_not_say_and_unanswered_ones_fail() {
    let r = site("lettersopen.gov.test").await;
    let c = &r.observation.consultations[0];
    let opened: Vec<_> = c.messages.iter().filter(|m| m.opened).collect();
    assert_eq!(opened.len(), 4, "{c:#?}");
    let waiting: Vec<_> = c
        .messages
        .iter()
        .filter(|m| m.status == ReplyStatus::Unanswered)
        .collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].asked, NaiveDate::from_ymd_opt(2017, 11, 21));
    assert!(r
        .evaluation
        .vetoes
        .contains(&"interaction.poor_response".to_string()));
    let f = finding(&r, "interaction.poor_response").expect("finding");
    let detail = f.evidence[0].detail.as_deref().unwrap_or_default();
    assert!(detail.contains("至检查基准日2018-03-01未回复"), "{detail}");
    assert!(f.evidence[0]
        .seen
        .as_deref()
        .is_some_and(|s| s.contains("已打开信件页面核实")));
}

#[tokio::test]
async fn an_ordinary_list_in_a_mailbox_column_costs_one_probe() {
    // 领导信箱 of the healthy base site lists articles: the newest is opened, says nothing of a
    // message, and no more are.
    let r = audit("thresholds", "http://base.gov.test/", AS_OF).await;
    for c in &r.observation.consultations {
        assert!(
            c.messages.iter().filter(|m| m.opened).count() <= 1,
            "{c:#?}"
        );
    }
}

#[tokio::test]
async fn gb2019_vetoes_a_site_with_no_consultation_channel() {
    let r = audit_gb2019("nochannel.gov.test").await;
    assert!(
        r.evaluation
            .vetoes
            .contains(&"interaction.no_channel".to_string()),
        "{:#?}",
        r.evaluation
    );
    let ok = audit_gb2019("lettersok.gov.test").await;
    assert!(!ok
        .evaluation
        .vetoes
        .iter()
        .any(|v| v.starts_with("interaction.")));
}

async fn audit_gb2019(host: &str) -> AuditResult {
    let as_of: NaiveDate = AS_OF.parse().expect("date");
    let server = SimServer::start(scenario("interaction"), as_of)
        .await
        .expect("server");
    let mut cfg = config_for(&server, false);
    cfg.rules.profile = "gb2019".into();
    let auditor = Auditor::from_config(&cfg).expect("auditor");
    auditor
        .audit(&Url::parse(&format!("http://{host}/")).expect("url"), as_of)
        .await
}

#[tokio::test]
async fn gb2019_guides_missing_three_elements_pass_four_fail() {
    let three = audit_gb2019("guides3.gov.test").await;
    assert_eq!(three.observation.service_guides.len(), 6);
    assert!(
        !three
            .evaluation
            .vetoes
            .iter()
            .any(|v| v.starts_with("service.")),
        "{:#?}",
        three.evaluation
    );
    let four = audit_gb2019("guides4.gov.test").await;
    assert!(
        four.evaluation
            .vetoes
            .contains(&"service.not_practical".to_string()),
        "{:#?}",
        four.evaluation
    );
    let f = finding(&four, "service.not_practical").expect("finding");
    // 4, 4, 5, 4, 4 missing: five guides; the one missing 9 shows one element only and is not
    // read as a guide; the complete one is fine.
    assert_eq!(f.evidence.len(), 5);
    assert!(f.evidence[0]
        .detail
        .as_deref()
        .is_some_and(|d| d.contains("缺少4类要素：收费标准、办理时间、联系电话、办理流程")));
    // gb2015 does not judge guides: none are opened.
    let r = site("guides4.gov.test").await;
    assert!(r.observation.service_guides.is_empty());
}

#[tokio::test]
async fn gb2019_a_date_after_the_as_of_date_awaits_a_person_and_is_no_publish_date() {
    let r = audit_gb2019("futuredate.gov.test").await;
    let f = finding(&r, "content.future_date").expect("candidate");
    assert_eq!(f.severity, govaudit::findings::Severity::Review);
    assert!(f.message.contains("最晚2018-03-31"), "{}", f.message);
    assert!(
        !r.evaluation
            .vetoes
            .iter()
            .any(|v| v.starts_with("content.")),
        "a candidate fails nothing until confirmed: {:#?}",
        r.evaluation
    );
    // The future date is not the column's newest date.
    let c = r
        .observation
        .columns
        .iter()
        .find(|c| c.name == "工作动态")
        .expect("column");
    assert_eq!(c.newest, NaiveDate::from_ymd_opt(2018, 2, 28));
}
