//! List items (news lists, notice lists, homepage blocks).
//!
//! An item is an `li`, `tr`, `dl`, or a repeated `div`/`p`/`section`/`article`/`dd` (its
//! parent has another child with the same tag), outside navigation, footer and scripts, with
//! at most 300 elements and 400 characters of text, holding a title link and at most four
//! other links. The title link is the first link that is not a "more" link, not a home or
//! pager link (首页, 下一页, 尾页, page numbers) and whose text is not a date; its name falls
//! back to the `title` attribute when the text is empty or truncated (`…`). When items nest,
//! the innermost wins; items are deduplicated by URL.
//!
//! Its date, first match wins: a text node that is only a date (`[01-10]`, `2018年1月10日`);
//! then a small descendant element whose whole text is a date; then the first Y-M-D date in
//! the item's text outside its links when that text is short (a row, not an article). An item
//! whose text has a `dates.not_item_dates` word (今天是 … 星期三) has no date. See
//! [`super::dates`] for forms, year inference and rejected dates.
//!
//! Undated fallback: when no item on the page has a date, the items are the main undated
//! list: candidates outside side navigation and hidden markup, linking to another page of the
//! same site (not its root), grouped by parent; among groups whose titles average at least
//! `lists.undated_min_avg_title_chars` characters, the one whose titles are longest in total
//! wins (article titles are long, header link lists and 专题1/专题2 links short; a hub
//! homepage thus keeps no items). They keep document order, so the
//! first is the newest on a usual list page. The other groups that qualify are kept apart
//! (`other_undated_lists`): on a homepage they are its other blocks, which the crawl samples
//! in turn when it clicks undated items through.
//!
//! Hanweb (大汉) pages carry their list as CDATA records in a `<script type="text/xml">`
//! datastore (`lists.record_pattern`); the records are parsed as a fragment and analysed the
//! same way. Dated items of page and records are merged; when neither is dated, the records
//! (if any) are the list.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use chrono::NaiveDate;
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

use super::columns::is_more_link;
use super::dates;
use super::dom::{self, Zones};
use super::vocabulary::{Compiled, Vocabulary};
use super::ListItem;

static LINKS: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("a[href]").ok());
static SCRIPTS: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("script").ok());

/// Longest text of a descendant element still considered a date cell.
const DATE_CELL_CHARS: usize = 40;
/// Most links an item may hold besides its title.
const MAX_LINKS: usize = 4;
/// Longest text outside links of a list row whose date is found in free text.
const MAX_ROW_TEXT: usize = 120;
/// Most elements in a list item's subtree (bounds the work on pathological pages).
const MAX_ITEM_ELEMENTS: u32 = 300;
/// Longest text of a list item (title, date, summary): more is an article or a layout box.
const MAX_ITEM_TEXT: usize = 400;
/// How far up to look for an enclosing candidate.
const MAX_NEST: usize = 64;

/// The date of an item; `url` is its title link, whose path may tell the year of a year-less
/// date ([`dates::url_date`]).
pub fn item_date(
    el: &ElementRef<'_>,
    url: Option<&Url>,
    as_of: NaiveDate,
    vocab: &Vocabulary,
) -> Option<NaiveDate> {
    let anchor = url.and_then(|u| dates::url_date(u, as_of));
    // A header's "今天是2018年1月10日 星期三" is not an item date.
    let today = |t: &str| {
        vocab
            .dates
            .not_item_dates
            .iter()
            .any(|w| !w.is_empty() && t.contains(w.as_str()))
    };
    for n in el.descendants() {
        if let Node::Text(t) = n.value() {
            if today(t) {
                return None;
            }
            if let Some(d) = dates::parse_pure_after(t, as_of, anchor) {
                return Some(d);
            }
        }
    }
    for e in el.descendent_elements().skip(1) {
        if e.value().name() == "a" {
            continue;
        }
        let t = dom::text_of(&e);
        if !t.is_empty() && t.chars().count() <= DATE_CELL_CHARS {
            if let Some(d) = dates::parse_pure_after(&t, as_of, anchor) {
                return Some(d);
            }
        }
    }
    let outside = dom::text_where(**el, |n| {
        !n.ancestors()
            .take_while(|a| a.id() != el.id())
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "a")
    });
    // A long text is an article or a layout box, not a list row.
    if dom::collapse(&outside).chars().count() > MAX_ROW_TEXT {
        return None;
    }
    dates::find_full(&outside, as_of).into_iter().next()
}

