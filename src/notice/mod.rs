//! Problem-site notices (通报) and self-check reports (自查报告) from the stored rounds.
//!
//! [`Notice::for_quarter`] and [`Notice::for_round`] read the stored rounds, checks and findings,
//! compute the figures with [`crate::stats::quarter_stats`] and lay them out as a format-neutral
//! document: title, 主送 line, numbered sections of paragraphs, the tables of 附件1 (per unit) and
//! 附件2 (problem sites, every reason of a site), a detail table (one row per piece of evidence of
//! every finding that made a site fail), a pass-rate series by unit and a monthly trend.
//! [`SiteReport::for_site`] is a department's own fix list for its latest (or one round's) check.
//!
//! Every sentence comes from the editable [`Templates`] (`templates/`); this module only fills
//! in the figures. Renderers, one per file: [`markdown`], [`json`], [`csv`], [`html`], [`docx`],
//! [`xlsx`]. The JSON schema is documented in `docs/notice-schema.md`.

mod build;
pub mod csv;
pub mod docx;
pub mod html;
pub mod json;
pub mod markdown;
mod placeholders;
mod site;
mod site_findings;
mod tables;
mod template;
mod text;
pub mod xlsx;

pub use site::{SiteReport, StaleWarning, UptimeSection};
pub use site_findings::{SiteEvidence, SiteFinding};
pub use template::{
    chinese_number, fill, AttachmentsTemplate, NoticeTemplate, OverviewTemplate, ProblemsTemplate,
    RequirementsTemplate, SiteTemplate, Templates,
};

use serde::Serialize;

use crate::rounds::RoundError;
use crate::stats::{CategoryRow, LevelRow, RepeatOffender, StatsSettings, UnitRow};
use crate::store::StoreError;

/// Errors building or rendering a notice or report.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error("template {origin}: {message}")]
    Template { origin: String, message: String },
    #[error(transparent)]
    Round(#[from] RoundError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("stored {what} of check {check_id} is not valid JSON: {source}")]
    StoredJson {
        what: &'static str,
        check_id: i64,
        #[source]
        source: serde_json::Error,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("cannot write {format}: {message}")]
    Render {
        format: &'static str,
        message: String,
    },
}

/// Settings of a notice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeSettings {
    /// How the statistics count a failed site.
    pub stats: StatsSettings,
    /// The notice's date (落款), if any; overrides `office.date`.
    pub date: Option<chrono::NaiveDate>,
    /// The issuing office's particulars: 发文机关, 文号, 主送, 联系人, 报送截止日期.
    pub office: crate::config::NoticeConfig,
}

/// What the notice covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A quarter, e.g. `2018Q1`.
    Quarter(String),
    /// One round.
    Round { round_id: i64, month: String },
}

/// A numbered section (一、总体情况 …): its heading and paragraphs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// A table of text cells (cells that read as integers are written as numbers by XLSX).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// e.g. 附件1.
    pub label: String,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One bar or point of a chart: sites sampled and failed, and the pass rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// Unit name, or month `YYYY-MM`.
    pub label: String,
    pub sampled: usize,
    pub failed: usize,
    /// 0.0–1.0; `null` when nothing was sampled.
    pub pass_rate: Option<f64>,
    pub pass_rate_text: String,
}

/// A chart's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub title: String,
    pub points: Vec<Point>,
}

/// The figures behind the text, typed (for JSON consumers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub total: UnitRow,
    pub subtotals: Vec<UnitRow>,
    pub units: Vec<UnitRow>,
    pub by_level: Vec<LevelRow>,
    pub categories: Vec<CategoryRow>,
    pub repeat_offenders: Vec<RepeatOffender>,
}

/// A 通报, format-neutral.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub scope: Scope,
    /// e.g. 2018年第一季度, 2018年2月.
    pub period: String,
    pub title: String,
    /// 发文字号 (文号), when configured.
    pub doc_number: Option<String>,
    /// 主送 line.
    pub addressee: String,
    pub intro: Vec<String>,
    /// 一、总体情况; 二、主要问题; 三、下一步工作要求.
    pub sections: Vec<Section>,
    /// 附件说明, one attachment a line: 附件：1. …, then 2. … under it.
    pub attachments: Vec<String>,
    /// 发文机关 (落款), its full name.
    pub issuer: String,
    /// e.g. 2018年3月27日, when given.
    pub date: Option<String>,
    /// The registry's date (截至), e.g. 2018年1月10日, when an import gave one
    /// (`sites import --as-of`).
    pub registry_as_of: Option<String>,
    /// 附件1: per unit, subtotals, total.
    pub unit_table: Table,
    /// 附件2: 序号, 网站名称, 网址, 不合格原因.
    pub site_table: Table,
    /// One row per piece of evidence of every finding that made a site fail.
    pub detail_table: Table,
    /// Pass rate per unit.
    pub unit_chart: Series,
    /// Pass rate per month (regular rounds, up to the period's last month, at most 12 months).
    pub trend: Series,
    pub figures: Figures,
    /// Inputs the statistics skipped.
    pub warnings: Vec<String>,
}

/// A date as the notices print it: 2018年3月27日.
pub fn chinese_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}
