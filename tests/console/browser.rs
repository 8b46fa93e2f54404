//! The console in a real headless Chromium: log in, import a registry (and see a bad one
//! refused by line), plan and run a round, open a failing site and see its evidence, download
//! the notice and read it back, and as a unit user be refused another unit's site (403) and a
//! form posted without the CSRF token. Screenshots of the main pages go to
//! `target/console-screenshots/`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::harness::{Console, ADMIN, UNIT};
use super::support::fixture;
use super::webdriver::{tools, Browser};

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/console-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

async fn log_in(b: &Browser, base: &str, who: (&str, &str)) {
    b.goto(&format!("{base}/")).await;
    assert!(
        b.url().await.ends_with("/login"),
        "a fresh browser is sent to the login page"
    );
    b.type_into("#name", who.0).await;
    b.type_into("#password", who.1).await;
    b.click_and_load("#login").await;
    b.wait_for("nav", 10).await;
    assert!(b.text("nav").await.contains("总览"));
}

/// One file of a zip (DOCX, XLSX) as text.
fn zip_entry(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).expect("downloaded file");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let mut xml = String::new();
    zip.by_name(name)
        .expect("entry present")
        .read_to_string(&mut xml)
        .expect("readable");
    xml
}

/// The text of `word/document.xml` in a DOCX.
fn docx_text(path: &Path) -> String {
    zip_entry(path, "word/document.xml")
}

async fn wait_download(dir: &Path, ext: &str) -> PathBuf {
    wait_download_named(dir, ext, |_| true).await
}

