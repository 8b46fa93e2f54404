//! `govaudit report notice` (the 通报 of a quarter or a round) and `govaudit report site` (a
//! department's self-check report), in the formats of [`govaudit::render`].

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};

use govaudit::config::Config;
use govaudit::documents::{Notice, NoticeSettings, SiteReport, Templates};
use govaudit::render::{self, csv::CsvTable};
use govaudit::rules::RuleSet;
use govaudit::stats::Quarter;
use govaudit::store::Store;

use super::format::{Format, NOTICE, SITE_REPORT};
use super::EXIT_PASS;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The problem-site notice (通报) of a quarter or of one round, from the stored rounds.
    Notice(NoticeArgs),
    /// A department's self-check report (自查报告) of one site: findings, evidence, fixes, and
    /// columns about to go stale.
    Site(SiteArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("scope").required(true).args(["quarter", "round"])))]
pub struct NoticeArgs {
    /// Quarter, e.g. 2018Q1.
    #[arg(long, value_name = "YYYYQn")]
    pub quarter: Option<Quarter>,
    /// One round's id instead of a quarter.
    #[arg(long, value_name = "ID")]
    pub round: Option<i64>,
    #[arg(long, value_parser = Format::only(NOTICE))]
    pub format: Format,
    /// Output file; required for docx and xlsx, standard output otherwise.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV only: which table (sites = 附件2, units = 附件1, detail = one row per evidence).
    #[arg(long, value_enum, default_value = "sites")]
    pub table: CsvTableArg,
    /// The notice's date (落款), e.g. 2018-03-27.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<chrono::NaiveDate>,
    /// Templates folder (notice.toml, site.toml, fixes.toml) instead of the built-in wording.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Take each check as its newest re-evaluation (govaudit reevaluate) judged it, a check
    /// never re-evaluated as stored; the notice says so under 一、总体情况.
    #[arg(long)]
    pub reevaluated: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CsvTableArg {
    Sites,
    Units,
    Detail,
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site: its URL or its id in the database.
    #[arg(value_name = "URL|ID")]
    pub site: String,
    /// The site's check in this round (default: its latest stored check).
    #[arg(long, value_name = "ID")]
    pub round: Option<i64>,
    #[arg(long, default_value = "md", value_parser = Format::only(SITE_REPORT))]
    pub format: Format,
    /// Output file; required for docx, standard output otherwise.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Warn of columns going stale within this many days [default: report.warn_days = 7].
    #[arg(long, value_name = "N")]
    pub warn_days: Option<u32>,
    /// Templates folder (notice.toml, site.toml, fixes.toml) instead of the built-in wording.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

fn templates(dir: Option<&Path>) -> Result<Templates> {
    Ok(match dir {
        Some(d) => Templates::from_dir(d)?,
        None => Templates::builtin()?,
    })
}

/// Write `bytes` to `out`, or to standard output when `out` is `None` and `binary` is false.
fn emit(out: Option<&Path>, bytes: &[u8], binary: bool) -> Result<()> {
    match out {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None if binary => bail!("this format is binary: give an output file with -o FILE"),
        None => std::io::stdout()
            .write_all(bytes)
            .context("cannot write to standard output")?,
    }
    Ok(())
}

pub async fn run(cfg: Config, args: ReportArgs) -> Result<u8> {
    let store = Store::open_existing(&cfg.store.db).await?;
    match args.command {
        ReportCommand::Notice(a) => {
            let t = templates(a.templates.as_deref())?;
            let settings = NoticeSettings {
                stats: cfg.stats,
                date: a.date,
                office: cfg.notice.clone(),
                reevaluated: a.reevaluated,
            };
            let n = match (a.quarter, a.round) {
                (_, Some(id)) => Notice::for_round(&store, id, &settings, &t).await?,
                (Some(q), None) => Notice::for_quarter(&store, &q, &settings, &t).await?,
                (None, None) => bail!("give --quarter or --round"),
            };
            for w in &n.warnings {
                tracing::warn!("{w}");
            }
            let out = a.output.as_deref();
            match a.format {
                Format::Docx => emit(out, &render::docx::render_notice(&n)?, true)?,
                Format::Xlsx => emit(out, &render::xlsx::render_notice(&n)?, true)?,
                Format::Html => emit(out, render::html::render_notice(&n).as_bytes(), false)?,
                Format::Md => emit(out, render::markdown::render_notice(&n).as_bytes(), false)?,
                Format::Json => {
                    let json = render::json::render_notice(&n)? + "\n";
                    emit(out, json.as_bytes(), false)?
                }
                Format::Csv => {
                    let table = match a.table {
                        CsvTableArg::Sites => CsvTable::Sites,
                        CsvTableArg::Units => CsvTable::Units,
                        CsvTableArg::Detail => CsvTable::Detail,
                    };
                    emit(
                        out,
                        render::csv::render_notice(&n, table)?.as_bytes(),
                        false,
                    )?
                }
                other => return Err(other.unsupported("report notice")),
            }
        }
        ReportCommand::Site(a) => {
            let t = templates(a.templates.as_deref())?;
            let rules = match &cfg.rules.dir {
                Some(dir) => RuleSet::from_dir(dir, &cfg.rules.profile)?,
                None => RuleSet::builtin(&cfg.rules.profile)?,
            };
            let days = a.warn_days.unwrap_or(cfg.report.warn_days);
            let r = SiteReport::for_site(&store, &a.site, a.round, days, &rules, &t).await?;
            let out = a.output.as_deref();
            match a.format {
                Format::Docx => emit(out, &render::docx::render_site(&r)?, true)?,
                Format::Html => emit(out, render::html::render_site(&r).as_bytes(), false)?,
                Format::Md => emit(out, render::markdown::render_site(&r).as_bytes(), false)?,
                Format::Json => {
                    let json = render::json::render_site(&r)? + "\n";
                    emit(out, json.as_bytes(), false)?
                }
                other => return Err(other.unsupported("report site")),
            }
        }
    }
    Ok(EXIT_PASS)
}
