//! Loading a profile folder: parse every file, validate, compile rules and their test cases.
//!
//! The same code loads the built-in profiles (embedded with `include_str!`, see
//! [`super::builtin`]) and folders on disk ([`super::RuleSet::from_dir`]). Every error names
//! the file, TOML syntax/type errors also give the line and column, and errors about well-formed
//! values give the line of their table or key (`[params]`, `[severity]`, `message`).
//!
//! Checks beyond serde's `deny_unknown_fields`:
//!
//! * `profile.toml` and `classes.toml` must exist; the profile `id` must equal the folder name;
//! * rule ids must be unique across the folder (by convention a file is named `<id>.toml`);
//! * `kind` must be known, its `[params]` must parse strictly, its message placeholders must be
//!   ones the kind fills;
//! * `deduction` needs positive `points` and `cap`; `veto`/`info` take neither;
//! * every rule file has at least one `[[tests]]`; test observations must only use keys that
//!   `Observation` knows (checked by re-serialising, since `Observation` itself is lenient).

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use crate::analysis::Vocabulary;
use crate::findings::Severity;
use crate::observation::Observation;

use super::classify::Classifier;
use super::file::{ClassesFile, Expect, ProfileFile, RuleFile, SeverityFile, TestCase};
use super::kinds::{check_template, Kind, RuleMeta, RuleSeverity, KINDS};
use super::{Profile, Rule, RuleSet, RulesError};

/// One file of a profile: its name in the folder, the path shown in errors, its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// File name within the profile folder, e.g. `columns.blank.toml`.
    pub name: String,
    /// Path shown in errors (`<builtin>/rules/…` for the built-in profiles).
    pub path: String,
    /// The file's TOML text.
    pub text: String,
}

/// A test case ready to run.
#[derive(Debug, Clone)]
pub struct CompiledTest {
    /// Name of the case, shown when it fails.
    pub name: String,
    /// The case's observation, serde defaults filling what the file leaves out.
    pub observation: Observation,
    /// Severity override for this test (rule tests only).
    pub severity: Option<RuleSeverity>,
    /// What the evaluation must give.
    pub expect: Expect,
}

/// Parses `text` as `vocabulary` for page analysis (`rules/page.toml`, owned by page analysis).
///
/// The only place the rules loader builds a [`Vocabulary`] from text.
pub fn load_vocabulary(text: &str, origin: &str) -> Result<Vocabulary, RulesError> {
    Vocabulary::from_toml(text, origin).map_err(|e| RulesError::Invalid {
        path: origin.to_string(),
        message: e.to_string(),
    })
}

/// The vocabulary used with the built-in profiles.
pub fn builtin_vocabulary() -> Vocabulary {
    Vocabulary::builtin()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count() + 1)
        .unwrap_or(1);
    (line, col)
}

