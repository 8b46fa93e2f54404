//! `govaudit links URL... | --from-file FILE`: check the links on the given pages without
//! crawling further. Exit code 0 when no link is broken, 1 when some link is broken or a page
//! could not be opened, 2 when the command could not run. The global `--rules DIR` /
//! `--profile` apply as in `check`: links are read with the page vocabulary of
//! `DIR/page.toml` (Hanweb list records, base handling …), and a bad rules directory or an
//! unknown profile is an error.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Args;
use url::Url;

use govaudit::analysis::Vocabulary;
use govaudit::config::Config;
use govaudit::fetch::Fetcher;
use govaudit::linkcheck::LinkChecker;
use govaudit::observation::LinkState;
use govaudit::render;
use govaudit::rules::RuleSet;

use super::check::parse_site_url;
use super::format::{Format, TEXT_JSON_MD};
use super::{EXIT_FAIL, EXIT_PASS};

#[derive(Debug, Args)]
pub struct LinksArgs {
    /// Pages whose links are checked (not crawled further).
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    /// Read page URLs from FILE, one a line (blank lines and lines starting with # skipped).
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON_MD))]
    pub format: Format,
}

/// The pages to read: the arguments, then the file's lines.
fn page_list(args: &LinksArgs) -> Result<Vec<Url>> {
    let mut inputs: Vec<String> = args.urls.clone();
    if let Some(path) = &args.from_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        inputs.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    if inputs.is_empty() {
        bail!("no page given: pass URLs or --from-file FILE");
    }
    let mut pages = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let url = parse_site_url(input)?;
        if !pages.contains(&url) {
            pages.push(url);
        }
    }
    Ok(pages)
}

/// The page vocabulary of the configured rules (`--rules DIR`, `--profile`), loaded as `check`
/// loads it.
fn vocabulary(cfg: &Config) -> Result<Vocabulary> {
    let rules = match &cfg.rules.dir {
        Some(dir) => RuleSet::from_dir(dir, &cfg.rules.profile),
        None => RuleSet::builtin(&cfg.rules.profile),
    }
    .context("cannot load the rules")?;
    Ok(rules.vocabulary)
}

pub async fn run(cfg: Config, args: LinksArgs) -> Result<u8> {
    let pages = page_list(&args)?;
    let vocab = vocabulary(&cfg)?;
    let fetcher = Fetcher::new(&cfg.fetch).context("cannot set up the HTTP client")?;
    let checker = LinkChecker::new(Arc::new(fetcher), vocab, cfg.fetch.concurrency)
        .with_parse_limits(cfg.crawl.parse_limits());
    let report = checker.run(&pages).await;
    if report.unreadable.len() == pages.len() {
        for p in &report.unreadable {
            eprintln!(
                "cannot open {}: {}",
                govaudit::escape::terminal::inline(&p.url),
                govaudit::escape::terminal::inline(&p.reason)
            );
        }
        bail!("none of the {} pages could be opened", pages.len());
    }
    match args.format {
        Format::Text => out!("{}", render::text::links_text(&report)),
        Format::Md => out!("{}", render::markdown::links_markdown(&report)),
        Format::Json => outln!(
            "{}",
            govaudit::escape::json::to_string(&render::json::links_json(&report))?
        ),
        other => return Err(other.unsupported("links")),
    }
    Ok(
        if report.links.in_state(LinkState::Broken).is_empty() && report.unreadable.is_empty() {
            EXIT_PASS
        } else {
            EXIT_FAIL
        },
    )
}
