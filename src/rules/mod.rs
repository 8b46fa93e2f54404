//! Stage 4 — rules: rule files (`rules/<profile>/*.toml`) are data — thresholds, keywords,
//! severity, legal basis and their own test cases; this module loads them and implements the
//! rule *kinds*.
//!
//! * [`RuleSet::builtin`] loads a profile embedded in the binary ([`builtin`]);
//!   [`RuleSet::from_dir`] loads `<dir>/<profile>/` from disk (plus `<dir>/page.toml`, the page
//!   analysis vocabulary, when present).
//! * [`RuleSet::classify`] assigns a column class from `classes.toml`.
//! * [`RuleSet::evaluate`] runs every rule on an [`Observation`].
//! * [`RuleSet::self_test`] runs the test cases carried by the files ([`selftest`]).
//!
//! File format: [`file`](mod@file); loading and validation: [`load`]; kinds: [`kinds`]. The human
//! description is `rules/README.md`.
//!
//! ## Evaluation
//!
//! 1. If the homepage did not open (`reachability.ok == false`), only rules whose kind is
//!    `unreachable` run; every other rule is skipped (the observation is empty, and would read
//!    as "not updated" everywhere). The score is then 100 minus nothing: meaningless, but the
//!    verdict is 不合格 by the veto.
//! 2. Otherwise every rule runs, in file-name order. A rule yields zero or more findings; its
//!    points are already capped per rule (`min(instances × points, cap)`).
//! 3. score = 100 − Σ points, rounded to 6 decimals (so 0.1-point steps do not drift);
//!    it is computed even when a veto fired.
//! 4. Verdict: 不合格 when any finding is a veto, or when score < `pass_score`
//!    (exactly `pass_score` passes: 「低于60分」 fails).

pub mod builtin;
pub mod classify;
pub mod file;
pub mod kinds;
pub mod load;
pub mod selftest;

use std::path::Path;

use crate::analysis::Vocabulary;
use crate::findings::{Evaluation, Finding, Severity, Verdict};
use crate::observation::{ColumnClass, Observation};

use classify::Classifier;
use file::{Basis, ClassTest, Confidence, Settings};
use kinds::{Ctx, Kind, RuleMeta, RuleSeverity};
use load::{CompiledTest, SourceFile};

/// Errors loading rule files. Every variant names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// A file is well-formed TOML but its content is not acceptable.
    #[error("{path}: {message}")]
    Invalid {
        /// The file concerned.
        path: String,
        /// What is not acceptable.
        message: String,
    },
    /// TOML syntax or type error, with 1-based line and column (0 when unknown).
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file concerned.
        path: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// The TOML error.
        message: String,
    },
    /// A file or folder could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file or folder concerned.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// No such profile.
    #[error("unknown rule profile `{profile}` (available: {available})")]
    UnknownProfile {
        /// The profile asked for (with the rules directory, when one was given).
        profile: String,
        /// The profiles there are, comma-separated.
        available: String,
    },
    /// A rule file names a kind the engine does not implement.
    #[error("{path}: unknown kind `{kind}` (known kinds: {known})")]
    UnknownKind {
        /// The rule file.
        path: String,
        /// The kind as written.
        kind: String,
        /// The kinds the engine implements, comma-separated.
        known: String,
    },
    /// Two rule files define the same id.
    #[error("{second}: duplicate rule id `{id}` (already defined in {first})")]
    DuplicateId {
        /// The rule id defined twice.
        id: String,
        /// The file that defined it first.
        first: String,
        /// The file that defines it again.
        second: String,
    },
}

/// `profile.toml` after loading.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Profile id, equal to its folder name, e.g. `gb2015`.
    pub id: String,
    /// Chinese name, e.g. 国办发〔2015〕15号《全国政府网站普查评分表》.
    pub name: String,
    /// Optional longer description of the profile.
    pub description: Option<String>,
    /// Scores below this fail; exactly this passes (60 in gb2015).
    pub pass_score: f64,
    /// The legal basis of the pass score.
    pub pass_basis: Basis,
    /// How well the pass score is sourced.
    pub pass_confidence: Confidence,
    /// Profile-wide settings (undated items count as not updated …).
    pub settings: Settings,
    /// Path of the file (for messages).
    pub origin: String,
}

/// One loaded rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Id, severity and message template.
    pub meta: RuleMeta,
    /// Chinese name.
    pub name: String,
    /// The `kind` as written.
    pub kind_name: String,
    /// The kind with its parsed `params`: what the rule checks.
    pub kind: Kind,
    /// The legal basis (document, indicator, quoted text).
    pub basis: Basis,
    /// How well the rule's thresholds and points are sourced.
    pub confidence: Confidence,
    /// The rule file's test cases, compiled.
    pub tests: Vec<CompiledTest>,
    /// Path of the file.
    pub origin: String,
}

impl Rule {
    /// Stable rule id.
    pub fn id(&self) -> &str {
        &self.meta.id
    }
}

/// A loaded rule profile.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Profile id, e.g. `gb2015`.
    pub profile: String,
    /// Page-analysis words and patterns (`rules/page.toml`) the crawl reads pages with.
    pub vocabulary: Vocabulary,
    info: Profile,
    rules: Vec<Rule>,
    classifier: Classifier,
    profile_tests: Vec<CompiledTest>,
    class_tests: Vec<ClassTest>,
    classes_origin: String,
}

