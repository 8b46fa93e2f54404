//! Shared helpers for integration tests: serve a scenario fixture on loopback and audit one of
//! its sites through the real pipeline.

#![allow(dead_code)]

use std::path::PathBuf;

use chrono::NaiveDate;
use govaudit::audit::{AuditResult, Auditor};
use govaudit::config::Config;
use govaudit::sim::{Scenario, SimServer};
use url::Url;

/// Path of a fixture file.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Load a scenario fixture (`tests/fixtures/sites/NAME.toml`).
pub fn scenario(name: &str) -> Scenario {
    let path = fixture(&format!("sites/{name}.toml"));
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    Scenario::from_toml(&text, &path.display().to_string()).expect("fixture parses")
}

/// A config routing the simulated hosts to the server; politeness lifted unless `polite`.
pub fn config_for(server: &SimServer, polite: bool) -> Config {
    let mut cfg = Config::default();
    cfg.fetch.resolve = server.resolve_entries();
    cfg.fetch.timeout_secs = 5.0;
    cfg.fetch.backoff_ms = 50;
    if !polite {
        cfg.fetch.host_rate = 0.0;
        cfg.fetch.host_concurrency = 8;
    }
    cfg
}

/// Serve `scenario` as of `as_of` and audit the site at `url`.
pub async fn audit(name: &str, url: &str, as_of: &str) -> AuditResult {
    let as_of: NaiveDate = as_of.parse().expect("date");
    let server = SimServer::start(scenario(name), as_of)
        .await
        .expect("server starts");
    let cfg = config_for(&server, false);
    let auditor = Auditor::from_config(&cfg).expect("auditor");
    auditor.audit(&Url::parse(url).expect("url"), as_of).await
}

/// `n` tiny generated sites (`www.s{i}.scale.gov.cn`): a homepage and two columns of 3 items.
pub fn tiny_sites(n: usize) -> Scenario {
    tiny_sites_answering_after(n, 0)
}

/// [`tiny_sites`] whose every answer comes `delay_ms` late, like a server across the country.
pub fn tiny_sites_answering_after(n: usize, delay_ms: u64) -> Scenario {
    use std::fmt::Write as _;
    let mut toml = String::new();
    for i in 0..n {
        let _ = write!(
            toml,
            "[[site]]\nname = \"测试网站{i}\"\nhost = \"www.s{i}.scale.gov.cn\"\ndelay_ms = {delay_ms}\n\
             [[site.column]]\nname = \"工作动态\"\nslug = \"gzdt\"\nitems = 3\nhome = true\n\
             [[site.column]]\nname = \"通知公告\"\nslug = \"tzgg\"\nitems = 3\n\n"
        );
    }
    Scenario::from_toml(&toml, "tiny_sites").expect("generated scenario")
}

/// A registry CSV of the server's sites, 20 units.
pub fn registry_csv(server: &SimServer) -> String {
    use std::fmt::Write as _;
    let mut csv = String::from("unit,level,name,url,site_code,status\n");
    for (i, (name, url)) in server.sites().into_iter().enumerate() {
        let _ = writeln!(csv, "测试单位{},市级部门,{name},{url},,running", i % 20);
    }
    csv
}

/// Rule ids that produced findings.
pub fn rules_fired(r: &AuditResult) -> Vec<String> {
    r.evaluation
        .findings
        .iter()
        .map(|f| f.rule.clone())
        .collect()
}
pub mod province;

/// Compares `actual` with the insta snapshot `tests/snapshots/{name}.snap`; a mismatch prints a
/// line diff, and `cargo insta review` (or `INSTA_UPDATE=always`) accepts a reviewed change.
pub fn snapshot(name: &str, actual: &str) {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, actual);
    });
}

/// [`snapshot`] of a live run's output: its start and end times and its duration (用时) are
/// replaced by placeholders, the only parts that change from run to run.
pub fn snapshot_of_run(name: &str, actual: &str) {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        filters => vec![
            (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", "[time]"),
            (r"用时 \d+\.\d 秒", "用时 [s] 秒"),
        ],
    }, {
        insta::assert_snapshot!(name, actual);
    });
}
