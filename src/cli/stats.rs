//! `govaudit stats --quarter 2018Q1`: quarterly 合格率 per unit, subtotals, problem categories
//! and repeat offenders, from the stored rounds.

use anyhow::Result;
use clap::Args;

use govaudit::config::Config;
use govaudit::render::text::quarter_stats_text;
use govaudit::rounds;
use govaudit::stats::{quarter_stats, Quarter};
use govaudit::store::Store;

use super::format::{Format, TEXT_JSON};
use super::EXIT_PASS;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Quarter, e.g. 2018Q1.
    #[arg(long, value_name = "YYYYQn")]
    pub quarter: Quarter,
    #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON))]
    pub format: Format,
}

pub async fn run(cfg: Config, args: StatsArgs) -> Result<u8> {
    let store = Store::open_existing(&cfg.store.db).await?;
    let sites = rounds::site_records(&store).await?;
    let audits = rounds::audit_records(&store).await?;
    let stats = quarter_stats(&sites, &audits, &args.quarter, &cfg.stats);
    match args.format {
        Format::Text => out!("{}", quarter_stats_text(&stats)),
        Format::Json => outln!("{}", govaudit::escape::json::to_string_pretty(&stats)?),
        other => return Err(other.unsupported("stats")),
    }
    Ok(EXIT_PASS)
}
