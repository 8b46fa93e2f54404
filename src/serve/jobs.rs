//! Long work in the server's background tasks: rounds (on the round storage of
//! [`crate::rounds`], which stores each site's check with its slot in one transaction) and
//! self-checks (one site, stored like `govaudit check`).
//!
//! A round started from the console is recorded in `console_jobs` until it has no site left;
//! [`resume`] starts those again when the server starts, and [`crate::rounds::run_round`] goes
//! on with the sites not yet audited — nothing lost, nothing done twice. Progress lives in
//! memory ([`Progress`]) and goes out as server-sent events.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

use super::{users, App, ServeError};
use crate::findings::Verdict;
use crate::rounds;

/// Progress of a running (or finished) round.
#[derive(Debug)]
pub struct Progress {
    /// Sites in the round.
    pub total: usize,
    /// Sites done when this run started (a resumed round).
    pub done_before: usize,
    done: AtomicUsize,
    failed: AtomicUsize,
    started: Instant,
    finished: AtomicBool,
    error: Mutex<Option<String>>,
}

/// A moment of a [`Progress`], as the events carry it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Snapshot {
    /// Sites audited and stored, earlier runs of the round included.
    pub done: usize,
    /// Sites in the round.
    pub total: usize,
    /// Of the sites done, those judged 不合格.
    pub failed: usize,
    /// Seconds left at this run's pace, once a site is done.
    pub eta_secs: Option<u64>,
    /// The run has ended (completed, or stopped by `error`).
    pub finished: bool,
    /// Why the run stopped before the end, if it did.
    pub error: Option<String>,
}

impl Progress {
    fn new(total: usize, done: usize, failed: usize) -> Progress {
        Progress {
            total,
            done_before: done,
            done: AtomicUsize::new(done),
            failed: AtomicUsize::new(failed),
            started: Instant::now(),
            finished: AtomicBool::new(false),
            error: Mutex::new(None),
        }
    }

    /// Where the work stands.
    pub fn snapshot(&self) -> Snapshot {
        let done = self.done.load(Ordering::Relaxed);
        let this_run = done.saturating_sub(self.done_before);
        let left = self.total.saturating_sub(done);
        let eta_secs = (this_run > 0).then(|| {
            let per_site = self.started.elapsed().as_secs_f64() / this_run as f64;
            (per_site * left as f64).ceil() as u64
        });
        Snapshot {
            done,
            total: self.total,
            failed: self.failed.load(Ordering::Relaxed),
            eta_secs,
            finished: self.finished.load(Ordering::Relaxed),
            error: self.error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }
}

/// A self-check's state.
#[derive(Debug, Clone, PartialEq)]
pub enum SelfCheckState {
    /// The audit is under way.
    Running,
    /// Stored as this check.
    Done {
        /// The stored check's id.
        check_id: i64,
        /// Its verdict.
        verdict: Verdict,
    },
    /// The audit or its storing failed; the error.
    Failed(String),
}

/// One self-check started from the console.
#[derive(Debug)]
pub struct SelfCheck {
    /// The site's id in the registry.
    pub site_id: i64,
    /// The site URL audited.
    pub url: String,
    /// The user who started it (only they and admins may look at it).
    pub user_id: i64,
    /// When it was started (for the elapsed time shown).
    pub started: Instant,
    /// Where it stands.
    pub state: Mutex<SelfCheckState>,
}

/// The console's background work.
#[derive(Debug, Default)]
pub struct Jobs {
    rounds: Mutex<HashMap<i64, Arc<Progress>>>,
    selfchecks: Mutex<HashMap<i64, Arc<SelfCheck>>>,
    next_selfcheck: AtomicI64,
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
    stopping: AtomicBool,
}

impl Jobs {
    /// The progress of round `id`, when the console has run it since it started.
    pub fn round(&self, id: i64) -> Option<Arc<Progress>> {
        self.rounds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    /// A self-check by its job number.
    pub fn selfcheck(&self, job: i64) -> Option<Arc<SelfCheck>> {
        self.selfchecks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&job)
            .cloned()
    }

