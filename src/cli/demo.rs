//! `govaudit demo`: serves the built-in sample sites on loopback, audits each of them through
//! the same pipeline as `check`, stores the results and prints them.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Args;
use futures::stream::{self, StreamExt};

use govaudit::audit::Auditor;
use govaudit::config::Config;
use govaudit::report;
use govaudit::sim::{Scenario, SimServer};
use govaudit::store::Store;

use super::check::parse_site_url;
use super::EXIT_PASS;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// As-of date of the audit (inside the 2018 Q1 sampling window by default).
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2018-02-01")]
    pub as_of: NaiveDate,
    /// Folder for the demo database and the per-site reports.
    #[arg(long, value_name = "DIR", default_value = "govaudit-demo")]
    pub out: PathBuf,
}

pub async fn run(mut cfg: Config, args: DemoArgs) -> Result<u8> {
    let scenario = Scenario::samples()?;
    let server = SimServer::start(scenario, args.as_of)
        .await
        .context("cannot start the sample sites on loopback")?;
    cfg.fetch.resolve.extend(server.resolve_entries());
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let db = args.out.join("govaudit-demo.db");
    let store = Store::open(&db).await?;
    let auditor = Auditor::from_config(&cfg)?;

    let sites = server.sites();
    eprintln!(
        "Serving {} sample sites on {}; auditing as of {} …",
        sites.len(),
        server.addr,
        args.as_of
    );
    let mut results = Vec::new();
    let mut running = stream::iter(sites.iter().cloned())
        .map(|(name, url)| {
            let auditor = auditor.clone();
            async move {
                let parsed = parse_site_url(&url)?;
                let r = auditor.audit(&parsed, args.as_of).await;
                Ok::<_, anyhow::Error>((name, r))
            }
        })
        .buffer_unordered(8);
    while let Some(done) = running.next().await {
        let (name, r) = done?;
        let id = r.save(&store).await?;
        eprintln!(
            "  [{}/{}] {} — {}（{:.1}分）",
            results.len() + 1,
            sites.len(),
            name,
            r.evaluation.verdict.label(),
            r.evaluation.score
        );
        let md = report::check_markdown(&r, Some(id));
        let file = args.out.join(format!("check-{id}.md"));
        std::fs::write(&file, md).with_context(|| format!("cannot write {}", file.display()))?;
        results.push((name, r, id));
    }
    results.sort_by_key(|(_, _, id)| *id);
    for (name, r, id) in &results {
        println!("==== {name} ====");
        print!("{}", report::check_text(r, Some(*id)));
        println!();
    }
    let failed = results
        .iter()
        .filter(|(_, r, _)| r.evaluation.verdict == govaudit::findings::Verdict::Fail)
        .count();
    println!(
        "检查网站 {} 个，不合格 {} 个。结果已存入 {}，各网站报告见 {}/check-*.md",
        results.len(),
        failed,
        db.display(),
        args.out.display()
    );
    Ok(EXIT_PASS)
}
