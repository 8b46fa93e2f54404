//! `govaudit round plan|run|list|show|recheck`: monthly sampling rounds (月度抽查) and 复核.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use govaudit::audit::Auditor;
use govaudit::calendar::Calendar;
use govaudit::config::Config;
use govaudit::deep::DeepSettings;
use govaudit::findings::Verdict;
use govaudit::rounds::{self, PlanOptions, Round, RoundKind, RunOptions};
use govaudit::sample::DEFAULT_RATIO;
use govaudit::stats::category_reason;
use govaudit::store::Store;

use super::check::DeepArgs;
use super::format::{Format, TEXT_JSON};
use super::EXIT_PASS;

#[derive(Debug, Args)]
pub struct RoundArgs {
    #[command(subcommand)]
    pub command: RoundCommand,
}

#[derive(Debug, Subcommand)]
pub enum RoundCommand {
    /// Draw a round: a stratified random sample of the registry's running sites (at least the
    /// ratio of every unit, rounded up, and at least one per unit), or an explicit list.
    Plan(PlanArgs),
    /// Audit a round's sites not yet audited (the newest unfinished round when no ID is given).
    /// Safe to interrupt: running it again continues with the sites not yet done.
    Run(RunArgs),
    /// List rounds.
    List {
        #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON))]
        format: Format,
    },
    /// Show a round: its sites, their verdicts and, for a 复核 round, rectified or still failing.
    Show {
        id: i64,
        #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON))]
        format: Format,
    },
    /// Make a 复核 round of a finished round's failing sites, due 5 working days after the
    /// notice date on the official calendar (holidays and 调休 working weekends).
    Recheck {
        /// The regular round whose failing sites are re-checked.
        id: i64,
        /// Date of the notice that named the failing sites [default: today].
        #[arg(long, value_name = "YYYY-MM-DD")]
        notice_date: Option<NaiveDate>,
        /// Working days allowed for rectification.
        #[arg(long, default_value_t = 5)]
        days: u32,
    },
    /// Compare two rounds: sites and findings new, fixed, still failing. With --reevaluated,
    /// compare round A as stored with round A as last re-evaluated (`govaudit reevaluate`), or
    /// round B's re-evaluations with round A.
    Diff {
        a: i64,
        /// The second round [default with --reevaluated: A itself].
        #[arg(required_unless_present = "reevaluated")]
        b: Option<i64>,
        /// Take round B (or A, when B is not given) as its checks' newest re-evaluations judged
        /// them.
        #[arg(long)]
        reevaluated: bool,
        #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON))]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Round id [default: the newest unfinished round].
    pub id: Option<i64>,
    /// Judge freshness as of this date [default: the round's as-of date, else today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Do not keep the pages read in the evidence archive (archive.enabled of the config).
    #[arg(long)]
    pub no_archive: bool,
    #[command(flatten)]
    pub deep: DeepArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Month of the round, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: String,
    /// Share of every unit's running sites to draw (rounded up; at least one per unit).
    #[arg(long, default_value_t = DEFAULT_RATIO)]
    pub ratio: f64,
    /// Random seed; the same seed and registry give the same sample [default: random, stored].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Take these sites instead of a random sample: one site id or URL per line.
    #[arg(long, value_name = "FILE")]
    pub sites_from: Option<PathBuf>,
    /// Default as-of date for running the round.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
}

pub async fn run(cfg: Config, args: RoundArgs) -> Result<u8> {
    let store = match args.command {
        RoundCommand::List { .. } | RoundCommand::Show { .. } | RoundCommand::Diff { .. } => {
            Store::open_existing(&cfg.store.db).await?
        }
        _ => Store::open(&cfg.store.db).await?,
    };
    let code = command(&cfg, &store, args).await;
    // Checkpoint and close the database before the process exits (Store::close says why).
    store.close().await;
    code
}

async fn command(cfg: &Config, store: &Store, args: RoundArgs) -> Result<u8> {
    match args.command {
        RoundCommand::Plan(p) => plan(cfg, store, p).await,
        RoundCommand::Run(r) => run_round(cfg, store, r).await,
        RoundCommand::List { format } => {
            let all = rounds::list(store).await?;
            if format == Format::Json {
                outln!("{}", govaudit::escape::json::to_string_pretty(&all)?);
            } else {
                outln!("编号  类型  月份     网站数  已检查  不合格  状态");
                for r in &all {
                    outln!(
                        "{:<5} {}  {}  {:>6}  {:>6}  {:>6}  {}",
                        r.id,
                        r.kind.label(),
                        r.month,
                        r.sites,
                        r.done,
                        r.failed,
                        if r.done == r.sites {
                            "已完成"
                        } else {
                            "未完成"
                        }
                    );
                }
            }
            Ok(EXIT_PASS)
        }
        RoundCommand::Show { id, format } => show(store, id, format).await,
        RoundCommand::Diff {
            a,
            b,
            reevaluated,
            format,
        } => {
            let b = b.unwrap_or(a);
            rounds::get(store, a).await?;
            rounds::get(store, b).await?;
            let sites = rounds::site_records(store).await?;
            let audits = rounds::audit_records(store).await?;
            let of = |id: i64| -> Vec<_> {
                audits
                    .iter()
                    .filter(|r| r.round_id == id)
                    .cloned()
                    .collect()
            };
            let second = if reevaluated {
                rounds::reevaluated_records(store, &of(b)).await?
            } else {
                of(b)
            };
            let diff = govaudit::stats::round_diff(&of(a), &second, &sites);
            match format {
                Format::Text => out!("{}", govaudit::render::text::round_diff_text(&diff)),
                Format::Json => outln!("{}", govaudit::escape::json::to_string_pretty(&diff)?),
                other => return Err(other.unsupported("round diff")),
            }
            Ok(EXIT_PASS)
        }
        RoundCommand::Recheck {
            id,
            notice_date,
            days,
        } => {
            let notice = notice_date.unwrap_or_else(|| chrono::Local::now().date_naive());
            let (round, warning) =
                rounds::plan_recheck(store, id, notice, days, &Calendar::builtin()).await?;
            if let Some(w) = warning {
                eprintln!("warning: {w}");
            }
            outln!(
                "复核轮次 {}：第 {} 轮的不合格网站 {} 个，通报日期 {}，整改期限 {}（{} 个工作日）",
                round.id,
                id,
                round.sites,
                notice,
                round.due_date.map(|d| d.to_string()).unwrap_or_default(),
                days
            );
            outln!("运行：govaudit round run {}", round.id);
            Ok(EXIT_PASS)
        }
    }
}

async fn plan(cfg: &Config, store: &Store, p: PlanArgs) -> Result<u8> {
    let opts = PlanOptions {
        month: p.month.clone(),
        ratio: p.ratio,
        seed: p.seed.unwrap_or_else(rand_seed),
        profile: cfg.rules.profile.clone(),
        as_of: p.as_of,
    };
    let round = match &p.sites_from {
        Some(path) => rounds::plan_list(store, &opts, path).await?,
        None => {
            let (round, sample) = rounds::plan_sample(store, &opts).await?;
            for u in &sample.units {
                outln!(
                    "  {}：运行 {}，抽取 {}",
                    u.unit,
                    u.running,
                    u.selected.len()
                );
            }
            outln!(
                "抽查比例 {:.1}%（{} / {}），随机种子 {}",
                100.0 * sample.len() as f64 / sample.running().max(1) as f64,
                sample.len(),
                sample.running(),
                opts.seed
            );
            round
        }
    };
    outln!(
        "已建立第 {} 轮（{}），共 {} 个网站。运行：govaudit round run {}",
        round.id,
        round.month,
        round.sites,
        round.id
    );
    Ok(EXIT_PASS)
}

fn rand_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}

