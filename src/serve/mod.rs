//! The web console (`govaudit serve`): server-rendered pages in Chinese for the office and the
//! departments, over the same library the command line uses — statistics from [`crate::stats`],
//! rounds from [`crate::rounds`], notices and self-check reports from [`crate::documents`]
//! rendered by [`crate::render`],
//! registry files through [`crate::registry`] — never a second implementation of them.
//!
//! - [`users`]: users (admin / unit) and sessions in SQLite, passwords hashed with argon2id.
//! - [`auth`]: login, the session cookie (HttpOnly, SameSite=Strict), CSRF tokens on every
//!   form, login rate limiting; a unit user sees only its unit's sites (403 otherwise).
//! - [`render`]: minijinja templates built into the binary, strict undefined, every value
//!   escaped with [`crate::escape::html`].
//! - [`cache`]: the sites, audits and quarterly statistics the 总览 reads, kept while the
//!   database is unchanged.
//! - [`jobs`]: rounds and self-checks run as background tasks on the resumable round storage;
//!   a restarted server resumes the rounds it was running. Progress goes out as server-sent
//!   events.
//! - `pages`: one file per area — 总览 (`/`), 网站名录 (`/sites`, `/sites/{id}`), 抽查轮次
//!   (`/rounds`, `/rounds/{id}`), 自查 (`/selfcheck`), 通报 (`/notices`), 存档页面
//!   (`/checks/{id}/archive/{record}`, a finding's page as the audit saw it).
//!
//! Without `--listen` the console binds to loopback only; a non-loopback address is refused
//! while no user exists ([`check_listen`]).

// Handlers return early with a ready page (`Result<_, Response>`): the error is the answer
// itself, built once per request, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod cache;
pub mod jobs;
mod pages;
pub mod render;
pub mod users;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::audit::Auditor;
use crate::config::Config;
use crate::documents::Templates;
use crate::rules::RuleSet;
use crate::store::Store;