async fn wait_download_named(dir: &Path, ext: &str, pick: impl Fn(&Path) -> bool) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = std::fs::read_dir(dir).ok().and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|x| x == ext) && pick(p))
        });
        if let Some(p) = done {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "no .{ext} downloaded into {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn drive() {
    let Some((chromium, chromedriver)) = tools() else {
        eprintln!(
            "note: skipping the browser test: chromium and chromedriver are not both installed \
             (Debian: apt-get install chromium chromium-driver; .ci/run installs them)"
        );
        return;
    };
    let c = Console::start(false).await;
    let base = c.base.clone();
    let downloads = c.dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("download folder");
    let b = Browser::start(&chromium, &chromedriver, &downloads).await;
    let shots = shots();

    log_in(&b, &base, ADMIN).await;
    b.screenshot(&shots.join("overview-empty.png")).await;

    // A registry with errors: refused by line, nothing written.
    b.goto(&format!("{base}/sites")).await;
    let bad = fixture("console/registry-bad.csv");
    b.type_into("#import-file", &bad.display().to_string())
        .await;
    b.click_and_load("#import-submit").await;
    let result = b.text("#import-result").await;
    assert!(result.contains("导入失败"), "{result}");
    assert!(
        result.contains("区级门户"),
        "the bad level is named: {result}"
    );
    assert!(b.text("#sites").await.contains("没有符合条件的网站"));

    // The good registry.
    let good = fixture("console/registry.csv");
    b.type_into("#import-file", &good.display().to_string())
        .await;
    b.click_and_load("#import-submit").await;
    let result = b.text("#import-result").await;
    assert!(
        result.contains("导入完成") && result.contains("新增 7 个"),
        "{result}"
    );
    assert!(b.text("#sites").await.contains("示例县教育局"));

    // An Excel registry (as the template is filled in): one more site, closed, so never drawn.
    let xlsx = c.dir.path().join("新增网站.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (col, (h, v)) in [
        ("单位", "示例县"),
        ("级别", "县级以下"),
        ("网站名称", "示例县档案局"),
        ("网址", "www.archive.gov.test"),
        ("网站标识码", ""),
        ("状态", "关停"),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, col as u16, *h).expect("header");
        ws.write_string(1, col as u16, *v).expect("cell");
    }
    wb.save(&xlsx).expect("xlsx written");
    b.type_into("#import-file", &xlsx.display().to_string())
        .await;
    b.click_and_load("#import-submit").await;
    let result = b.text("#import-result").await;
    assert!(result.contains("新增 1 个"), "{result}");
    assert!(b.text("#sites").await.contains("示例县档案局"));
    b.screenshot(&shots.join("sites.png")).await;

    // Plan a round of every running site and run it.
    b.goto(&format!("{base}/rounds")).await;
    b.type_into("#plan-month", "2018-02").await;
    b.type_into("#plan-ratio", "1").await;
    b.type_into("#plan-seed", "7").await;
    b.type_into("#plan-as-of", "2018-02-01").await;
    b.click_and_load("#plan-submit").await;
    b.wait_for("#round-sites", 10).await;
    let round_url = b.url().await;
    assert!(round_url.contains("/rounds/"), "{round_url}");
    assert!(b.text("#round-sites").await.contains("未检查"));
    b.click("#run").await;
    // The page follows the run over server-sent events and reloads when it ends.
    b.wait_for("#round-finished", 180).await;
    let sites = b.text("#round-sites").await;
    assert!(
        sites.contains("不合格") && sites.contains("合格"),
        "{sites}"
    );
    b.screenshot(&shots.join("round.png")).await;

    // The 复核 of the failing sites, due 5 working days after the notice date on the official
    // calendar: from 2018-02-13 that crosses the Spring Festival holiday.
    b.type_into("input[name=notice_date]", "2018-02-13").await;
    b.click_and_load("#recheck").await;
    b.wait_leave(&round_url, 10).await;
    b.wait_for("#round-sites", 10).await;
    let notice: chrono::NaiveDate = "2018-02-13".parse().expect("date");
    let (due, _) = govaudit::calendar::Calendar::builtin().add_working_days(notice, 5);
    assert!(
        due > notice + chrono::Duration::days(7),
        "the holiday is not worked"
    );
    let recheck = b.text("main").await;
    assert!(
        recheck.contains("复核") && recheck.contains(&due.to_string()),
        "{recheck}"
    );
    assert_eq!(
        b.text("#round-sites").await.matches("未检查").count(),
        3,
        "the three failing sites are re-checked"
    );
    b.goto(&round_url).await;

    // A failing site and its evidence.
    b.click_and_load("#round-sites tr:has(td.bad) a").await;
    b.wait_for("#conclusion", 10).await;
    let conclusion = b.text("#conclusion").await;
    assert!(conclusion.contains("不合格"), "{conclusion}");
    let evidence = b.text("main").await;
    assert!(evidence.contains("整改建议"), "{evidence}");
    assert!(b.find("table.evidence").await.is_some() || evidence.contains("页面显示"));
    b.screenshot(&shots.join("site.png")).await;

    // The overview now has the quarter.
    b.goto(&format!("{base}/")).await;
    let units = b.text("#units").await;
    assert!(
        units.contains("示例县") && units.contains("合计"),
        "{units}"
    );
    b.screenshot(&shots.join("overview.png")).await;

    // The quarter's notice as DOCX, read back.
    b.goto(&format!("{base}/notices")).await;
    b.screenshot(&shots.join("notices.png")).await;
    b.click("#quarter-notices a[href*='format=docx']").await;
    let docx = wait_download(&downloads, "docx").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let xml = docx_text(&docx);
    assert!(
        xml.contains("2018年第一季度"),
        "the notice names its quarter"
    );
    let failing = govaudit::rounds::round_sites(&c.store, 1)
        .await
        .expect("round sites")
        .into_iter()
        .find(|s| s.verdict == Some(govaudit::findings::Verdict::Fail))
        .expect("a failing site");
    let name = failing.name.unwrap_or_default();
    assert!(xml.contains(&name), "the notice lists {name}");

    // The registry template: an XLSX whose 级别 and 状态 columns have drop-downs.
    b.goto(&format!("{base}/sites")).await;
    b.click("a[href='/sites/template.xlsx']").await;
    let xlsx = wait_download(&downloads, "xlsx").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sheet = zip_entry(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("<dataValidation") && sheet.contains("自治区门户") && sheet.contains("关停")
    );

    // A unit user: another unit's site is 403, a form without the CSRF token is 403.
    let token = b
        .attr("form.who input[name=csrf]", "value")
        .await
        .unwrap_or_default();
    assert!(!token.is_empty());
    b.click_and_load("form.who button").await;
    b.wait_for("#login", 10).await;
    log_in(&b, &base, UNIT).await;
    let city = govaudit::registry::get(&c.store, "www.lyj.gov.test")
        .await
        .expect("site")
        .id;
    b.goto(&format!("{base}/sites/{city}")).await;
    assert!(
        b.text("h1").await.contains("403"),
        "{}",
        b.text("main").await
    );
    let status = b
        .run_async(
            "const done = arguments[arguments.length - 1];
             fetch('/selfcheck', {method: 'POST', credentials: 'same-origin',
               headers: {'content-type': 'application/x-www-form-urlencoded'},
               body: 'url=www.blank.gov.test'}).then(r => done(r.status), e => done(String(e)));",
        )
        .await;
    assert_eq!(status, serde_json::json!(403));
    b.goto(&format!("{base}/sites")).await;
    let own = b.text("#sites").await;
    assert!(
        own.contains("示例县教育局") && !own.contains("示例市林业局"),
        "{own}"
    );
    b.screenshot(&shots.join("sites-unit.png")).await;

    // The unit user self-checks its own site, follows it, and gets the report.
    b.goto(&format!("{base}/selfcheck")).await;
    b.type_into("#selfcheck-url", "www.stale-home.gov.test")
        .await;
    b.click_and_load("#selfcheck-submit").await;
    b.wait_for("#selfcheck-report", 60).await;
    assert!(b.text("#selfcheck-status").await.contains("不合格"));
    // The report is on the page at once: conclusion, findings with evidence, fixes.
    assert!(b.text("#conclusion").await.contains("不合格"));
    assert!(b.text("main").await.contains("整改建议"));
    b.screenshot(&shots.join("selfcheck.png")).await;
    b.click_and_load("#selfcheck-report").await;
    b.wait_for("#conclusion", 10).await;
    assert!(
        b.text("#checks").await.contains("自查"),
        "the self-check joins the history"
    );
    assert!(
        b.text("main").await.contains("首页"),
        "the stale homepage is the finding"
    );
    b.click("a[href*='format=docx']").await;
    let report = wait_download_named(&downloads, "docx", |p| p != docx.as_path()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(docx_text(&report).contains("示例县人民政府"));
    eprintln!("screenshots in {}", shots.display());
}
