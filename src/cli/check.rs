//! `govaudit check URL`: the single-site audit (自查).

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::Args;
use url::Url;

use govaudit::audit::Auditor;
use govaudit::config::{Config, CrawlConfig};
use govaudit::deep::DeepSettings;
use govaudit::findings::Verdict;
use govaudit::render;
use govaudit::store::Store;

use super::format::{Format, TEXT_JSON_MD};
use super::{EXIT_FAIL, EXIT_PASS};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Site URL (a host, or a path prefix such as http://218.95.179.142/gysfgw).
    pub url: String,
    /// Judge freshness as of this date (YYYY-MM-DD) [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON_MD))]
    pub format: Format,
    /// Do not store the result in the database (a deep crawl then uses a private in-memory
    /// database and cannot be resumed).
    #[arg(long)]
    pub no_store: bool,
    /// Do not keep the pages read in the evidence archive (archive.enabled of the config).
    #[arg(long)]
    pub no_archive: bool,
    #[command(flatten)]
    pub deep: DeepArgs,
}

/// `--deep [--max-pages N] [--max-depth D]`, for `check` and `round run`.
#[derive(Debug, Args)]
pub struct DeepArgs {
    /// After the audit, crawl the whole site and check every link found (resumable; in a round,
    /// link results are shared by the round's sites: each URL requested once per round).
    #[arg(long)]
    pub deep: bool,
    /// Deep crawl: most pages fetched per site [default: crawl.deep_max_pages, 5000].
    #[arg(long, value_name = "N", requires = "deep")]
    pub max_pages: Option<usize>,
    /// Deep crawl: most clicks from the homepage [default: crawl.deep_max_depth, 10].
    #[arg(long, value_name = "D", requires = "deep")]
    pub max_depth: Option<usize>,
}

impl DeepArgs {
    /// The deep-crawl settings when `--deep` is given: the config's, overridden by the options.
    pub fn settings(&self, cfg: &CrawlConfig) -> Option<DeepSettings> {
        self.deep.then(|| {
            let mut settings = DeepSettings::from_config(cfg);
            settings.max_pages = self.max_pages.unwrap_or(settings.max_pages);
            settings.max_depth = self.max_depth.unwrap_or(settings.max_depth);
            settings
        })
    }
}

/// Parse a site or page URL given on the command line with the registry's parser
/// ([`govaudit::registry::parse_url`]: a missing scheme means http, credentials are refused,
/// the result is normalised), so `check` stores a site under the URL the registry knows it by.
pub fn parse_site_url(input: &str) -> Result<Url> {
    govaudit::registry::parse_url(input).map_err(anyhow::Error::msg)
}

pub async fn run(cfg: Config, args: CheckArgs) -> Result<u8> {
    // The URL is stored with the check: the parser refuses one with a password in it.
    let url = parse_site_url(&args.url)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let store = if args.no_store {
        None
    } else {
        Some(Store::open(&cfg.store.db).await?)
    };
    // A stored check reads the availability monitor's record (站点无法访问) and archives the
    // pages read; --no-store archives nothing.
    let auditor = match &store {
        Some(s) => Auditor::for_store(&cfg, s, !args.no_archive),
        None => Auditor::from_config(&cfg),
    }
    .context("cannot set up the audit")?;
    let result = if let Some(settings) = args.deep.settings(&cfg.crawl) {
        let crawl_store = match &store {
            Some(s) => s.clone(),
            None => Store::open_memory().await?,
        };
        let (result, outcome) = auditor
            .audit_deep(&url, as_of, &crawl_store, &settings)
            .await
            .context("deep crawl failed (rerun the same command to resume it)")?;
        eprintln!(
            "deep crawl {}{}: {} pages, {} links checked, {} link problems",
            outcome.crawl_id,
            if outcome.resumed { " (resumed)" } else { "" },
            outcome.pages,
            outcome.links.checked,
            outcome.links.problems.len()
        );
        result
    } else {
        auditor.audit(&url, as_of).await
    };
    let check_id = match &store {
        Some(s) => {
            let id = result.save(s).await.context("cannot store the check")?;
            // Checkpoint the write-ahead log into the database file before exiting.
            s.close().await;
            // Without --db the database is govaudit.db wherever the command ran: say where.
            let db = std::path::absolute(&cfg.store.db).unwrap_or_else(|_| cfg.store.db.clone());
            eprintln!("stored as check {id} in {}", db.display());
            Some(id)
        }
        None => None,
    };
    match args.format {
        Format::Text => out!("{}", render::text::check_text(&result, check_id)),
        Format::Md => out!("{}", render::markdown::check_markdown(&result, check_id)),
        Format::Json => {
            let doc = render::json::check_json(&result, check_id);
            outln!("{}", govaudit::escape::json::to_string_pretty(&doc)?);
        }
        other => return Err(other.unsupported("check")),
    }
    Ok(match result.evaluation.verdict {
        Verdict::Pass => EXIT_PASS,
        Verdict::Fail => EXIT_FAIL,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_url_is_read_as_the_registry_reads_it() {
        let url = parse_site_url(" www.a.gov.cn:80/#top ").expect("url");
        assert_eq!(url.as_str(), "http://www.a.gov.cn/");
        assert_eq!(
            Some(url),
            govaudit::registry::parse_url("http://www.a.gov.cn").ok()
        );
        let refused = parse_site_url("http://admin:secret@a.gov.cn/").expect_err("credentials");
        assert!(!refused.to_string().contains("secret"), "{refused}");
    }
}