async fn run_round(cfg: &Config, store: &Store, args: RunArgs) -> Result<u8> {
    let round: Round = match args.id {
        Some(id) => rounds::get(store, id).await?,
        None => match rounds::newest_unfinished(store).await? {
            Some(r) => r,
            None => {
                bail!("no unfinished round: plan one with `govaudit round plan --month YYYY-MM`")
            }
        },
    };
    let as_of = args
        .as_of
        .or(round.as_of)
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let auditor =
        Auditor::for_store(cfg, store, !args.no_archive).context("cannot set up the audit")?;
    let todo = round.sites - round.done;
    let deep = args.deep.settings(&cfg.crawl);
    eprintln!(
        "第 {} 轮（{}，{}）：{} 个网站，已完成 {}，本次检查 {}，检查基准日 {}",
        round.id,
        round.kind.label(),
        round.month,
        round.sites,
        round.done,
        todo,
        as_of
    );
    if let Some(d) = &deep {
        eprintln!(
            "deep: every site crawled whole (at most {} pages, depth {}); link results shared by the round's sites",
            d.max_pages, d.max_depth
        );
    }
    let summary = run_with_progress(&auditor, store, &round, as_of, todo, deep)
        .await
        .context("round run failed (rerun the same command to resume it)")?;
    if summary.done_elsewhere > 0 {
        eprintln!(
            "note: {} site(s) were stored first by another run of this round; their checks are kept",
            summary.done_elsewhere
        );
    }
    let done = rounds::get(store, round.id).await?;
    outln!(
        "第 {} 轮：本次检查 {} 个网站，不合格 {} 个；全轮 {} / {} 已完成，不合格 {} 个。",
        round.id,
        summary.audited,
        summary.failed,
        done.done,
        done.sites,
        done.failed
    );
    Ok(EXIT_PASS)
}

