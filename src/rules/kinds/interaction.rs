//! Kind `interaction_response`: 互动回应差 (both standards, rules.md §2.1, §3.2). Within the year
//! before the as-of date (`lookback`), a 政务咨询类 column (not one whose name has an
//! `exclude_names` word: 在线访谈, 调查征集, 网上信访, 纪检举报) holds a message not answered within
//! `reply_within` (3 months) of being left.
//!
//! A message counts when its 留言时间 is known and on or after `as_of − lookback`:
//!
//! * answered on a known date: late when that date is after 留言时间 + `reply_within`;
//! * unanswered (the list or the page says 未回复 …, or nothing dates an answer while a status
//!   word says it is not answered): late once the as-of date is after 留言时间 + `reply_within`;
//! * otherwise (answered, date unknown; or nothing said) it is not judged and counted apart.
//!
//! One instance and one evidence item per late message (its column, dates, URL). When nothing
//! is late the counts are reported as a 提示 so an office sees what was read.

use chrono::{Months, NaiveDate};
use serde::Deserialize;

use crate::findings::{Evidence, Finding, Severity};
use crate::observation::{ConsultationObservation, Message, ReplyStatus};

use super::{Ctx, RuleMeta, Window};

/// Placeholders: `{count}` late messages, `{within}` (3个月), `{lookback}` (1年).
pub const PLACEHOLDERS: &[&str] = &["count", "within", "lookback"];

/// Params of `interaction_response`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseParams {
    /// How far back messages are judged ("1y": 监测时间点前1年内).
    pub lookback: Window,
    /// The longest time to answer ("3m": 超过三个月未回应).
    pub reply_within: Window,
    /// Columns whose name has one of these words are not judged (在线访谈、调查征集、网上信访、纪检举报).
    #[serde(default)]
    pub exclude_names: Vec<String>,
}

impl ResponseParams {
    fn excluded(&self, c: &ConsultationObservation) -> bool {
        self.exclude_names
            .iter()
            .any(|w| !w.is_empty() && c.column.contains(w.as_str()))
    }

    /// The last day an answer is in time for a message left on `asked`.
    fn deadline(&self, asked: NaiveDate) -> NaiveDate {
        match self.reply_within {
            Window::Days(d) => asked
                .checked_add_days(chrono::Days::new(u64::from(d)))
                .unwrap_or(NaiveDate::MAX),
            Window::Months(m) => asked
                .checked_add_months(Months::new(m))
                .unwrap_or(NaiveDate::MAX),
        }
    }
}

/// How one message stands.
enum Standing {
    /// Answered in time, after this many days.
    InTime(i64),
    /// Late: answered after this many days, or (None) not answered.
    Late(Option<i64>),
    /// Not judged: outside the year, or nothing dates the answer.
    Unjudged,
    Old,
}

fn standing(p: &ResponseParams, m: &Message, as_of: NaiveDate) -> Standing {
    let Some(asked) = m.asked else {
        return Standing::Unjudged;
    };
    if asked < p.lookback.cutoff(as_of) || asked > as_of {
        return Standing::Old;
    }
    let deadline = p.deadline(asked);
    match (m.replied, m.status) {
        (Some(r), _) if r >= asked => {
            let days = (r - asked).num_days();
            if r > deadline {
                Standing::Late(Some(days))
            } else {
                Standing::InTime(days)
            }
        }
        (_, ReplyStatus::Unanswered) if as_of > deadline => Standing::Late(None),
        _ => Standing::Unjudged,
    }
}

/// Evaluates `interaction_response`.
pub fn response(p: &ResponseParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let as_of = ctx.obs.as_of;
    let judged: Vec<&ConsultationObservation> = ctx
        .obs
        .consultations
        .iter()
        .filter(|c| !p.excluded(c))
        .collect();
    if judged.is_empty() {
        return vec![];
    }
    let (mut read, mut unjudged) = (0usize, 0usize);
    let mut reply_days: Vec<i64> = Vec::new();
    let mut late = Vec::new();
    for c in &judged {
        for m in &c.messages {
            read += 1;
            match standing(p, m, as_of) {
                Standing::InTime(d) => reply_days.push(d),
                Standing::Late(days) => {
                    reply_days.extend(days);
                    let asked = m.asked.map(|d| d.to_string()).unwrap_or_default();
                    let detail = match (m.replied, days) {
                        (Some(r), Some(d)) => format!(
                            "留言时间{asked}，回复时间{r}，{d}天后才回复（超过{}）",
                            p.reply_within.label()
                        ),
                        _ => format!(
                            "留言时间{asked}，至检查基准日{as_of}未回复（超过{}）",
                            p.reply_within.label()
                        ),
                    };
                    late.push(Evidence {
                        url: m.url.clone().or_else(|| Some(c.url.clone())),
                        column: Some(c.column.clone()),
                        detail: Some(detail),
                        seen: Some(format!(
                            "《{}》{}",
                            m.title,
                            if m.opened {
                                "（已打开信件页面核实）"
                            } else {
                                ""
                            }
                        )),
                        ..Evidence::default()
                    });
                }
                Standing::Unjudged => unjudged += 1,
                Standing::Old => {}
            }
        }
    }
    let count = late.len();
    let vars = [
        ("count", count.to_string()),
        ("within", p.reply_within.label()),
        ("lookback", p.lookback.label()),
    ];
    if count > 0 {
        return vec![rule.finding(rule.severity.level, count, &vars, late)];
    }
    reply_days.sort_unstable();
    let median = reply_days
        .get(reply_days.len() / 2)
        .map_or("无".to_string(), |d| format!("{d}天"));
    let summary = format!(
        "政务咨询类栏目{}个，读取留言{read}条，{}内按时回复{}条，无法判断回复情况{unjudged}条，回复用时中位数{median}",
        judged.len(),
        p.lookback.label(),
        reply_days.len(),
    );
    let evidence = judged
        .iter()
        .map(|c| Evidence {
            url: Some(c.url.clone()),
            column: Some(c.column.clone()),
            detail: Some(format!("读取列表{}页、留言{}条", c.pages, c.messages.len())),
            ..Evidence::default()
        })
        .collect();
    vec![Finding {
        rule: rule.id.clone(),
        severity: Severity::Info,
        message: summary,
        points: 0.0,
        evidence,
    }]
}
