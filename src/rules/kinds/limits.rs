//! Kind `audit_limits`: the bounds that cut part of an audit short (a page read in part because
//! of its nesting or its cost, a robots.txt `Crawl-delay` capped), as an informational finding.
//!
//! gb2015 uses it once: `audit.limited` (info). It says what was not read, so a reader knows
//! the verdict does not cover it; it never deducts.

use serde::Deserialize;

use crate::findings::{Evidence, Finding};
use crate::observation::LimitKind;

use super::{Ctx, RuleMeta};

/// Placeholders: `{count}` limits reported.
pub const PLACEHOLDERS: &[&str] = &["count"];

/// Params of `audit_limits`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitParams {
    /// Which kinds of limits this rule reports.
    pub kinds: Vec<LimitKind>,
}

impl LimitParams {
    /// Checks values serde cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.kinds.is_empty() {
            return Err("[params]: `kinds` must name at least one kind of limit".into());
        }
        Ok(())
    }
}

/// Evaluates `audit_limits`: one finding, one evidence item per limit.
pub fn limits(p: &LimitParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let evidence: Vec<Evidence> = ctx
        .obs
        .limits
        .iter()
        .filter(|l| p.kinds.contains(&l.kind))
        .map(|l| Evidence {
            url: Some(l.url.clone()),
            detail: Some(l.detail.clone()),
            ..Evidence::default()
        })
        .collect();
    if evidence.is_empty() {
        return vec![];
    }
    let count = evidence.len();
    vec![rule.finding(
        rule.severity.level,
        count,
        &[("count", count.to_string())],
        evidence,
    )]
}
