//! Command-line arguments and dispatch. Global options (config, database, network) are
//! accepted before or after the subcommand and override the config file.
//!
//! Everything printed on standard output goes through [`out!`] / [`outln!`] (text, made
//! terminal-safe by [`govaudit::escape::terminal`]) or [`govaudit::escape::json`] (JSON): site
//! names, URLs and evidence come from registries and pages, and must not drive the terminal.

/// `print!` made terminal-safe: control and bidi characters shown, not obeyed.
macro_rules! out {
    ($($arg:tt)*) => {
        print!("{}", govaudit::escape::terminal::text(&format!($($arg)*)))
    };
}

/// `println!` made terminal-safe (see [`out!`]).
macro_rules! outln {
    () => { println!() };
    ($($arg:tt)*) => {
        println!("{}", govaudit::escape::terminal::text(&format!($($arg)*)))
    };
}

mod check;
mod confirm;
mod demo;
mod evidence;
mod format;
mod links;
mod monitor;
mod reevaluate;
mod report;
mod round;
mod serve;
mod sites;
mod stats;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use govaudit::config::Config;

/// Exit code: the audited site passed (合格) / the command succeeded.
pub const EXIT_PASS: u8 = 0;
/// Exit code: the audited site failed (不合格).
pub const EXIT_FAIL: u8 = 1;
/// Exit code: the command could not run (bad input, unreadable file …).
pub const EXIT_ERROR: u8 = 2;

/// Audit Chinese government websites against the national inspection standards
/// (国办发〔2015〕15号 普查评分表, 国办秘函〔2019〕19号 检查指标).
#[derive(Debug, Parser)]
#[command(name = "govaudit", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// Config file (TOML); see the shipped config.toml for every setting and its default.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// SQLite database file [default: govaudit.db, or store.db in the config file].
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// HTTP(S) proxy for every request (host names are resolved by the proxy).
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,
    /// Route HOST to IP:PORT instead of DNS (repeatable), e.g. www.nxep.gov.cn=127.0.0.1:8080.
    #[arg(long, global = true, value_name = "HOST=IP:PORT")]
    pub resolve: Vec<String>,
    /// Requests per second per host (0 = unlimited) [default: 2].
    #[arg(long, global = true, value_name = "R")]
    pub host_rate: Option<f64>,
    /// Requests in flight per host [default: 2].
    #[arg(long, global = true, value_name = "N")]
    pub host_concurrency: Option<usize>,
    /// Requests in flight overall [default: 64].
    #[arg(long, global = true, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Rules directory (instead of the rules built into the binary).
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Rule profile, a folder of the rules directory [default: gb2015].
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// More logging (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit one site (自查): homepage, columns (栏目), footer identifiers, links; store the result.
    Check(check::CheckArgs),
    /// Run the built-in simulated province (2018 Q1 Ningxia) on loopback: registry, rounds,
    /// statistics and the notice (通报). `--samples`: a few sample sites, one per failing rule.
    Demo(demo::DemoArgs),
    /// The site registry (网站名录): import from CSV/TOML/XLSX, list, show.
    Sites(sites::SitesArgs),
    /// Monthly sampling rounds (月度抽查) and re-checks (复核): plan, run (resumable), list, show.
    Round(round::RoundArgs),
    /// Quarterly statistics: 合格率 per unit (单位), subtotals, problem categories, repeat offenders.
    Stats(stats::StatsArgs),
    /// Notices (通报) and self-check reports: docx, xlsx, html, md, json, csv.
    Report(report::ReportArgs),
    /// Check the links on the given pages (不可用链接) without crawling further.
    Links(links::LinksArgs),
    /// Confirm (or --reject) a finding awaiting a person's decision (待人工确认: 严重错误
    /// candidates); --list lists them.
    Confirm(confirm::ConfirmArgs),
    /// Availability monitoring (站点可用性监测): probe each site's homepage N times a day, as the
    /// standard's 站点无法访问 test does, and store every probe (runs until stopped).
    Monitor(monitor::MonitorArgs),
    /// The monitor's record per site: probes, failures, longest outage, latency, and the
    /// official test (监测1周, 5%) per 7-day window.
    Uptime(monitor::UptimeArgs),
    /// Judge archived checks again offline (no network): the same crawl, analysis and rules
    /// on the pages as they were fetched; the result is kept beside the original.
    Reevaluate(reevaluate::ReevaluateArgs),
    /// Write a check's archived pages as files that open in a browser offline (存档于 banner,
    /// links between archived pages rewritten).
    Evidence(evidence::EvidenceArgs),
    /// The evidence archive: `archive prune --older-than 2y` (retention).
    Archive(evidence::ArchiveArgs),
    /// The web console (网页控制台) for the office and the departments: 总览, 网站名录,
    /// 抽查轮次, 自查, 通报 (loopback only unless --listen).
    Serve(serve::ServeArgs),
    /// Console users: `user add NAME --role admin|unit [--unit 单位] [--password-stdin]`.
    User(serve::UserArgs),
}

