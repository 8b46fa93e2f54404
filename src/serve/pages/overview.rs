//! 总览 (`/`): the quarter's 合格率 overall and per unit, the trend over quarters, problem
//! categories, repeat offenders (整改不彻底) and rounds in progress — all from
//! [`crate::stats::quarter_stats`] over the stored rounds. A unit user sees its own unit's row
//! and sites only.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::Value;
use serde::{Deserialize, Serialize};

use super::super::auth::Auth;
use super::super::{render, App};
use crate::rounds;
use crate::stats::{CategoryRow, FailedSite, Quarter, RepeatOffender, UnitRow};

/// `?quarter=2018Q1`.
#[derive(Debug, Deserialize)]
pub struct Params {
    pub quarter: Option<String>,
}

/// Most sites listed under 不合格网站 and 整改不彻底; the notice's 附件 has them all.
const LIST_LIMIT: usize = 50;

/// What the page shows of a quarter's statistics: lists cut to [`LIST_LIMIT`], a unit user's
/// rows only.
#[derive(Debug, Serialize)]
struct View<'a> {
    quarter_label: &'a str,
    total: &'a UnitRow,
    units: Vec<&'a UnitRow>,
    subtotals: &'a [UnitRow],
    categories: &'a [CategoryRow],
    failed_count: usize,
    failed_sites: Vec<&'a FailedSite>,
    repeat_count: usize,
    repeat_offenders: Vec<&'a RepeatOffender>,
}

/// One point of the trend.
#[derive(Debug, Serialize)]
struct TrendPoint {
    quarter: String,
    label: String,
    sampled: usize,
    failed: usize,
    rate: String,
    /// Bar width, 0–100.
    width: f64,
}

fn key(q: &Quarter) -> String {
    format!("{}Q{}", q.year, q.q)
}

/// The quarter of a `YYYY-MM` month.
pub(crate) fn quarter_of(month: &str) -> Option<Quarter> {
    let (y, m) = month.split_once('-')?;
    let m: u8 = m.parse().ok()?;
    Quarter::new(y.parse().ok()?, m.checked_sub(1)? / 3 + 1).ok()
}

/// `GET /`.
pub async fn page(State(app): State<Arc<App>>, auth: Auth, Query(p): Query<Params>) -> Response {
    let user = &auth.0;
    let result = async {
        let all_rounds = app.cache.rounds(&app.store).await?;
        let busy = !app.jobs.running_rounds().is_empty();
        let data = app.cache.data(&app.store, busy).await?;
        Ok::<_, super::super::ServeError>((all_rounds, data))
    }
    .await;
    let (all_rounds, data) = match result {
        Ok(v) => v,
        Err(e) => return app.fail(Some(user), e),
    };
    let quarters: BTreeSet<(i32, u8)> = all_rounds
        .iter()
        .filter_map(|r| quarter_of(&r.month))
        .map(|q| (q.year, q.q))
        .collect();
    let quarters: Vec<Quarter> = quarters
        .into_iter()
        .filter_map(|(y, q)| Quarter::new(y, q).ok())
        .collect();
    let chosen = match p.quarter.as_deref().filter(|q| !q.is_empty()) {
        Some(q) => match q.parse::<Quarter>() {
            Ok(q) => Some(q),
            Err(e) => return super::bad_request(&app, user, &format!("季度格式有误：{e}")),
        },
        None => quarters.last().cloned(),
    };
    let own = |unit: &str| user.is_admin() || user.unit.as_deref() == Some(unit);
    let chosen_stats = chosen.as_ref().map(|q| data.quarter(q, &app.cfg.stats));
    let stats = chosen_stats.as_deref().map(|st| {
        let failed: Vec<&FailedSite> = st.failed_sites.iter().filter(|s| own(&s.unit)).collect();
        let repeat: Vec<&RepeatOffender> = st
            .repeat_offenders
            .iter()
            .filter(|s| own(&s.unit))
            .collect();
        View {
            quarter_label: &st.quarter_label,
            total: &st.total,
            units: st.units.iter().filter(|u| own(&u.unit)).collect(),
            subtotals: &st.subtotals,
            categories: &st.categories,
            failed_count: failed.len(),
            failed_sites: failed.into_iter().take(LIST_LIMIT).collect(),
            repeat_count: repeat.len(),
            repeat_offenders: repeat.into_iter().take(LIST_LIMIT).collect(),
        }
    });
    let trend: Vec<TrendPoint> = quarters
        .iter()
        .map(|q| {
            let st = data.quarter(q, &app.cfg.stats);
            let row = if user.is_admin() {
                Some(st.total.clone())
            } else {
                st.units.iter().find(|u| own(&u.unit)).cloned()
            };
            let (sampled, failed, rate, width) = match row {
                Some(r) => (
                    r.sampled,
                    r.failed,
                    r.pass_rate_text,
                    r.pass_rate.unwrap_or(0.0) * 100.0,
                ),
                None => (0, 0, "—".into(), 0.0),
            };
            TrendPoint {
                quarter: key(q),
                label: q.label(),
                sampled,
                failed,
                rate,
                width,
            }
        })
        .collect();
    let running: Vec<&rounds::Round> = all_rounds.iter().filter(|r| r.done < r.sites).collect();
    render::page(
        &app.env,
        "overview.html",
        Some(user),
        minijinja::context! {
            active => "overview",
            quarter => chosen.as_ref().map(key),
            quarters => quarters.iter().map(|q| minijinja::context!{ key => key(q), label => q.label() }).collect::<Vec<_>>(),
            stats => Value::from_serialize(&stats),
            trend => Value::from_serialize(&trend),
            running => Value::from_serialize(if user.is_admin() { running } else { Vec::new() }),
        },
    )
}
