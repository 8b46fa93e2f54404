//! The console under test: the simulated sample sites on loopback, a fresh database with an
//! admin and a unit user, and `govaudit serve`'s router on a free loopback port, in-process.

use std::path::PathBuf;
use std::sync::Arc;

use govaudit::serve::{self, users, App};
use govaudit::sim::{Scenario, SimServer};
use govaudit::store::Store;

/// Admin login.
pub const ADMIN: (&str, &str) = ("office", "office-password-1");
/// A unit user of 示例县.
pub const UNIT: (&str, &str) = ("county", "county-password-1");
/// That user's unit.
pub const UNIT_NAME: &str = "示例县";

pub struct Console {
    pub base: String,
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub store: Store,
    pub app: Option<Arc<App>>,
    pub sim: SimServer,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Console {
    /// Start everything; `polite` keeps the default per-host politeness (slow rounds).
    pub async fn start(polite: bool) -> Console {
        let dir = tempfile::tempdir().expect("temp dir");
        let as_of = "2018-02-01".parse().expect("date");
        let sim = SimServer::start(Scenario::samples().expect("samples"), as_of)
            .await
            .expect("sim starts");
        let db = dir.path().join("console.db");
        let store = Store::open(&db).await.expect("store");
        users::add_user(&store, ADMIN.0, ADMIN.1, users::Role::Admin, None)
            .await
            .expect("admin");
        users::add_user(&store, UNIT.0, UNIT.1, users::Role::Unit, Some(UNIT_NAME))
            .await
            .expect("unit user");
        let mut c = Console {
            base: String::new(),
            dir,
            db,
            store,
            app: None,
            sim,
            stop: None,
            task: None,
        };
        c.serve(polite).await;
        c
    }

    /// (Re)start the console on the same database.
    pub async fn serve(&mut self, polite: bool) {
        let mut cfg = super::support::config_for(&self.sim, polite);
        cfg.store.db = self.db.clone();
        cfg.fetch.timeout_secs = 2.0;
        if polite {
            // One site at a time: a round stopped after its first site is surely midway.
            cfg.crawl.sites_at_once = 1;
        }
        let app = App::new(self.store.clone(), cfg).expect("console state");
        self.app = Some(Arc::clone(&app));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port");
        self.base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        self.task = Some(tokio::spawn(async move {
            serve::serve(app, listener, async {
                let _ = rx.await;
            })
            .await
            .expect("console serves");
        }));
        self.stop = Some(tx);
    }

    /// Stop the console (its background tasks are aborted with the runtime's next await).
    pub async fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

/// An HTTP client keeping no cookies and following no redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}

/// Open the login form and post it: the answer.
pub async fn login_attempt(base: &str, who: (&str, &str)) -> reqwest::Response {
    let form = client()
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page");
    let cookie = form
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("the login form's cookie")
        .to_string();
    let page = form.text().await.expect("login page");
    let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    let token = page[at..].split('"').next().unwrap_or_default().to_string();
    client()
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(format!("csrf={token}&name={}&password={}", who.0, who.1))
        .send()
        .await
        .expect("login answers")
}

/// Log in over HTTP; returns the session cookie header value.
pub async fn login(base: &str, who: (&str, &str)) -> String {
    let r = login_attempt(base, who).await;
    assert_eq!(r.status(), 303, "login redirects");
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap_or_default().to_string()
}

/// GET with a session cookie: (status, body).
pub async fn get(base: &str, cookie: &str, path: &str) -> (u16, String) {
    let r = client()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("answers");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

/// POST a form with a session cookie: (status, body).
pub async fn post(base: &str, cookie: &str, path: &str, form: &str) -> (u16, String) {
    let r = client()
        .post(format!("{base}{path}"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .expect("answers");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

/// The CSRF token of the session, read off a page's forms.
pub async fn csrf(base: &str, cookie: &str) -> String {
    let (_, body) = get(base, cookie, "/selfcheck").await;
    let at = body.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    body[at..].split('"').next().unwrap_or_default().to_string()
}
