//! Building a [`Notice`] from the store: the figures of [`quarter_stats`], the findings of the
//! checks that made each site fail, and the wording of the [`Templates`].

use std::collections::{BTreeMap, HashMap, HashSet};

use super::templates::fill;
use super::{
    chinese_date, Figures, Notice, NoticeError, NoticeSettings, Point, Reevaluation, Scope, Series,
    Table, Templates,
};
use crate::archive::RecordIndex;
use crate::findings::{Evidence, Severity, Verdict};
use crate::rounds::{self, NewestEvaluation};
use crate::stats::{
    format_percent, parse_month, quarter_stats, AuditRecord, FailedSite, Quarter, QuarterStats,
    RoundKind, SiteRecord,
};
use crate::store::Store;

/// Months shown in the trend, at most.
const TREND_MONTHS: usize = 12;

/// One stored finding of a failing check.
#[derive(Debug, Clone)]
pub(crate) struct StoredFinding {
    pub check_id: i64,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

/// The stored veto and deduction findings of a check, in stored order.
pub(crate) async fn check_findings(
    store: &Store,
    check_id: i64,
    with_info: bool,
) -> Result<Vec<StoredFinding>, NoticeError> {
    let rows = store.findings_of(check_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if matches!(r.severity, Severity::Info | Severity::Review) && !with_info {
            continue;
        }
        let evidence =
            serde_json::from_str(&r.evidence_json).map_err(|source| NoticeError::StoredJson {
                what: "evidence",
                check_id,
                source,
            })?;
        out.push(StoredFinding {
            check_id,
            rule: r.rule,
            severity: r.severity,
            message: r.message,
            evidence,
        });
    }
    Ok(out)
}

/// The newest re-evaluations of the checks, by check id (empty for the stored checks).
type Evaluations = HashMap<i64, NewestEvaluation>;

/// Every stored check that answers a round slot: as stored, or with `settings.reevaluated` as
/// its newest re-evaluation judged it (the records `round diff --reevaluated` compares), with
/// those re-evaluations.
async fn audits(
    store: &Store,
    settings: &NoticeSettings,
) -> Result<(Vec<AuditRecord>, Evaluations), NoticeError> {
    let stored = rounds::audit_records(store).await?;
    if !settings.reevaluated {
        return Ok((stored, Evaluations::new()));
    }
    let ids: Vec<i64> = stored.iter().map(|a| a.check_id).collect();
    let evaluations = rounds::newest_evaluations(store, &ids).await?;
    Ok((
        rounds::apply_evaluations(&stored, &evaluations),
        evaluations,
    ))
}

/// What a notice from re-evaluations rests on: the period's checks `period` and their
/// re-evaluations; `None` for a notice of the stored checks.
fn reevaluation(
    settings: &NoticeSettings,
    period: &[&AuditRecord],
    evaluations: &Evaluations,
    name: &str,
) -> Result<Option<Reevaluation>, NoticeError> {
    if !settings.reevaluated {
        return Ok(None);
    }
    let mut checks: Vec<i64> = period.iter().map(|a| a.check_id).collect();
    checks.sort_unstable();
    checks.dedup();
    let taken: Vec<&NewestEvaluation> = checks.iter().filter_map(|c| evaluations.get(c)).collect();
    let Some(newest) = taken.iter().max_by(|a, b| a.created_at.cmp(&b.created_at)) else {
        return Err(NoticeError::NotReevaluated {
            period: name.to_string(),
        });
    };
    let mut r = Reevaluation {
        checks: checks.len(),
        evaluated: taken.len(),
        evaluation_ids: taken.iter().map(|e| e.id).collect(),
        newest_at: newest.created_at.clone(),
        profiles: Vec::new(),
        rules_dirs: Vec::new(),
    };
    r.evaluation_ids.sort_unstable();
    for e in &taken {
        if !r.profiles.contains(&e.profile) {
            r.profiles.push(e.profile.clone());
        }
        if !r.rules_dirs.contains(&e.rules_dir) {
            r.rules_dirs.push(e.rules_dir.clone());
        }
    }
    Ok(Some(r))
}

/// The quarter of a `YYYY-MM` month.
fn quarter_of(month: &str) -> Result<Quarter, NoticeError> {
    let (y, m) = parse_month(month).ok_or_else(|| NoticeError::Month(month.to_string()))?;
    Quarter::new(y, (m - 1) / 3 + 1).map_err(|_| NoticeError::Month(month.to_string()))
}

impl Notice {
    /// The notice of a quarter: every regular round whose month lies in it.
    pub async fn for_quarter(
        store: &Store,
        quarter: &Quarter,
        settings: &NoticeSettings,
        templates: &Templates,
    ) -> Result<Notice, NoticeError> {
        let sites = rounds::site_records(store).await?;
        let (audits, evaluations) = audits(store, settings).await?;
        let period: Vec<&AuditRecord> = audits
            .iter()
            .filter(|a| quarter.contains(&a.month))
            .collect();
        let basis = reevaluation(settings, &period, &evaluations, &quarter.to_string())?;
        let st = quarter_stats(&sites, &audits, quarter, &settings.stats);
        let trend = monthly_trend(&sites, &audits, &quarter.last_month());
        let t = &templates.notice;
        let ctx = Ctx {
            scope: Scope::Quarter(quarter.to_string()),
            period: quarter.label(),
            title: &t.title_quarter,
            period_kind: &t.period_kind_quarter,
            basis,
            evaluations,
        };
        assemble(store, ctx, st, trend, settings, templates).await
    }

