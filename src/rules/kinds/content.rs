//! Kind `serious_errors`: 严重错误 candidates (国办发〔2015〕15号: 「网站出现严重错别字（例如，将党和
//! 国家领导人姓名写错）……即单项否决」; 2019: 「安全、泄密事故等严重问题」). The params are the
//! lexicon of leaders' names ([`crate::analysis::names::Lexicon`]); the crawl screens every page
//! it reads with it ([`crate::analysis::names::screen`]).
//!
//! Each candidate is a finding of severity `review` (待人工确认): it never fails a site by
//! itself. `govaudit confirm FINDING_ID` makes it a 单项否决 (and the check 不合格), `--reject`
//! dismisses it.

use crate::analysis::names::Lexicon;
use crate::findings::{Evidence, Finding, Severity};

use super::{Ctx, RuleMeta};

/// Placeholders: `{found}` what the page says, `{expected}` the name it resembles.
pub const PLACEHOLDERS: &[&str] = &["found", "expected"];

/// Evaluates `serious_errors`: one `review` finding per candidate.
pub fn candidates(_p: &Lexicon, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    ctx.obs
        .name_suspects
        .iter()
        .map(|s| {
            let mut f = rule.finding(
                Severity::Review,
                1,
                &[("found", s.found.clone()), ("expected", s.expected.clone())],
                vec![Evidence {
                    url: Some(s.url.clone()),
                    detail: Some(format!(
                        "疑似将“{}”误写为“{}”，待人工确认",
                        s.expected, s.found
                    )),
                    seen: Some(s.sentence.clone()),
                    ..Evidence::default()
                }],
            );
            f.points = 0.0;
            f
        })
        .collect()
}

/// Placeholders of `future_dates`: `{count}` rows, `{newest}` the latest date shown.
pub const FUTURE_PLACEHOLDERS: &[&str] = &["count", "newest"];

/// Params of `future_dates` (none).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FutureParams {}

/// Evaluates `future_dates`: one `review` finding listing the rows whose shown publish date lies
/// after the as-of date (疑似伪造发稿日期, 2019: 「伪造发稿日期」).
pub fn future_dates(_p: &FutureParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let items = &ctx.obs.future_items;
    let Some(newest) = items.iter().map(|i| i.date).max() else {
        return vec![];
    };
    let evidence = items
        .iter()
        .map(|i| Evidence {
            url: i.url.clone().or_else(|| Some(i.page.clone())),
            detail: Some(format!(
                "信息《{}》标注的发布日期{}晚于检查基准日{}，待人工确认",
                i.title, i.date, ctx.obs.as_of
            )),
            seen: Some(format!("所在页面：{}", i.page)),
            ..Evidence::default()
        })
        .collect();
    vec![rule.finding(
        Severity::Review,
        items.len(),
        &[
            ("count", items.len().to_string()),
            ("newest", newest.to_string()),
        ],
        evidence,
    )]
}

/// Placeholders of `backdated_items`: `{count}` rows, `{earlier_at}` the earlier capture's time.
pub const BACKDATED_PLACEHOLDERS: &[&str] = &["count", "earlier_at"];

/// Params of `backdated_items`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackdatedParams {
    /// Days before the earlier capture's (Beijing) date a row's date must lie to count: a row
    /// dated the day of the capture, or `grace_days` before it, may have been listed late.
    pub grace_days: i64,
}

/// Evaluates `backdated_items`: one `review` finding listing the rows a column page shows for
/// the first time although dated before the site's previous capture, which did not list them;
/// each evidence item names both captures' records and times.
pub fn backdated(p: &BackdatedParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let items: Vec<_> = ctx
        .obs
        .backdated_items
        .iter()
        .filter(|i| {
            let day = crate::archive::evidence::beijing_day(&i.earlier_at);
            day.is_some_and(|d| (d - i.date).num_days() > p.grace_days)
        })
        .collect();
    let Some(first) = items.first() else {
        return vec![];
    };
    let evidence = items
        .iter()
        .map(|i| Evidence {
            url: Some(i.url.clone()),
            column: Some(i.column.clone()),
            newest: Some(i.date),
            detail: Some(format!(
                "信息《{}》标注的发布日期为{}，但{}存档的栏目页面（存档记录 {}，{}）未列出该信息，\
                 {}存档的栏目页面（存档记录 {}，{}）首次列出，待人工确认",
                i.title,
                i.date,
                crate::archive::evidence::beijing_time(&i.earlier_at),
                i.earlier_record,
                i.earlier_warc,
                crate::archive::evidence::beijing_time(&i.at),
                i.record,
                i.warc
            )),
            seen: Some(format!("所在页面：{}", i.page)),
            ..Evidence::default()
        })
        .collect();
    vec![rule.finding(
        Severity::Review,
        items.len(),
        &[
            ("count", items.len().to_string()),
            (
                "earlier_at",
                crate::archive::evidence::beijing_time(&first.earlier_at),
            ),
        ],
        evidence,
    )]
}
