//! Stage 6, first half — the documents, format-neutral: what is rendered, before any format
//! ([`crate::render`] writes them out).
//!
//! - [`Notice`] (通报, `notice.rs`): [`Notice::for_quarter`] and [`Notice::for_round`] read the
//!   stored rounds, checks and findings, compute the figures with [`crate::stats::quarter_stats`]
//!   and lay them out as a document: title, 主送 line, numbered sections of paragraphs
//!   (`paragraphs.rs`), the tables (`tables.rs`) of 附件1 (per unit) and 附件2 (problem sites, every
//!   reason of a site), a detail table (one row per piece of evidence of every finding that made
//!   a site fail), a pass-rate series by unit and a monthly trend.
//! - [`SiteReport`] (自查报告 of one site, `site_report.rs`): [`SiteReport::for_site`] is a
//!   department's own fix list for its latest (or one round's) stored check, its findings as a
//!   webmaster reads them (`site_findings.rs`).
//! - One check held in memory ([`check`]): the words every format of a fresh check says alike
//!   (its conclusion, footer identifiers, the deep-crawl line).
//! - The words the text and Markdown of `govaudit links` (`links.rs`: each kind of failure under
//!   its title) and of `govaudit uptime` (`uptime.rs`: the official test, a window's verdict …)
//!   say alike; the reports themselves are [`crate::linkcheck::LinkReport`] and
//!   [`crate::monitor::summary::SiteUptime`].
//!
//! Every sentence of a notice or site report comes from the editable [`Templates`]
//! (`templates/`, `templates.rs`), each text checked for its `{placeholders}` when loaded
//! (`placeholders.rs`); this module only fills in the figures. The JSON schema is documented in
//! `docs/notice-schema.md`.

pub mod check;
pub(crate) mod links;
mod notice;
mod paragraphs;
mod placeholders;
mod site_findings;
mod site_report;
mod tables;
mod templates;
pub(crate) mod uptime;

