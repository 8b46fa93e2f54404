//! 自查 (`/selfcheck`): a department enters its site's URL, the audit runs in the background
//! (the same [`crate::audit::Auditor`] as `govaudit check`, stored the same way), the page
//! follows it, and the self-check report is then on the site's page and downloads as DOCX or
//! HTML. A unit user self-checks only its own unit's registered sites.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::Value;
use serde::Deserialize;

use super::super::auth::Auth;
use super::super::jobs::{self, SelfCheck, SelfCheckState};
use super::super::{render, App};
use crate::findings::Verdict;
use crate::registry::{self, SiteFilter};

/// `GET /selfcheck`.
pub async fn page(State(app): State<Arc<App>>, auth: Auth) -> Response {
    // A unit user picks from its own sites; an admin types the URL (a national registry is
    // too long a list for a page).
    let sites = if auth.0.is_admin() {
        Vec::new()
    } else {
        let filter = SiteFilter {
            registered_only: true,
            unit: auth.0.unit.clone(),
            ..SiteFilter::default()
        };
        match registry::list(&app.store, &filter).await {
            Ok(s) => s,
            Err(e) => return app.fail(Some(&auth.0), e),
        }
    };
    let options: Vec<_> = sites
        .iter()
        .map(|s| minijinja::context! { url => s.url.clone(), name => s.name.clone().unwrap_or_default() })
        .collect();
    render::page(
        &app.env,
        "selfcheck.html",
        Some(&auth.0),
        minijinja::context! { active => "selfcheck", sites => options, job => Value::from(()) },
    )
}

/// The self-check form.
#[derive(Debug, Deserialize)]
pub struct StartForm {
    pub csrf: Option<String>,
    pub url: String,
}

/// `POST /selfcheck`: start the audit, then follow it.
pub async fn start(State(app): State<Arc<App>>, auth: Auth, Form(f): Form<StartForm>) -> Response {
    if let Err(r) = auth.check_csrf(&app, f.csrf.as_deref()) {
        return r;
    }
    let user = &auth.0;
    let site = match registry::get(&app.store, f.url.trim()).await {
        Ok(s) => s,
        Err(registry::RegistryError::NotFound(_)) => {
            return super::bad_request(
                &app,
                user,
                "该网址不在网站名录中：请输入本单位已登记网站的网址。",
            )
        }
        Err(e) => return app.fail(Some(user), e),
    };
    if !site.is_registered() {
        return super::bad_request(
            &app,
            user,
            "该网址不在网站名录中：请输入本单位已登记网站的网址。",
        );
    }
    if !user.may_see(site.unit.as_deref()) {
        return super::forbidden(&app, user);
    }
    let url = match registry::parse_url(&site.url) {
        Ok(u) => u,
        Err(e) => return super::bad_request(&app, user, &format!("网址无效：{e}")),
    };
    let job = jobs::start_selfcheck(&app, site.id, url, user.id);
    Redirect::to(&format!("/selfcheck/{job}")).into_response()
}

fn own(app: &App, auth: &Auth, job: i64) -> Result<Arc<SelfCheck>, Response> {
    match app.jobs.selfcheck(job) {
        Some(sc) if auth.0.is_admin() || sc.user_id == auth.0.id => Ok(sc),
        Some(_) => Err(super::forbidden(app, &auth.0)),
        None => Err(super::missing(
            app,
            auth,
            "没有这个自查任务（服务重启后进行中的自查不保留，请重新开始）。",
        )),
    }
}

fn state_json(sc: &SelfCheck) -> (bool, String) {
    let state = sc.state.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let elapsed = sc.started.elapsed().as_secs();
    let v = match &state {
        SelfCheckState::Running => serde_json::json!({"finished": false, "elapsed_secs": elapsed}),
        SelfCheckState::Done { check_id, verdict } => serde_json::json!({
            "finished": true, "check_id": check_id, "pass": *verdict == Verdict::Pass, "elapsed_secs": elapsed
        }),
        SelfCheckState::Failed(e) => serde_json::json!({"finished": true, "error": e}),
    };
    (state != SelfCheckState::Running, v.to_string())
}

/// `GET /selfcheck/{job}`.
pub async fn show(State(app): State<Arc<App>>, auth: Auth, Path(job): Path<i64>) -> Response {
    let sc = match own(&app, &auth, job) {
        Ok(sc) => sc,
        Err(r) => return r,
    };
    let state = sc.state.lock().unwrap_or_else(|p| p.into_inner()).clone();
    // Once stored, the check is the site's newest: its report is shown on the page.
    let report = match state {
        SelfCheckState::Done { .. } => {
            match super::sites::site_report(&app, sc.site_id, None).await {
                Ok(r) => r,
                Err(e) => return app.fail(Some(&auth.0), e),
            }
        }
        _ => None,
    };
    let archived = match super::archive::links(&app, report.as_ref()).await {
        Ok(a) => a,
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    let (status, verdict, error) = match state {
        SelfCheckState::Running => ("running", None, None),
        SelfCheckState::Done { verdict, .. } => (
            "done",
            Some(if verdict == Verdict::Pass {
                "合格"
            } else {
                "不合格"
            }),
            None,
        ),
        SelfCheckState::Failed(e) => ("failed", None, Some(e)),
    };
    render::page(
        &app.env,
        "selfcheck.html",
        Some(&auth.0),
        minijinja::context! {
            active => "selfcheck",
            sites => Vec::<Value>::new(),
            job => minijinja::context! {
                id => job, site_id => sc.site_id, url => sc.url.clone(), status => status,
                verdict => verdict, error => error, elapsed => sc.started.elapsed().as_secs(),
            },
            report => Value::from_serialize(&report),
            archived => archived,
            round => Option::<i64>::None,
        },
    )
}

/// `GET /selfcheck/{job}/events`: the self-check's state every second until it ends.
pub async fn events(State(app): State<Arc<App>>, auth: Auth, Path(job): Path<i64>) -> Response {
    let sc = match own(&app, &auth, job) {
        Ok(sc) => sc,
        Err(r) => return r,
    };
    let app2 = Arc::clone(&app);
    let stream = futures::stream::unfold((sc, false, true), move |(sc, ended, first)| {
        let app = Arc::clone(&app2);
        async move {
            if ended || app.jobs.stopping() {
                return None;
            }
            if !first {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            let (done, data) = state_json(&sc);
            let ev: Result<Event, Infallible> = Ok(Event::default().event("progress").data(data));
            Some((ev, (sc, done, false)))
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
