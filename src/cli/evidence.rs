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