/// Whether an element's text (whitespace excluded) is longer than `limit` characters.
fn text_longer_than(el: &ElementRef<'_>, limit: usize) -> bool {
    let mut n = 0usize;
    for node in el.descendants() {
        if let Node::Text(t) = node.value() {
            n += t.chars().filter(|c| !c.is_whitespace()).count();
            if n > limit {
                return true;
            }
        }
    }
    false
}

struct Candidate {
    id: NodeId,
    parent: Option<NodeId>,
    item: ListItem,
}

fn is_candidate_tag(el: &ElementRef<'_>) -> bool {
    match el.value().name() {
        "li" | "tr" | "dl" => true,
        "div" | "p" | "section" | "article" | "dd" => {
            let name = el.value().name();
            el.parent().is_some_and(|p| {
                p.children()
                    .filter_map(ElementRef::wrap)
                    .filter(|c| c.value().name() == name)
                    .nth(1)
                    .is_some()
            })
        }
        _ => false,
    }
}

/// A candidate item: its title link and other-link count.
fn candidate(
    el: &ElementRef<'_>,
    base: &Url,
    vocab: &Vocabulary,
    as_of: NaiveDate,
) -> Option<ListItem> {
    let links = LINKS.as_ref()?;
    if text_longer_than(el, MAX_ITEM_TEXT) {
        return None;
    }
    let mut title: Option<(String, Option<Url>)> = None;
    let mut others = 0usize;
    for a in el.select(links) {
        if is_more_link(&a, vocab) {
            continue;
        }
        let name = dom::link_name(&a);
        let not_title = vocab
            .columns
            .home_words
            .iter()
            .chain(&vocab.links.pager_words)
            .chain(&vocab.links.next_words)
            .any(|w| w.eq_ignore_ascii_case(&name))
            || name.chars().all(|c| c.is_ascii_digit())
            || dates::looks_like_date(&name);
        if title.is_none() && !name.is_empty() && !not_title {
            title = Some((name, dom::resolve(base, a.attr("href").unwrap_or_default())));
        } else {
            others += 1;
            if others > MAX_LINKS {
                return None;
            }
        }
    }
    let (title, url) = title?;
    let date = item_date(el, url.as_ref(), as_of, vocab);
    let future_date = if date.is_none() {
        el.descendants()
            .filter_map(|n| n.value().as_text().map(|t| t.to_string()))
            .find_map(|t| dates::parse_future(&t, as_of))
    } else {
        None
    };
    Some(ListItem {
        title,
        url,
        date,
        future_date,
    })
}

/// What the lists of a page hold.
#[derive(Debug, Default)]
pub struct Lists {
    /// The list items (dated ones, else the main undated list), including the records of a
    /// Hanweb `<script type="text/xml"><datastore>` list.
    pub items: Vec<ListItem>,
    /// Dated list entries in the markup before duplicates are merged (see
    /// [`super::PageAnalysis::dated_entries`]).
    pub dated_entries: usize,
    /// Rows showing a date after the as-of date (see [`super::PageAnalysis::future_items`]).
    pub future: Vec<ListItem>,
    /// When nothing is dated: the other undated lists whose titles read as articles (see
    /// [`super::PageAnalysis::other_undated_lists`]).
    pub other_undated: Vec<Vec<ListItem>>,
}