async fn show(store: &Store, id: i64, format: Format) -> Result<u8> {
    let round = rounds::get(store, id).await?;
    let sites = rounds::round_sites(store, id).await?;
    if format == Format::Json {
        let doc = serde_json::json!({ "round": round, "sites": sites });
        outln!("{}", govaudit::escape::json::to_string_pretty(&doc)?);
        return Ok(EXIT_PASS);
    }
    outln!(
        "第 {} 轮（{}）月份 {}  来源 {}  网站 {}  已检查 {}  不合格 {}",
        round.id,
        round.kind.label(),
        round.month,
        round.source,
        round.sites,
        round.done,
        round.failed
    );
    if let (Some(seed), Some(ratio)) = (round.seed, round.ratio) {
        outln!("抽查比例 {:.0}%  随机种子 {}", ratio * 100.0, seed as u64);
    }
    if let Some(due) = round.due_date {
        outln!(
            "复核第 {} 轮；通报日期 {}，整改期限 {}",
            round.parent_round_id.unwrap_or_default(),
            round.notice_date.map(|d| d.to_string()).unwrap_or_default(),
            due
        );
    }
    for s in &sites {
        let state = match (s.verdict, round.kind) {
            (None, _) => "未检查".to_string(),
            (Some(Verdict::Pass), RoundKind::Recheck) => "已整改".to_string(),
            (Some(Verdict::Fail), RoundKind::Recheck) => "复核仍不合格".to_string(),
            // A veto is named: its score would read like full marks.
            (Some(v), _) if !s.vetoes.is_empty() => {
                let names: Vec<&str> = s.vetoes.iter().map(|r| category_reason(r)).collect();
                format!("{}（单项否决：{}）", v.label(), names.join("、"))
            }
            (Some(v), _) => format!("{}（{:.1}分）", v.label(), s.score.unwrap_or_default()),
        };
        outln!(
            "  {:<28} {:<16} {}  {}",
            s.name.as_deref().unwrap_or("-"),
            s.unit.as_deref().unwrap_or("-"),
            state,
            s.url
        );
    }
    Ok(EXIT_PASS)
}

/// Run a round with a progress bar on stderr (sites done/total, 不合格 so far, ETA).
pub(super) async fn run_with_progress(
    auditor: &Auditor,
    store: &Store,
    round: &Round,
    as_of: NaiveDate,
    todo: usize,
    deep: Option<DeepSettings>,
) -> Result<rounds::RunSummary> {
    let bar = ProgressBar::new(todo as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} sites  {msg}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut failed = 0usize;
    let opts = RunOptions {
        sites_at_once: auditor.crawl.sites_at_once,
        deep,
    };
    let summary = rounds::run_round_with(auditor, store, round, as_of, &opts, |o| {
        if o.verdict == Verdict::Fail {
            failed += 1;
        }
        bar.set_message(format!("不合格 {failed}"));
        bar.inc(1);
    })
    .await?;
    bar.finish_and_clear();
    tracing::info!(
        peak_sites_at_once = summary.peak_sites_at_once,
        "round run: most sites audited at once"
    );
    Ok(summary)
}
