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
use crate::stats::Quarter;

/// `?quarter=2018Q1`.
#[derive(Debug, Deserialize)]
pub struct Params {
    pub quarter: Option<String>,
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
        let all_rounds = rounds::list(&app.store).await?;
        let data = app.cache.data(&app.store).await?;
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
    let stats = chosen.as_ref().map(|q| {
        let mut st = (*data.quarter(q, &app.cfg.stats)).clone();
        if !user.is_admin() {
            st.units.retain(|u| own(&u.unit));
            st.failed_sites.retain(|s| own(&s.unit));
            st.repeat_offenders.retain(|s| own(&s.unit));
        }
        st
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
