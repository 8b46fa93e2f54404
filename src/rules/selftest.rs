//! Runs the test cases carried by the rule files themselves.
//!
//! * A rule file's `[[tests]]` evaluate **that rule alone** (with the profile's settings and
//!   pass score, and the test's `severity` override if any), so the expectations do not depend
//!   on the other rules.
//! * `profile.toml`'s `[[tests]]` evaluate the whole profile.
//! * `classes.toml`'s `[[tests]]` check [`super::RuleSet::classify`].
//!
//! Failures name the file and the test.

use crate::findings::{Evaluation, Finding, Severity};

use super::file::Expect;
use super::RuleSet;

/// One failing test case.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfTestFailure {
    /// The file carrying the test.
    pub file: String,
    /// The test's name.
    pub test: String,
    /// What did not match.
    pub problems: Vec<String>,
}

impl std::fmt::Display for SelfTestFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: test `{}`: {}",
            self.file,
            self.test,
            self.problems.join("; ")
        )
    }
}

/// The outcome of [`run`].
#[derive(Debug, Clone, Default)]
pub struct SelfTestReport {
    /// Test cases that passed.
    pub passed: usize,
    /// Test cases that failed, with what did not match.
    pub failures: Vec<SelfTestFailure>,
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Compares an evaluation with an expectation. `own` is the rule's severity for rule tests
/// (the "main" finding is the first with that severity) or `None` for profile tests (the main
/// finding is the first that is not `info`).
fn check(e: &Expect, eval: &Evaluation, own: Option<Severity>) -> Vec<String> {
    let mut p = Vec::new();
    let main: Option<&Finding> = match own {
        Some(s) => eval
            .findings
            .iter()
            .find(|f| f.severity == s)
            .or(eval.findings.first()),
        None => eval
            .findings
            .iter()
            .find(|f| f.severity != Severity::Info)
            .or(eval.findings.first()),
    };
    if let (Some(want), Some(s)) = (e.fires, own) {
        let got = eval.findings.iter().any(|f| f.severity == s);
        if got != want {
            p.push(format!("fires: expected {want}, got {got}"));
        }
    }
    if let Some(want) = e.severity {
        let got = main.map(|f| f.severity);
        if got != Some(want) {
            p.push(format!("severity: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = e.evidence {
        let got = main.map(|f| f.evidence.len()).unwrap_or(0);
        if got != want {
            p.push(format!("evidence: expected {want}, got {got}"));
        }
    }
    if let Some(want) = e.findings {
        if eval.findings.len() != want {
            p.push(format!(
                "findings: expected {want}, got {}",
                eval.findings.len()
            ));
        }
    }
    if let Some(want) = e.info {
        let got = eval
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Info)
            .count();
        if got != want {
            p.push(format!("info: expected {want}, got {got}"));
        }
    }
    if let Some(want) = e.points {
        let got: f64 = eval.findings.iter().map(|f| f.points).sum();
        if !close(got, want) {
            p.push(format!("points: expected {want}, got {got}"));
        }
    }
    if let Some(want) = e.verdict {
        if eval.verdict != want {
            p.push(format!(
                "verdict: expected {want:?}, got {:?}",
                eval.verdict
            ));
        }
    }
    if let Some(want) = e.score {
        if !close(eval.score, want) {
            p.push(format!("score: expected {want}, got {}", eval.score));
        }
    }
    if let Some(want) = &e.vetoes {
        let mut a = want.clone();
        let mut b = eval.vetoes.clone();
        a.sort();
        b.sort();
        if a != b {
            p.push(format!("vetoes: expected {want:?}, got {:?}", eval.vetoes));
        }
    }
    for id in &e.fired {
        if !eval
            .findings
            .iter()
            .any(|f| &f.rule == id && f.severity != Severity::Info)
        {
            p.push(format!("expected rule `{id}` to fire"));
        }
    }
    for id in &e.silent {
        if eval.findings.iter().any(|f| &f.rule == id) {
            p.push(format!("expected rule `{id}` to produce no finding"));
        }
    }
    for s in &e.message_contains {
        if !main.is_some_and(|f| f.message.contains(s.as_str())) {
            let got = main.map(|f| f.message.as_str()).unwrap_or("(no finding)");
            p.push(format!("message should contain `{s}`, got `{got}`"));
        }
    }
    for s in &e.detail_contains {
        let found = main.is_some_and(|f| {
            f.evidence
                .iter()
                .any(|ev| ev.detail.as_deref().is_some_and(|d| d.contains(s.as_str())))
        });
        if !found {
            p.push(format!("no evidence detail contains `{s}`"));
        }
    }
    if eval.findings.iter().any(|f| f.message.contains('{')) {
        p.push("a message still contains a `{placeholder}`".into());
    }
    p
}

/// Runs every test case of a loaded profile.
pub fn run(set: &RuleSet) -> SelfTestReport {
    let mut report = SelfTestReport::default();
    let mut record = |file: &str, test: &str, problems: Vec<String>| {
        if problems.is_empty() {
            report.passed += 1;
        } else {
            report.failures.push(SelfTestFailure {
                file: file.to_string(),
                test: test.to_string(),
                problems,
            });
        }
    };
    for rule in set.rules() {
        for t in &rule.tests {
            let sev = t.severity.unwrap_or(rule.meta.severity);
            let eval = set.evaluate_with(&t.observation, std::iter::once((rule, sev)));
            record(
                &rule.origin,
                &t.name,
                check(&t.expect, &eval, Some(sev.level)),
            );
        }
    }
    for t in &set.profile_tests {
        let eval = set.evaluate(&t.observation);
        let mut problems = check(&t.expect, &eval, None);
        if t.expect.fires.is_some() {
            problems.push("`fires` is for rule files; use `fired`/`silent` here".into());
        }
        record(&set.info.origin, &t.name, problems);
    }
    for t in &set.class_tests {
        let got = set.classify(&t.name, t.column_type.as_deref());
        let problems = if got == t.class {
            vec![]
        } else {
            vec![format!(
                "class: expected {}, got {}",
                t.class.key(),
                got.key()
            )]
        };
        record(&set.classes_origin, &t.name, problems);
    }
    report
}
