//! Configuration: one struct, read from TOML (`config.toml` documents every setting and its
//! default), then overridden by command-line flags. Precedence: CLI > file > built-in default.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Errors reading the configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid setting {key}: {message}")]
    Invalid { key: String, message: String },
}

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub fetch: FetchConfig,
    pub crawl: CrawlConfig,
    pub rules: RulesConfig,
    pub store: StoreConfig,
    pub stats: crate::stats::StatsSettings,
    pub report: ReportConfig,
}

/// What to do with robots.txt.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RobotsPolicy {
    /// Do not read robots.txt at all.
    Ignore,
    /// Read robots.txt and honour `Crawl-delay` (slowing down), but audit disallowed pages:
    /// the inspection covers every public page, whatever robots.txt says.
    #[default]
    DelayOnly,
    /// Honour both `Disallow` and `Crawl-delay`; disallowed pages are skipped and reported.
    Respect,
}

/// Per-host politeness override.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct HostOverride {
    /// Requests per second to this host (0 = unlimited).
    pub rate: Option<f64>,
    /// Requests in flight to this host at once.
    pub concurrency: Option<usize>,
}

/// The fetch layer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FetchConfig {
    /// User-Agent sent with every request.
    pub user_agent: String,
    /// Whole-request timeout in seconds (the national availability test uses 15 s).
    pub timeout_secs: f64,
    /// Connect timeout in seconds.
    pub connect_timeout_secs: f64,
    /// Retries after the first attempt, for timeouts, 5xx and 429.
    pub retries: u32,
    /// First backoff in milliseconds; doubled on each retry.
    pub backoff_ms: u64,
    /// Longest wait honoured from a `Retry-After` header, in seconds; longer asks give up.
    pub max_retry_after_secs: u64,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Response bodies are cut at this many bytes.
    pub max_body_bytes: usize,
    /// Requests per second per host (0 = unlimited).
    pub host_rate: f64,
    /// Requests in flight per host.
    pub host_concurrency: usize,
    /// Requests in flight overall.
    pub concurrency: usize,
    /// Per-host overrides, keyed by host name (`[fetch.hosts."www.example.gov.cn"]`).
    pub hosts: BTreeMap<String, HostOverride>,
    /// robots.txt policy: `ignore`, `delay-only` or `respect`.
    pub robots: RobotsPolicy,
    /// HTTP(S) proxy for every request; `HTTP_PROXY`/`HTTPS_PROXY` are honoured when unset.
    pub proxy: Option<String>,
    /// Static host routes, `HOST=IP:PORT`, like curl's `--resolve`.
    pub resolve: Vec<String>,
    /// Fetch links and redirects that lead into loopback, private or link-local addresses.
    pub allow_private: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: format!(
                "Mozilla/5.0 (compatible; govaudit/{}; government website inspection)",
                env!("CARGO_PKG_VERSION")
            ),
            timeout_secs: 15.0,
            connect_timeout_secs: 10.0,
            retries: 2,
            backoff_ms: 500,
            max_retry_after_secs: 30,
            max_redirects: 10,
            max_body_bytes: 5 * 1024 * 1024,
            host_rate: 2.0,
            host_concurrency: 2,
            concurrency: 64,
            hosts: BTreeMap::new(),
            robots: RobotsPolicy::default(),
            proxy: None,
            resolve: Vec::new(),
            allow_private: false,
        }
    }
}