impl RuleSet {
    /// The profile built into the binary.
    pub fn builtin(profile: &str) -> Result<RuleSet, RulesError> {
        let files = builtin::files(profile).ok_or_else(|| RulesError::UnknownProfile {
            profile: profile.to_string(),
            available: builtin::profiles().join(", "),
        })?;
        let folder = format!("<builtin>/rules/{profile}");
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|(name, text)| SourceFile {
                name: name.to_string(),
                path: format!("{folder}/{name}"),
                text: text.to_string(),
            })
            .collect();
        load::load_profile(profile, &folder, &sources, load::builtin_vocabulary())
    }

    /// A profile from a rules directory on disk: every `*.toml` in `<dir>/<profile>/`, and the
    /// page-analysis vocabulary from `<dir>/page.toml` when that file exists (else the built-in
    /// one).
    pub fn from_dir(dir: &Path, profile: &str) -> Result<RuleSet, RulesError> {
        let folder = dir.join(profile);
        let bad_name =
            profile.is_empty() || profile.contains(['/', '\\']) || profile.starts_with('.');
        if bad_name || !folder.is_dir() {
            let available = std::fs::read_dir(dir)
                .map(|rd| {
                    let mut v: Vec<String> = rd
                        .filter_map(|e| e.ok())
                        .filter(|e| e.path().join("profile.toml").is_file())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect();
                    v.sort();
                    v.join(", ")
                })
                .unwrap_or_default();
            return Err(RulesError::UnknownProfile {
                profile: format!("{profile} in {}", dir.display()),
                available,
            });
        }
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| RulesError::Io { path, source }
        };
        let mut sources = Vec::new();
        for entry in std::fs::read_dir(&folder).map_err(io(&folder))? {
            let entry = entry.map_err(io(&folder))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".toml") || !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            sources.push(SourceFile {
                name,
                path: path.display().to_string(),
                text,
            });
        }
        let page = dir.join("page.toml");
        let vocabulary = if page.is_file() {
            let text = std::fs::read_to_string(&page).map_err(io(&page))?;
            load::load_vocabulary(&text, &page.display().to_string())?
        } else {
            load::builtin_vocabulary()
        };
        load::load_profile(profile, &folder.display().to_string(), &sources, vocabulary)
    }

    /// Column class from its name and `ColumnType` meta.
    pub fn classify(&self, name: &str, column_type: Option<&str>) -> ColumnClass {
        self.classifier.classify(name, column_type)
    }

    /// The profile's `profile.toml`.
    pub fn profile_info(&self) -> &Profile {
        &self.info
    }

    /// The rules, in file-name order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether a rule of the profile judges 政务咨询类 messages (kind `interaction_response`):
    /// the crawl reads message lists only then.
    pub fn judges_messages(&self) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(r.kind, Kind::InteractionResponse(_)))
    }

    /// The lexicon of leaders' names when a rule screens for 严重错误 candidates (kind
    /// `serious_errors`): the crawl screens every page it reads with it.
    pub fn name_lexicon(&self) -> Option<&crate::analysis::names::Lexicon> {
        self.rules.iter().find_map(|r| match &r.kind {
            Kind::SeriousErrors(l) => Some(l),
            _ => None,
        })
    }

    /// Whether a rule of the profile judges 办事指南 pages (kind `service_guides`): the crawl
    /// opens them only then.
    pub fn judges_guides(&self) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(r.kind, Kind::ServiceGuides(_)))
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }

    /// The official availability test's numbers (监测1周, 20次/天, 5%, 15秒) from the profile's
    /// `unreachable` rule, or the standard's when the profile has none: what `govaudit
    /// monitor` probes with and the audit reads the monitor's record against.
    pub fn availability(&self) -> kinds::site::UnreachableParams {
        self.rules
            .iter()
            .find_map(|r| match &r.kind {
                Kind::Unreachable(p) => Some(p.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Runs the test cases carried by the profile's files.
    pub fn self_test(&self) -> selftest::SelfTestReport {
        selftest::run(self)
    }

    /// Evaluate every rule on an observation.
    pub fn evaluate(&self, obs: &Observation) -> Evaluation {
        self.evaluate_with(obs, self.rules.iter().map(|r| (r, r.meta.severity)))
    }

    /// Evaluates the given rules (with the given severities) and computes score and verdict.
    fn evaluate_with<'a>(
        &self,
        obs: &Observation,
        rules: impl Iterator<Item = (&'a Rule, RuleSeverity)>,
    ) -> Evaluation {
        let ctx = Ctx {
            obs,
            undated_is_stale: self.info.settings.undated_counts_as_not_updated,
        };
        let reachable = obs.reachability.ok;
        let mut findings: Vec<Finding> = Vec::new();
        let mut not_evaluated = Vec::new();
        for (rule, severity) in rules {
            if !reachable && !rule.kind.runs_when_unreachable() {
                not_evaluated.push(rule.meta.id.clone());
                continue;
            }
            let meta = RuleMeta {
                severity,
                ..rule.meta.clone()
            };
            findings.extend(rule.kind.evaluate(&meta, &ctx));
        }
        let score = score(&findings);
        let mut vetoes: Vec<String> = Vec::new();
        for f in findings.iter().filter(|f| f.severity == Severity::Veto) {
            if !vetoes.contains(&f.rule) {
                vetoes.push(f.rule.clone());
            }
        }
        let verdict = if vetoes.is_empty() && score >= self.info.pass_score {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
        Evaluation {
            profile: self.profile.clone(),
            verdict,
            score,
            vetoes,
            findings,
            not_evaluated,
        }
    }
}

/// 100 − Σ points, rounded to 6 decimals so that sums such as 39.7 + 0.1 + 0.2 give exactly 60.
fn score(findings: &[Finding]) -> f64 {
    let deducted: f64 = findings.iter().map(|f| f.points).sum();
    ((100.0 - deducted) * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests;