/// The lists of a page: see [`Lists`].
pub fn items(
    doc: &Html,
    base: &Url,
    zones: &Zones,
    as_of: NaiveDate,
    vocab: &Vocabulary,
    records: Option<&Html>,
) -> Lists {
    let (main, main_entries, mut future, others) = items_in(doc, base, zones, as_of, vocab);
    let (records, record_entries) = match records {
        Some(frag) => {
            let z = Zones::compute(frag, vocab);
            let (items, entries, more, _) = items_in(frag, base, &z, as_of, vocab);
            future.extend(more);
            (items, entries)
        }
        None => (Vec::new(), 0),
    };
    let is_dated = |v: &Vec<ListItem>| v.iter().any(|i| i.date.is_some());
    let other_undated = if is_dated(&main) || is_dated(&records) {
        Vec::new()
    } else {
        others
    };
    let chosen: Vec<ListItem> = match (is_dated(&main), is_dated(&records)) {
        (true, true) => main.into_iter().chain(records).collect(),
        (true, false) => main,
        (false, true) => records,
        // Both undated: the datastore is the column's list when it has records.
        (false, false) if !records.is_empty() => records,
        (false, false) => main,
    };
    let mut seen = HashSet::new();
    let items = chosen
        .into_iter()
        .filter(|i| match &i.url {
            Some(u) => seen.insert(u.as_str().to_string()),
            None => true,
        })
        .collect();
    Lists {
        items,
        dated_entries: main_entries + record_entries,
        future,
        other_undated,
    }
}

/// Hanweb (大汉) column pages ship their list as CDATA records inside
/// `<script type="text/xml"><datastore><recordset><record><![CDATA[<li>…</li>]]></record>`;
/// the records joined and parsed as a fragment.
pub fn record_fragment(doc: &Html, compiled: &Compiled) -> Option<Html> {
    let sel = SCRIPTS.as_ref()?;
    let mut joined = String::new();
    for script in doc.select(sel) {
        let text: String = script.text().collect();
        if !text.contains("<record") {
            continue;
        }
        for caps in compiled.list_record.captures_iter(&text) {
            if let Some(m) = caps.get(1) {
                joined.push_str(m.as_str());
                joined.push('\n');
            }
        }
    }
    (!joined.is_empty()).then(|| super::parse::fragment(&joined, Default::default()).html)
}

/// The items of one tree (dated ones, else the main undated group), the number of dated list
/// entries in its markup, the rows dated in the future, and (when nothing is dated) the other
/// undated groups that read as lists.
fn items_in(
    doc: &Html,
    base: &Url,
    zones: &Zones,
    as_of: NaiveDate,
    vocab: &Vocabulary,
) -> (Vec<ListItem>, usize, Vec<ListItem>, Vec<Vec<ListItem>>) {
    // Not PAGINATION: `page` is as common a layout class as a pager class (宜春 `section page
    // page2`); page-number links have no dates and short titles, so they lose anyway.
    let excluded = dom::FOOTER | dom::SCRIPT;
    let mut cands = Vec::new();
    // Dated entries inside navigation (drop-down panels repeating a homepage block): counted as
    // entries of the markup, never items, since on a column page they show other columns' news.
    let mut in_nav = Vec::new();
    for el in doc.root_element().descendent_elements() {
        if !is_candidate_tag(&el)
            || zones.is(el.id(), excluded)
            || zones.size(el.id()) > MAX_ITEM_ELEMENTS
        {
            continue;
        }
        if let Some(item) = candidate(&el, base, vocab, as_of) {
            let c = Candidate {
                id: el.id(),
                parent: el.parent().map(|p| p.id()),
                item,
            };
            if !zones.is(el.id(), dom::NAV) {
                cands.push(c);
            } else if c.item.date.is_some() {
                in_nav.push(c);
            }
        }
    }
    let entries = innermost(
        doc,
        cands
            .iter()
            .chain(&in_nav)
            .filter(|c| c.item.date.is_some())
            .collect(),
    )
    .len();
    let mut page = base.clone();
    page.set_fragment(None);
    let dated: Vec<&Candidate> = cands.iter().filter(|c| c.item.date.is_some()).collect();
    let (chosen, others): (Vec<&Candidate>, Vec<Vec<&Candidate>>) = if !dated.is_empty() {
        (innermost(doc, dated), Vec::new())
    } else {
        let undated: Vec<&Candidate> = cands
            .iter()
            .filter(|c| !zones.is(c.id, dom::SUBNAV | dom::HIDDEN))
            .filter(|c| {
                c.item.url.as_ref().is_some_and(|u| {
                    dom::same_site(base, u)
                        && u != &page
                        && !(u.path() == "/" && u.query().is_none())
                })
            })
            .collect();
        main_group(
            innermost(doc, undated),
            vocab.lists.undated_min_avg_title_chars,
        )
    };
    let future = cands
        .iter()
        .filter(|c| c.item.future_date.is_some())
        .map(|c| c.item.clone())
        .collect();
    let items = |v: Vec<&Candidate>| v.into_iter().map(|c| c.item.clone()).collect();
    (
        items(chosen),
        entries,
        future,
        others.into_iter().map(items).collect(),
    )
}