    /// The notice of one round (a 复核 round's checks count as that round's sample). Repeat
    /// offenders look at every round up to the round's month.
    pub async fn for_round(
        store: &Store,
        round_id: i64,
        settings: &NoticeSettings,
        templates: &Templates,
    ) -> Result<Notice, NoticeError> {
        let round = rounds::get(store, round_id).await?;
        let quarter = quarter_of(&round.month)?;
        let sites = rounds::site_records(store).await?;
        let (audits, evaluations) = audits(store, settings).await?;
        let period: Vec<&AuditRecord> = audits.iter().filter(|a| a.round_id == round_id).collect();
        let basis = reevaluation(
            settings,
            &period,
            &evaluations,
            &format!("round {round_id}"),
        )?;
        let this: Vec<AuditRecord> = audits
            .iter()
            .filter(|a| a.round_id == round_id)
            .map(|a| AuditRecord {
                round_kind: RoundKind::Regular,
                ..a.clone()
            })
            .collect();
        let mut st = quarter_stats(&sites, &this, &quarter, &settings.stats);
        let history: Vec<AuditRecord> = audits
            .iter()
            .filter(|a| a.month.as_str() <= round.month.as_str())
            .cloned()
            .collect();
        let failed: HashSet<i64> = st.failed_sites.iter().map(|f| f.site_id).collect();
        st.repeat_offenders = quarter_stats(&sites, &history, &quarter, &settings.stats)
            .repeat_offenders
            .into_iter()
            .filter(|o| failed.contains(&o.site_id))
            .collect();
        st.months = vec![round.month.clone()];
        let trend = monthly_trend(&sites, &audits, &round.month);
        let period = match parse_month(&round.month) {
            Some((y, m)) => format!("{y}年{m}月"),
            None => round.month.clone(),
        };
        let t = &templates.notice;
        let ctx = Ctx {
            scope: Scope::Round {
                round_id,
                month: round.month.clone(),
            },
            period,
            title: &t.title_round,
            period_kind: &t.period_kind_round,
            basis,
            evaluations,
        };
        assemble(store, ctx, st, trend, settings, templates).await
    }
}

struct Ctx<'a> {
    scope: Scope,
    period: String,
    title: &'a str,
    period_kind: &'a str,
    /// Made from re-evaluations: which.
    basis: Option<Reevaluation>,
    /// The re-evaluations the checks were taken from (empty for the stored checks).
    evaluations: Evaluations,
}

