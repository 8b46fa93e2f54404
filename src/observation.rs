//! What the crawler saw on one site: the contract between the crawl stage and the rules engine.
//!
//! Everything here is derived from HTTP responses only. The rules engine reads an
//! [`Observation`] and never touches the network; rule files carry partial observations as
//! their own test cases (see `rules/*/*.toml`), so every field has a serde default.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// Column class (栏目类别), assigned from the column name or its `ColumnType` meta using the
/// keyword lists in the rules folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ColumnClass {
    /// 动态要闻类: 工作动态, 本地要闻, 部门动态 …
    Dynamic,
    /// 通知公告类: 通知公告, 公示公告 …
    Notice,
    /// 政策文件类: 政策文件, 规范性文件 …
    Policy,
    /// 人事类: 人事信息, 人事任免 …
    Personnel,
    /// 规划计划类: 规划计划, 年度计划 …
    Planning,
    /// 政务咨询类: 领导信箱, 在线咨询 …
    Consultation,
    /// 调查征集类: 网上调查, 意见征集 …
    Survey,
    /// 互动访谈类: 在线访谈 …
    Interview,
    /// 办事服务类: 办事指南, 表格下载 …
    Service,
    /// Anything else.
    #[default]
    Other,
}

impl ColumnClass {
    /// All classes, in a stable order.
    pub const ALL: [ColumnClass; 10] = [
        ColumnClass::Dynamic,
        ColumnClass::Notice,
        ColumnClass::Policy,
        ColumnClass::Personnel,
        ColumnClass::Planning,
        ColumnClass::Consultation,
        ColumnClass::Survey,
        ColumnClass::Interview,
        ColumnClass::Service,
        ColumnClass::Other,
    ];

    /// The official Chinese name of the class.
    pub fn label(self) -> &'static str {
        match self {
            ColumnClass::Dynamic => "动态要闻类",
            ColumnClass::Notice => "通知公告类",
            ColumnClass::Policy => "政策文件类",
            ColumnClass::Personnel => "人事类",
            ColumnClass::Planning => "规划计划类",
            ColumnClass::Consultation => "政务咨询类",
            ColumnClass::Survey => "调查征集类",
            ColumnClass::Interview => "互动访谈类",
            ColumnClass::Service => "办事服务类",
            ColumnClass::Other => "其他",
        }
    }

    /// The snake_case key used in rule files and JSON.
    pub fn key(self) -> &'static str {
        match self {
            ColumnClass::Dynamic => "dynamic",
            ColumnClass::Notice => "notice",
            ColumnClass::Policy => "policy",
            ColumnClass::Personnel => "personnel",
            ColumnClass::Planning => "planning",
            ColumnClass::Consultation => "consultation",
            ColumnClass::Survey => "survey",
            ColumnClass::Interview => "interview",
            ColumnClass::Service => "service",
            ColumnClass::Other => "other",
        }
    }
}

/// Where a column's newest date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// Dates printed in the column's list page.
    #[default]
    List,
    /// The list showed no dates; the newest item's article page gave its publish date.
    Article,
    /// No date could be found anywhere.
    None,
}

/// One column (栏目) of the site and what its list page showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ColumnObservation {
    /// Column name as shown in the navigation or block heading.
    pub name: String,
    /// Column list page URL.
    pub url: String,
    /// Column class (栏目类别).
    pub class: ColumnClass,
    /// 1 for top-level (一级栏目), 2 for second-level navigation found on a column page.
    pub level: u8,
    /// Newest item date seen, if any.
    pub newest: Option<NaiveDate>,
    /// Number of list items seen on the column page.
    pub items: usize,
    /// Items without any date.
    pub undated_items: usize,
    /// The column has no content (空白栏目).
    pub blank: bool,
    /// The text that marked it blank (e.g. 暂无信息), if any.
    pub blank_marker: Option<String>,
    /// The empty list container seen (its markup, cut short), if any: blank with or without
    /// a marker, unless `list_by_script`.
    pub empty_list: Option<String>,
    /// The list container is empty in the HTML but an inline script on the page fills it: not
    /// judged blank (what a visitor sees there cannot be read from the markup).
    pub list_by_script: bool,
    /// Title of the newest item of the list (the one `newest` belongs to), as evidence.
    pub newest_title: Option<String>,
    /// URL of that item; for `date_source = article`, the page its publish date was read on.
    pub newest_url: Option<String>,
    /// Where `newest` came from.
    pub date_source: DateSource,
    /// The column page could not be fetched: the error, if so.
    pub error: Option<String>,
}