/// Drop candidates that contain another candidate.
fn innermost<'c>(doc: &Html, cands: Vec<&'c Candidate>) -> Vec<&'c Candidate> {
    let ids: HashSet<NodeId> = cands.iter().map(|c| c.id).collect();
    let mut outer = HashSet::new();
    for c in &cands {
        if let Some(node) = doc.tree.get(c.id) {
            for a in node.ancestors().take(MAX_NEST) {
                if ids.contains(&a.id()) {
                    outer.insert(a.id());
                }
            }
        }
    }
    cands
        .into_iter()
        .filter(|c| !outer.contains(&c.id))
        .collect()
}

/// The sibling group with the longest titles in total.
/// The undated groups (by parent) whose titles average at least `min_avg` characters: the one
/// with the most title characters (the main list), and the others in document order.
fn main_group(cands: Vec<&Candidate>, min_avg: usize) -> (Vec<&Candidate>, Vec<Vec<&Candidate>>) {
    // Per parent: (first position, total title chars, items).
    let mut groups: HashMap<Option<NodeId>, (usize, usize, usize)> = HashMap::new();
    for (i, c) in cands.iter().enumerate() {
        let g = groups.entry(c.parent).or_insert((i, 0, 0));
        g.1 += c.item.title.chars().count();
        g.2 += 1;
    }
    let mut lists: Vec<(Option<NodeId>, usize, usize)> = groups
        .into_iter()
        .filter(|&(_, (_, chars, n))| n > 0 && chars >= min_avg * n)
        .map(|(p, (first, chars, _))| (p, first, chars))
        .collect();
    let Some(&(best, _, _)) = lists
        .iter()
        .max_by_key(|&&(_, first, chars)| (chars, std::cmp::Reverse(first)))
    else {
        return (Vec::new(), Vec::new());
    };
    lists.sort_by_key(|&(_, first, _)| first);
    let members = |p: Option<NodeId>| -> Vec<&Candidate> {
        cands.iter().copied().filter(|c| c.parent == p).collect()
    };
    let others = lists
        .iter()
        .filter(|&&(p, _, _)| p != best)
        .map(|&(p, _, _)| members(p))
        .collect();
    (members(best), others)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{day, run};

    fn dates(html: &str) -> Vec<Option<chrono::NaiveDate>> {
        run(html).items.iter().map(|i| i.date).collect()
    }

    #[test]
    fn year_less_list_dates_take_the_year_of_the_item_url() {
        // As of 2018-01-15: `01-10` is 2018-01-10 unless the article was filed earlier.
        let got = dates(
            "<ul class='list'>
               <li><span>01-10</span><a href='/zkxx/20180110/1.html'>今年的通知</a></li>
               <li><span>01/12</span><a href='/zkxx/20170112/2.html'>去年的通知</a></li>
               <li><a href='/zcfg/200801/t20080124_825.html'>住房公积金管理条例</a><span>[01-14]</span></li>
               <li><a href='/a/3.html'>没有日期的地址</a><span>01-13</span></li>
             </ul>",
        );
        assert_eq!(
            got,
            vec![
                Some(day(2018, 1, 10)),
                Some(day(2017, 1, 12)),
                Some(day(2009, 1, 14)),
                Some(day(2018, 1, 13)),
            ]
        );
    }

    #[test]
    fn rows_dated_after_the_as_of_date_are_kept_apart_as_candidates() {
        // As of 2018-01-15.
        let a = run("<ul class='list'>
                       <li><a href='/a/1.html'>关于开展检查的通知</a><span>2018-03-01</span></li>
                       <li><a href='/a/2.html'>旧闻</a><span>2018-01-10</span></li>
                       <li><a href='/a/3.html'>明日发布</a><span>2018-01-16</span></li>
                       <li><a href='/a/4.html'>规划</a><span>2030-01-01</span></li></ul>");
        let dated: Vec<_> = a.items.iter().filter_map(|i| i.date).collect();
        assert_eq!(
            dated,
            vec![day(2018, 1, 10), day(2018, 1, 16)],
            "the grace day is a date"
        );
        let future: Vec<_> = a
            .future_items
            .iter()
            .map(|i| (i.title.as_str(), i.future_date))
            .collect();
        assert_eq!(future, vec![("关于开展检查的通知", Some(day(2018, 3, 1)))]);
    }

    #[test]
    fn dated_entries_count_every_row_items_one_per_article() {
        let a = run("<div class='nav'><ul style='display:none'>
                       <li><a href='/a/1.html'>要闻一</a><span>2018-01-10</span></li></ul></div>
                     <ul class='yw'><li><a href='/a/1.html'>要闻一</a><span>2018-01-10</span></li>
                       <li><a href='/a/2.html'>要闻二</a><span>2018-01-09</span></li></ul>
                     <ul class='tt'><li><a href='/a/1.html'>要闻一</a><span>2018-01-10</span></li></ul>");
        assert_eq!(
            a.items.len(),
            2,
            "one item per article, none from navigation"
        );
        assert_eq!(a.dated_entries, 4, "every dated row of the markup");
    }

    #[test]
    fn date_in_various_wrappers() {
        for li in [
            "<li><a href='/a/1.html'>标题一</a><span>2018-01-10</span></li>",
            "<li><a href='/a/1.html'>标题一</a><em>[01-10]</em></li>",
            "<li><a href='/a/1.html'>标题一</a><font color=red>2018年1月10日</font></li>",
            "<li><a href='/a/1.html'>标题一</a> 2018/01/10</li>",
            "<li><span class='date'>2018.01.10</span><a href='/a/1.html'>标题一</a></li>",
            "<li><a href='/a/1.html'><span>标题一</span><i>01-10</i></a></li>",
            "<li><a href='/a/1.html'>标题一</a><span>(<b>2018-01-10 09:30</b>)</span></li>",
            "<li><a href='/a/1.html'>标题一</a><span>发布时间：2018-01-10</span></li>",
            "<li><a href='/a/1.html'>标题一</a><span>［０１－１０］</span></li>",
        ] {
            assert_eq!(
                dates(&format!("<ul>{li}</ul>")),
                vec![Some(day(2018, 1, 10))],
                "{li}"
            );
        }
    }

    #[test]
    fn header_clock_is_not_an_item() {
        let a = run("<div class='top'>今天是2018年1月15日 星期一 <a href='/x.html'>设为首页</a></div><div class='top'>x</div>");
        assert!(a.items.iter().all(|i| i.date.is_none()), "{:?}", a.items);
    }

    #[test]
    fn excluded_zones_and_links() {
        let html = "<div class='nav'><ul><li><a href='/a/1.html'>导航</a><span>2018-01-10</span></li></ul></div>
            <ul><li><a href='/col/more/'>更多</a><a href='/a/2.html'>正文标题</a><span>01-11</span></li></ul>
            <div class='footer'><ul><li><a href='/a/3.html'>底部</a><span>2018-01-12</span></li></ul></div>";
        let a = run(html);
        let titles: Vec<&str> = a.items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, vec!["正文标题"]);
        assert_eq!(a.items[0].date, Some(day(2018, 1, 11)));
    }

    #[test]
    fn truncated_title_uses_title_attribute_and_duplicates_are_dropped() {
        let html = "<ul><li><a href='/a/1.html' title='关于印发某某实施办法的通知'>关于印发某某...</a><span>2018-01-10</span></li>
            <li><a href='/a/1.html'>关于印发某某</a><span>2018-01-10</span></li></ul>";
        let a = run(html);
        assert_eq!(a.items.len(), 1);
        assert_eq!(a.items[0].title, "关于印发某某实施办法的通知");
    }

    #[test]
    fn future_and_impossible_dates_are_no_dates() {
        let html = "<ul><li><a href='/a/1.html'>未来</a><span>2019-03-01</span></li>
            <li><a href='/a/2.html'>不可能</a><span>2018-02-30</span></li>
            <li><a href='/a/3.html'>正常</a><span>2018-01-02</span></li></ul>";
        // Only the dated item counts as a dated list item.
        assert_eq!(dates(html), vec![Some(day(2018, 1, 2))]);
    }

    #[test]
    fn other_undated_lists_are_kept_beside_the_main_one() {
        let html = "<div class='top'><ul><li><a href='/wza/'>无障碍</a></li><li><a href='/en/'>English</a></li></ul></div>
            <div class='b1'><ul><li><a href='/gzdt/1.html'>市长调研重点项目建设</a></li><li><a href='/gzdt/2.html'>全市安全生产会议召开</a></li></ul></div>
            <div class='b2'><ul><li><a href='/zt/1.html'>关于开展政府网站专项检查工作的通知</a></li><li><a href='/zt/2.html'>关于做好二〇一八年春节假期安排的通知</a></li></ul></div>";
        let a = run(html);
        let titles = |v: &[crate::analysis::ListItem]| -> Vec<String> {
            v.iter().map(|i| i.title.clone()).collect()
        };
        // The longest titles are the main list; the other block is kept, the short header
        // links are not.
        assert_eq!(titles(&a.items)[0], "关于开展政府网站专项检查工作的通知");
        assert_eq!(a.other_undated_lists.len(), 1);
        assert_eq!(
            titles(&a.other_undated_lists[0]),
            vec!["市长调研重点项目建设", "全市安全生产会议召开"]
        );
        // With a dated item anywhere, only dated items count and nothing else is kept.
        let dated = html.replace(
            "全市安全生产会议召开</a>",
            "全市安全生产会议召开</a><span>2018-01-10</span>",
        );
        let a = run(&dated);
        assert!(a.other_undated_lists.is_empty());
        assert_eq!(titles(&a.items), vec!["全市安全生产会议召开"]);
    }

    #[test]
    fn undated_main_list_beats_short_link_lists() {
        let html = "<div class='top'><ul><li><a href='/wza/'>无障碍</a></li><li><a href='/en/'>English</a></li><li><a href='/m/'>手机版</a></li></ul></div>
            <div class='con'><ul><li><a href='/a/2.html'>关于某某同志任职的通知</a></li><li><a href='/a/1.html'>关于某某同志免职的通知</a></li></ul></div>";
        let a = run(html);
        let titles: Vec<&str> = a.items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles,
            vec!["关于某某同志任职的通知", "关于某某同志免职的通知"]
        );
        assert!(a.items.iter().all(|i| i.date.is_none()));
    }

    #[test]
    fn left_box_with_an_article_list_is_not_side_navigation() {
        let html = "<div class='left'><ul><li><a href='/a/2.html'>关于开展二〇一八年度安全生产大检查的通知</a></li>
            <li><a href='/a/1.html'>关于做好二〇一八年元旦春节期间有关工作的通知</a></li></ul></div>
            <div class='right'><ul><li><a href='/c/a/'>栏目A</a></li></ul></div>";
        let a = run(html);
        assert_eq!(a.items.len(), 2, "{:?}", a.items);
        assert!(a.columns.is_empty(), "{:?}", a.columns);
        let nav = "<div class='left'><h2>政务公开</h2><ul><li><a href='/c/a/'>工作动态</a></li><li><a href='/c/b/'>通知公告</a></li></ul></div>
            <ul class='list'><li><a href='/a/1.html'>关于某事的通知</a></li></ul>";
        let b = run(nav);
        assert_eq!(b.columns.len(), 2);
        assert_eq!(b.items.len(), 1);
        assert_eq!(b.items[0].title, "关于某事的通知");
    }

    #[test]
    fn short_undated_links_are_not_a_list() {
        let a = run("<div class='main'><p><a href='/zt/old1/index.html'>专题1</a></p><p><a href='/zt/old2/index.html'>专题2</a></p></div>");
        assert!(a.items.is_empty(), "{:?}", a.items);
    }

    #[test]
    fn hanweb_datastore_records() {
        let html = r#"<div class="nav"><a href="/col/a/">栏目A</a></div><div id="4391"><script type="text/xml"><datastore>
            <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=1"></a>]]></nextgroup>
            <recordset>
            <record><![CDATA[<li><a href="/art/2018/1/9/art_1_2.html" title="关于某事的通知">关于某事的通知</a><span>2018-01-09</span></li>]]></record>
            <record><![CDATA[<li><a href="/art/2017/12/1/art_1_1.html" title="关于另一事的通知">关于另一事的通知</a><span>2017-12-01</span></li>]]></record>
            </recordset></datastore></script></div>"#;
        let a = run(html);
        let items: Vec<(&str, Option<chrono::NaiveDate>)> =
            a.items.iter().map(|i| (i.title.as_str(), i.date)).collect();
        assert_eq!(
            items,
            vec![
                ("关于某事的通知", Some(day(2018, 1, 9))),
                ("关于另一事的通知", Some(day(2017, 12, 1))),
            ]
        );
        assert_eq!(
            a.items[0].url.as_ref().unwrap().as_str(),
            "http://www.example.gov.cn/art/2018/1/9/art_1_2.html"
        );
        assert!(a
            .links
            .iter()
            .any(|u| u.path() == "/art/2017/12/1/art_1_1.html"));
        let undated = r#"<ul><li><a href="/x/1.html">页面上的其他链接很长</a></li></ul><script type="text/xml"><datastore><recordset>
            <record><![CDATA[<li><a href="/art/2.html">关于某事的通知公告</a></li>]]></record></recordset></datastore></script>"#;
        let titles: Vec<String> = run(undated).items.into_iter().map(|i| i.title).collect();
        assert_eq!(titles, vec!["关于某事的通知公告"]);
    }

    #[test]
    fn pager_links_are_not_undated_items() {
        let html = "<ul class='list'><li><a href='/a/1.html'>关于某事的通知</a></li></ul>
            <ul class='pagination'><li><a href='?p=1'>首页</a></li><li><a href='?p=0'>上一页</a></li><li><a href='?p=2'>2</a></li>
            <li><a href='?p=3'>3</a></li><li><a href='?p=2'>下一页</a></li><li><a href='?p=9'>尾页</a></li></ul>";
        let titles: Vec<String> = run(html).items.into_iter().map(|i| i.title).collect();
        assert_eq!(titles, vec!["关于某事的通知"]);
    }
}
