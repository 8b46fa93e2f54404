//! Kind `service_guides`: 服务不实用 (国办秘函〔2019〕19号, rules.md §3.2): 办事指南 missing
//! `missing_at_least` (4) or more of the key elements in `guides_at_least` (5) or more items.
//! (Its other half, no 办事服务 at all, is a `column_presence` rule.)
//!
//! The element list is the rule's parameter (partly UNCONFIRMED in rules.md): each element has a
//! name and the label words that show it on a guide page (事项名称 / 事项名; 办理材料 / 申请材料 /
//! 所需材料 …). A guide shows an element when one of its labels (page analysis reads them:
//! `analysis::guides`) contains one of the words. A page showing fewer than
//! `min_elements_shown` elements is not read as a guide (a news item listed in a 办事服务
//! column) and is only counted in the 提示.
//!
//! One instance and one evidence item per deficient guide (its URL and the elements missing);
//! when the rule does not fire, a 提示 with the counts.

use serde::Deserialize;

use crate::findings::{Evidence, Finding, Severity};
use crate::observation::ServiceGuide;

use super::{Ctx, RuleMeta};

/// Placeholders: `{count}` deficient guides, `{missing}` (4), `{checked}` guides read.
pub const PLACEHOLDERS: &[&str] = &["count", "missing", "checked"];

/// One key element of a guide and the label words that show it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Element {
    /// The element's name as reports show it, e.g. 办理材料.
    pub name: String,
    /// Label words that show it; a guide has the element when one of its labels contains one.
    pub words: Vec<String>,
}

/// Params of `service_guides`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuideParams {
    /// The key elements a guide should show, in report order.
    pub elements: Vec<Element>,
    /// A guide missing this many elements or more is deficient (4).
    pub missing_at_least: usize,
    /// The rule fires when this many guides or more are deficient (5).
    pub guides_at_least: usize,
    /// Fewer elements shown than this: not a guide page.
    pub min_elements_shown: usize,
}

impl GuideParams {
    /// Check values serde cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.elements.is_empty() || self.elements.iter().any(|e| e.words.is_empty()) {
            return Err("[params]: elements must be non-empty, each with words".into());
        }
        if self.missing_at_least == 0 || self.missing_at_least > self.elements.len() {
            return Err(
                "[params]: missing_at_least must be between 1 and the number of elements".into(),
            );
        }
        if self.guides_at_least == 0 {
            return Err("[params]: guides_at_least must be at least 1".into());
        }
        Ok(())
    }

    /// The elements a guide does not show.
    fn missing<'a>(&'a self, g: &ServiceGuide) -> Vec<&'a str> {
        self.elements
            .iter()
            .filter(|e| {
                !g.labels.iter().any(|l| {
                    e.words
                        .iter()
                        .any(|w| !w.is_empty() && l.contains(w.as_str()))
                })
            })
            .map(|e| e.name.as_str())
            .collect()
    }
}

/// Evaluates `service_guides`.
pub fn guides(p: &GuideParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let obs = ctx.obs;
    let vars = |count: usize, checked: usize| {
        [
            ("count", count.to_string()),
            ("missing", p.missing_at_least.to_string()),
            ("checked", checked.to_string()),
        ]
    };
    let shown = |g: &ServiceGuide| p.elements.len() - p.missing(g).len();
    let read: Vec<&ServiceGuide> = obs
        .service_guides
        .iter()
        .filter(|g| shown(g) >= p.min_elements_shown)
        .collect();
    let deficient: Vec<Evidence> = read
        .iter()
        .filter_map(|g| {
            let missing = p.missing(g);
            (missing.len() >= p.missing_at_least).then(|| Evidence {
                url: Some(g.url.clone()),
                column: Some(g.column.clone()),
                detail: Some(format!(
                    "办事指南《{}》缺少{}类要素：{}",
                    g.title,
                    missing.len(),
                    missing.join("、")
                )),
                seen: Some(format!("页面所列要素：{}", g.labels.join("、"))),
                ..Evidence::default()
            })
        })
        .collect();
    let count = deficient.len();
    if count >= p.guides_at_least {
        return vec![rule.finding(
            rule.severity.level,
            count,
            &vars(count, read.len()),
            deficient,
        )];
    }
    if obs.service_guides.is_empty() {
        return vec![];
    }
    vec![Finding {
        rule: rule.id.clone(),
        severity: Severity::Info,
        message: format!(
            "抽查办事服务类栏目页面{}个，其中办事指南{}个，缺少{}类及以上要素的{count}个（达到{}个即单项否决）",
            obs.service_guides.len(),
            read.len(),
            p.missing_at_least,
            p.guides_at_least
        ),
        points: 0.0,
        evidence: deficient,
    }]
}