/// One dated (or undated) item on the homepage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct HomepageItem {
    /// The item's title as the homepage shows it.
    pub title: String,
    /// The item's link, absolute; `None` when the row has no link.
    pub url: Option<String>,
    /// Its publish date: printed on the homepage, or read at `date_url`; `None` when dated nowhere.
    pub date: Option<NaiveDate>,
    /// The homepage showed no date: `date` was read on this page (the item's article, or the
    /// column page it links to), as an inspector clicks through.
    pub date_url: Option<String>,
}

/// Whether a message left in a 政务咨询类 column was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReplyStatus {
    /// Neither the list nor the message page says.
    #[default]
    Unknown,
    /// Answered: a reply date or an answered status word (已回复, 已办结 …).
    Answered,
    /// Not answered: an unanswered status word (未回复, 待回复 …).
    Unanswered,
}

/// One message (信件, 留言) of a 政务咨询类 column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Message {
    /// The message's title (信件标题) as listed.
    pub title: String,
    /// The message page's URL, absolute; `None` when the row has no link.
    pub url: Option<String>,
    /// 留言时间.
    pub asked: Option<NaiveDate>,
    /// 回复时间.
    pub replied: Option<NaiveDate>,
    /// Whether it was answered, from the list or the opened message page.
    pub status: ReplyStatus,
    /// The message page was opened because the list did not say whether or when it was
    /// answered.
    pub opened: bool,
}

/// A 政务咨询类 column's message list, as read (互动回应差).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ConsultationObservation {
    /// The column's name and list URL.
    pub column: String,
    /// URL of the column's first list page.
    pub url: String,
    /// List pages read (the first and the pages behind 下一页).
    pub pages: usize,
    /// Messages read from the list pages, in page order.
    pub messages: Vec<Message>,
}

/// A 办事指南 page opened from a 办事服务类 column (服务不实用): the labels it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ServiceGuide {
    /// The column it was listed in.
    pub column: String,
    /// The guide's title as listed.
    pub title: String,
    /// URL of the guide page opened.
    pub url: String,
    /// Labels shown on the page (受理条件, 办理地点 …), in page order.
    pub labels: Vec<String>,
}

/// A leader's name that looks written wrong on a page read (严重错误 candidate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct NameSuspect {
    /// The page the name was read on.
    pub url: String,
    /// What the page says (习进平).
    pub found: String,
    /// The name it resembles (习近平).
    pub expected: String,
    /// The sentence around it.
    pub sentence: String,
}

/// A list row showing a publish date after the as-of date (疑似伪造发稿日期 candidate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct FutureItem {
    /// The row's title.
    pub title: String,
    /// The row's link, absolute; `None` when it has none.
    pub url: Option<String>,
    /// The date the row shows, after the as-of date.
    pub date: NaiveDate,
    /// The page the row is on.
    pub page: String,
}

/// A list row a column page shows for the first time although dated before the site's previous
/// archived capture of that page, which did not list it (疑似伪造发稿日期 candidate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct BackdatedItem {
    /// The row's title.
    pub title: String,
    /// The row's link, absolute.
    pub url: String,
    /// The publish date the row shows.
    pub date: NaiveDate,
    /// The column's name.
    pub column: String,
    /// The column page.
    pub page: String,
    /// The earlier capture's record of the column page (`WARC-Record-ID`), which did not list
    /// the row.
    pub earlier_record: String,
    /// When that page was fetched (`WARC-Date`, UTC).
    pub earlier_at: String,
    /// The earlier capture's WARC file, relative to the archive folder.
    pub earlier_warc: String,
    /// This capture's record of the column page (`WARC-Record-ID`).
    pub record: String,
    /// When this capture fetched the page (`WARC-Date`, UTC).
    pub at: String,
    /// This capture's WARC file, relative to the archive folder.
    pub warc: String,
}

/// A footer identifier as found on the homepage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Ident {
    /// Not present at all.
    #[default]
    Missing,
    /// Present and well-formed; the normalised value.
    Found(String),
    /// Present but not in a valid format; the raw text.
    Malformed(String),
}

impl Ident {
    /// The value when well-formed.
    pub fn found(&self) -> Option<&str> {
        match self {
            Ident::Found(v) => Some(v),
            _ => None,
        }
    }
}

/// The 「我为政府网站找错」 entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Jiucuo {
    /// A standard entry exists (jiucuo.js script, jiucuo.html?site_code= link or the
    /// zfwzzc platform link) on one of the known hosts.
    pub present: bool,
    /// The entry is in the markup but hidden (`display:none`, `hidden`).
    pub hidden: bool,
    /// The sitecode it carries, if any.
    pub site_code: Option<String>,
    /// The host serving it (zfwzgl.www.gov.cn, pucha.kaipuyun.cn, 121.43.68.40 …).
    pub host: Option<String>,
    /// A non-standard correction link (e.g. the site's own 网站纠错 page), if that is all there is.
    pub nonstandard: Option<String>,
}

