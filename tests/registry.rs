//! The site registry end to end: fixture files (`tests/fixtures/registry/`) imported into a
//! temporary SQLite database through the library and through the binary.
//!
//! `sites-gbk.csv` is GBK with CRLF line ends, as Excel writes "CSV (逗号分隔)" on a Chinese
//! Windows; it was produced with
//! `python3 -c "open('sites-gbk.csv','wb').write(open('src.txt').read().replace('\n','\r\n').encode('gbk'))"`
//! and is marked `-text` in `.gitattributes` so git never re-encodes it.

#[path = "hostile_inputs/mod.rs"]
mod hostile_inputs;
use crate::support;

use std::path::Path;

use govaudit::registry::{self, Level, RegistryError, SiteFilter, Status};
use govaudit::sample;
use govaudit::store::Store;
use tokio::process::Command;

fn fixture(name: &str) -> std::path::PathBuf {
    support::fixture(&format!("registry/{name}"))
}

async fn store_in(dir: &Path) -> Store {
    Store::open(&dir.join("registry.db")).await.expect("open")
}

async fn import(store: &Store, name: &str) -> registry::ImportSummary {
    let sites = registry::load_file(&fixture(name)).expect("fixture is valid");
    registry::import(store, &sites).await.expect("import")
}

async fn all(store: &Store) -> Vec<registry::SiteRecord> {
    registry::list(store, &SiteFilter::default())
        .await
        .expect("list")
}

#[tokio::test]
async fn every_supported_file_kind_imports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_in(dir.path()).await;
    let gbk = std::fs::read(fixture("sites-gbk.csv")).expect("read");
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the GBK fixture must stay GBK"
    );
    let bom = std::fs::read(fixture("sites-zh-bom.csv")).expect("read");
    assert!(
        bom.starts_with(&[0xEF, 0xBB, 0xBF]),
        "the BOM fixture must keep its BOM"
    );

    for (name, added) in [
        ("sites-en.csv", 6),
        ("sites-zh-bom.csv", 3),
        ("sites-gbk.csv", 3),
        ("sites.toml", 2),
    ] {
        let s = import(&store, name).await;
        assert_eq!((s.added, s.updated, s.unchanged), (added, 0, 0), "{name}");
    }
    let sites = all(&store).await;
    assert_eq!(sites.len(), 14);

    let gbk_site = registry::get(&store, "www.ltyl.gov.test")
        .await
        .expect("from the GBK file");
    assert_eq!(gbk_site.name.as_deref(), Some("吴忠市利通区园林局"));
    assert_eq!(gbk_site.unit.as_deref(), Some("利通区"));
    assert_eq!(gbk_site.level, Some(Level::BelowCounty));

    let bom_site = registry::get(&store, "http://www.dwk.gov.test/")
        .await
        .expect("from the BOM file");
    assert_eq!(
        bom_site.unit.as_deref(),
        Some("大武口区"),
        "no BOM in the first header"
    );
    assert_eq!(bom_site.status, Some(Status::Closed));

    let prefix = registry::get(&store, "http://218.95.179.142/gysfgw")
        .await
        .expect("path-prefix site");
    assert_eq!(prefix.site_code, None);
    let toml_site = registry::get(&store, "https://www.zhongning.gov.test/")
        .await
        .expect("from TOML with Chinese keys");
    assert_eq!(toml_site.site_code.as_deref(), Some("6405210001"));

    // The registry feeds the sampler: 11 running sites in 11 units → one each at 25%.
    let candidates: Vec<_> = sites.iter().filter_map(|s| s.candidate()).collect();
    let drawn = sample::draw(&candidates, sample::DEFAULT_RATIO, 1).expect("draw");
    assert_eq!(drawn.running(), 11);
    assert!(drawn.selected().all(|c| c.running));
}

#[tokio::test]
async fn reimport_updates_by_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_in(dir.path()).await;
    import(&store, "sites-en.csv").await;
    let again = import(&store, "sites-en.csv").await;
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 6));

    // v2 renames one site, reopens another, adds one, and spells URLs differently.
    let v2 = import(&store, "sites-en-v2.csv").await;
    assert_eq!((v2.added, v2.updated, v2.unchanged), (1, 2, 1));
    let ep = registry::get(&store, "www.nxep.gov.test")
        .await
        .expect("get");
    assert_eq!(ep.name.as_deref(), Some("宁夏生态环境"));
    assert_eq!(ep.id, 2, "updated in place");
    let tj = registry::get(&store, "tj.nx.gov.test").await.expect("get");
    assert_eq!(tj.status, Some(Status::Running));
    assert_eq!(all(&store).await.len(), 7, "sites missing from v2 are kept");
}

