//! Stage 2 — page analysis: turns one decoded HTML page into columns, list items with dates,
//! blank-column markers, footer identifiers and links. Pure: no network, no clock (the as-of
//! date is passed in to infer years of year-less dates).
//!
//! Files: [`parse`] (the one way fetched HTML becomes a tree, bounded in time and memory),
//! [`vocabulary`] (`rules/page.toml`), [`dates`], `dom` (zones, text, URLs), `meta`
//! (title, meta tags, publish date), `columns`, `lists` (items), `blank` (blank markers),
//! `footer`, `jiucuo`, `links` (links, pagination), `messages` (政务咨询类 message lists and
//! pages, read only for those columns by [`messages_page`]), `guides` (the labels of 办事指南
//! pages, read only for 办事服务类 columns by [`guide_labels`]), [`names`] (严重错误 candidates:
//! leaders' names written wrong, screened in the raw text of every page read when a rule asks). Each file documents its heuristics.
//!
//! Zones: one pre-order pass flags every element as navigation (`<nav>`, `columns.nav_hints`),
//! side navigation (`columns.subnav_hints`; wins over navigation on the same element, e.g.
//! `left-nav`), footer (`<footer>`, `footer.hints`), pagination, hidden (`display:none`,
//! `visibility:hidden`, `hidden`) or script/style; flags are inherited by descendants.
//!
//! Never panics on input: garbage, empty or deeply nested pages give an empty-ish analysis,
//! and a page too deep or too costly to read in full is read in part and says so
//! ([`PageAnalysis::cut_short`]).

use chrono::NaiveDate;
use url::Url;

use crate::observation::FooterObservation;

mod blank;
mod columns;
pub mod dates;
mod dom;
mod footer;
mod guides;
mod jiucuo;
mod links;
mod lists;
mod messages;
mod meta;
pub mod names;
pub mod parse;
pub mod vocabulary;

pub use blank::EmptyList;
pub use messages::MessageRow;
pub use parse::{CutShort, ParseLimits};
pub use vocabulary::{Vocabulary, VocabularyError};

/// A link to a column (栏目) found in navigation, a homepage block or second-level navigation.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnLink {
    /// The link's name as shown (its text, else its `title`), e.g. 工作动态.
    pub name: String,
    /// The column page the link points to, absolute.
    pub url: Url,
    /// Where on the page the link was found.
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
    /// The title link's text (its `title` attribute when the text is empty or cut with `…`).
    pub title: String,
    /// The title link's target, absolute; `None` when its href does not resolve to a URL.
    pub url: Option<Url>,
    /// The item's date as the list prints it; `None` when it shows none.
    pub date: Option<NaiveDate>,
    /// A full date the item shows that lies after the as-of date (more than a day): no
    /// publish date (`date` is `None`), but a 疑似伪造发稿日期 candidate.
    pub future_date: Option<NaiveDate>,
}

/// Page metadata from `<meta>` tags (国办发〔2017〕47号 网页设计规范).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageMeta {
    /// `SiteName`.
    pub site_name: Option<String>,
    /// `SiteDomain`.
    pub site_domain: Option<String>,
    /// `SiteIDCode` (网站标识码; not displayed to visitors).
    pub site_id_code: Option<String>,
    /// `ColumnName`.
    pub column_name: Option<String>,
    /// `ColumnType`: used to classify the column when its name matches no keyword.
    pub column_type: Option<String>,
    /// `PubDate` (and similar names), the article's publish date.
    pub pub_date: Option<NaiveDate>,
    /// `firstpublishedtime` and similar (中国政府网).
    pub first_published: Option<NaiveDate>,
}

