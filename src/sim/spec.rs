//! The description of simulated sites: what each one publishes, as data (`samples.toml`).
//!
//! Ages are in days before the scenario's as-of date, so one description renders the same site
//! for any as-of date. The auditor never reads this: it only sees the HTTP responses the server
//! renders from it.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

/// Errors reading a scenario.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The scenario is not valid TOML or has unknown keys.
    #[error("invalid scenario {origin}: {message}")]
    Parse {
        /// The scenario file's path or name.
        origin: String,
        /// The TOML error.
        message: String,
    },
    /// A site of the scenario is inconsistent.
    #[error("invalid scenario {origin}: site {site}: {message}")]
    Site {
        /// The scenario file's path or name.
        origin: String,
        /// The site's name.
        site: String,
        /// What is wrong with it.
        message: String,
    },
}

/// A whole scenario: the sites to serve.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The sites (`[[site]]`), each served on its host and prefix.
    #[serde(rename = "site")]
    pub sites: Vec<SiteSpec>,
}

/// List page markup template.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// `<ul class="list"><li><a/><span class="date"/></li></ul>`
    #[default]
    Ul,
    /// `<table class="list"><tr><td><a/></td><td>date</td></tr></table>`
    Table,
    /// `<div class="news-list"><div class="item"><a/><em>date</em></div></div>`
    Div,
}

/// How dates are printed in list pages.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum DateStyle {
    /// `2018-01-10`
    #[default]
    Iso,
    /// `2018/1/10`
    Slash,
    /// `2018年1月10日`
    Chinese,
    /// `[01-10]` (no year)
    Yearless,
    /// No date in the list; the article page carries it.
    ArticleOnly,
}

/// How a column with no items shows it (空白栏目).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum BlankStyle {
    /// `<div class="list"><p>暂无信息</p></div>`
    #[default]
    Marker,
    /// `<ul class="list"></ul>`: the list, empty, no marker.
    EmptyList,
    /// `<table class="list">` holding only its header row (标题 / 发布日期).
    HeaderOnly,
    /// A Hanweb datastore whose `<recordset>` holds no record.
    HanwebEmpty,
    /// `<ul id="newslist"></ul>` that an inline script fills in the browser.
    ScriptFilled,
}

/// A message (信件) of a 政务咨询类 column: ages in days before the as-of date.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LetterSpec {
    /// Days before the as-of date the message was left.
    pub asked: i64,
    /// Days after it was left that it was answered; unset: not answered (办理中).
    #[serde(default)]
    pub replied_after: Option<i64>,
}

/// What a 政务咨询类 column's list shows of each message.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum LetterList {
    /// A table 信件标题 | 留言时间 | 回复时间 | 办理状态.
    #[default]
    Full,
    /// Title and 留言时间 only: whether and when it was answered is on the message's page.
    AskedOnly,
}

/// How the site's server behaves.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Answers every request as described.
    #[default]
    Normal,
    /// Every request answers 503.
    Down,
    /// Every other homepage request answers 503 (the first one included): a transient error
    /// that a fetcher retrying 5xx gets past.
    Flaky,
}

/// Footer identifiers: `true` renders a valid one, `false` none, a string renders that text.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum FooterItem {
    /// `true`: a valid identifier; `false`: none.
    Flag(bool),
    /// This text in place of the identifier (e.g. a malformed one).
    Text(String),
}

impl Default for FooterItem {
    fn default() -> Self {
        FooterItem::Flag(true)
    }
}

/// The footer of a site.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct FooterSpec {
    /// ICP备案号.
    pub icp: FooterItem,
    /// 网站标识码 (the valid one is the site's `site_code`).
    pub site_code: FooterItem,
    /// 公安机关备案号.
    pub police: FooterItem,
    /// 党政机关网站标识 (the conac seal and link).
    pub conac: FooterItem,
    /// 「我为政府网站找错」 (the jiucuo.js script with the site's code).
    pub jiucuo: FooterItem,
}

/// One column (栏目) of a site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Column name (栏目名称) shown in the navigation, e.g. 工作动态.
    pub name: String,
    /// Path segment of the column, e.g. `gzdt`.
    pub slug: String,
    /// Number of items; 0 makes a blank column (暂无信息).
    #[serde(default = "default_items")]
    pub items: usize,
    /// Age in days of the newest item.
    #[serde(default)]
    pub newest: i64,
    /// Days between items.
    #[serde(default = "default_every")]
    pub every: i64,
    /// Shown as a block on the homepage.
    #[serde(default)]
    pub home: bool,
    /// Second-level column under this one (listed in the side navigation of its page).
    #[serde(default)]
    pub parent: Option<String>,
    /// Items per list page; more items continue on `index_1.html` behind a 下一页 link.
    /// Unset: one page of up to 20 items.
    #[serde(default)]
    pub page_size: Option<usize>,
    /// The column is linked from the navigation but its page answers 404 (栏目链接无法打开).
    #[serde(default)]
    pub missing: bool,
    /// How the column shows it has no items (when `items` is 0).
    #[serde(default)]
    pub blank: BlankStyle,
    /// Messages, newest first: the column is a 政务咨询类 message list (`items` is ignored;
    /// `page_size` pages it).
    #[serde(default, rename = "letter")]
    pub letters: Vec<LetterSpec>,
    /// What its list shows of each message.
    #[serde(default)]
    pub letter_list: LetterList,
    /// 办事指南: one guide per entry, missing that many of the ten key elements (the last ones);
    /// the column lists the guides (`items` is ignored).
    #[serde(default)]
    pub guides: Vec<usize>,
}

