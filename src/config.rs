//! Configuration: one struct, read from TOML (`config.toml` documents every setting and its
//! default), then overridden by command-line flags. Precedence: CLI > file > built-in default.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Errors reading the configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file cannot be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The config file given.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML or has unknown or mistyped settings.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The config file.
        path: PathBuf,
        /// The TOML error, with its line.
        message: String,
    },
    /// A value serde accepts but the program cannot use (it would hang, or means nothing).
    /// `path` names the config file when the value came from one.
    #[error("{}", invalid_text(.path.as_deref(), .key, .message))]
    Invalid {
        /// The config file, when the value came from one; `None` for a flag.
        path: Option<PathBuf>,
        /// The setting, e.g. `fetch.host_concurrency`.
        key: String,
        /// Why the value cannot be used.
        message: String,
    },
}

fn invalid_text(path: Option<&Path>, key: &str, message: &str) -> String {
    match path {
        Some(path) => format!(
            "invalid config file {}: setting {key} {message}",
            path.display()
        ),
        None => format!("invalid setting {key}: {message}"),
    }
}

/// Largest values accepted for settings that would otherwise let one request or one host
/// keep an audit (and a whole round) waiting for hours.
pub mod ceilings {
    /// `fetch.timeout_secs`, `fetch.connect_timeout_secs`: 10 minutes.
    pub const TIMEOUT_SECS: f64 = 600.0;
    /// `fetch.retries`.
    pub const RETRIES: u32 = 10;
    /// `fetch.backoff_ms`: one minute before the first retry.
    pub const BACKOFF_MS: u64 = 60_000;
    /// All backoff waits of one request together (`backoff_ms · (2^retries − 1)`): 10 minutes.
    pub const TOTAL_BACKOFF_MS: u64 = 600_000;
    /// `fetch.max_retry_after_secs`, `fetch.max_crawl_delay_secs`: 10 minutes.
    pub const WAIT_SECS: u64 = 600;
    /// `fetch.max_redirects`.
    pub const REDIRECTS: usize = 50;
    /// `fetch.max_body_bytes`: 100 MiB.
    pub const BODY_BYTES: usize = 100 * 1024 * 1024;
    /// Lowest non-zero `fetch.host_rate` (and per-host `rate`): one request per 100 s.
    pub const MIN_RATE: f64 = 0.01;
    /// `crawl.max_nesting_depth`.
    pub const NESTING_DEPTH: usize = 10_000;
    /// `crawl.consultation_pages`: list pages of one 政务咨询类 column.
    pub const CONSULTATION_PAGES: usize = 100;
    /// `crawl.consultation_opened`: messages opened in one 政务咨询类 column; also
    /// `crawl.service_guides_opened`.
    pub const CONSULTATION_OPENED: usize = 1000;
}

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[fetch]`: politeness, timeouts, retries, limits of the HTTP layer.
    pub fetch: FetchConfig,
    /// `[crawl]`: what a site audit reads and how much of it.
    pub crawl: CrawlConfig,
    /// `[rules]`: the rule profile and where its files are.
    pub rules: RulesConfig,
    /// `[store]`: the SQLite database.
    pub store: StoreConfig,
    /// `[stats]`: how the quarterly statistics count a failed site.
    pub stats: crate::stats::StatsSettings,
    /// `[report]`: the self-check report's early warnings.
    pub report: ReportConfig,
    /// `[notice]`: the issuing office's particulars for the 通报.
    pub notice: NoticeConfig,
    /// `[monitor]`: the availability monitor's probes per day and progress lines.
    pub monitor: MonitorConfig,
    /// `[archive]`: whether audits are archived as WARC, where, and how much per site.
    pub archive: ArchiveConfig,
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
    /// Longest robots.txt `Crawl-delay` honoured, in seconds; a longer one is cut to this
    /// (and reported), so a site asking for a day between requests cannot hang the audit.
    pub max_crawl_delay_secs: u64,
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
            max_crawl_delay_secs: 30,
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
    /// 政务咨询类 columns (互动回应差): most list pages read per column (the first and those behind
    /// 下一页; reading stops earlier at a page whose messages are all over a year old).
    pub consultation_pages: usize,
    /// Most messages opened per 政务咨询类 column to read whether and when they were answered,
    /// when the list does not say (newest first, within the year).
    pub consultation_opened: usize,
    /// 办事服务类 columns (服务不实用): most 办事指南 pages opened per column, in list order.
    pub service_guides_opened: usize,
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
    /// Page analysis: elements nested deeper than this are read at this depth and the page is
    /// reported as cut short (bounds parse time on hostile pages).
    pub max_nesting_depth: usize,
}

impl CrawlConfig {
    /// How pages are parsed under these settings.
    pub fn parse_limits(&self) -> crate::analysis::ParseLimits {
        crate::analysis::ParseLimits {
            max_depth: self.max_nesting_depth.max(1),
        }
    }
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            max_columns: 80,
            subnav: true,
            open_undated_items: true,
            homepage_undated_opened: 5,
            consultation_pages: 5,
            consultation_opened: 20,
            service_guides_opened: 10,
            check_links: true,
            max_links: 2000,
            sites_at_once: 8000,
            deep_max_pages: 5000,
            deep_max_depth: 10,
            deep_batch: 64,
            deep_max_query_variants: 20,
            deep_max_segment_repeats: 2,
            max_nesting_depth: crate::analysis::parse::DEFAULT_MAX_DEPTH,
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

/// The issuing office's particulars of a notice (`govaudit report notice`, and the demo with
/// the seed's values): what an office would otherwise type into the document by hand.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NoticeConfig {
    /// 发文机关: the issuing office's full name, in the 落款 and in the text (报…备案).
    pub issuer: String,
    /// 发文字号 (文号), e.g. 宁政办函〔2018〕27号, printed above the title; none when unset.
    pub doc_number: Option<String>,
    /// 主送机关: the line under the title, ending with a full-width colon.
    pub addressee: String,
    /// 联系人 line closing the text, e.g. 联系人：张三，电话：0951-1234567; none when unset.
    pub contact: Option<String>,
    /// 报送截止日期: the date the 整改及问责处理情况 is due; the sentence is left out when unset.
    pub report_deadline: Option<chrono::NaiveDate>,
    /// 成文日期 (落款 date); `report notice --date` overrides it; none when unset.
    pub date: Option<chrono::NaiveDate>,
}

impl Default for NoticeConfig {
    fn default() -> Self {
        NoticeConfig {
            issuer: "自治区人民政府办公厅".into(),
            doc_number: None,
            addressee: "各市、县（区）人民政府，自治区政府各部门、各直属机构：".into(),
            contact: None,
            report_deadline: None,
            date: None,
        }
    }
}

impl NoticeConfig {
    /// The values of the seed notice (宁政办函〔2018〕27号), used by `govaudit demo`.
    pub fn seed_2018q1() -> NoticeConfig {
        NoticeConfig {
            issuer: "宁夏回族自治区人民政府办公厅".into(),
            doc_number: Some("宁政办函〔2018〕27号".into()),
            addressee: "各市、县（区）人民政府，自治区政府各部门、各直属机构：".into(),
            contact: Some("联系人、电话从略".into()),
            report_deadline: chrono::NaiveDate::from_ymd_opt(2018, 3, 31),
            date: chrono::NaiveDate::from_ymd_opt(2018, 3, 27),
        }
    }
}

/// Availability monitoring (`govaudit monitor`). The official test's numbers (监测1周, 20次/天,
/// 5%, 15秒) are params of the `site.unreachable` rule file, not settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MonitorConfig {
    /// Probes per site per day when `--per-day` is not given (the interval is a day ÷ this).
    pub per_day: u32,
    /// Seconds between two summary lines on stderr.
    pub summary_every_secs: u64,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            per_day: 24,
            summary_every_secs: 600,
        }
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

/// The evidence archive ([`crate::archive`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ArchiveConfig {
    /// Keep every response `check` and `round run` read, as WARC files (`--no-archive` turns
    /// it off for one command).
    pub enabled: bool,
    /// Folder of the WARC files (default: beside the database, `<db name>-archive/`).
    pub dir: Option<PathBuf>,
    /// Most bytes of WARC (compressed) one site's capture keeps bodies for; past it, responses
    /// are archived with their headers only, marked `WARC-Truncated: length`.
    pub max_site_bytes: u64,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        ArchiveConfig {
            enabled: true,
            dir: None,
            max_site_bytes: 50 * 1024 * 1024,
        }
    }
}

impl ArchiveConfig {
    /// The archive folder for the database `db`: `dir`, else beside the database.
    pub fn dir_for(&self, db: &Path) -> PathBuf {
        self.dir
            .clone()
            .unwrap_or_else(|| crate::archive::default_dir(db))
    }
}

impl Config {
    /// Parse a config from TOML text; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })?;
        cfg.validate().map_err(|e| match e {
            ConfigError::Invalid { key, message, .. } => ConfigError::Invalid {
                path: Some(origin.to_path_buf()),
                key,
                message,
            },
            other => other,
        })?;
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

    /// Check values that serde cannot: nothing that means nothing (zero where zero makes no
    /// sense, NaN, infinity) and nothing that would hang an audit (see [`ceilings`]).
    pub fn validate(&self) -> Result<(), ConfigError> {
        use ceilings as c;
        let f = &self.fetch;
        let bad = |key: &str, message: String| {
            Err(ConfigError::Invalid {
                path: None,
                key: key.into(),
                message,
            })
        };
        let seconds = |v: f64| v > 0.0 && v <= c::TIMEOUT_SECS;
        let rate = |v: f64| v == 0.0 || (c::MIN_RATE..=f64::MAX).contains(&v);
        let rate_text = || {
            format!(
                "must be 0 (unlimited) or a rate of at least {} requests per second",
                c::MIN_RATE
            )
        };
        if !seconds(f.timeout_secs) {
            return bad(
                "fetch.timeout_secs",
                format!(
                    "must be a number of seconds above 0 and at most {}",
                    c::TIMEOUT_SECS
                ),
            );
        }
        if !seconds(f.connect_timeout_secs) {
            return bad(
                "fetch.connect_timeout_secs",
                format!(
                    "must be a number of seconds above 0 and at most {}",
                    c::TIMEOUT_SECS
                ),
            );
        }
        if f.retries > c::RETRIES {
            return bad("fetch.retries", format!("must be at most {}", c::RETRIES));
        }
        if f.backoff_ms > c::BACKOFF_MS {
            return bad(
                "fetch.backoff_ms",
                format!("must be at most {}", c::BACKOFF_MS),
            );
        }
        let total = f
            .backoff_ms
            .saturating_mul((1u64 << f.retries).saturating_sub(1));
        if total > c::TOTAL_BACKOFF_MS {
            return bad(
                "fetch.backoff_ms",
                format!(
                    "with {} retries waits {total} ms per request in backoff alone; at most {} \
                     (lower backoff_ms or retries)",
                    f.retries,
                    c::TOTAL_BACKOFF_MS
                ),
            );
        }
        if self.crawl.consultation_pages > c::CONSULTATION_PAGES {
            return bad(
                "crawl.consultation_pages",
                format!("must be at most {}", c::CONSULTATION_PAGES),
            );
        }
        if self.crawl.consultation_opened > c::CONSULTATION_OPENED {
            return bad(
                "crawl.consultation_opened",
                format!("must be at most {}", c::CONSULTATION_OPENED),
            );
        }
        if self.crawl.service_guides_opened > c::CONSULTATION_OPENED {
            return bad(
                "crawl.service_guides_opened",
                format!("must be at most {}", c::CONSULTATION_OPENED),
            );
        }
        if f.max_retry_after_secs > c::WAIT_SECS {
            return bad(
                "fetch.max_retry_after_secs",
                format!("must be at most {}", c::WAIT_SECS),
            );
        }
        if !(1..=c::WAIT_SECS).contains(&f.max_crawl_delay_secs) {
            return bad(
                "fetch.max_crawl_delay_secs",
                format!(
                    "must be between 1 and {} (robots = \"ignore\" does not read robots.txt)",
                    c::WAIT_SECS
                ),
            );
        }
        if f.max_redirects > c::REDIRECTS {
            return bad(
                "fetch.max_redirects",
                format!("must be at most {}", c::REDIRECTS),
            );
        }
        if !(1..=c::BODY_BYTES).contains(&f.max_body_bytes) {
            return bad(
                "fetch.max_body_bytes",
                format!("must be between 1 and {}", c::BODY_BYTES),
            );
        }
        if !rate(f.host_rate) {
            return bad("fetch.host_rate", rate_text());
        }
        if f.host_concurrency == 0 {
            return bad("fetch.host_concurrency", "must be at least 1".into());
        }
        if f.concurrency == 0 {
            return bad("fetch.concurrency", "must be at least 1".into());
        }
        for (host, o) in &f.hosts {
            if o.rate.is_some_and(|r| !rate(r)) {
                return bad(&format!("fetch.hosts.{host}.rate"), rate_text());
            }
            if o.concurrency == Some(0) {
                return bad(
                    &format!("fetch.hosts.{host}.concurrency"),
                    "must be at least 1".into(),
                );
            }
        }
        if self.crawl.sites_at_once == 0 {
            return bad("crawl.sites_at_once", "must be at least 1".into());
        }
        if !(1..=c::NESTING_DEPTH).contains(&self.crawl.max_nesting_depth) {
            return bad(
                "crawl.max_nesting_depth",
                format!("must be between 1 and {}", c::NESTING_DEPTH),
            );
        }
        if self.monitor.per_day == 0 || self.monitor.per_day > crate::monitor::schedule::MAX_PER_DAY
        {
            return bad(
                "monitor.per_day",
                format!(
                    "must be between 1 and {}",
                    crate::monitor::schedule::MAX_PER_DAY
                ),
            );
        }
        if self.monitor.summary_every_secs == 0 {
            return bad("monitor.summary_every_secs", "must be at least 1".into());
        }
        if self.rules.profile.is_empty()
            || self.rules.profile.contains(['/', '\\'])
            || self.rules.profile.starts_with('.')
        {
            return bad(
                "rules.profile",
                "must be a folder name such as gb2015".into(),
            );
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

    #[test]
    fn settings_that_would_hang_or_mean_nothing_name_the_file_and_the_setting() {
        for (toml, key) in [
            ("[fetch]\ntimeout_secs = inf\n", "fetch.timeout_secs"),
            ("[fetch]\ntimeout_secs = nan\n", "fetch.timeout_secs"),
            ("[fetch]\ntimeout_secs = 0.0\n", "fetch.timeout_secs"),
            ("[fetch]\ntimeout_secs = 1e300\n", "fetch.timeout_secs"),
            (
                "[fetch]\nconnect_timeout_secs = inf\n",
                "fetch.connect_timeout_secs",
            ),
            ("[fetch]\nretries = 4000000000\n", "fetch.retries"),
            ("[fetch]\nbackoff_ms = 86400000\n", "fetch.backoff_ms"),
            (
                "[fetch]\nbackoff_ms = 60000\nretries = 10\n",
                "fetch.backoff_ms",
            ),
            (
                "[fetch]\nmax_retry_after_secs = 86400\n",
                "fetch.max_retry_after_secs",
            ),
            (
                "[fetch]\nmax_crawl_delay_secs = 0\n",
                "fetch.max_crawl_delay_secs",
            ),
            (
                "[fetch]\nmax_crawl_delay_secs = 86400\n",
                "fetch.max_crawl_delay_secs",
            ),
            ("[fetch]\nmax_redirects = 100000\n", "fetch.max_redirects"),
            ("[fetch]\nmax_body_bytes = 0\n", "fetch.max_body_bytes"),
            ("[fetch]\nhost_rate = inf\n", "fetch.host_rate"),
            ("[fetch]\nhost_rate = 1e-9\n", "fetch.host_rate"),
            ("[fetch]\nconcurrency = 0\n", "fetch.concurrency"),
            (
                "[fetch.hosts.\"a.gov.cn\"]\nrate = nan\n",
                "fetch.hosts.a.gov.cn.rate",
            ),
            ("[crawl]\nsites_at_once = 0\n", "crawl.sites_at_once"),
            (
                "[crawl]\nmax_nesting_depth = 0\n",
                "crawl.max_nesting_depth",
            ),
        ] {
            let err = Config::from_toml(toml, Path::new("conf/site.toml"))
                .expect_err(toml)
                .to_string();
            assert!(
                err.contains("conf/site.toml") && err.contains(key),
                "{toml:?} gave {err:?}"
            );
        }
        for ok in [
            "[fetch]\nhost_rate = 0\n",
            "[fetch]\nretries = 0\nbackoff_ms = 0\nmax_retry_after_secs = 0\n",
            "[fetch]\nmax_redirects = 0\nmax_crawl_delay_secs = 600\n",
        ] {
            assert!(Config::from_toml(ok, Path::new("c.toml")).is_ok(), "{ok}");
        }
    }
}
