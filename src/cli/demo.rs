//! `govaudit demo`: the real job on a built-in world. It serves the simulated province of the
//! 2018 Q1 Ningxia notice on loopback (248 running sites; the 21 problem sites under their real
//! names and URLs, the rest fictitious), imports its registry, plans the quarter's two rounds
//! with the seed's sample (217 sites), runs them with per-host politeness and a progress bar,
//! and writes the quarter's statistics and notice (通报: Markdown, DOCX, XLSX, HTML) into a
//! folder it names at the end. `--samples` instead
//! audits a handful of sample sites, one per failing rule, and prints each result.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Args;

use govaudit::audit::Auditor;
use govaudit::config::Config;
use govaudit::documents::{self, Notice, NoticeSettings, Templates};
use govaudit::registry;
use govaudit::render;
use govaudit::rounds::{self, PlanOptions};
use govaudit::sim::province::Province;
use govaudit::sim::{Scenario, SimServer};
use govaudit::stats::{quarter_stats, Quarter};
use govaudit::store::Store;

use super::check::parse_site_url;
use super::round::run_with_progress;
use super::EXIT_PASS;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo database, registry, round lists and results (emptied first).
    #[arg(long, value_name = "DIR", default_value = "govaudit-demo")]
    pub out: PathBuf,
    /// Audit the small set of sample sites (one per failing rule) instead of the province.
    #[arg(long)]
    pub samples: bool,
    /// As-of date for `--samples`.
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2018-02-01")]
    pub as_of: NaiveDate,
    /// Then open the web console (`govaudit serve`) on the demo's database, with the simulated
    /// province still running, and a demo admin whose password is printed.
    #[arg(long, conflicts_with = "samples")]
    pub serve: bool,
    /// Address of the console with --serve (loopback).
    #[arg(long, value_name = "ADDR:PORT", default_value = govaudit::serve::DEFAULT_LISTEN, requires = "serve")]
    pub listen: std::net::SocketAddr,
}

pub async fn run(cfg: Config, args: DemoArgs) -> Result<u8> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let db = args.out.join("govaudit-demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let f = PathBuf::from(format!("{}{suffix}", db.display()));
        if f.exists() {
            std::fs::remove_file(&f).with_context(|| format!("cannot remove {}", f.display()))?;
        }
    }
    // The demo's archive is beside its database, whatever the config says; the previous
    // demo's goes with its database.
    let archive_dir = govaudit::archive::default_dir(&db);
    if archive_dir.is_dir() {
        std::fs::remove_dir_all(&archive_dir)
            .with_context(|| format!("cannot remove {}", archive_dir.display()))?;
    }
    if args.samples {
        samples(cfg, &args.out, &db, args.as_of).await
    } else {
        let serve = args.serve.then_some(args.listen);
        province(cfg, &args.out, &db, serve).await
    }
}

async fn province(
    mut cfg: Config,
    out: &Path,
    db: &Path,
    serve: Option<std::net::SocketAddr>,
) -> Result<u8> {
    let province = Province::ningxia_2018q1()?;
    let first = province
        .rounds
        .first()
        .context("the scenario has no round")?;
    let server = SimServer::start(province.scenario(), first.as_of)
        .await
        .context("cannot start the simulated province on loopback")?;
    // Proxy mode: real host names and the IP-hosted site (218.95.179.142/gysfgw) reach the
    // simulator unchanged, as they would reach a real office's proxy.
    cfg.fetch.proxy = Some(server.proxy_url());
    let store = Store::open(db).await?;
    let registry_file = out.join("registry-2018q1.csv");
    std::fs::write(&registry_file, province.registry_csv())
        .with_context(|| format!("cannot write {}", registry_file.display()))?;
    let sites = registry::load_file(&registry_file)?;
    let source = registry_file.display().to_string();
    let imported = registry::import_dated(&store, &sites, &source, province.registry_as_of).await?;
    eprintln!(
        "Simulated province on {}: imported {} sites from {}.",
        server.addr,
        imported.added,
        registry_file.display()
    );
    cfg.store.db = db.to_path_buf();
    cfg.archive.dir = None;
    let auditor = Auditor::for_store(&cfg, &store, true)?;
    for (i, r) in province.rounds.iter().enumerate() {
        let list = out.join(format!("round-{}.txt", r.month));
        std::fs::write(&list, province.round_list(i))
            .with_context(|| format!("cannot write {}", list.display()))?;
        let opts = PlanOptions {
            month: r.month.clone(),
            ratio: 1.0,
            seed: 0,
            profile: cfg.rules.profile.clone(),
            as_of: Some(r.as_of),
        };
        let round = rounds::plan_list(&store, &opts, &list).await?;
        server.set_as_of(r.as_of);
        eprintln!(
            "Round {} ({}): {} sites, as of {} …",
            round.id, round.month, round.sites, r.as_of
        );
        let started = std::time::Instant::now();
        let summary =
            run_with_progress(&auditor, &store, &round, r.as_of, round.sites, None).await?;
        eprintln!(
            "Round {}: {} sites audited, {} 不合格, {:.0} s.",
            round.id,
            summary.audited,
            summary.failed,
            started.elapsed().as_secs_f64()
        );
    }
    let quarter: Quarter = "2018Q1".parse()?;
    let stats = quarter_stats(
        &rounds::site_records(&store).await?,
        &rounds::audit_records(&store).await?,
        &quarter,
        &cfg.stats,
    );
    let text = render::text::quarter_stats_text(&stats);
    out!("{text}");
    // The notice (通报) of the quarter with the seed's particulars: 宁政办函〔2018〕27号 of
    // 宁夏回族自治区人民政府办公厅, dated 2018-03-27, 报送 by 2018-03-31.
    let settings = NoticeSettings {
        stats: cfg.stats,
        date: None,
        office: govaudit::config::NoticeConfig::seed_2018q1(),
        reevaluated: false,
    };
    let n = Notice::for_quarter(&store, &quarter, &settings, &Templates::builtin()?).await?;
    store.close().await;
    let files: [(&str, Vec<u8>); 6] = [
        ("stats-2018Q1.txt", text.into_bytes()),
        (
            "stats-2018Q1.json",
            govaudit::escape::json::to_string_pretty(&stats)?.into_bytes(),
        ),
        (
            "notice-2018Q1.md",
            render::markdown::render_notice(&n).into_bytes(),
        ),
        (
            "notice-2018Q1.html",
            render::html::render_notice(&n).into_bytes(),
        ),
        ("notice-2018Q1.docx", render::docx::render_notice(&n)?),
        ("notice-2018Q1.xlsx", render::xlsx::render_notice(&n)?),
    ];
    for (name, body) in files {
        let f = out.join(name);
        std::fs::write(&f, body).with_context(|| format!("cannot write {}", f.display()))?;
    }
    outln!(
        "\n通报（notice-2018Q1.md / .docx / .xlsx / .html）和统计已写入 {}（数据库 {}）",
        out.display(),
        db.display()
    );
    if let Some(listen) = serve {
        // The simulated province keeps answering (proxy mode) while the console runs.
        cfg.store.db = db.to_path_buf();
        return console(cfg, db, listen).await;
    }
    drop(server);
    Ok(EXIT_PASS)
}

