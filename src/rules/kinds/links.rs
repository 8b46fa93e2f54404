//! Kind `link_problems`: links in given states (`broken`, `suspected`, `blocked`).
//!
//! gb2015 uses it three times: `links.broken` (deduction, points per broken link up to a cap —
//! UNCONFIRMED values), `links.suspected` (info: timeouts and 5xx that persisted after retries;
//! 开普云 counted only 404/403 as 「确定不可用链接」, the rest as 疑似) and `links.blocked`
//! (info: links not fetched on purpose by the SSRF guard).

use serde::Deserialize;

use crate::findings::{Evidence, Finding};
use crate::observation::LinkState;

use super::{Ctx, RuleMeta};

/// Placeholders: `{count}` links in the states, `{checked}` unique links checked.
pub const PLACEHOLDERS: &[&str] = &["count", "checked"];

/// Params of `link_problems`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkParams {
    /// Which link states this rule reports.
    pub states: Vec<LinkState>,
}

impl LinkParams {
    /// Checks values serde cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.states.is_empty() {
            return Err("[params]: `states` must name at least one link state".into());
        }
        Ok(())
    }
}

/// Evaluates `link_problems`: one finding, one evidence item per link, one instance per link.
pub fn problems(p: &LinkParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let links = &ctx.obs.links;
    let evidence: Vec<Evidence> = links
        .problems
        .iter()
        .filter(|l| p.states.contains(&l.state))
        .map(|l| Evidence {
            url: Some(l.url.clone()),
            status: l.status,
            pages: l.pages.clone(),
            detail: Some(format!("{}：{}", l.state.label(), l.reason)),
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
        &[
            ("count", count.to_string()),
            ("checked", links.checked.to_string()),
        ],
        evidence,
    )]
}