/// Everything page analysis extracts from one page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageAnalysis {
    /// The `<title>` text, whitespace collapsed; `None` when absent or empty.
    pub title: Option<String>,
    /// Metadata of the `<meta>` tags.
    pub meta: PageMeta,
    /// Columns found in navigation menus (and side navigation).
    pub columns: Vec<ColumnLink>,
    /// List items with their dates (homepage blocks, or a column page's list), outside
    /// navigation, one per article (the same link in two lists is one item).
    pub items: Vec<ListItem>,
    /// Dated list entries in the markup, counted as a reader counts rows: the same article in
    /// two lists twice, navigation drop-down panels and hidden tabs included.
    pub dated_entries: usize,
    /// List rows outside navigation showing a full date after the as-of date (more than a
    /// day): not publish dates, but 疑似伪造发稿日期 candidates.
    pub future_items: Vec<ListItem>,
    /// When no list item is dated: the other undated lists whose titles read as articles, each
    /// in page order — a homepage's other blocks, which an inspector clicks through as well as
    /// the main one. Empty when anything is dated.
    pub other_undated_lists: Vec<Vec<ListItem>>,
    /// A blank-column marker found in the content area (暂无信息 …), if any (asked only
    /// when the page has no list items).
    pub blank_marker: Option<String>,
    /// An empty list container in the content area, if any (asked only when the page has no
    /// list items).
    pub empty_list: Option<EmptyList>,
    /// Article publish date (发布时间 label or `PubDate` meta), for article pages.
    pub publish_date: Option<NaiveDate>,
    /// Footer identifiers.
    pub footer: FooterObservation,
    /// Every http(s) link on the page, absolute, fragment removed, deduplicated, in page order
    /// (links of Hanweb datastore records last).
    pub links: Vec<Url>,
    /// Pagination links of a list page (下一页 …).
    pub next_pages: Vec<Url>,
    /// The page was not read exactly as written (nesting beyond the limit, or a parse too
    /// costly to finish): what was not read was not judged.
    pub cut_short: Option<CutShort>,
}

impl PageAnalysis {
    /// The newest dated list item, if any item has a date.
    pub fn newest_item_date(&self) -> Option<NaiveDate> {
        self.items.iter().filter_map(|i| i.date).max()
    }

    /// Number of list items without a date.
    pub fn undated_items(&self) -> usize {
        self.items.iter().filter(|i| i.date.is_none()).count()
    }
}

/// Analyse one page. `base` is the page URL (a `<base href>` in the page overrides it for
/// resolving links); `as_of` infers the year of year-less dates and bounds future dates.
pub fn analyze(html: &str, base: &Url, as_of: NaiveDate, vocab: &Vocabulary) -> PageAnalysis {
    analyze_parts(html, base, as_of, vocab, true, ParseLimits::default())
}

/// [`analyze`] with parse limits other than the defaults (`crawl.max_nesting_depth`).
pub fn analyze_with(
    html: &str,
    base: &Url,
    as_of: NaiveDate,
    vocab: &Vocabulary,
    limits: ParseLimits,
) -> PageAnalysis {
    analyze_parts(html, base, as_of, vocab, true, limits)
}

/// [`analyze`] without the footer (left at its default): for column and article pages, whose
/// footer repeats the homepage's and is not judged. The footer search is a tenth of the
/// analysis time.
pub fn analyze_body(html: &str, base: &Url, as_of: NaiveDate, vocab: &Vocabulary) -> PageAnalysis {
    analyze_parts(html, base, as_of, vocab, false, ParseLimits::default())
}

/// [`analyze_body`] with parse limits other than the defaults.
pub fn analyze_body_with(
    html: &str,
    base: &Url,
    as_of: NaiveDate,
    vocab: &Vocabulary,
    limits: ParseLimits,
) -> PageAnalysis {
    analyze_parts(html, base, as_of, vocab, false, limits)
}

fn analyze_parts(
    html: &str,
    base: &Url,
    as_of: NaiveDate,
    vocab: &Vocabulary,
    with_footer: bool,
    limits: ParseLimits,
) -> PageAnalysis {
    let parsed = parse::document(html, limits);
    let doc = parsed.html;
    let compiled = vocab.compiled();
    let zones = dom::Zones::compute(&doc, vocab);
    let link_base = links::effective_base(&doc, base);
    let page_meta = meta::page_meta(&doc, as_of, vocab);
    let labelled = meta::labelled_date(&doc, &zones, as_of, &compiled);
    // Hanweb list records (CDATA inside `<script type="text/xml">`): list items and links.
    let records = lists::record_fragment(&doc, &compiled);
    let mut page_links = links::links(&doc, &link_base);
    if let Some(frag) = &records {
        for u in links::links(frag, &link_base) {
            if !page_links.contains(&u) {
                page_links.push(u);
            }
        }
    }
    let lists::Lists {
        items,
        dated_entries,
        future: future_items,
        other_undated: other_undated_lists,
    } = lists::items(&doc, &link_base, &zones, as_of, vocab, records.as_ref());
    let (blank_marker, empty_list) = if items.is_empty() {
        (
            blank::blank_marker(&doc, &zones, vocab),
            blank::empty_list(&doc, &zones, vocab),
        )
    } else {
        (None, None)
    };
    PageAnalysis {
        title: meta::title(&doc),
        columns: columns::columns(&doc, &link_base, &zones, vocab),
        blank_marker,
        empty_list,
        publish_date: meta::publish_date(labelled, &page_meta),
        footer: if with_footer {
            footer::footer(&doc, &link_base, &zones, &page_meta, vocab, &compiled)
        } else {
            Default::default()
        },
        links: page_links,
        next_pages: links::next_pages(&doc, &link_base, base, &zones, vocab, &compiled),
        items,
        dated_entries,
        future_items,
        other_undated_lists,
        meta: page_meta,
        cut_short: parsed.cut_short,
    }
}