/// How much of a site the single-site audit visits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CrawlConfig {
    /// Most columns audited per site (homepage navigation, blocks and second-level navigation).
    pub max_columns: usize,
    /// Follow second-level navigation found on column pages.
    pub subnav: bool,
    /// When a list shows no dates, open the newest item to read its publish date.
    pub open_undated_items: bool,
    /// Undated homepage items opened (in page order, inside the site) to read their dates, as an
    /// inspector clicks through: 「未注明信息发布时间的视为不更新」 is about information dated
    /// nowhere. 0 = never.
    pub homepage_undated_opened: usize,
    /// Check every link found on the homepage and column pages.
    pub check_links: bool,
    /// Most unique links checked per site.
    pub max_links: usize,
    /// `round run`: most sites audited at once (a memory ceiling; below it, sites start while
    /// the global cap has room).
    pub sites_at_once: usize,
    /// `check --deep`: most pages fetched (`--max-pages` overrides).
    pub deep_max_pages: usize,
    /// `check --deep`: most clicks from the homepage (`--max-depth` overrides).
    pub deep_max_depth: usize,
    /// `check --deep`: frontier rows held in memory at once; the rest stay in SQLite.
    pub deep_batch: usize,
    /// `check --deep`: distinct query strings crawled per path (query-explosion guard).
    pub deep_max_query_variants: usize,
    /// `check --deep`: times one path segment may occur in a path (/a/b/a/b/a/b guard).
    pub deep_max_segment_repeats: usize,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            max_columns: 80,
            subnav: true,
            open_undated_items: true,
            homepage_undated_opened: 5,
            check_links: true,
            max_links: 2000,
            sites_at_once: 8000,
            deep_max_pages: 5000,
            deep_max_depth: 10,
            deep_batch: 64,
            deep_max_query_variants: 20,
            deep_max_segment_repeats: 2,
        }
    }
}

/// Which rules to apply.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {
    /// Rule profile: a folder name under the rules directory (`gb2015`).
    pub profile: String,
    /// Rules directory; when unset, the rules built into the binary are used.
    pub dir: Option<PathBuf>,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            profile: "gb2015".into(),
            dir: None,
        }
    }
}

/// Reports (`govaudit report`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Early warnings of the self-check report: columns that go stale within this many days of
    /// the check's date.
    pub warn_days: u32,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig { warn_days: 7 }
    }
}

/// Where results are stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// SQLite database file.
    pub db: PathBuf,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            db: PathBuf::from("govaudit.db"),
        }
    }
}

impl Config {
    /// Parse a config from TOML text; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Read a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(&text, path)
    }

    /// Check values that serde cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let f = &self.fetch;
        let bad = |key: &str, message: &str| {
            Err(ConfigError::Invalid {
                key: key.into(),
                message: message.into(),
            })
        };
        if !(f.timeout_secs > 0.0 && f.timeout_secs.is_finite()) {
            return bad("fetch.timeout_secs", "must be a positive number of seconds");
        }
        if !(f.connect_timeout_secs > 0.0 && f.connect_timeout_secs.is_finite()) {
            return bad(
                "fetch.connect_timeout_secs",
                "must be a positive number of seconds",
            );
        }
        if !(f.host_rate >= 0.0 && f.host_rate.is_finite()) {
            return bad(
                "fetch.host_rate",
                "must be 0 (unlimited) or a positive rate",
            );
        }
        if f.host_concurrency == 0 {
            return bad("fetch.host_concurrency", "must be at least 1");
        }
        if f.concurrency == 0 {
            return bad("fetch.concurrency", "must be at least 1");
        }
        for (host, o) in &f.hosts {
            if let Some(r) = o.rate {
                if !(r >= 0.0 && r.is_finite()) {
                    return bad(&format!("fetch.hosts.{host}.rate"), "must be 0 or positive");
                }
            }
            if o.concurrency == Some(0) {
                return bad(
                    &format!("fetch.hosts.{host}.concurrency"),
                    "must be at least 1",
                );
            }
        }
        if self.crawl.sites_at_once == 0 {
            return bad("crawl.sites_at_once", "must be at least 1");
        }
        if self.rules.profile.is_empty()
            || self.rules.profile.contains(['/', '\\'])
            || self.rules.profile.starts_with('.')
        {
            return bad("rules.profile", "must be a folder name such as gb2015");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_config_parses_and_equals_defaults() {
        let text = include_str!("../config.toml");
        let cfg = Config::from_toml(text, Path::new("config.toml")).expect("config.toml parses");
        assert_eq!(
            cfg,
            Config::default(),
            "config.toml must document the defaults"
        );
    }

    #[test]
    fn unknown_key_names_the_file() {
        let err = Config::from_toml("[fetch]\nhost_rat = 3\n", Path::new("x.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("x.toml") && msg.contains("host_rat"), "{msg}");
    }

    #[test]
    fn zero_concurrency_is_rejected() {
        let err = Config::from_toml("[fetch]\nhost_concurrency = 0\n", Path::new("c.toml"));
        assert!(matches!(err, Err(ConfigError::Invalid { .. })));
    }
}
