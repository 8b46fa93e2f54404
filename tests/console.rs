//! The web console (`govaudit serve`, issue 17): access rules over plain HTTP (login, rate
//! limiting, roles, CSRF, escaping), a round that survives a restart of the server, and a real
//! headless Chromium driving the pages against the simulated sample sites, with screenshots
//! under `target/console-screenshots/`.

use crate::support;

#[path = "console/browser.rs"]
mod browser;
#[path = "console/harness.rs"]
mod harness;
#[path = "console/webdriver.rs"]
mod webdriver;

use std::time::{Duration, Instant};

use govaudit::registry;
use govaudit::serve;
use harness::{get, login, post, Console, ADMIN, UNIT};

/// Import a registry fixture straight through the library.
async fn import(c: &Console, name: &str) {
    let sites =
        registry::load_file(&support::fixture(&format!("console/{name}"))).expect("fixture valid");
    registry::import(&c.store, &sites).await.expect("imported");
}

/// The id of a registered site by URL.
async fn site_id(c: &Console, url: &str) -> i64 {
    registry::get(&c.store, url).await.expect("registered").id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_sessions_csrf_and_escaping() {
    let c = Console::start(false).await;
    import(&c, "registry.csv").await;
    import(&c, "registry-hostile.csv").await;
    let base = &c.base;

    // No session: pages send to /login, forms are refused.
    let (status, _) = get(base, "", "/").await;
    assert_eq!(status, 303);
    let (status, _) = post(base, "", "/rounds", "month=2018-02").await;
    assert_eq!(status, 401);

    // The login form has its CSRF token too: a post from elsewhere is refused.
    let (status, _) = post(base, "", "/login", "name=office&password=office-password-1").await;
    assert_eq!(status, 403);
    // Wrong passwords are counted; the sixth try within the window is refused outright.
    for _ in 0..5 {
        let r = harness::login_attempt(base, ("nobody", "wrong-password")).await;
        assert_eq!(r.status(), 401);
        assert!(r
            .text()
            .await
            .unwrap_or_default()
            .contains("用户名或密码错误"));
    }
    let r = harness::login_attempt(base, ("nobody", "wrong-password")).await;
    assert_eq!(r.status(), 429);

    let admin = login(base, ADMIN).await;
    let unit = login(base, UNIT).await;
    let county = site_id(&c, "www.blank.gov.test").await;
    let city = site_id(&c, "www.lyj.gov.test").await;

    // A unit user sees its own unit's sites only.
    let (status, body) = get(base, &unit, "/sites").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("示例县教育局") && !body.contains("示例市林业局"),
        "{body}"
    );
    assert_eq!(get(base, &unit, &format!("/sites/{county}")).await.0, 200);
    let (status, body) = get(base, &unit, &format!("/sites/{city}")).await;
    assert_eq!(status, 403);
    assert!(body.contains("无权访问"));
    let (status, body) = get(base, &unit, &format!("/sites/{city}/report?format=html")).await;
    assert_eq!(status, 403, "{body}");
    for page in [
        "/rounds",
        "/notices",
        "/notices/download?quarter=2018Q1&format=md",
    ] {
        assert_eq!(get(base, &unit, page).await.0, 403, "{page}");
    }
    // The admin sees both; an unknown site is 404.
    assert_eq!(get(base, &admin, &format!("/sites/{city}")).await.0, 200);
    assert_eq!(get(base, &admin, "/sites/999999").await.0, 404);

    // Forms without this session's CSRF token are refused, and nothing is done.
    let (status, _) = post(base, &admin, "/rounds", "month=2018-02&ratio=1&seed=1").await;
    assert_eq!(status, 403);
    let other = harness::csrf(base, &unit).await;
    let (status, _) = post(
        base,
        &admin,
        "/rounds",
        &format!("csrf={other}&month=2018-02&ratio=1&seed=1"),
    )
    .await;
    assert_eq!(status, 403);
    assert!(govaudit::rounds::list(&c.store)
        .await
        .expect("rounds")
        .is_empty());
    let (status, _) = post(base, &unit, "/selfcheck", "url=www.blank.gov.test").await;
    assert_eq!(status, 403);
    // With the token a unit user still cannot self-check another unit's site.
    let token = harness::csrf(base, &unit).await;
    let (status, _) = post(
        base,
        &unit,
        "/selfcheck",
        &format!("csrf={token}&url=www.lyj.gov.test"),
    )
    .await;
    assert_eq!(status, 403);

    // Names from registry files (and pages) are escaped wherever they appear, and no inline
    // script could run anyway.
    let r = harness::client()
        .get(format!("{base}/sites"))
        .header("cookie", &admin)
        .send()
        .await
        .expect("answers");
    let csp = r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    let body = r.text().await.expect("body");
    assert!(!body.contains("<script>alert"), "raw markup in the page");
    assert!(body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;示例站"));
    assert!(body.contains("示例县&lt;b&gt;"));

    // Logging out ends the session.
    let token = harness::csrf(base, &admin).await;
    assert_eq!(
        post(base, &admin, "/logout", &format!("csrf={token}"))
            .await
            .0,
        303
    );
    assert_eq!(get(base, &admin, "/").await.0, 303);
}

/// Requests the simulated sites have answered.
fn sim_hits(c: &Console) -> u64 {
    c.sim.all_host_stats().values().map(|s| s.hits as u64).sum()
}

/// A finding's evidence links to its archived page (存档页面): served from the archive alone, as
/// `govaudit evidence` renders it, under a strict policy, to whoever may see the site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_links_to_its_archived_page_served_from_the_archive() {
    use govaudit::archive::{evidence, Archive};
    let c = Console::start(false).await;
    import(&c, "registry.csv").await;
    let city = site_id(&c, "www.lyj.gov.test").await;
    // The check archived as `govaudit check` archives it, beside the console's database.
    let mut cfg = support::config_for(&c.sim, false);
    cfg.store.db = c.db.clone();
    let archive = Archive::open(
        &cfg.archive.dir_for(&c.db),
        c.store.pool().clone(),
        cfg.archive.max_site_bytes,
    )
    .expect("archive");
    let auditor = govaudit::audit::Auditor::from_config(&cfg)
        .expect("auditor")
        .with_archive(archive.clone());
    let site = registry::get(&c.store, "www.lyj.gov.test")
        .await
        .expect("site");
    let url = registry::parse_url(&site.url).expect("url");
    let result = auditor
        .audit(&url, "2018-02-01".parse().expect("date"))
        .await;
    let check = result.save(&c.store).await.expect("stored");
    let pages = evidence::pages(&archive, check).await.expect("pages");
    assert!(pages.len() > 1, "{pages:?}");

    let base = &c.base;
    let admin = login(base, ADMIN).await;
    let unit = login(base, UNIT).await;
    let (status, body) = get(base, &admin, &format!("/sites/{city}")).await;
    assert_eq!(status, 200);
    let prefix = format!("href=\"/checks/{check}/archive/");
    let at = body
        .find(&prefix)
        .unwrap_or_else(|| panic!("an evidence item links to its archived page: {body}"))
        + "href=\"".len();
    let href = body[at..].split('"').next().unwrap_or_default().to_string();
    assert!(body.contains(">存档页面</a>"), "{body}");
    // In the 存档记录 cell, after the record's name: no column of its own.
    assert!(
        body.contains("&gt; <a class=\"archived\""),
        "the link follows the record: {body}"
    );
    assert!(!body.contains("<th>存档</th>"), "{body}");

    // Served from the archive: not one request reaches the site.
    let before = sim_hits(&c);
    let r = harness::client()
        .get(format!("{base}{href}"))
        .header("cookie", &admin)
        .send()
        .await
        .expect("answers");
    assert_eq!(r.status(), 200);
    let csp = r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        csp.starts_with("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
    assert!(!csp.contains("script-src 'self'"), "{csp}");
    let page = r.text().await.expect("body");
    assert_eq!(
        sim_hits(&c),
        before,
        "serving an archived page fetched the site"
    );
    assert!(page.contains("存档于 2"), "the banner: {page}");
    assert!(page.contains("原网址 http://www.lyj.gov.test/"), "{page}");
    assert!(page.contains("存档记录 &lt;urn:uuid:"), "{page}");
    assert!(page.contains("工作动态"), "the archived body: {page}");
    // Its links to the check's other archived pages stay in the console's archive.
    let others: Vec<String> = pages
        .iter()
        .filter_map(|(_, id)| id.strip_prefix("<urn:uuid:")?.strip_suffix('>'))
        .map(|uuid| format!("href=\"{uuid}\""))
        .collect();
    assert!(
        others.iter().any(|o| page.contains(o.as_str())),
        "{others:?}: {page}"
    );

    // The site's access rules: another unit's user is refused, no session goes to the login.
    let (status, _) = get(base, &unit, &href).await;
    assert_eq!(status, 403);
    assert_eq!(get(base, "", &href).await.0, 303);
    // Unknown record, unknown check: 404.
    let unknown = format!("/checks/{check}/archive/00000000-0000-4000-8000-000000000000");
    assert_eq!(get(base, &admin, &unknown).await.0, 404);
    assert_eq!(
        get(base, &admin, &format!("/checks/{check}/archive/x.y"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(base, &admin, "/checks/999999/archive/00000000").await.0,
        404
    );
    assert_eq!(
        sim_hits(&c),
        before,
        "serving an archived page fetched the site"
    );
}

#[tokio::test]
async fn a_public_address_needs_a_user_first() {
    let store = govaudit::store::Store::open_memory().await.expect("store");
    let public: std::net::SocketAddr = "0.0.0.0:8080".parse().expect("addr");
    let err = serve::check_listen(&store, public)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("govaudit user add"), "{err}");
    serve::check_listen(&store, "127.0.0.1:8080".parse().expect("addr"))
        .await
        .expect("loopback is fine");
    serve::users::add_user(
        &store,
        "a",
        "long-password",
        serve::users::Role::Admin,
        None,
    )
    .await
    .expect("user");
    serve::check_listen(&store, public)
        .await
        .expect("allowed with a user");
}

/// Wait until `cond` holds (checked every 200 ms), up to `secs`.
async fn until<F, Fut>(secs: u64, what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_resumes_when_the_server_starts_again() {
    // Polite (2 requests/s per host): the round takes long enough to stop it midway.
    let mut c = Console::start(true).await;
    import(&c, "registry.csv").await;
    let admin = login(&c.base, ADMIN).await;
    let token = harness::csrf(&c.base, &admin).await;
    let form = format!("csrf={token}&month=2018-02&ratio=1&seed=7&as_of=2018-02-01");
    let (status, _) = post(&c.base, &admin, "/rounds", &form).await;
    assert_eq!(status, 303);
    let round = govaudit::rounds::list(&c.store).await.expect("rounds")[0].clone();
    assert_eq!(round.sites, 6, "the six running sites are drawn");
    let (status, _) = post(
        &c.base,
        &admin,
        &format!("/rounds/{}/run", round.id),
        &format!("csrf={token}"),
    )
    .await;
    assert_eq!(status, 303);
    let store = c.store.clone();
    until(120, "a first site done", || {
        let store = store.clone();
        async move {
            govaudit::rounds::get(&store, round.id)
                .await
                .map(|r| r.done)
                .unwrap_or(0)
                >= 1
        }
    })
    .await;
    c.stop().await;
    let midway = govaudit::rounds::get(&c.store, round.id)
        .await
        .expect("round");
    assert!(
        midway.done < midway.sites,
        "stopped midway ({}/{})",
        midway.done,
        midway.sites
    );

    c.serve(false).await;
    until(120, "the resumed round to finish", || {
        let store = store.clone();
        async move {
            govaudit::rounds::get(&store, round.id)
                .await
                .map(|r| r.done == r.sites)
                .unwrap_or(false)
        }
    })
    .await;
    // Every site answered once, by one check of its own.
    let rows = govaudit::rounds::round_sites(&c.store, round.id)
        .await
        .expect("sites");
    let mut checks: Vec<i64> = rows.iter().filter_map(|r| r.check_id).collect();
    checks.sort_unstable();
    checks.dedup();
    assert_eq!(checks.len(), 6);
    // Archived as `round run` archives: every check has its capture, with records.
    for check in &checks {
        let records: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM archive_records r JOIN archive_captures c ON c.id = r.capture_id \
             WHERE c.check_id = ?",
        )
        .bind(check)
        .fetch_one(c.store.pool())
        .await
        .expect("count");
        assert!(
            records > 0,
            "check {check} of the console's round is not archived"
        );
    }
    let admin = login(&c.base, ADMIN).await;
    let (_, body) = get(&c.base, &admin, &format!("/rounds/{}", round.id)).await;
    assert!(body.contains("本轮检查已完成"), "{body}");
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_browser_drives_the_console() {
    browser::drive().await;
}

/// `govaudit ARGS` with `stdin` as standard input: (exit code, stderr).
fn govaudit(args: &[&str], stdin: &str) -> (i32, String) {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("govaudit runs");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().expect("govaudit ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn users_are_created_on_the_command_line_and_a_public_console_needs_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("users.db");
    let db = db.to_str().expect("utf-8 path");
    // No user yet: listening beyond loopback is refused before anything is served.
    let (code, err) = govaudit(&["serve", "--db", db, "--listen", "0.0.0.0:0"], "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("govaudit user add"), "{err}");

    let (code, err) = govaudit(
        &[
            "user",
            "add",
            "office",
            "--role",
            "admin",
            "--password-stdin",
            "--db",
            db,
        ],
        "a-long-password\n",
    );
    assert_eq!(code, 0, "{err}");
    // A unit user needs its unit; a short password and a taken name are refused.
    let (code, err) = govaudit(
        &[
            "user",
            "add",
            "county",
            "--role",
            "unit",
            "--password-stdin",
            "--db",
            db,
        ],
        "a-long-password\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("--unit"), "{err}");
    let (code, _) = govaudit(
        &[
            "user",
            "add",
            "x",
            "--role",
            "admin",
            "--password-stdin",
            "--db",
            db,
        ],
        "short\n",
    );
    assert_eq!(code, 2);
    let (code, _) = govaudit(
        &[
            "user",
            "add",
            "office",
            "--role",
            "admin",
            "--password-stdin",
            "--db",
            db,
        ],
        "another-password\n",
    );
    assert_eq!(code, 2);
    let (code, err) = govaudit(
        &[
            "user",
            "add",
            "county",
            "--role",
            "unit",
            "--unit",
            "示例县",
            "--password-stdin",
            "--db",
            db,
        ],
        "county-password\n",
    );
    assert_eq!(code, 0, "{err}");

    // The password from standard input is the one that logs in (stored hashed, not as is).
    let store = govaudit::store::Store::open(std::path::Path::new(db))
        .await
        .expect("store");
    assert!(serve::users::login(&store, "office", "a-long-password")
        .await
        .expect("ok")
        .is_some());
    assert!(serve::users::login(&store, "office", "another-password")
        .await
        .expect("ok")
        .is_none());
    let stored: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE name = 'county'")
            .fetch_one(store.pool())
            .await
            .expect("row");
    assert!(stored.starts_with("$argon2id$") && !stored.contains("county-password"));
}