/// A 政务咨询类 page read for its messages (互动回应差): a list page's rows and its next pages, or
/// what a message page says.
#[derive(Debug, Clone, PartialEq)]
pub struct MessagesPage {
    /// Messages listed on the page.
    pub rows: Vec<MessageRow>,
    /// Pagination links (下一页 …).
    pub next_pages: Vec<Url>,
    /// As a message page: when it was left, when answered, and whether.
    pub asked: Option<NaiveDate>,
    /// As a message page: when it was answered (回复时间), if it says.
    pub replied: Option<NaiveDate>,
    /// As a message page: answered, unanswered, or unknown.
    pub status: crate::observation::ReplyStatus,
}

/// Read a 政务咨询类 page for its messages (the `messages` module doc gives the rules).
pub fn messages_page(
    html: &str,
    base: &Url,
    as_of: NaiveDate,
    vocab: &Vocabulary,
    limits: ParseLimits,
) -> MessagesPage {
    let doc = parse::document(html, limits).html;
    let compiled = vocab.compiled();
    let zones = dom::Zones::compute(&doc, vocab);
    let link_base = links::effective_base(&doc, base);
    let (asked, replied, status) = messages::message_page(&doc, &zones, as_of, vocab);
    MessagesPage {
        rows: messages::message_rows(&doc, &link_base, &zones, as_of, vocab),
        next_pages: links::next_pages(&doc, &link_base, base, &zones, vocab, &compiled),
        asked,
        replied,
        status,
    }
}

/// The labels a 办事指南 page shows (受理条件, 办理地点 …), for the 服务不实用 rule (see `guides`).
pub fn guide_labels(html: &str, vocab: &Vocabulary, limits: ParseLimits) -> Vec<String> {
    let doc = parse::document(html, limits).html;
    let zones = dom::Zones::compute(&doc, vocab);
    guides::labels(&doc, &zones, vocab)
}

/// Only the links of a page (what [`PageAnalysis::links`] holds), without the rest of the
/// analysis: for link checking, where columns, items and footers are not needed.
pub fn page_links(html: &str, base: &Url, vocab: &Vocabulary) -> Vec<Url> {
    page_links_with(html, base, vocab, ParseLimits::default())
}

/// [`page_links`] with parse limits other than the defaults. A page cut short gives the links
/// of the part read.
pub fn page_links_with(
    html: &str,
    base: &Url,
    vocab: &Vocabulary,
    limits: ParseLimits,
) -> Vec<Url> {
    page_links_read(html, base, vocab, limits).0
}

/// [`page_links_with`], and whether the parse was cut short (a deep crawl reports such pages).
pub fn page_links_read(
    html: &str,
    base: &Url,
    vocab: &Vocabulary,
    limits: ParseLimits,
) -> (Vec<Url>, Option<CutShort>) {
    let parsed = parse::document(html, limits);
    let cut = parsed.cut_short;
    let doc = parsed.html;
    let link_base = links::effective_base(&doc, base);
    let mut page_links = links::links(&doc, &link_base);
    if let Some(frag) = lists::record_fragment(&doc, &vocab.compiled()) {
        for u in links::links(&frag, &link_base) {
            if !page_links.contains(&u) {
                page_links.push(u);
            }
        }
    }
    (page_links, cut)
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Analyse `html` as `http://www.example.gov.cn/col/x/` on 2018-01-15 with the builtin
    /// vocabulary.
    pub fn run(html: &str) -> PageAnalysis {
        let base = Url::parse("http://www.example.gov.cn/col/x/").unwrap();
        analyze(html, &base, day(2018, 1, 15), &Vocabulary::builtin())
    }

    /// Parse `html` and run one extractor on it with its zones and the builtin vocabulary.
    pub fn run_with<T>(
        html: &str,
        f: impl FnOnce(&scraper::Html, &dom::Zones, &Vocabulary) -> T,
    ) -> T {
        let vocab = Vocabulary::builtin();
        let doc = parse::document(html, ParseLimits::default()).html;
        let zones = dom::Zones::compute(&doc, &vocab);
        f(&doc, &zones, &vocab)
    }
}