/// Pass rate per month of the regular rounds up to `last_month` (the latest [`TREND_MONTHS`]).
fn monthly_trend(sites: &[SiteRecord], audits: &[AuditRecord], last_month: &str) -> Vec<Point> {
    let known: HashSet<i64> = sites.iter().map(|s| s.site_id).collect();
    let mut months: BTreeMap<&str, BTreeMap<i64, bool>> = BTreeMap::new();
    for a in audits {
        let valid = parse_month(&a.month).is_some() && a.month.as_str() <= last_month;
        if !valid || a.round_kind != RoundKind::Regular || !known.contains(&a.site_id) {
            continue;
        }
        let failed = months.entry(a.month.as_str()).or_default().entry(a.site_id);
        *failed.or_default() |= a.verdict == Verdict::Fail;
    }
    let skip = months.len().saturating_sub(TREND_MONTHS);
    months
        .into_iter()
        .skip(skip)
        .map(|(month, s)| {
            let sampled = s.len();
            let failed = s.values().filter(|f| **f).count();
            let rate = (sampled > 0).then(|| (sampled - failed) as f64 / sampled as f64);
            Point {
                label: month.to_string(),
                sampled,
                failed,
                pass_rate: rate,
                pass_rate_text: format_percent(rate),
            }
        })
        .collect()
}

/// The findings of the checks that made each failed site fail, per failed site (附件2 order).
/// A check taken as re-evaluated has the findings of its re-evaluation.
async fn failing_findings(
    store: &Store,
    failed: &[FailedSite],
    evaluations: &Evaluations,
) -> Result<Vec<Vec<StoredFinding>>, NoticeError> {
    let mut out = Vec::with_capacity(failed.len());
    for f in failed {
        let mut list = Vec::new();
        for a in &f.failed_audits {
            match evaluations.get(&a.check_id) {
                Some(e) => list.extend(
                    e.findings
                        .iter()
                        .filter(|f| !matches!(f.severity, Severity::Info | Severity::Review))
                        .map(|f| StoredFinding {
                            check_id: a.check_id,
                            rule: f.rule.clone(),
                            severity: f.severity,
                            message: f.message.clone(),
                            evidence: f.evidence.clone(),
                        }),
                ),
                None => list.extend(check_findings(store, a.check_id, false).await?),
            }
        }
        out.push(list);
    }
    Ok(out)
}

/// Every percentage of the notice with one decimal (`100.0%`, `0.0%`), as its text prints them.
fn one_decimal(st: &mut QuarterStats) {
    for r in st
        .units
        .iter_mut()
        .chain(&mut st.subtotals)
        .chain([&mut st.total])
    {
        r.pass_rate_text = format_percent(r.pass_rate);
        r.sample_ratio_text = format_percent(r.sample_ratio);
    }
    for c in &mut st.categories {
        c.share_text = format_percent(c.share);
    }
}