/// Start logging to stderr.
pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "govaudit=info,warn",
        _ => "govaudit=debug,info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Load the config file (if any) and apply the global command-line overrides.
pub fn load_config(g: &GlobalOpts) -> Result<Config> {
    let mut cfg = match &g.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    if let Some(db) = &g.db {
        cfg.store.db = db.clone();
    }
    if let Some(p) = &g.proxy {
        cfg.fetch.proxy = Some(p.clone());
    }
    cfg.fetch.resolve.extend(g.resolve.iter().cloned());
    if let Some(r) = g.host_rate {
        cfg.fetch.host_rate = r;
    }
    if let Some(n) = g.host_concurrency {
        cfg.fetch.host_concurrency = n;
    }
    if let Some(n) = g.concurrency {
        cfg.fetch.concurrency = n;
    }
    if let Some(dir) = &g.rules {
        cfg.rules.dir = Some(dir.clone());
    }
    if let Some(p) = &g.profile {
        cfg.rules.profile = p.clone();
    }
    cfg.validate().context("invalid command-line option")?;
    Ok(cfg)
}

/// Run a parsed command; returns the exit code.
pub async fn run(cli: Cli) -> Result<u8> {
    let cfg = load_config(&cli.global)?;
    let profile_given = cli.global.profile.is_some();
    let db = cfg.store.db.clone();
    let uses_db = match &cli.command {
        Command::Check(args) => !args.no_store,
        Command::Demo(_) | Command::Links(_) => false,
        _ => true,
    };
    let result = match cli.command {
        Command::Check(args) => check::run(cfg, args).await,
        Command::Demo(args) => demo::run(cfg, args).await,
        Command::Sites(args) => sites::run(cfg, args).await,
        Command::Round(args) => round::run(cfg, args).await,
        Command::Stats(args) => stats::run(cfg, args).await,
        Command::Report(args) => report::run(cfg, args).await,
        Command::Links(args) => links::run(cfg, args).await,
        Command::Confirm(args) => confirm::run(cfg, args).await,
        Command::Monitor(args) => monitor::run_monitor(cfg, args, cli.global.verbose).await,
        Command::Uptime(args) => monitor::run_uptime(cfg, args).await,
        Command::Reevaluate(args) => reevaluate::run(cfg, args, profile_given).await,
        Command::Evidence(args) => evidence::run(cfg, args).await,
        Command::Archive(args) => evidence::run_archive(cfg, args).await,
        Command::Serve(args) => serve::run_serve(cfg, args).await,
        Command::User(args) => serve::run_user(cfg, args).await,
    };
    match result {
        Err(e) if uses_db => Err(name_database(e, &db)),
        other => other,
    }
}

/// A database error names its file: SQLite's own messages (`database disk image is
/// malformed`) do not say which database.
fn name_database(e: anyhow::Error, db: &std::path::Path) -> anyhow::Error {
    let shown = db.display().to_string();
    let about_database = e
        .chain()
        .any(|c| c.is::<sqlx::Error>() || c.to_string().starts_with("database error"));
    if about_database && !format!("{e:#}").contains(&shown) {
        e.context(format!("database {shown}"))
    } else {
        e
    }
}