/// The default address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Errors of the console.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// An SQLite error.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// Opening or reading the store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A round could not be planned, run or read.
    #[error(transparent)]
    Round(#[from] crate::rounds::RoundError),
    /// The site registry could not be read or changed (an import, an edit).
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    /// A 通报 or self-check report could not be built.
    #[error(transparent)]
    Notice(#[from] crate::documents::NoticeError),
    /// The rule files could not be loaded.
    #[error(transparent)]
    Rules(#[from] crate::rules::RulesError),
    /// The auditor could not be built from the configuration.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// A page template failed to load or render.
    #[error("templates: {0}")]
    Template(#[from] minijinja::Error),
    /// Argon2 could not hash or read a password hash; its message.
    #[error("password hashing: {0}")]
    Hash(String),
    /// Input refused (a bad user name, role or unit, a name taken); the reason, shown as is.
    #[error("{0}")]
    BadInput(String),
    /// `serve` asked to listen beyond loopback while no user exists; the address.
    #[error(
        "refusing to listen on {0}: no console user exists yet, and this address is not \
         loopback. Create one first: govaudit user add NAME --role admin"
    )]
    NoUsers(SocketAddr),
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The server failed while serving.
    #[error("the console stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// What every request handler shares.
pub struct App {
    /// The database the console reads and writes.
    pub store: Store,
    /// The configuration `serve` was started with.
    pub cfg: Config,
    /// The page templates ([`render::environment`]).
    pub env: minijinja::Environment<'static>,
    /// Failed logins, to slow down password guessing.
    pub limiter: auth::LoginLimiter,
    /// Background work started from the pages (rounds, self-checks).
    pub jobs: jobs::Jobs,
    /// The auditor rounds and self-checks run with, built from `cfg`.
    pub auditor: Auditor,
    /// The rule set (the auditor's), for the self-check reports the pages build.
    pub rules: Arc<RuleSet>,
    /// The built-in wording of the 通报 and self-check reports.
    pub templates: Templates,
    /// The registry, rounds, audits and statistics kept between requests.
    pub cache: cache::Cache,
    /// The evidence archive of the database, read for the archived pages (存档页面).
    pub archive: crate::archive::Archive,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("db", &self.cfg.store.db)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Build the console's state over an opened store.
    pub fn new(store: Store, cfg: Config) -> Result<Arc<App>, ServeError> {
        // Rounds and self-checks started here are judged and archived as `round run` and
        // `check` do it.
        let auditor = Auditor::for_store(&cfg, &store, true)?;
        let rules = Arc::clone(&auditor.rules);
        let archive = crate::archive::Archive::reader(
            &cfg.archive.dir_for(&cfg.store.db),
            store.pool().clone(),
        );
        Ok(Arc::new(App {
            archive,
            store,
            env: render::environment()?,
            limiter: auth::LoginLimiter::default(),
            jobs: jobs::Jobs::default(),
            auditor,
            rules,
            templates: Templates::builtin()?,
            cache: cache::Cache::default(),
            cfg,
        }))
    }

    /// A 500 page for an unexpected error, logged with its detail.
    pub fn fail(&self, user: Option<&users::User>, e: impl std::fmt::Display) -> Response {
        tracing::error!("console: {e}");
        render::error(
            &self.env,
            StatusCode::INTERNAL_SERVER_ERROR,
            user,
            &format!("处理请求时出错：{e}"),
        )
    }
}

/// Refuse a non-loopback address while no user exists.
pub async fn check_listen(store: &Store, addr: SocketAddr) -> Result<(), ServeError> {
    if !addr.ip().is_loopback() && users::count_users(store).await? == 0 {
        return Err(ServeError::NoUsers(addr));
    }
    Ok(())
}

/// The console's routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::overview::page))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/sites", get(pages::sites::list))
        .route("/sites/import", post(pages::registry::import))
        .route("/sites/template.xlsx", get(pages::registry::template))
        .route("/sites/{id}", get(pages::sites::show))
        .route("/sites/{id}/report", get(pages::sites::report))
        .route("/checks/{id}/archive/{record}", get(pages::archive::page))
        .route(
            "/rounds",
            get(pages::rounds::list).post(pages::rounds::plan),
        )
        .route("/rounds/{id}", get(pages::rounds::show))
        .route("/rounds/{id}/run", post(pages::rounds::run))
        .route("/rounds/{id}/events", get(pages::rounds::events))
        .route("/rounds/{id}/recheck", post(pages::rounds::recheck))
        .route(
            "/selfcheck",
            get(pages::selfcheck::page).post(pages::selfcheck::start),
        )
        .route("/selfcheck/{job}", get(pages::selfcheck::show))
        .route("/selfcheck/{job}/events", get(pages::selfcheck::events))
        .route("/notices", get(pages::notices::page))
        .route("/notices/download", get(pages::notices::download))
        .route("/static/style.css", get(|| async { css(render::STYLE) }))
        .route(
            "/static/progress.js",
            get(|| async { js(render::PROGRESS_JS) }),
        )
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(app)
}

/// Headers on every answer: scripts only from the console itself (no inline script can run,
/// whatever a page quotes), no framing, no MIME sniffing, no referrer to audited sites. A page
/// that sets a stricter policy of its own (an archived page) keeps it.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    h.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    resp
}

fn css(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], body).into_response()
}

fn js(body: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Serve the console on `listener` until `shutdown` completes. Rounds the console was running
/// when it last stopped are resumed first.
pub async fn serve(
    app: Arc<App>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    jobs::resume(&app).await?;
    let stopping = Arc::clone(&app);
    let shutdown = async move {
        shutdown.await;
        stopping.jobs.set_stopping();
    };
    let served = axum::serve(
        listener,
        router(Arc::clone(&app)).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    app.jobs.abort_all();
    Ok(served?)
}
