//! Damaged and missing databases: a database whose middle pages are garbage is refused by
//! every command that writes (it is checked when opened) and named in the error of every
//! command that reads it; commands that only read refuse a database that does not exist
//! instead of creating an empty one; `check` says where it stored its result.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use govaudit::store::{Store, StoreError};

/// A database of `sites` registered sites, checkpointed into its file and closed.
async fn database(path: &Path, sites: usize) {
    let store = Store::open(path).await.expect("open");
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
         INSERT INTO sites (url, name, created_at, unit, level, status) \
         SELECT 'http://www.s' || i || '.gov.cn/', '测试网站' || i || substr(hex(randomblob(64)), 1, 100), \
         '2018-01-01', '测试单位', 'city_dept', 'running' FROM n",
    )
    .bind(i64::try_from(sites).expect("count"))
    .execute(store.pool())
    .await
    .expect("sites");
    store.close().await;
}

/// Overwrite pages in the middle of the file (never the header page) with garbage.
fn damage_the_middle(path: &Path) {
    let len = std::fs::metadata(path).expect("db").len();
    let pages = len / 4096;
    assert!(pages > 40, "{pages} pages: too small to damage the middle");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open");
    for page in pages / 2 - 8..pages / 2 + 8 {
        f.seek(SeekFrom::Start(page * 4096)).expect("seek");
        f.write_all(&[0x5A; 4096]).expect("garbage");
    }
}

async fn run(args: &[&str], db: &Path, cwd: &Path) -> (Option<i32>, String) {
    let out = crate::registry::bin()
        .current_dir(cwd)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .await
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `check` of a site that refuses connections: quick, no network needed.
const CHECK: [&str; 6] = [
    "check",
    "http://refused.gov.test/",
    "--resolve",
    "refused.gov.test=127.0.0.1:9",
    "--as-of",
    "2018-03-01",
];

#[tokio::test]
async fn a_database_damaged_in_the_middle_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("damaged.db");
    database(&db, 3000).await;
    damage_the_middle(&db);
    let shown = db.display().to_string();

    match Store::open(&db).await {
        Err(e @ StoreError::Corrupt { .. }) => assert!(e.to_string().contains(&shown), "{e}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let before = std::fs::read(&db).expect("db");
    let (code, stderr) = run(&CHECK, &db, dir.path()).await;
    assert_eq!(code, Some(2), "check refuses a damaged database: {stderr}");
    assert!(
        stderr.contains(&shown) && stderr.contains("damaged"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db).expect("db"), before, "nothing written");
    for import in [
        &["sites", "import", "x.csv"][..],
        &["round", "plan", "--month", "2018-02"],
    ] {
        let csv = dir.path().join("x.csv");
        std::fs::write(&csv, "unit,level,name,url\nA,市级部门,a,a.gov.cn\n").expect("csv");
        let (code, stderr) = run(import, &db, dir.path()).await;
        assert_eq!(code, Some(2), "{import:?}: {stderr}");
        assert!(stderr.contains(&shown), "{import:?}: {stderr}");
    }
    // A command that reads names the file when it meets a damaged page.
    let (code, stderr) = run(&["sites", "list"], &db, dir.path()).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&shown), "{stderr}");
}

#[tokio::test]
async fn commands_that_only_read_refuse_a_missing_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("typo.db");
    for args in [
        &["report", "notice", "--quarter", "2018Q1", "--format", "md"][..],
        &["report", "site", "1", "--format", "md"],
        &["stats", "--quarter", "2018Q1"],
        &["round", "list"],
        &["round", "show", "1"],
        &["round", "diff", "1", "2"],
        &["sites", "list"],
        &["sites", "show", "1"],
    ] {
        let (code, stderr) = run(args, &db, dir.path()).await;
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&db.display().to_string()) && stderr.contains("does not exist"),
            "{args:?}: {stderr}"
        );
        assert!(!db.exists(), "{args:?} created {}", db.display());
    }
}

#[tokio::test]
async fn check_says_where_it_stored_the_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = crate::registry::bin()
        .current_dir(dir.path())
        .args(CHECK)
        .args(["--format", "json"])
        .output()
        .await
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "unreachable: 不合格: {stderr}");
    let db = dir.path().join("govaudit.db");
    assert!(db.exists());
    let canonical = db.canonicalize().expect("path");
    assert!(
        stderr.contains(&canonical.display().to_string())
            || stderr.contains(&db.display().to_string()),
        "stderr names {}: {stderr}",
        db.display()
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("stdout is only the JSON");
}
