//! Stage 4 — page analysis: turns one decoded HTML page into columns, list items with dates,
//! blank-column markers, footer identifiers and links. Pure: no network, no clock (the as-of
//! date is passed in to infer years of year-less dates).

use chrono::NaiveDate;
use serde::Deserialize;
use url::Url;

use crate::observation::FooterObservation;

/// Words and patterns page analysis needs, read from `rules/page.toml`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Vocabulary {}

/// A link to a column (栏目) found in navigation, a homepage block or second-level navigation.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnLink {
    pub name: String,
    pub url: Url,
    pub source: ColumnSource,
}

/// Where a column link was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnSource {
    /// Main navigation menu.
    Nav,
    /// A homepage block with a heading and a 更多 link.
    Block,
    /// Second-level (side) navigation on a column page.
    SubNav,
}

/// One entry of a list (news list, notice list …).
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    pub title: String,
    pub url: Option<Url>,
    pub date: Option<NaiveDate>,
}

/// Page metadata from `<meta>` tags (国办发〔2017〕47号 网页设计规范).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageMeta {
    pub site_name: Option<String>,
    pub site_id_code: Option<String>,
    pub column_name: Option<String>,
    pub column_type: Option<String>,
    pub pub_date: Option<NaiveDate>,
}

/// Everything page analysis extracts from one page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageAnalysis {
    pub title: Option<String>,
    pub meta: PageMeta,
    /// Columns found in navigation menus (and side navigation).
    pub columns: Vec<ColumnLink>,
    /// List items with their dates (homepage blocks, or a column page's list).
    pub items: Vec<ListItem>,
    /// A blank-column marker found in the content area (暂无信息 …), if any.
    pub blank_marker: Option<String>,
    /// Article publish date (发布时间 label or `PubDate` meta), for article pages.
    pub publish_date: Option<NaiveDate>,
    /// Footer identifiers.
    pub footer: FooterObservation,
    /// Every http(s) link on the page, absolute, fragment removed, deduplicated, in page order.
    pub links: Vec<Url>,
    /// Pagination links of a list page (下一页 …).
    pub next_pages: Vec<Url>,
}

/// Analyse one page.
pub fn analyze(_html: &str, _base: &Url, _as_of: NaiveDate, _vocab: &Vocabulary) -> PageAnalysis {
    PageAnalysis::default()
}
