//! The notice tests' database: the migrations, then `tests/fixtures/notice/scenario.sql`.

#![allow(dead_code)]

use std::path::PathBuf;

use govaudit::documents::{Notice, NoticeSettings, Templates};
use govaudit::stats::Quarter;
use govaudit::store::Store;

/// Path of a fixture file.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A fresh in-memory database holding the scenario.
pub async fn scenario_db() -> Store {
    load(Store::open_memory().await.expect("db")).await
}

/// A database file holding the scenario.
pub async fn scenario_db_at(path: &std::path::Path) -> Store {
    load(Store::open(path).await.expect("db")).await
}

async fn load(store: Store) -> Store {
    let sql = std::fs::read_to_string(fixture("notice/scenario.sql")).expect("scenario");
    sqlx::raw_sql(&sql)
        .execute(store.pool())
        .await
        .expect("scenario loads");
    store
}

/// The settings of the tests: the default fail rule, a fixed date and the seed's office
/// (文号, 落款, 联系人, 报送截止日期).
pub fn settings() -> NoticeSettings {
    NoticeSettings {
        date: chrono::NaiveDate::from_ymd_opt(2018, 3, 27),
        office: govaudit::config::NoticeConfig::seed_2018q1(),
        reevaluated: false,
        ..NoticeSettings::default()
    }
}

/// The 2018Q1 notice of the scenario, with the built-in templates.
pub async fn notice_2018q1(store: &Store) -> Notice {
    let q: Quarter = "2018Q1".parse().expect("quarter");
    let t = Templates::builtin().expect("templates");
    Notice::for_quarter(store, &q, &settings(), &t)
        .await
        .expect("notice")
}
