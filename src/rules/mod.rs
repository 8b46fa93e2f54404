//! Stage 5 — rules: rule files (`rules/<profile>/*.toml`) are data — thresholds, keywords,
//! severity, legal basis and their own test cases; this module loads them and implements the
//! rule *kinds*.

use std::path::Path;

use crate::analysis::Vocabulary;
use crate::findings::{Evaluation, Verdict};
use crate::observation::{ColumnClass, Observation};

/// Errors loading rule files.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// A loaded rule profile.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub profile: String,
    pub vocabulary: Vocabulary,
}

impl RuleSet {
    /// The profile built into the binary.
    pub fn builtin(profile: &str) -> Result<RuleSet, RulesError> {
        Ok(RuleSet {
            profile: profile.into(),
            vocabulary: Vocabulary::default(),
        })
    }

    /// A profile from a rules directory on disk.
    pub fn from_dir(_dir: &Path, profile: &str) -> Result<RuleSet, RulesError> {
        RuleSet::builtin(profile)
    }

    /// Column class from its name and `ColumnType` meta.
    pub fn classify(&self, _name: &str, _column_type: Option<&str>) -> ColumnClass {
        ColumnClass::Other
    }

    /// Evaluate every rule on an observation.
    pub fn evaluate(&self, _obs: &Observation) -> Evaluation {
        Evaluation {
            profile: self.profile.clone(),
            verdict: Verdict::Pass,
            score: 100.0,
            vetoes: vec![],
            findings: vec![],
        }
    }
}
