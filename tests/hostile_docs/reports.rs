//! Hostile page text in the single-check reports (`check --format text|md|json`) and the
//! `links` reports: terminal-safe text, inert Markdown, terminal-safe JSON with the data kept.

use chrono::{NaiveDate, Utc};
use govaudit::audit::AuditResult;
use govaudit::findings::{Evaluation, Evidence, Finding, Severity, Verdict};
use govaudit::linkcheck::{LinkReport, UnreadablePage};
use govaudit::observation::{
    ColumnObservation, Ident, LinkObservation, LinkProblem, LinkState, Observation, Reachability,
};
use govaudit::render;

use super::{assert_inert_markdown, assert_no_raw, HOSTILE, LOCATION_REASON};

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
    let link = |state| LinkProblem {
        url: format!("javascript:a{HOSTILE}"),
        state,
        status: None,
        reason: HOSTILE.into(),
        pages: vec![HOSTILE.into()],
    };
    LinkReport {
        pages: 1,
        links: LinkObservation {
            checked: 1,
            problems: vec![link(LinkState::Broken), link(LinkState::Suspected)],
        },
        unreadable: vec![UnreadablePage {
            url: HOSTILE.into(),
            reason: HOSTILE.into(),
        }],
    }
}

#[test]
fn check_reports_are_terminal_safe_and_inert() {
    let r = hostile_check();
    let text = render::text::check_text(&r, Some(1));
    assert_no_raw("check text", &text);
    assert!(text.contains("␛[2J"), "{text}");
    assert_inert_markdown(
        "check markdown",
        &render::markdown::check_markdown(&r, Some(1)),
    );
    let json = govaudit::escape::json::to_string_pretty(&render::json::check_json(&r, Some(1)))
        .expect("json");
    assert_no_raw("check json", &json);
    let back: serde_json::Value = serde_json::from_str(&json).expect("parses");
    assert_eq!(back["columns"][0]["name"], HOSTILE, "the data is kept");
}

#[test]
fn link_reports_are_terminal_safe_and_inert() {
    let r = hostile_links();
    let text = render::text::links_text(&r);
    assert_no_raw("links text", &text);
    assert!(text.contains("␛[2J"), "{text}");
    assert_inert_markdown("links markdown", &render::markdown::links_markdown(&r));
}

/// A report with one broken link whose failure reason quotes a `Location` header.
fn location_check() -> AuditResult {
    let mut r = hostile_check();
    let problem = LinkProblem {
        url: "http://evil.gov.cn/moved".into(),
        state: LinkState::Broken,
        status: None,
        reason: LOCATION_REASON.into(),
        pages: vec!["http://evil.gov.cn/".into()],
    };
    r.observation.links.problems = vec![problem];
    r.evaluation.findings[0].evidence[0].detail = Some(LOCATION_REASON.into());
    r
}

/// No line of a plain-text report starts with what followed a newline in the reason.
fn assert_one_line(what: &str, text: &str) {
    assert!(
        text.contains("x|<script>alert(2)</script>"),
        "{what}: {text}"
    );
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("| 合格") && !line.trim_start().starts_with("# 合格"),
            "{what}: the reason broke the line: {text}"
        );
    }
}

#[test]
fn a_location_header_in_a_link_failure_is_inert_in_every_report() {
    let r = location_check();
    assert_one_line("check text", &render::text::check_text(&r, Some(1)));
    let md = render::markdown::check_markdown(&r, Some(1));
    assert_inert_markdown("check markdown", &md);
    assert!(!md.contains("<script>alert(2)"), "{md}");
    let json = govaudit::escape::json::to_string_pretty(&render::json::check_json(&r, Some(1)))
        .expect("json");
    let back: serde_json::Value = serde_json::from_str(&json).expect("parses");
    assert_eq!(back["links"]["broken"][0]["reason"], LOCATION_REASON);

    let mut links = hostile_links();
    for p in &mut links.links.problems {
        p.reason = LOCATION_REASON.into();
    }
    assert_one_line("links text", &render::text::links_text(&links));
    let md = render::markdown::links_markdown(&links);
    assert_inert_markdown("links markdown", &md);
    assert!(!md.contains("<script>alert(2)"), "{md}");
    let json = govaudit::escape::json::to_string(&render::json::links_json(&links)).expect("json");
    let back: serde_json::Value = serde_json::from_str(&json).expect("parses");
    assert_eq!(back["broken"][0]["reason"], LOCATION_REASON);
    assert_eq!(back["broken"][0]["state"], "broken");
}
