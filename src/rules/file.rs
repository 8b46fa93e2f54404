//! The TOML schema of the rules folder (`rules/<profile>/`), as written by people.
//!
//! Three kinds of file live in a profile folder:
//!
//! * `profile.toml` — [`ProfileFile`]: the profile id and Chinese name, the pass score with its
//!   legal basis, profile-wide settings and whole-profile test cases.
//! * `classes.toml` — [`ClassesFile`]: column-class keywords and the `ColumnType` meta mapping.
//! * `<rule id>.toml` — [`RuleFile`]: one rule each (id, kind, basis, severity, params, message,
//!   test cases).
//!
//! Every table uses `deny_unknown_fields`, so a typo is a load error rather than a silently
//! ignored setting. `params` stays a raw table here; each rule kind parses it into its own
//! strict struct (see [`super::kinds`]). Test observations also stay raw so the loader can
//! reject keys that `Observation` does not know (it has no `deny_unknown_fields` of its own).

use serde::Deserialize;

use crate::findings::{Severity, Verdict};
use crate::observation::ColumnClass;

/// How well a value is sourced (see the research notes, `rules.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The original Chinese text was seen.
    Confirmed,
    /// Seen only in secondary sources, consistent with the others.
    Corroborated,
    /// Not found in any source: a placeholder that must not be presented as official.
    Unconfirmed,
}

impl Confidence {
    /// Chinese label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Confirmed => "已核实",
            Confidence::Corroborated => "旁证",
            Confidence::Unconfirmed => "未核实",
        }
    }
}

/// The legal basis of a rule or a setting.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basis {
    /// Document, e.g. `国办发〔2015〕15号 附件2《全国政府网站普查评分表》`.
    pub document: String,
    /// Indicator (指标), e.g. `单项否决 · 栏目不更新`.
    #[serde(default)]
    pub indicator: Option<String>,
    /// 考察点, quoted.
    #[serde(default)]
    pub checkpoint: Option<String>,
    /// 扣分细则 / 评分细则, quoted.
    #[serde(default)]
    pub text: Option<String>,
    /// Where the text was seen.
    #[serde(default)]
    pub source: Option<String>,
}

/// Severity as written in a file: `level`, and for deductions `points` per instance and `cap`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityFile {
    /// `veto`, `deduction`, `info` or `review`.
    pub level: Severity,
    /// Points per instance; required (positive) for `deduction`, absent otherwise.
    #[serde(default)]
    pub points: Option<f64>,
    /// Most points the rule may deduct in one evaluation; required (positive) for `deduction`, absent otherwise.
    #[serde(default)]
    pub cap: Option<f64>,
}

/// One rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Stable rule id, e.g. `columns.stale`; by convention the file is named `<id>.toml`.
    pub id: String,
    /// Which Rust rule kind implements it (see [`super::kinds::KINDS`]).
    pub kind: String,
    /// Chinese name.
    pub name: String,
    /// The legal basis (document, indicator, quoted text).
    pub basis: Basis,
    /// How well the rule's thresholds and points are sourced.
    pub confidence: Confidence,
    /// `level`, and for deductions `points` and `cap`.
    pub severity: SeverityFile,
    /// Kind-specific parameters, parsed strictly by the kind.
    #[serde(default)]
    pub params: toml::Table,
    /// Chinese message template with `{placeholders}` (each kind lists the ones it fills).
    pub message: String,
    /// The rule's own test cases (`[[tests]]`), run by the self-test.
    #[serde(default)]
    pub tests: Vec<TestCase>,
}

/// One test case carried by a rule file or by `profile.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// Name of the case, shown when it fails.
    pub name: String,
    /// A partial `Observation`; serde defaults fill the rest.
    #[serde(default)]
    pub observation: toml::Table,
    /// Replaces the rule's severity for this test only (e.g. to test the pass-score boundary).
    #[serde(default)]
    pub severity: Option<SeverityFile>,
    /// What the evaluation must give.
    pub expect: Expect,
}

