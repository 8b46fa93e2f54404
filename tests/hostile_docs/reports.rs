//! Hostile page text in the single-check reports (`check --format text|md|json`) and the
//! `links` reports: terminal-safe text, inert Markdown, terminal-safe JSON with the data kept.

use chrono::{NaiveDate, Utc};
use govaudit::audit::AuditResult;
use govaudit::findings::{Evaluation, Evidence, Finding, Severity, Verdict};
use govaudit::linkcheck::{self, FailedLink, LinkReport, UnreadablePage};
use govaudit::observation::{
    ColumnObservation, Ident, LinkProblem, LinkState, Observation, Reachability,
};
use govaudit::report;

use super::{assert_inert_markdown, assert_no_raw, HOSTILE};

fn hostile_check() -> AuditResult {
    let mut observation = Observation {
        url: "http://evil.gov.cn/".into(),
        as_of: NaiveDate::from_ymd_opt(2018, 2, 1).expect("date"),
        reachability: Reachability {
            ok: false,
            error: Some(HOSTILE.into()),
            ..Reachability::default()
        },
        columns: vec![ColumnObservation {
            name: HOSTILE.into(),
            url: "javascript:alert(1)".into(),
            error: Some(HOSTILE.into()),
            ..ColumnObservation::default()
        }],
        ..Observation::default()
    };
    observation.footer.icp = Ident::Malformed(HOSTILE.into());
    observation.links.problems.push(LinkProblem {
        url: format!("javascript:a{HOSTILE}"),
        state: LinkState::Broken,
        status: Some(404),
        reason: HOSTILE.into(),
        pages: vec![HOSTILE.into()],
    });
    let evidence = Evidence {
        url: Some("javascript:alert(1)".into()),
        column: Some(HOSTILE.into()),
        detail: Some(HOSTILE.into()),
        seen: Some(HOSTILE.into()),
        ..Evidence::default()
    };
    AuditResult {
        observation,
        evaluation: Evaluation {
            profile: "gb2015".into(),
            verdict: Verdict::Fail,
            score: 96.0,
            vetoes: Vec::new(),
            findings: vec![Finding {
                rule: "links.broken".into(),
                severity: Severity::Deduction,
                message: HOSTILE.into(),
                points: 4.0,
                evidence: vec![evidence],
            }],
            not_evaluated: Vec::new(),
        },
        requests: Vec::new(),
        started_at: Utc::now(),
        finished_at: Utc::now(),
        deep: None,
        capture: None,
        archived: Default::default(),
    }
}

fn hostile_links() -> LinkReport {
    let link = FailedLink {
        url: format!("javascript:a{HOSTILE}"),
        status: None,
        reason: HOSTILE.into(),
        pages: vec![HOSTILE.into()],
    };
    LinkReport {
        pages: 1,
        checked: 1,
        broken: vec![link.clone()],
        suspected: vec![link],
        unreadable: vec![UnreadablePage {
            url: HOSTILE.into(),
            reason: HOSTILE.into(),
        }],
        ..LinkReport::default()
    }
}

#[test]
fn check_reports_are_terminal_safe_and_inert() {
    let r = hostile_check();
    let text = report::check_text(&r, Some(1));
    assert_no_raw("check text", &text);
    assert!(text.contains("␛[2J"), "{text}");
    assert_inert_markdown("check markdown", &report::check_markdown(&r, Some(1)));
    let json =
        govaudit::escape::json::to_string_pretty(&report::check_json(&r, Some(1))).expect("json");
    assert_no_raw("check json", &json);
    let back: serde_json::Value = serde_json::from_str(&json).expect("parses");
    assert_eq!(back["columns"][0]["name"], HOSTILE, "the data is kept");
}

#[test]
fn link_reports_are_terminal_safe_and_inert() {
    let r = hostile_links();
    let text = linkcheck::to_text(&r);
    assert_no_raw("links text", &text);
    assert!(text.contains("␛[2J"), "{text}");
    assert_inert_markdown("links markdown", &linkcheck::to_markdown(&r));
}
