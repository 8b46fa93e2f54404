//! `govaudit evidence CHECK_ID [--url URL] [--out DIR]`: a check's archived pages as files that
//! open in a browser offline.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use govaudit::archive::evidence::{beijing_time, export};
use govaudit::archive::Archive;
use govaudit::config::Config;
use govaudit::store::Store;

use super::EXIT_PASS;

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// The stored check whose archived pages to write.
    pub check_id: i64,
    /// Only this page (as archived, e.g. a column page a finding names).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Output folder [default: evidence-CHECK_ID].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub async fn run(cfg: Config, args: EvidenceArgs) -> Result<u8> {
    let store = Store::open_existing(&cfg.store.db).await?;
    let dir = cfg.archive.dir_for(&cfg.store.db);
    let archive = Archive::open(&dir, store.pool().clone(), cfg.archive.max_site_bytes)
        .context("cannot open the evidence archive")?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("evidence-{}", args.check_id)));
    let pages = export(&archive, args.check_id, args.url.as_deref(), &out)
        .await
        .with_context(|| format!("cannot write the evidence of check {}", args.check_id))?;
    for p in &pages {
        outln!(
            "{}  {}  存档于 {}",
            out.join(&p.file).display(),
            p.url,
            beijing_time(&p.fetched_at)
        );
    }
    eprintln!(
        "{} archived pages of check {} written to {} (open index.html)",
        pages.len(),
        args.check_id,
        out.display()
    );
    Ok(EXIT_PASS)
}

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    #[command(subcommand)]
    pub command: ArchiveCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ArchiveCommand {
    /// Remove captures older than an age (their index rows and WARC files); a capture whose
    /// payloads a newer capture's revisit records need is kept.
    Prune(PruneArgs),
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Remove captures started longer ago than this: 2y, 18m (months of 30 days), 90d.
    #[arg(long, value_name = "AGE")]
    pub older_than: String,
    /// Only say what would be removed.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn run_archive(cfg: Config, args: ArchiveArgs) -> Result<u8> {
    let ArchiveCommand::Prune(p) = args.command;
    let age = govaudit::archive::prune::parse_age(&p.older_than).map_err(anyhow::Error::msg)?;
    let store = Store::open(&cfg.store.db).await?;
    let dir = cfg.archive.dir_for(&cfg.store.db);
    let archive = Archive::open(&dir, store.pool().clone(), cfg.archive.max_site_bytes)
        .context("cannot open the evidence archive")?;
    let pruned = archive
        .prune(chrono::Utc::now() - age, p.dry_run)
        .await
        .context("cannot prune the archive")?;
    store.close().await;
    eprintln!(
        "{} {} captures ({} files, {:.1} MB) older than {}{}",
        if p.dry_run { "would remove" } else { "removed" },
        pruned.captures,
        pruned.files,
        pruned.bytes as f64 / 1e6,
        p.older_than,
        if pruned.kept_for_revisits > 0 {
            format!(
                "; kept {} older captures whose payloads newer captures refer to",
                pruned.kept_for_revisits
            )
        } else {
            String::new()
        }
    );
    Ok(EXIT_PASS)
}