/// Where a footer item was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ItemSource {
    /// Not found anywhere.
    #[default]
    None,
    /// Displayed text of the footer (页面底部功能区: `<footer>` or a footer-like container).
    Footer,
    /// Displayed text elsewhere on the page (footers are not always marked up as such).
    Page,
    /// A link's address (`beian.gov.cn …recordcode=`, `bszs.conac.cn …id=`, `…/jiucuo.html`).
    Link,
    /// An image (the conac seal, the 找错 image jiucuo.js writes).
    Image,
    /// A script that writes the item into the page (conac `dcs.conac.cn/js/…`, jiucuo.js).
    Script,
    /// `<meta name="SiteIDCode">`: not displayed.
    Meta,
    /// The `sitecode` attribute of the 找错 script: not displayed.
    JiucuoScript,
}

impl ItemSource {
    /// Whether an item read here is shown to a visitor of the page. The 网站标识码 must be
    /// displayed (网站标识码：NNNNNNNNNN): a code only in the meta tag or in the 找错 script's
    /// attribute does not count.
    pub fn displayed(self) -> bool {
        matches!(
            self,
            ItemSource::Footer
                | ItemSource::Page
                | ItemSource::Link
                | ItemSource::Image
                | ItemSource::Script
        )
    }

    /// Chinese description for reports.
    pub fn label(self) -> &'static str {
        match self {
            ItemSource::None => "未找到",
            ItemSource::Footer => "页面底部文字",
            ItemSource::Page => "页面文字",
            ItemSource::Link => "链接地址",
            ItemSource::Image => "图片",
            ItemSource::Script => "脚本",
            ItemSource::Meta => "网页元数据（meta SiteIDCode，页面不显示）",
            ItemSource::JiucuoScript => "找错脚本的sitecode属性（页面不显示）",
        }
    }
}

/// What was read for one footer item and where: the evidence a department can check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ItemEvidence {
    /// The exact text (or markup attribute) read, trimmed to at most 200 characters.
    pub text: Option<String>,
    /// Where it was read; `None` when the item was not found.
    pub source: ItemSource,
}

/// Evidence for each footer item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct FooterEvidence {
    /// ICP备案号.
    pub icp: ItemEvidence,
    /// 网站标识码 (also when read only from the meta or the 找错 script).
    pub site_code: ItemEvidence,
    /// 公安机关备案号.
    pub police_record: ItemEvidence,
    /// 党政机关网站标识 (conac).
    pub conac: ItemEvidence,
    /// 「我为政府网站找错」 entry.
    pub jiucuo: ItemEvidence,
}

/// Footer identifiers (页面底部功能区).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct FooterObservation {
    /// ICP备案号.
    pub icp: Ident,
    /// 网站标识码 as displayed on the page. A code found only in the `SiteIDCode` meta or the
    /// 找错 script's `sitecode` is not displayed: `Missing`, with that code in the evidence.
    pub site_code: Ident,
    /// 公安机关备案号 (公网安备).
    pub police_record: Ident,
    /// 党政机关网站标识 (conac): the bszs id or the dcs script path.
    pub conac: Ident,
    /// 「我为政府网站找错」 entry.
    pub jiucuo: Jiucuo,
    /// What was read for each item, and where.
    pub evidence: FooterEvidence,
    /// The footer's displayed text (at most 300 characters), to quote what it does say.
    pub text: Option<String>,
}

/// How a link check ended, for links that did not simply work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Unavailable: 404, 410, 403, DNS failure, connection refused.
    Broken,
    /// Timeouts and 5xx that persisted after retries: reported, not counted as broken.
    Suspected,
    /// Not fetched on purpose (SSRF guard: a public site linking into a private address).
    Blocked,
}

impl LinkState {
    /// The state's name in reports and findings (不可用链接, 疑似不可用链接 …).
    pub fn label(self) -> &'static str {
        match self {
            LinkState::Broken => "不可用链接",
            LinkState::Suspected => "疑似不可用链接",
            LinkState::Blocked => "未检查链接（指向内网地址）",
        }
    }
}

/// A link that did not work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkProblem {
    /// The link's absolute URL.
    pub url: String,
    /// Broken, suspected or blocked.
    pub state: LinkState,
    /// HTTP status, when one was received.
    pub status: Option<u16>,
    /// What went wrong, in words (e.g. `HTTP 404`, `DNS failure`, `timeout after 15 s`).
    pub reason: String,
    /// Pages the link appears on.
    pub pages: Vec<String>,
}

/// Link checking summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct LinkObservation {
    /// Unique URLs checked.
    pub checked: usize,
    /// Links that are broken, suspected or blocked.
    pub problems: Vec<LinkProblem>,
}

