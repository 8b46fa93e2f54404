//! `govaudit sites import|list|show`: the site registry (网站名录).

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

use govaudit::config::Config;
use govaudit::registry::{self, Level, SiteFilter, SiteRecord, Status};
use govaudit::store::Store;

use super::format::{Format, TEXT_JSON};
use super::EXIT_PASS;

#[derive(Debug, Args)]
pub struct SitesArgs {
    #[command(subcommand)]
    pub command: SitesCommand,
}

#[derive(Debug, Subcommand)]
pub enum SitesCommand {
    /// Import sites from a CSV or TOML file; known URLs are updated. A file with any error
    /// imports nothing and the command exits with 2, naming file:line and the field.
    Import {
        /// Registry file: .csv (UTF-8, UTF-8 with BOM, or GBK) or .toml.
        file: PathBuf,
        /// The date the registry describes (notices say 截至 this date) [default: today].
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<NaiveDate>,
    },
    /// List registered sites.
    List(ListArgs),
    /// Show one site, by id or URL.
    Show {
        /// Site id, or its URL (a missing scheme means http://).
        site: String,
        /// Output format.
        #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON))]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this unit (单位), e.g. 银川市(本级).
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// Only this level: 自治区门户, 自治区部门, 市级门户, 市级部门, 县级门户, 县级以下 (or
    /// region_portal, region_dept, city_portal, city_dept, county_portal, below_county).
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<Level>,
    /// Only this status: running (运行) or closed (关停).
    #[arg(long, value_name = "STATUS")]
    pub status: Option<Status>,
    /// Also list sites known only from `govaudit check` (no unit, level or status).
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON))]
    pub format: Format,
}

pub async fn run(cfg: Config, args: SitesArgs) -> Result<u8> {
    match args.command {
        SitesCommand::Import { file, as_of } => {
            // Validate the whole file before touching the database.
            let sites = registry::load_file(&file)?;
            let store = Store::open(&cfg.store.db).await?;
            let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            let source = file.display().to_string();
            let summary = registry::import_dated(&store, &sites, &source, as_of)
                .await
                .with_context(|| format!("cannot import {}", file.display()))?;
            // Checkpoint the write-ahead log into the database file before exiting.
            store.close().await;
            for (written, stored) in &summary.units_merged {
                eprintln!(
                    "note: unit (单位) {written:?} stored as {stored:?}: the same name but for \
                     bracket width or spaces"
                );
            }
            outln!(
                "{}：{} 个网站；新增 {}，更新 {}，未变 {}",
                file.display(),
                sites.len(),
                summary.added,
                summary.updated,
                summary.unchanged
            );
        }
        SitesCommand::List(a) => {
            let store = Store::open_existing(&cfg.store.db).await?;
            let filter = SiteFilter {
                unit: a.unit,
                level: a.level,
                status: a.status,
                registered_only: !a.all,
            };
            let sites = registry::list(&store, &filter).await?;
            match a.format {
                Format::Json => outln!("{}", govaudit::escape::json::to_string_pretty(&sites)?),
                Format::Text => out!("{}", table(&sites)),
                other => return Err(other.unsupported("sites list")),
            }
        }
        SitesCommand::Show { site, format } => {
            let store = Store::open_existing(&cfg.store.db).await?;
            let record = registry::get(&store, &site).await?;
            match format {
                Format::Json => {
                    outln!("{}", govaudit::escape::json::to_string_pretty(&record)?)
                }
                Format::Text => out!("{}", details(&record)),
                other => return Err(other.unsupported("sites show")),
            }
        }
    }
    Ok(EXIT_PASS)
}

fn cells(s: &SiteRecord) -> [String; 7] {
    let dash = || "-".to_string();
    [
        s.id.to_string(),
        s.unit.clone().unwrap_or_else(dash),
        s.level.map_or_else(dash, |l| l.label().to_string()),
        s.name.clone().unwrap_or_else(dash),
        s.url.clone(),
        s.site_code.clone().unwrap_or_else(dash),
        s.status.map_or_else(dash, |st| st.label().to_string()),
    ]
}

const HEADERS: [&str; 7] = [
    "ID",
    "单位",
    "级别",
    "网站名称",
    "网址",
    "网站标识码",
    "状态",
];

/// An aligned table; CJK characters count as two columns.
fn table(sites: &[SiteRecord]) -> String {
    let rows: Vec<[String; 7]> = sites.iter().map(cells).collect();
    let mut widths = HEADERS.map(width);
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(c));
        }
    }
    let line = |cols: Vec<&str>| {
        let mut out = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            out.push_str(c);
            if i + 1 < cols.len() {
                out.push_str(&" ".repeat(w - width(c) + 2));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(HEADERS.to_vec());
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out.push_str(&format!("共 {} 个网站\n", rows.len()));
    out
}

fn details(s: &SiteRecord) -> String {
    let mut out = String::new();
    for (h, c) in HEADERS.iter().zip(cells(s)) {
        out.push_str(&format!("{h}：{c}\n"));
    }
    out.push_str(&format!("登记时间：{}\n", s.created_at));
    if let Some(u) = &s.updated_at {
        out.push_str(&format!("更新时间：{u}\n"));
    }
    out
}

/// Display width: East Asian wide characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
            0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}