#[tokio::test]
async fn broken_files_name_file_and_line_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_in(dir.path()).await;
    import(&store, "sites-en.csv").await;
    let before = all(&store).await;

    for (name, line, field, words) in [
        ("bad-level.csv", 4, "level", "区级门户"),
        ("bad-url.csv", 3, "url", "ftp://"),
        ("duplicate-url.csv", 4, "url", "line 2"),
        ("bad-toml.toml", 6, "site_code", "12345"),
    ] {
        let path = fixture(name);
        let err = registry::load_file(&path).expect_err(name);
        let RegistryError::Invalid { errors, .. } = &err else {
            panic!("{name}: expected Invalid, got {err:?}");
        };
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        assert_eq!(errors[0].line, line, "{name}");
        assert_eq!(errors[0].field.as_deref(), Some(field), "{name}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("{}:{line}: {field}", path.display())),
            "{name}: {text}"
        );
        assert!(text.contains(words), "{name}: {text}");
    }
    assert_eq!(all(&store).await, before, "nothing changed");
}

#[tokio::test]
async fn a_failing_write_rolls_back_the_whole_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_in(dir.path()).await;
    import(&store, "sites-en.csv").await;
    let before = all(&store).await;
    // Make the database refuse the 3rd row mid-transaction.
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON sites WHEN NEW.unit = '吴忠市(本级)' \
         BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .execute(store.pool())
    .await
    .expect("trigger");
    let sites = registry::load_file(&fixture("sites-gbk.csv")).expect("valid");
    let mut mixed = registry::load_file(&fixture("sites-en-v2.csv")).expect("valid");
    mixed.extend(sites);
    assert!(registry::import(&store, &mixed).await.is_err());
    assert_eq!(
        all(&store).await,
        before,
        "updates before the failure rolled back"
    );
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govaudit"));
    c.env_remove("RUST_LOG");
    c
}

#[tokio::test]
async fn cli_imports_and_lists_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.db");
    let db_arg = db.to_str().expect("utf-8 temp path");

    let out = bin()
        .args(["sites", "import"])
        .arg(fixture("sites-en.csv"))
        .args(["--db", db_arg])
        .output()
        .await
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("新增 6"));

    let out = bin()
        .args(["--db", db_arg, "sites", "list", "--format", "json"])
        .args(["--status", "running", "--unit", "区直部门（单位）"])
        .output()
        .await
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let sites = doc.as_array().expect("an array");
    assert_eq!(sites.len(), 2, "{doc}");
    assert_eq!(sites[0]["unit"], "区直部门（单位）");
    assert_eq!(sites[0]["level"], "自治区门户");
    assert_eq!(sites[0]["url"], "http://www.nx.gov.test/");
    assert_eq!(sites[0]["site_code"], "6400000001");
    assert_eq!(sites[0]["status"], "running");
    assert_eq!(sites[1]["level"], "自治区部门");

    let out = bin()
        .args(["--db", db_arg, "sites", "list", "--level", "region_dept"])
        .output()
        .await
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("网站标识码") && text.contains("共 2 个网站"),
        "{text}"
    );

    let out = bin()
        .args(["--db", db_arg, "sites", "show", "www.nxep.gov.test"])
        .output()
        .await
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("宁夏环境保护"));

    let bad = fixture("bad-level.csv");
    let out = bin()
        .args(["--db", db_arg, "sites", "import"])
        .arg(&bad)
        .output()
        .await
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:4: level", bad.display())),
        "{err}"
    );
}

#[tokio::test]
async fn an_import_records_the_date_the_registry_describes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("dated.db");
    let db_arg = db.to_str().expect("utf-8 temp path");
    {
        // The library's plain import records no date.
        let store = Store::open(&db).await.expect("db");
        import(&store, "sites-en.csv").await;
        assert_eq!(registry::registry_as_of(&store).await.expect("read"), None);
    }
    let out = bin()
        .args(["--db", db_arg, "sites", "import", "--as-of", "2018-01-10"])
        .arg(fixture("sites-en.csv"))
        .output()
        .await
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let store = Store::open(&db).await.expect("db");
    assert_eq!(
        registry::registry_as_of(&store).await.expect("read"),
        "2018-01-10".parse().ok()
    );
    // A file with an error imports nothing, not even its date.
    let out = bin()
        .args(["--db", db_arg, "sites", "import", "--as-of", "2018-04-01"])
        .arg(fixture("bad-url.csv"))
        .output()
        .await
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        registry::registry_as_of(&store).await.expect("read"),
        "2018-01-10".parse().ok()
    );
}

#[tokio::test]
async fn unit_names_differing_in_bracket_width_or_spaces_are_one_unit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store_in(dir.path()).await;
    import(&store, "sites-en.csv").await;
    let summary = import(&store, "mixed-units.csv").await;
    assert_eq!((summary.added, summary.unchanged), (4, 1), "{summary:?}");
    assert_eq!(
        summary.units_merged,
        vec![
            ("区直部门(单位)".to_string(), "区直部门（单位）".to_string()),
            ("银川市（本级）".to_string(), "银川市(本级)".to_string()),
        ]
    );
    // `金凤区　` (ideographic space) is trimmed when the file is read, before any merging.
    let mut units: Vec<String> = all(&store)
        .await
        .into_iter()
        .filter_map(|s| s.unit)
        .collect();
    units.sort();
    units.dedup();
    assert_eq!(
        units,
        [
            "兴庆区",
            "区直部门（单位）",
            "固原市(本级)",
            "金凤区",
            "银川市(本级)"
        ]
    );
}
