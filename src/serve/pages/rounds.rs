//! 抽查轮次 (`/rounds`, `/rounds/{id}`): plan a round (month, ratio, seed), start or resume it
//! in the background, watch its progress live (server-sent events: done/total, 不合格 so far,
//! ETA), its sites with verdicts, and plan the 复核 with its working-day deadline. For the
//! office only.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use minijinja::Value;
use serde::Deserialize;

use super::super::auth::Auth;
use super::super::jobs::{self, Snapshot};
use super::super::{render, App};
use crate::calendar::Calendar;
use crate::rounds::{self, PlanOptions, RoundError};

/// `GET /rounds`.
pub async fn list(State(app): State<Arc<App>>, auth: Auth) -> Response {
    if let Err(r) = auth.admin_only(&app) {
        return r;
    }
    match app.cache.rounds(&app.store).await {
        Ok(all) => {
            let rows: Vec<&rounds::Round> = all.iter().rev().collect();
            render::page(
                &app.env,
                "rounds.html",
                Some(&auth.0),
                minijinja::context! {
                    active => "rounds",
                    rounds => Value::from_serialize(&rows),
                    running => app.jobs.running_rounds(),
                    error => Option::<String>::None,
                },
            )
        }
        Err(e) => app.fail(Some(&auth.0), e),
    }
}

/// The plan form.
#[derive(Debug, Deserialize)]
pub struct PlanForm {
    pub csrf: Option<String>,
    pub month: String,
    pub ratio: Option<String>,
    pub seed: Option<String>,
    pub as_of: Option<String>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `POST /rounds`: plan a sampling round, then show it.
pub async fn plan(State(app): State<Arc<App>>, auth: Auth, Form(f): Form<PlanForm>) -> Response {
    if let Err(r) = auth
        .admin_only(&app)
        .and_then(|_| auth.check_csrf(&app, f.csrf.as_deref()))
    {
        return r;
    }
    let user = &auth.0;
    let month = match rounds::parse_month(&f.month) {
        Ok(m) => m,
        Err(_) => return super::bad_request(&app, user, "月份格式应为 YYYY-MM，例如 2018-02。"),
    };
    let ratio = match opt(&f.ratio).map(str::parse::<f64>) {
        None => 0.25,
        Some(Ok(r)) if r > 0.0 && r <= 1.0 => r,
        Some(_) => {
            return super::bad_request(&app, user, "抽查比例应为 0 到 1 之间的小数，例如 0.25。")
        }
    };
    let seed = match opt(&f.seed).map(str::parse::<u64>) {
        None => rand::random::<u32>() as u64,
        Some(Ok(s)) => s,
        Some(Err(_)) => return super::bad_request(&app, user, "随机种子应为非负整数。"),
    };
    let as_of = match opt(&f.as_of).map(str::parse::<NaiveDate>) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => return super::bad_request(&app, user, "检查基准日期格式应为 YYYY-MM-DD。"),
    };
    let opts = PlanOptions {
        month,
        ratio,
        seed,
        profile: app.cfg.rules.profile.clone(),
        as_of,
    };
    match rounds::plan_sample(&app.store, &opts).await {
        Ok((round, _)) => Redirect::to(&format!("/rounds/{}", round.id)).into_response(),
        Err(RoundError::NoSites) => super::bad_request(
            &app,
            user,
            "网站名录中没有正在运行的网站，请先导入网站名录。",
        ),
        Err(e) => app.fail(Some(user), e),
    }
}

/// `?page=N` of [`PAGE_SIZE`] sites, `?fail=1` for the failing ones only.
#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    pub page: Option<usize>,
    pub fail: Option<u8>,
}

/// Sites per page of a round.
pub const PAGE_SIZE: usize = 100;