/// What a test case expects. Every field is optional; unset fields are not checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// A finding with the rule's own severity was produced (rule files only).
    pub fires: Option<bool>,
    /// Severity of the main finding (the one with the rule's severity, else the first).
    pub severity: Option<Severity>,
    /// Number of evidence items of the main finding.
    pub evidence: Option<usize>,
    /// Number of findings (all severities).
    pub findings: Option<usize>,
    /// Number of `info` findings.
    pub info: Option<usize>,
    /// Points deducted (sum over findings).
    pub points: Option<f64>,
    /// Verdict of the evaluation (a rule file's tests evaluate that rule alone).
    pub verdict: Option<Verdict>,
    /// Score of the evaluation.
    pub score: Option<f64>,
    /// Exactly these rule ids vetoed (in any order).
    pub vetoes: Option<Vec<String>>,
    /// These rule ids produced a finding with their own severity (profile tests).
    #[serde(default)]
    pub fired: Vec<String>,
    /// These rule ids produced no finding at all (profile tests).
    #[serde(default)]
    pub silent: Vec<String>,
    /// Substrings of the main finding's message.
    #[serde(default)]
    pub message_contains: Vec<String>,
    /// Substrings that must each appear in some evidence `detail` of the main finding.
    #[serde(default)]
    pub detail_contains: Vec<String>,
}

/// A profile-wide setting with its basis.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// 「未注明信息发布时间的视为不更新」: an item or column with no publish date counts as
    /// not updated.
    pub undated_counts_as_not_updated: bool,
    /// The note quoted, with its source.
    pub undated_basis: Basis,
    /// How well `undated_basis` is sourced.
    pub undated_confidence: Confidence,
}

/// `profile.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    /// Must equal the folder name.
    pub id: String,
    /// Chinese name, e.g. 国办发〔2015〕15号《全国政府网站普查评分表》.
    pub name: String,
    /// Optional longer description of the profile.
    #[serde(default)]
    pub description: Option<String>,
    /// Scores below this fail; exactly this passes.
    pub pass_score: f64,
    /// The legal basis of the pass score (e.g. 「低于60分」 fails).
    pub pass_basis: Basis,
    /// How well the pass score is sourced.
    pub pass_confidence: Confidence,
    /// Profile-wide settings.
    pub settings: Settings,
    /// Whole-profile test cases (every rule evaluated).
    #[serde(default)]
    pub tests: Vec<TestCase>,
}

/// When the `ColumnType` meta decides the class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ColumnTypePriority {
    /// The name's keywords decide; a mapped `ColumnType` is used only when no keyword matches.
    #[default]
    NameFirst,
    /// A mapped `ColumnType` decides; the name is used when it is absent or unmapped.
    ColumnTypeFirst,
}

/// One class's keywords, in priority order within `classes.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassKeywords {
    /// The class these keywords select.
    pub class: ColumnClass,
    /// How well the class's keywords are sourced.
    pub confidence: Confidence,
    /// Substrings of the column name that select this class.
    pub keywords: Vec<String>,
    /// Substrings that veto this class even when a keyword matches (e.g. 解读 for policy).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Where the keywords come from, for people (not used by the engine).
    #[serde(default)]
    pub note: Option<String>,
}

/// A classification test case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassTest {
    /// The column name to classify.
    pub name: String,
    /// Its `ColumnType` meta value, if the test gives one.
    #[serde(default)]
    pub column_type: Option<String>,
    /// The class it must get.
    pub class: ColumnClass,
}

/// `classes.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassesFile {
    /// Whether the name's keywords or the `ColumnType` meta decide first.
    #[serde(default)]
    pub column_type_priority: ColumnTypePriority,
    /// `ColumnType` meta value (exact, trimmed) → class.
    #[serde(default)]
    pub column_types: std::collections::BTreeMap<String, ColumnClass>,
    /// Classes in priority order: the first whose keyword matches (and no exclude) wins.
    #[serde(default)]
    pub classes: Vec<ClassKeywords>,
    /// Classification test cases (`[[tests]]`), run by the self-test.
    #[serde(default)]
    pub tests: Vec<ClassTest>,
}