pub use site_findings::{SiteEvidence, SiteFinding};
pub use site_report::{SiteReport, StaleWarning, UptimeSection};
pub use templates::{
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
    /// A template file that cannot be read or parsed.
    #[error("template {origin}: {message}")]
    Template {
        /// The file's path, or `templates (built in)`.
        origin: String,
        /// The read or TOML error.
        message: String,
    },
    /// Loading the rounds or the statistics' inputs failed.
    #[error(transparent)]
    Round(#[from] RoundError),
    /// Opening or reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the site registry failed (a stored level or status no version wrote).
    #[error(transparent)]
    Registry(crate::registry::RegistryError),
    /// A query of the notice's own failed.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("stored {what} of check {check_id} is not valid JSON: {source}")]
    /// A check's stored JSON (evidence or observation) no longer parses.
    StoredJson {
        /// Which JSON: `evidence` or `observation`.
        what: &'static str,
        /// Id of the stored check.
        check_id: i64,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// A site, check, round or monitor record asked for is not stored; the message says which.
    #[error("{0}")]
    NotFound(String),
    /// A notice from re-evaluations was asked for, but no check of its period was re-evaluated.
    #[error("no check of {period} has been re-evaluated (govaudit reevaluate --round ID)")]
    NotReevaluated {
        /// The period, e.g. `2018Q1` or `round 3`.
        period: String,
    },
    /// Reading the evidence archive's index, for the record behind each piece of evidence
    /// (存档记录), failed.
    #[error("cannot read the evidence archive's index: {0}")]
    Archive(#[from] crate::archive::ArchiveError),
    /// Reading the availability monitor's probes for a site report's uptime section failed.
    #[error("cannot read the availability monitor's record: {0}")]
    Monitor(#[from] crate::monitor::MonitorError),
    /// A stored round's month is not `YYYY-MM` (its quarter cannot be found).
    #[error("invalid round month {0:?} (expected YYYY-MM)")]
    Month(String),
    #[error("cannot write {format}: {message}")]
    /// A renderer could not write its output.
    Render {
        /// The output format: `json`, `csv`, `docx`, `xlsx` ….
        format: &'static str,
        /// The renderer's error.
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
    /// Take each check as its newest re-evaluation judged it (`govaudit reevaluate`, table
    /// `evaluations`), a check never re-evaluated as stored; the notice says so under
    /// 一、总体情况 ([`Notice::reevaluation`]).
    pub reevaluated: bool,
}

/// What a notice made from re-evaluations ([`NoticeSettings::reevaluated`]) rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reevaluation {
    /// The period's checks (its rounds' stored checks, 复核 included).
    pub checks: usize,
    /// How many of them are taken as re-evaluated; the others as stored.
    pub evaluated: usize,
    /// Ids of the re-evaluations taken (`evaluations.id`), ascending.
    pub evaluation_ids: Vec<i64>,
    /// When the newest of them was made (RFC 3339, UTC).
    pub newest_at: String,
    /// The rule profiles they were judged under, each once.
    pub profiles: Vec<String>,
    /// The rules folders they were judged with, each once; `null` for the built-in rules.
    pub rules_dirs: Vec<Option<String>>,
}

/// What the notice covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A quarter, e.g. `2018Q1`.
    Quarter(String),
    /// One round.
    Round {
        /// Id of the round.
        round_id: i64,
        /// The round's month, `YYYY-MM`.
        month: String,
    },
}

/// A numbered section (一、总体情况 …): its heading and paragraphs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// The numbered heading, e.g. 一、总体情况, filled from the templates.
    pub heading: String,
    /// Its paragraphs, filled from the templates.
    pub paragraphs: Vec<String>,
}

/// A table of text cells (cells that read as integers are written as numbers by XLSX).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// e.g. 附件1.
    pub label: String,
    /// The table's title, from the templates with the period filled in.
    pub title: String,
    /// Column headings, from the templates.
    pub headers: Vec<String>,
    /// Data rows, one cell per header.
    pub rows: Vec<Vec<String>>,
}

/// One bar or point of a chart: sites sampled and failed, and the pass rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// Unit name, or month `YYYY-MM`.
    pub label: String,
    /// Sites sampled (regular audits only).
    pub sampled: usize,
    /// Sampled sites that failed.
    pub failed: usize,
    /// 0.0–1.0; `null` when nothing was sampled.
    pub pass_rate: Option<f64>,
    /// `pass_rate` as printed (`90.3%`); `—` when nothing was sampled.
    pub pass_rate_text: String,
}

/// A chart's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// The chart's title, from the templates.
    pub title: String,
    /// Bars per unit (registry order) or points per month (oldest first).
    pub points: Vec<Point>,
}

/// The figures behind the text, typed (for JSON consumers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// All sites (合计).
    pub total: UnitRow,
    /// 自治区部门（单位）, then 市、县（区）.
    pub subtotals: Vec<UnitRow>,
    /// One row per unit (单位), in registry order.
    pub units: Vec<UnitRow>,
    /// One row per level (级别).
    pub by_level: Vec<LevelRow>,
    /// Problem categories (问题类别), in the notice's order.
    pub categories: Vec<CategoryRow>,
    /// Repeat offenders (多次被抽查通报 / 复核仍不合格) of the period.
    pub repeat_offenders: Vec<RepeatOffender>,
}

/// A 通报, format-neutral.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    /// The quarter or round it covers.
    pub scope: Scope,
    /// e.g. 2018年第一季度, 2018年2月.
    pub period: String,
    /// The notice's title, from the templates with the period filled in.
    pub title: String,
    /// 发文字号 (文号), when configured.
    pub doc_number: Option<String>,
    /// 主送 line.
    pub addressee: String,
    /// Opening paragraphs before the numbered sections, from the templates.
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
    /// The statistics behind the text and tables.
    pub figures: Figures,
    /// Inputs the statistics skipped.
    pub warnings: Vec<String>,
    /// Made from re-evaluations: which, and with what rules; absent for the stored checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reevaluation: Option<Reevaluation>,
}

/// A date as the notices print it: 2018年3月27日.
pub fn chinese_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}