/// `GET /rounds/{id}`.
pub async fn show(
    State(app): State<Arc<App>>,
    auth: Auth,
    Path(id): Path<i64>,
    axum::extract::Query(p): axum::extract::Query<ShowParams>,
) -> Response {
    if let Err(r) = auth.admin_only(&app) {
        return r;
    }
    // The round and its 复核 rounds from the cached list of rounds (read again when a check,
    // a round or a review changes), so a page asks SQLite only for its 100 rows.
    let all = match app.cache.rounds(&app.store).await {
        Ok(all) => all,
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    let Some(round) = all.iter().find(|r| r.id == id).cloned() else {
        return super::missing(&app, &auth, "没有这个轮次。");
    };
    let rechecks: Vec<_> = all
        .iter()
        .filter(|r| r.parent_round_id == Some(id))
        .cloned()
        .collect();
    // One page read from the database (a national round has 3,500 sites), numbered within
    // the list shown; the round's own counts say how many there are.
    let fail_only = p.fail == Some(1);
    let shown = if fail_only { round.failed } else { round.sites };
    let pages = shown.div_ceil(PAGE_SIZE).max(1);
    let page = p.page.unwrap_or(1).clamp(1, pages);
    let offset = (page - 1) * PAGE_SIZE;
    let rows = match rounds::round_sites_page(&app.store, id, fail_only, offset, PAGE_SIZE).await {
        Ok(r) => r,
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    let numbered: Vec<(usize, &rounds::RoundSiteRow)> = rows
        .iter()
        .enumerate()
        .map(|(i, s)| (offset + i + 1, s))
        .collect();
    // The 单项否决 by their names in the notices (问题类别), not their rule ids.
    let sites: Vec<serde_json::Value> = numbered
        .iter()
        .map(|(n, s)| {
            let mut v = serde_json::to_value(s).unwrap_or_default();
            let labels: Vec<&str> = s.vetoes.iter().map(|r| app.templates.label(r)).collect();
            v["veto_labels"] = serde_json::json!(labels);
            v["n"] = serde_json::json!(n);
            v
        })
        .collect();
    let progress = app.jobs.round(id).map(|p| p.snapshot());
    let running = progress.as_ref().is_some_and(|p| !p.finished);
    render::page(
        &app.env,
        "round.html",
        Some(&auth.0),
        minijinja::context! {
            active => "rounds",
            round => Value::from_serialize(&round),
            kind => round.kind.label(),
            sites => Value::from_serialize(&sites),
            shown => shown,
            page => page,
            pages => pages,
            fail_only => fail_only,
            running => running,
            progress => Value::from_serialize(&progress),
            rechecks => Value::from_serialize(&rechecks),
            today => chrono::Local::now().date_naive().to_string(),
        },
    )
}

/// A form carrying only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct RunForm {
    pub csrf: Option<String>,
}

/// `POST /rounds/{id}/run`: start or resume the round in the background.
pub async fn run(
    State(app): State<Arc<App>>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<RunForm>,
) -> Response {
    if let Err(r) = auth
        .admin_only(&app)
        .and_then(|_| auth.check_csrf(&app, f.csrf.as_deref()))
    {
        return r;
    }
    match jobs::start_round(&app, id, &auth.0.name).await {
        Ok(_) => Redirect::to(&format!("/rounds/{id}")).into_response(),
        Err(super::super::ServeError::Round(RoundError::NotFound(_))) => {
            super::missing(&app, &auth, "没有这个轮次。")
        }
        Err(e) => app.fail(Some(&auth.0), e),
    }
}

/// `GET /rounds/{id}/events`: progress as server-sent events (`progress`, JSON of
/// [`Snapshot`]), every half second until the run ends.
pub async fn events(State(app): State<Arc<App>>, auth: Auth, Path(id): Path<i64>) -> Response {
    if let Err(r) = auth.admin_only(&app) {
        return r;
    }
    let round = match rounds::get(&app.store, id).await {
        Ok(r) => r,
        Err(RoundError::NotFound(_)) => return super::missing(&app, &auth, "没有这个轮次。"),
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    let stored = Snapshot {
        done: round.done,
        total: round.sites,
        failed: round.failed,
        eta_secs: None,
        finished: true,
        error: None,
    };
    let progress = app.jobs.round(id);
    let app2 = Arc::clone(&app);
    let stream = futures::stream::unfold((progress, false), move |(p, ended)| {
        let stored = stored.clone();
        let app = Arc::clone(&app2);
        async move {
            if ended || app.jobs.stopping() {
                return None;
            }
            let snap = match &p {
                Some(p) => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    p.snapshot()
                }
                None => stored,
            };
            let done = snap.finished;
            let data = serde_json::to_string(&snap).unwrap_or_default();
            let ev: Result<Event, Infallible> = Ok(Event::default().event("progress").data(data));
            Some((ev, (p, done)))
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The 复核 form.
#[derive(Debug, Deserialize)]
pub struct RecheckForm {
    pub csrf: Option<String>,
    pub notice_date: String,
    pub days: Option<String>,
}

/// `POST /rounds/{id}/recheck`: plan the 复核 of the round's failing sites, due the given
/// number of working days (default 5) after the notice date on the official calendar.
pub async fn recheck(
    State(app): State<Arc<App>>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<RecheckForm>,
) -> Response {
    if let Err(r) = auth
        .admin_only(&app)
        .and_then(|_| auth.check_csrf(&app, f.csrf.as_deref()))
    {
        return r;
    }
    let user = &auth.0;
    let Ok(notice) = f.notice_date.trim().parse::<NaiveDate>() else {
        return super::bad_request(&app, user, "通报日期格式应为 YYYY-MM-DD。");
    };
    let days = match opt(&f.days).map(str::parse::<u32>) {
        None => 5,
        Some(Ok(d)) if (1..=60).contains(&d) => d,
        Some(_) => return super::bad_request(&app, user, "整改期限应为 1 到 60 个工作日。"),
    };
    match rounds::plan_recheck(&app.store, id, notice, days, &Calendar::builtin()).await {
        Ok((round, _)) => Redirect::to(&format!("/rounds/{}", round.id)).into_response(),
        Err(e @ (RoundError::Unfinished { .. } | RoundError::RecheckOfRecheck { .. })) => {
            super::bad_request(&app, user, &format!("不能安排复核：{e}"))
        }
        Err(RoundError::NotFound(_)) => super::missing(&app, &auth, "没有这个轮次。"),
        Err(e) => app.fail(Some(user), e),
    }
}