fn default_items() -> usize {
    12
}
fn default_every() -> i64 {
    3
}

/// One simulated site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    /// Site name (网站名称), fictitious.
    pub name: String,
    /// Host name the site answers to.
    pub host: String,
    /// Path prefix, e.g. `/gysfgw` (empty for a whole host).
    #[serde(default)]
    pub prefix: String,
    /// Markup of the list pages.
    #[serde(default)]
    pub template: Template,
    /// How list pages print dates.
    #[serde(default)]
    pub dates: DateStyle,
    /// The homepage blocks show no dates (their articles do).
    #[serde(default)]
    pub home_undated: bool,
    /// Article pages carry a `PubDate` meta besides the visible 发布时间 (default true).
    #[serde(default = "yes")]
    pub article_meta: bool,
    /// `utf-8` or `gbk` (GBK is declared only in `<meta>`).
    #[serde(default = "default_encoding")]
    pub encoding: String,
    /// Normal, down (503) or flaky.
    #[serde(default)]
    pub behaviour: Behaviour,
    /// Milliseconds every response of this site is delayed (a slow server).
    #[serde(default)]
    pub delay_ms: u64,
    /// 网站标识码 used in the footer and meta.
    #[serde(default = "default_code")]
    pub site_code: String,
    /// Which footer identifiers it shows.
    #[serde(default)]
    pub footer: FooterSpec,
    /// Links on the homepage to pages that do not exist (404).
    #[serde(default)]
    pub broken_links: usize,
    /// A paragraph shown on the homepage (e.g. a slogan with a misprint).
    #[serde(default)]
    pub banner: Option<String>,
    /// Its columns (`[[site.column]]`), in navigation order.
    #[serde(rename = "column", default)]
    pub columns: Vec<ColumnSpec>,
    /// Scheduled outages (`[[site.outage]]`): every request answers 503 while the server's
    /// clock (real, or the simulated clock a test gives it) is inside one.
    #[serde(rename = "outage", default)]
    pub outages: Vec<OutageSpec>,
}

/// A scheduled outage of a simulated site.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OutageSpec {
    /// When it starts, RFC 3339 with offset: `"2018-02-24T10:00:00+08:00"`.
    pub start: DateTime<FixedOffset>,
    /// How long it lasts.
    pub minutes: u64,
}

impl OutageSpec {
    /// Whether the site is down at `t`.
    pub fn covers(&self, t: DateTime<Utc>) -> bool {
        let minutes = i64::try_from(self.minutes).unwrap_or(i64::MAX / 60_000);
        let end = self.start + chrono::Duration::minutes(minutes);
        self.start <= t && t < end
    }
}

fn yes() -> bool {
    true
}

fn default_encoding() -> String {
    "utf-8".into()
}
fn default_code() -> String {
    "6400000001".into()
}

impl SiteSpec {
    /// The site's URL as registered.
    pub fn url(&self) -> String {
        format!("http://{}{}/", self.host, self.prefix)
    }
}

impl Scenario {
    /// Parse and check a scenario.
    pub fn from_toml(text: &str, origin: &str) -> Result<Scenario, SpecError> {
        let sc: Scenario = toml::from_str(text).map_err(|e| SpecError::Parse {
            origin: origin.into(),
            message: e.to_string(),
        })?;
        Scenario::from_sites(sc.sites, origin)
    }

    /// Check sites built in code (e.g. by [`super::province`]) as a scenario file is checked.
    pub fn from_sites(sites: Vec<SiteSpec>, origin: &str) -> Result<Scenario, SpecError> {
        let sc = Scenario { sites };
        for s in &sc.sites {
            let bad = |message: String| SpecError::Site {
                origin: origin.into(),
                site: s.name.clone(),
                message,
            };
            if !matches!(s.encoding.as_str(), "utf-8" | "gbk") {
                return Err(bad(format!("unknown encoding {}", s.encoding)));
            }
            if !s.prefix.is_empty() && (!s.prefix.starts_with('/') || s.prefix.ends_with('/')) {
                return Err(bad("prefix must look like /name".into()));
            }
            for c in &s.columns {
                if c.slug.is_empty() || !c.slug.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                    return Err(bad(format!(
                        "column slug {:?} must be ASCII letters/digits",
                        c.slug
                    )));
                }
                if c.page_size == Some(0) {
                    return Err(bad(format!("column {} has page_size 0", c.slug)));
                }
                if let Some(p) = &c.parent {
                    if !s.columns.iter().any(|o| &o.slug == p) {
                        return Err(bad(format!("column {} has unknown parent {p}", c.slug)));
                    }
                }
            }
        }
        Ok(sc)
    }

    /// The sample sites built into the binary (`govaudit demo`).
    pub fn samples() -> Result<Scenario, SpecError> {
        Scenario::from_toml(include_str!("samples.toml"), "src/sim/samples.toml")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_parse() {
        let sc = Scenario::samples().expect("built-in samples parse");
        assert!(sc.sites.len() >= 7);
        assert!(
            sc.sites.iter().all(|s| s.host.ends_with(".test")),
            "fictitious hosts only"
        );
    }

    #[test]
    fn errors_name_the_file_and_site() {
        let bad = "[[site]]\nname = \"甲\"\nhost = \"a.test\"\n[[site.column]]\nname = \"x\"\nslug = \"a/b\"\n";
        let msg = Scenario::from_toml(bad, "s.toml").unwrap_err().to_string();
        assert!(
            msg.contains("s.toml") && msg.contains("甲") && msg.contains("a/b"),
            "{msg}"
        );
        let msg = Scenario::from_toml("[[site]]\nnme = 1\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("t.toml"), "{msg}");
    }
}