fn parse<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, RulesError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        RulesError::Parse {
            path: path.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

/// `path:LINE` of the first line of `text` starting with `prefix` (a table header or a key), so
/// an error about a well-formed value still points at its place; `path` alone when absent.
fn at(path: &str, text: &str, prefix: &str) -> String {
    text.lines()
        .position(|l| l.trim_start().starts_with(prefix))
        .map_or_else(|| path.to_string(), |n| format!("{path}:{}", n + 1))
}

fn invalid(path: &str, message: impl Into<String>) -> RulesError {
    RulesError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

fn severity(path: &str, where_: &str, s: &SeverityFile) -> Result<RuleSeverity, RulesError> {
    let ok = |v: Option<f64>| v.filter(|v| v.is_finite() && *v > 0.0);
    match s.level {
        Severity::Deduction => match (ok(s.points), ok(s.cap)) {
            (Some(points), Some(cap)) => Ok(RuleSeverity {
                level: s.level,
                points,
                cap,
            }),
            _ => Err(invalid(
                path,
                format!("{where_}: severity `deduction` needs positive `points` (per instance) and `cap`"),
            )),
        },
        Severity::Veto | Severity::Info | Severity::Review => {
            if s.points.is_some() || s.cap.is_some() {
                return Err(invalid(
                    path,
                    format!(
                        "{where_}: severity `{}` takes no `points` or `cap`",
                        s.level.key()
                    ),
                ));
            }
            Ok(RuleSeverity {
                level: s.level,
                points: 0.0,
                cap: 0.0,
            })
        }
    }
}

fn unknown_keys(
    raw: &serde_json::Value,
    known: &serde_json::Value,
    path: &str,
    out: &mut Vec<String>,
) {
    use serde_json::Value::{Array, Object};
    match (raw, known) {
        (Object(r), Object(k)) => {
            for (key, rv) in r {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match k.get(key) {
                    Some(kv) => unknown_keys(rv, kv, &p, out),
                    None => out.push(p),
                }
            }
        }
        (Array(r), Array(k)) => {
            for (i, (rv, kv)) in r.iter().zip(k).enumerate() {
                unknown_keys(rv, kv, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn compile_test(path: &str, t: &TestCase) -> Result<CompiledTest, RulesError> {
    let where_ = format!("test `{}`", t.name);
    let observation: Observation = toml::Value::Table(t.observation.clone())
        .try_into()
        .map_err(|e: toml::de::Error| {
            invalid(
                path,
                format!("{where_}: observation: {}", e.message().trim()),
            )
        })?;
    let raw = serde_json::to_value(&t.observation)
        .map_err(|e| invalid(path, format!("{where_}: observation: {e}")))?;
    let known = serde_json::to_value(&observation)
        .map_err(|e| invalid(path, format!("{where_}: observation: {e}")))?;
    let mut unknown = Vec::new();
    unknown_keys(&raw, &known, "", &mut unknown);
    if !unknown.is_empty() {
        return Err(invalid(
            path,
            format!(
                "{where_}: observation has unknown keys: {}",
                unknown.join(", ")
            ),
        ));
    }
    let severity = t
        .severity
        .as_ref()
        .map(|s| severity(path, &where_, s))
        .transpose()?;
    Ok(CompiledTest {
        name: t.name.clone(),
        observation,
        severity,
        expect: t.expect.clone(),
    })
}

fn compile_rule(f: &SourceFile) -> Result<Rule, RulesError> {
    let path = f.path.as_str();
    let file: RuleFile = parse(path, &f.text)?;
    if file.id.trim().is_empty() {
        return Err(invalid(&at(path, &f.text, "id"), "`id` is empty"));
    }
    if !KINDS.iter().any(|(k, _)| *k == file.kind) {
        return Err(RulesError::UnknownKind {
            path: path.to_string(),
            kind: file.kind.clone(),
            known: KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "),
        });
    }
    let kind = Kind::parse(&file.kind, &file.params)
        .map_err(|m| invalid(&at(path, &f.text, "[params]"), m))?;
    check_template("message", &file.message, kind.placeholders())
        .map_err(|m| invalid(&at(path, &f.text, "message"), m))?;
    let sev = severity(
        &at(path, &f.text, "[severity]"),
        "[severity]",
        &file.severity,
    )?;
    if file.tests.is_empty() {
        return Err(invalid(
            path,
            "a rule file needs at least one [[tests]] case",
        ));
    }
    let tests = file
        .tests
        .iter()
        .map(|t| compile_test(path, t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rule {
        meta: RuleMeta {
            id: file.id.clone(),
            severity: sev,
            message: file.message.clone(),
        },
        name: file.name,
        kind_name: file.kind,
        kind,
        basis: file.basis,
        confidence: file.confidence,
        tests,
        origin: path.to_string(),
    })
}

/// Loads one profile from its files (any order).
pub fn load_profile(
    profile: &str,
    folder: &str,
    files: &[SourceFile],
    vocabulary: Vocabulary,
) -> Result<RuleSet, RulesError> {
    let find = |name: &str| files.iter().find(|f| f.name == name);
    let missing = |name: &str| invalid(&format!("{folder}/{name}"), "file is missing");
    let pf = find("profile.toml").ok_or_else(|| missing("profile.toml"))?;
    let p: ProfileFile = parse(&pf.path, &pf.text)?;
    if p.id != profile {
        return Err(invalid(
            &pf.path,
            format!(
                "profile id `{}` must equal its folder name `{profile}`",
                p.id
            ),
        ));
    }
    if !(p.pass_score.is_finite() && (0.0..=100.0).contains(&p.pass_score)) {
        return Err(invalid(&pf.path, "`pass_score` must be within 0–100"));
    }
    let profile_tests = p
        .tests
        .iter()
        .map(|t| compile_test(&pf.path, t))
        .collect::<Result<Vec<_>, _>>()?;
    let cf = find("classes.toml").ok_or_else(|| missing("classes.toml"))?;
    let classes: ClassesFile = parse(&cf.path, &cf.text)?;

    let mut sorted: Vec<&SourceFile> = files
        .iter()
        .filter(|f| {
            f.name.ends_with(".toml") && f.name != "profile.toml" && f.name != "classes.toml"
        })
        .collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut rules: Vec<Rule> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for f in sorted {
        let rule = compile_rule(f)?;
        if let Some(first) = seen.get(&rule.meta.id) {
            return Err(RulesError::DuplicateId {
                id: rule.meta.id.clone(),
                first: first.clone(),
                second: f.path.clone(),
            });
        }
        seen.insert(rule.meta.id.clone(), f.path.clone());
        rules.push(rule);
    }
    Ok(RuleSet {
        profile: profile.to_string(),
        vocabulary,
        info: Profile {
            id: p.id,
            name: p.name,
            description: p.description,
            pass_score: p.pass_score,
            pass_basis: p.pass_basis,
            pass_confidence: p.pass_confidence,
            settings: p.settings,
            origin: pf.path.clone(),
        },
        profile_tests,
        classifier: Classifier::new(&classes),
        class_tests: classes.tests,
        classes_origin: cf.path.clone(),
        rules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let text = "a = 1\n名称 = x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        let off = text.find('x').unwrap_or(0);
        assert_eq!(line_col(text, off), (2, 6));
        assert_eq!(line_col(text, 10_000), (3, 1));
    }

    #[test]
    fn unknown_observation_keys_are_found() {
        let t: TestCase = toml::from_str(
            r#"
name = "t"
observation = { as_of = "2018-03-01", columns = [{ name = "a", nweest = "2018-01-01" }], foo = 1 }
expect = {}
"#,
        )
        .expect("test case");
        let err = compile_test("x.toml", &t).expect_err("unknown keys");
        let msg = err.to_string();
        assert!(msg.contains("columns[0].nweest"), "{msg}");
        assert!(msg.contains("foo"), "{msg}");
    }

    #[test]
    fn severity_needs_points_for_deductions() {
        let s = SeverityFile {
            level: Severity::Deduction,
            points: Some(1.0),
            cap: None,
        };
        assert!(severity("x", "[severity]", &s).is_err());
        let s = SeverityFile {
            level: Severity::Veto,
            points: Some(1.0),
            cap: None,
        };
        assert!(severity("x", "[severity]", &s).is_err());
    }
}