/// `demo --serve`: a demo admin with a fresh random password, then the console.
async fn console(cfg: Config, db: &Path, listen: std::net::SocketAddr) -> Result<u8> {
    use govaudit::serve::{self, users};
    if !listen.ip().is_loopback() {
        anyhow::bail!("demo --serve listens on loopback only (got {listen})");
    }
    let store = Store::open(db).await?;
    let password = users::random_hex(8);
    users::add_user(&store, "demo", &password, users::Role::Admin, None).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| serve::ServeError::Listen {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    eprintln!(
        "\nConsole: http://{addr}/ — log in as demo / {password} (Ctrl-C stops the console and the simulated province)"
    );
    let app = serve::App::new(store.clone(), cfg)?;
    serve::serve(app, listener, super::serve::shutdown_signal()).await?;
    store.close().await;
    Ok(EXIT_PASS)
}

async fn samples(mut cfg: Config, out: &Path, db: &Path, as_of: NaiveDate) -> Result<u8> {
    let scenario = Scenario::samples()?;
    let server = SimServer::start(scenario, as_of)
        .await
        .context("cannot start the sample sites on loopback")?;
    cfg.fetch.resolve.extend(server.resolve_entries());
    let store = Store::open(db).await?;
    // Stored, archived and judged as `check` does, the archive beside the demo's database.
    cfg.store.db = db.to_path_buf();
    cfg.archive.dir = None;
    let auditor = Auditor::for_store(&cfg, &store, true)?;
    let sites = server.sites();
    eprintln!(
        "Serving {} sample sites on {}; auditing as of {as_of} …",
        sites.len(),
        server.addr
    );
    let mut results = Vec::new();
    // Each audit is a task of its own, so it goes on (and finishes its archive capture, which
    // writes the index) while a finished one is stored: audits left unpolled in a stream while
    // its consumer stores would hold the database's write lock the store waits for.
    let mut running = tokio::task::JoinSet::new();
    for (name, url) in sites.iter().cloned() {
        let auditor = auditor.clone();
        running.spawn(async move {
            let parsed = parse_site_url(&url)?;
            let r = auditor.audit(&parsed, as_of).await;
            Ok::<_, anyhow::Error>((name, r))
        });
    }
    while let Some(done) = running.join_next().await {
        let (name, r) = done.context("a sample site's audit stopped")??;
        let id = r.save(&store).await?;
        eprintln!(
            "  [{}/{}] {} — {}",
            results.len() + 1,
            sites.len(),
            name,
            documents::check::conclusion(&r.evaluation),
        );
        let file = out.join(format!("check-{id}.md"));
        std::fs::write(&file, render::markdown::check_markdown(&r, Some(id)))
            .with_context(|| format!("cannot write {}", file.display()))?;
        results.push((name, r, id));
    }
    store.close().await;
    results.sort_by_key(|(_, _, id)| *id);
    for (name, r, id) in &results {
        outln!("==== {name} ====");
        out!("{}", render::text::check_text(r, Some(*id)));
        outln!();
    }
    let failed = results
        .iter()
        .filter(|(_, r, _)| r.evaluation.verdict == govaudit::findings::Verdict::Fail)
        .count();
    outln!(
        "检查网站 {} 个，不合格 {} 个。结果已存入 {}，各网站报告见 {}/check-*.md",
        results.len(),
        failed,
        db.display(),
        out.display()
    );
    Ok(EXIT_PASS)
}
