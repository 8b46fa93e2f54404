//! Kind `unreachable`: the homepage did not open (`observation.reachability.ok == false`).
//!
//! The official rule (国办发〔2015〕15号, 站点无法访问) is statistical: over one week, 20+ probes
//! a day, veto when ≥ 5% of probes fail at 15 s. One audit run sees one probe (with the fetch
//! layer's 15 s timeout and retries), so a failure here is reported as the veto for that run;
//! a monitoring schedule built on the store can apply the 5% ratio over many runs.
//!
//! When this kind fires, [`super::Kind::runs_when_unreachable`] makes the engine skip every
//! other rule: the observation is empty and would otherwise read as "not updated".

use serde::Deserialize;

use crate::findings::{Evidence, Finding};

use super::{Ctx, RuleMeta};

/// Placeholders: `{error}` (the failure), `{attempts}`, `{status}` (HTTP status or 无).
pub const PLACEHOLDERS: &[&str] = &["error", "attempts", "status"];

/// No params.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnreachableParams {}

/// Evaluates `unreachable`.
pub fn unreachable(_p: &UnreachableParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let r = &ctx.obs.reachability;
    if r.ok {
        return vec![];
    }
    let error = r.error.clone().unwrap_or_else(|| "无法访问".into());
    let status = r
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "无".into());
    let evidence = vec![Evidence {
        url: Some(ctx.obs.url.clone()).filter(|u| !u.is_empty()),
        status: r.status,
        detail: Some(format!("{error}（共尝试{}次）", r.attempts)),
        ..Evidence::default()
    }];
    vec![rule.finding(
        rule.severity.level,
        1,
        &[
            ("error", error),
            ("attempts", r.attempts.to_string()),
            ("status", status),
        ],
        evidence,
    )]
}