    /// Stop every background task (the server is stopping). A round stops between two
    /// stored sites or inside a batch's transaction, which is then rolled back: a later start
    /// resumes it with nothing lost or doubled.
    pub fn abort_all(&self) {
        for t in self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            t.abort();
        }
    }

    /// The server is stopping: progress streams end so it need not wait for them.
    pub fn set_stopping(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    /// Whether the server is stopping.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    fn keep(&self, handle: tokio::task::AbortHandle) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle);
    }

    /// Rounds running now.
    pub fn running_rounds(&self) -> Vec<i64> {
        let map = self.rounds.lock().unwrap_or_else(|p| p.into_inner());
        let mut ids: Vec<i64> = map
            .iter()
            .filter(|(_, p)| !p.finished.load(Ordering::Relaxed))
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// Start (or resume) round `round_id` in the background, recorded as started by `by`; a round
/// already running is left running.
pub async fn start_round(
    app: &Arc<App>,
    round_id: i64,
    by: &str,
) -> Result<Arc<Progress>, ServeError> {
    if let Some(p) = app
        .jobs
        .round(round_id)
        .filter(|p| !p.finished.load(Ordering::Relaxed))
    {
        return Ok(p);
    }
    rounds::get(&app.store, round_id).await?;
    users::start_job(&app.store, round_id, by).await?;
    spawn_round(app, round_id).await
}

/// Resume every round the console was running when it stopped.
pub async fn resume(app: &Arc<App>) -> Result<(), ServeError> {
    for id in users::unfinished_jobs(&app.store).await? {
        tracing::info!("console: resuming round {id}");
        spawn_round(app, id).await?;
    }
    Ok(())
}

async fn spawn_round(app: &Arc<App>, round_id: i64) -> Result<Arc<Progress>, ServeError> {
    let round = rounds::get(&app.store, round_id).await?;
    let progress = Arc::new(Progress::new(round.sites, round.done, round.failed));
    app.jobs
        .rounds
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(round_id, Arc::clone(&progress));
    let (app2, p) = (Arc::clone(app), Arc::clone(&progress));
    let handle = tokio::spawn(async move {
        let as_of = round
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let sites_at_once = app2.auditor.crawl.sites_at_once;
        let result = rounds::run_round(
            &app2.auditor,
            &app2.store,
            &round,
            as_of,
            sites_at_once,
            |o| {
                p.done.fetch_add(1, Ordering::Relaxed);
                if o.verdict == Verdict::Fail {
                    p.failed.fetch_add(1, Ordering::Relaxed);
                }
            },
        )
        .await;
        let error = result.err().map(|e| e.to_string());
        if let Some(e) = &error {
            tracing::error!("console: round {round_id} stopped: {e}");
        }
        if let Err(e) = users::end_job(&app2.store, round_id, error.as_deref()).await {
            tracing::error!("console: cannot record the end of round {round_id}: {e}");
        }
        *p.error.lock().unwrap_or_else(|x| x.into_inner()) = error;
        p.finished.store(true, Ordering::Relaxed);
    });
    app.jobs.keep(handle.abort_handle());
    Ok(progress)
}

/// How long a finished self-check stays in the console's memory (its result is stored as a
/// check, so the site's page still shows it after this).
const SELFCHECK_KEPT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

impl Jobs {
    /// Register a self-check of `site_id` by `user_id`: `(job, true)` for a new one, or the
    /// job number of the same user's self-check of that site still running and `false` (a
    /// second click audits nobody's server twice). Finished self-checks older than a day are
    /// forgotten here, so the list stays small on a server that runs for months.
    fn register_selfcheck(
        &self,
        site_id: i64,
        url: &url::Url,
        user_id: i64,
        now: Instant,
    ) -> (i64, Arc<SelfCheck>, bool) {
        let mut map = self.selfchecks.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, sc| {
            now.saturating_duration_since(sc.started) < SELFCHECK_KEPT
                || *sc.state.lock().unwrap_or_else(|p| p.into_inner()) == SelfCheckState::Running
        });
        let running = map.iter().find(|(_, sc)| {
            sc.site_id == site_id
                && sc.user_id == user_id
                && *sc.state.lock().unwrap_or_else(|p| p.into_inner()) == SelfCheckState::Running
        });
        if let Some((job, sc)) = running {
            return (*job, Arc::clone(sc), false);
        }
        let job = self.next_selfcheck.fetch_add(1, Ordering::Relaxed) + 1;
        let sc = Arc::new(SelfCheck {
            site_id,
            url: url.to_string(),
            user_id,
            started: now,
            state: Mutex::new(SelfCheckState::Running),
        });
        map.insert(job, Arc::clone(&sc));
        (job, sc, true)
    }
}

/// Start a self-check of registered site `site_id` (URL `url`) as of today; returns its job
/// number (the one already running when this user started the same site's and it is not done).
pub fn start_selfcheck(app: &Arc<App>, site_id: i64, url: url::Url, user_id: i64) -> i64 {
    let (job, sc, new) = app
        .jobs
        .register_selfcheck(site_id, &url, user_id, Instant::now());
    if !new {
        return job;
    }
    let app2 = Arc::clone(app);
    let handle = tokio::spawn(async move {
        let as_of = chrono::Local::now().date_naive();
        let result = app2.auditor.audit(&url, as_of).await;
        let verdict = result.evaluation.verdict;
        let state = match result.save(&app2.store).await {
            Ok(check_id) => SelfCheckState::Done { check_id, verdict },
            Err(e) => SelfCheckState::Failed(e.to_string()),
        };
        *sc.state.lock().unwrap_or_else(|p| p.into_inner()) = state;
    });
    app.jobs.keep(handle.abort_handle());
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> url::Url {
        url::Url::parse("http://www.a.gov.test/").expect("url")
    }

    #[test]
    fn a_second_click_while_running_gives_the_same_job_and_a_finished_one_a_new_job() {
        let jobs = Jobs::default();
        let (a, sc, new) = jobs.register_selfcheck(1, &url(), 7, Instant::now());
        assert!(new);
        let (b, _, new) = jobs.register_selfcheck(1, &url(), 7, Instant::now());
        assert_eq!((b, new), (a, false), "still running: the same job");
        let (c, _, new) = jobs.register_selfcheck(1, &url(), 8, Instant::now());
        assert!(new && c != a, "another user's self-check is their own");
        let (d, _, new) = jobs.register_selfcheck(2, &url(), 7, Instant::now());
        assert!(new && d != a, "another site");
        *sc.state.lock().expect("lock") = SelfCheckState::Failed("x".into());
        let (e, _, new) = jobs.register_selfcheck(1, &url(), 7, Instant::now());
        assert!(new && e != a, "a finished self-check is not reused");
    }

    #[test]
    fn finished_self_checks_older_than_a_day_are_forgotten_running_ones_kept() {
        let jobs = Jobs::default();
        let then = Instant::now();
        let now = then + SELFCHECK_KEPT + std::time::Duration::from_secs(1);
        let age = |state: SelfCheckState| {
            Arc::new(SelfCheck {
                site_id: 1,
                url: url().to_string(),
                user_id: 7,
                started: then,
                state: Mutex::new(state),
            })
        };
        {
            let mut map = jobs.selfchecks.lock().expect("lock");
            map.insert(100, age(SelfCheckState::Failed("x".into())));
            map.insert(101, age(SelfCheckState::Running));
        }
        let (job, _, new) = jobs.register_selfcheck(2, &url(), 7, now);
        assert!(new);
        assert!(jobs.selfcheck(100).is_none(), "old and finished: forgotten");
        assert!(jobs.selfcheck(101).is_some(), "still running: kept");
        assert!(jobs.selfcheck(job).is_some());
    }
}