async fn assemble(
    store: &Store,
    ctx: Ctx<'_>,
    mut st: QuarterStats,
    trend: Vec<Point>,
    settings: &NoticeSettings,
    templates: &Templates,
) -> Result<Notice, NoticeError> {
    one_decimal(&mut st);
    let t = &templates.notice;
    let office = &settings.office;
    let a = &t.attachments;
    let findings = failing_findings(store, &st.failed_sites, &ctx.evaluations).await?;
    // The archived record of each piece of evidence, by check (none for an unarchived one).
    let mut records = HashMap::new();
    for check in findings.iter().flatten().map(|f| f.check_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = records.entry(check) {
            e.insert(RecordIndex::for_check(store.pool(), check).await?);
        }
    }
    let period = ctx.period.clone();
    let registry_as_of = crate::registry::registry_as_of(store)
        .await
        .map_err(rounds::RoundError::from)?
        .map(super::chinese_date);
    let vars: Vec<(&str, String)> = vec![
        ("period", period.clone()),
        ("period_kind", ctx.period_kind.to_string()),
        (
            "registry_as_of",
            registry_as_of.as_ref().map_or_else(String::new, |d| {
                fill(&t.overview.registry_as_of, &[("date", d.clone())])
            }),
        ),
    ];

    let mut overview = super::paragraphs::overview(&st, t, &vars);
    if let Some(basis) = &ctx.basis {
        overview
            .paragraphs
            .push(super::paragraphs::reevaluated(basis, t, &vars));
    }
    let sections = vec![
        overview,
        super::paragraphs::problems(&st, &findings, templates, &vars),
        super::paragraphs::requirements(t, office, &vars),
    ];

    // A notice from re-evaluations says so in every table's title too (the XLSX has no text).
    let title = |text: &str| {
        let t = fill(text, &vars);
        match &ctx.basis {
            Some(_) => fill(&a.reevaluated_title, &[("title", t)]),
            None => t,
        }
    };
    let unit_title = title(&a.unit_title);
    let site_title = title(&a.site_title);
    let unit_table = Table {
        label: a.unit_label.clone(),
        title: unit_title.clone(),
        headers: a.unit_headers.clone(),
        rows: super::tables::unit_rows(&st),
    };
    let site_table = Table {
        label: a.site_label.clone(),
        title: site_title.clone(),
        headers: a.site_headers.clone(),
        rows: super::tables::site_rows(&st, templates),
    };
    let detail_table = Table {
        label: a.detail_label.clone(),
        title: title(&a.detail_title),
        headers: a
            .detail_headers
            .iter()
            .chain([&a.archived_header])
            .cloned()
            .collect(),
        rows: super::tables::detail_rows(&st.failed_sites, &findings, &records, templates),
    };
    let unit_chart = Series {
        title: a.chart_title.clone(),
        points: st
            .units
            .iter()
            .map(|u| Point {
                label: u.unit.clone(),
                sampled: u.sampled,
                failed: u.failed,
                pass_rate: u.pass_rate,
                pass_rate_text: u.pass_rate_text.clone(),
            })
            .collect(),
    };
    Ok(Notice {
        scope: ctx.scope,
        title: fill(ctx.title, &vars),
        doc_number: office.doc_number.clone().filter(|d| !d.trim().is_empty()),
        addressee: office.addressee.clone(),
        intro: t.intro.iter().map(|p| fill(p, &vars)).collect(),
        sections,
        attachments: [unit_title, site_title]
            .into_iter()
            .enumerate()
            .map(|(i, title)| {
                let line = if i == 0 { &a.list_first } else { &a.list_next };
                fill(line, &[("n", (i + 1).to_string()), ("title", title)])
            })
            .collect(),
        issuer: office.issuer.clone(),
        date: settings.date.or(office.date).map(chinese_date),
        unit_table,
        site_table,
        detail_table,
        unit_chart,
        trend: Series {
            title: a.trend_title.clone(),
            points: trend,
        },
        figures: Figures {
            total: st.total,
            subtotals: st.subtotals,
            units: st.units,
            by_level: st.by_level,
            categories: st.categories,
            repeat_offenders: st.repeat_offenders,
        },
        warnings: st.warnings,
        registry_as_of,
        period,
        reevaluation: ctx.basis,
    })
}

/// Which subtotal row is which.
pub(crate) fn subtotal<'a>(st: &'a QuarterStats, label: &str) -> Option<&'a crate::stats::UnitRow> {
    st.subtotals.iter().find(|r| r.unit == label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(site: i64, month: &str, fail: bool, kind: RoundKind) -> AuditRecord {
        AuditRecord {
            check_id: site,
            site_id: site,
            round_id: 1,
            round_kind: kind,
            month: month.into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2018, 1, 20).unwrap_or_default(),
            verdict: if fail { Verdict::Fail } else { Verdict::Pass },
            rules: Vec::new(),
            evidence: Vec::new(),
            rechecks_check: None,
        }
    }

    #[test]
    fn the_trend_counts_regular_audits_per_month_up_to_the_end() {
        let sites: Vec<SiteRecord> = (1..=3)
            .map(|i| SiteRecord {
                site_id: i,
                unit: "甲".into(),
                level: "市级部门".into(),
                name: format!("s{i}"),
                url: format!("http://s{i}"),
                running: true,
            })
            .collect();
        let audits = [
            audit(1, "2018-01", true, RoundKind::Regular),
            audit(2, "2018-01", false, RoundKind::Regular),
            audit(3, "2018-02", false, RoundKind::Regular),
            audit(1, "2018-02", true, RoundKind::Recheck),
            audit(9, "2018-02", true, RoundKind::Regular),
            audit(1, "2018-04", true, RoundKind::Regular),
        ];
        let t = monthly_trend(&sites, &audits, "2018-03");
        let got: Vec<(&str, usize, usize, &str)> = t
            .iter()
            .map(|p| {
                (
                    p.label.as_str(),
                    p.sampled,
                    p.failed,
                    p.pass_rate_text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [("2018-01", 2, 1, "50.0%"), ("2018-02", 1, 0, "100.0%")]
        );
    }

    #[test]
    fn quarters_of_months() {
        assert_eq!(quarter_of("2018-05").expect("q").to_string(), "2018Q2");
        assert!(quarter_of("2018-5").is_err());
    }
}