impl LinkObservation {
    /// The problems in `state`, in the order kept (by URL).
    pub fn in_state(&self, state: LinkState) -> Vec<&LinkProblem> {
        self.problems.iter().filter(|p| p.state == state).collect()
    }
}

/// What kind of bound cut part of an audit short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// A page was not read exactly as written: elements nested beyond
    /// `crawl.max_nesting_depth`, or a parse too costly to finish (the rest not read).
    PageCutShort,
    /// robots.txt asked for a `Crawl-delay` longer than `fetch.max_crawl_delay_secs`; the
    /// site was paced at that ceiling instead.
    CrawlDelayCapped,
    /// A page's body (decompressed) was longer than `fetch.max_body_bytes`: it was read up to
    /// that cap, the rest not at all.
    BodyCut,
}

/// Something the audit did not do in full, on purpose, to stay bounded in time and memory.
/// Reported (提示), never judged: what was not read was not held against the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLimit {
    /// Which bound it was.
    pub kind: LimitKind,
    /// The page (or, for a Crawl-delay, the site) concerned.
    pub url: String,
    /// What happened, in words (for reports).
    pub detail: String,
}

/// Whether the homepage opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reachability {
    /// The homepage opened: a usable response after redirects and retries.
    pub ok: bool,
    /// HTTP status of the final response, if any.
    pub status: Option<u16>,
    /// The failure, if the homepage did not open.
    pub error: Option<String>,
    /// Attempts made (retries included).
    pub attempts: u32,
}

impl Default for Reachability {
    fn default() -> Self {
        Reachability {
            ok: true,
            status: Some(200),
            error: None,
            attempts: 1,
        }
    }
}

/// One outage in a monitoring record: consecutive probes that did not open the homepage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MonitorOutage {
    /// The first failed probe (Beijing time).
    pub start: Option<DateTime<FixedOffset>>,
    /// The first probe that opened the homepage again, or the last failed probe when the site
    /// was still down at the end of the record.
    pub end: Option<DateTime<FixedOffset>>,
    /// Failed probes in a row.
    pub probes: u32,
    /// Whether the site was still down when the record ends.
    pub ongoing: bool,
}

/// The availability monitor's record (`govaudit monitor`) of the days before the as-of date:
/// what `site.unreachable` judges when it covers the rule's window (监测1周).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MonitorRecord {
    /// First day of the window (Beijing time).
    pub from: NaiveDate,
    /// Last day of the window (the day before the as-of date).
    pub to: NaiveDate,
    /// Probes on each day of the window, first day first.
    pub per_day: Vec<u32>,
    /// Probes in the window.
    pub probes: u32,
    /// Probes that did not open the homepage within `limit_secs` (超过（含）15秒仍打不开).
    pub failures: u32,
    /// The time limit each probe was judged against, in seconds.
    pub limit_secs: f64,
    /// The longest outages, longest first (at most three).
    pub outages: Vec<MonitorOutage>,
}

/// Everything the crawl saw on one site, as of one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Observation {
    /// The site URL as registered (may be a path prefix).
    pub url: String,
    /// The date the audit is judged as of.
    pub as_of: NaiveDate,
    /// Homepage reachability.
    pub reachability: Reachability,
    /// Dated and undated items on the homepage.
    pub homepage_items: Vec<HomepageItem>,
    /// The homepage is only a navigation hub (no items of its own).
    pub homepage_is_hub: bool,
    /// Columns found, with their list-page results.
    pub columns: Vec<ColumnObservation>,
    /// Footer identifiers.
    pub footer: FooterObservation,
    /// The message lists of the 政务咨询类 columns (互动回应差).
    pub consultations: Vec<ConsultationObservation>,
    /// 办事指南 pages opened from the 办事服务类 columns (服务不实用).
    pub service_guides: Vec<ServiceGuide>,
    /// Leaders' names that look written wrong on the pages read (严重错误 candidates).
    pub name_suspects: Vec<NameSuspect>,
    /// List rows (homepage and column pages) dated after the as-of date (疑似伪造发稿日期).
    pub future_items: Vec<FutureItem>,
    /// List rows new since the site's previous archived capture yet dated before it
    /// (疑似伪造发稿日期, [`crate::archive::backdated`]).
    pub backdated_items: Vec<BackdatedItem>,
    /// Link checking.
    pub links: LinkObservation,
    /// Pages fetched (homepage, column pages, article pages).
    pub pages_fetched: usize,
    /// Bounds that cut part of the audit short (pages cut short, a Crawl-delay capped).
    pub limits: Vec<AuditLimit>,
    /// The availability monitor's record of the window before `as_of`, when one was found.
    pub monitor: Option<MonitorRecord>,
}
