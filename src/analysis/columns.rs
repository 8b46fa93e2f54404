//! Column (栏目) discovery: main navigation, homepage blocks and second-level (side)
//! navigation.
//!
//! * **Nav**: every link inside `<nav>` or an element whose class/id matches
//!   `columns.nav_hints`.
//! * **Block**: a "more" link (text in `links.more_words`, or an empty link whose own or
//!   parent's class matches `links.more_hints`) with a heading within four ancestor levels
//!   (h1–h4 or an element matching `columns.heading_hints`). The name is the heading's link
//!   with the same href (tabbed headings), else the heading text without the "more" words.
//! * **SubNav**: links inside elements matching `columns.subnav_hints` that look like
//!   navigation — no dates, at least half of their text is link text, link names average at
//!   most `columns.subnav_max_avg_name_chars` (a `left` box holding a list is content).
//!
//! Skipped everywhere: home links (`columns.home_words`, or the site root), site functions
//! (`columns.skip_words`: 登录, 无障碍, English …), links to other hosts (a leading `www.`
//! ignored), the page itself, names longer than `columns.max_name_chars`. Deduplicated by URL
//! (ignoring http/https and a leading `www.`); the first source wins (Nav, then Block, then
//! SubNav), so on a column page a side-nav entry already in the main menu stays `Nav`.

use std::collections::HashSet;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::dom::{self, Zones};
use super::vocabulary::Vocabulary;
use super::{ColumnLink, ColumnSource};

/// Work bounds for pathological pages.
const MAX_MORE_LINKS: usize = 200;
const MAX_BLOCK_ELEMENTS: u32 = 3000;

static LINKS: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("a[href]").ok());
static HEADINGS: LazyLock<Option<Selector>> =
    LazyLock::new(|| Selector::parse("h1, h2, h3, h4").ok());

/// Whether a link is a "more" link.
pub fn is_more_link(a: &ElementRef<'_>, vocab: &Vocabulary) -> bool {
    let text: String = dom::text_of(a)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    if !text.is_empty() {
        let words = &vocab.links.more_words;
        return words.iter().any(|w| dom::lower(w) == text.as_str())
            || (text.chars().count() <= 8
                && words
                    .iter()
                    .filter(|w| w.chars().count() >= 2 && !w.is_ascii())
                    .any(|w| text.contains(w.as_str())));
    }
    let hinted = |e: &ElementRef<'_>| dom::matches_hints(e, &vocab.links.more_hints);
    hinted(a)
        || a.parent()
            .and_then(ElementRef::wrap)
            .is_some_and(|p| hinted(&p))
}

/// Whether a name is a home link name.
fn is_home(name: &str, vocab: &Vocabulary) -> bool {
    let n = name.trim().to_lowercase();
    vocab
        .columns
        .home_words
        .iter()
        .any(|w| w.to_lowercase() == n)
}

struct Collector<'v> {
    base: &'v Url,
    vocab: &'v Vocabulary,
    seen: HashSet<String>,
    out: Vec<ColumnLink>,
}

impl Collector<'_> {
    fn push(&mut self, name: &str, href: &str, source: ColumnSource) {
        let name = dom::collapse(name);
        if name.is_empty()
            || name.chars().count() > self.vocab.columns.max_name_chars
            || is_home(&name, self.vocab)
            || self
                .vocab
                .columns
                .skip_words
                .iter()
                .any(|w| !w.is_empty() && name.to_lowercase().contains(&w.to_lowercase()))
        {
            return;
        }
        let Some(url) = dom::resolve(self.base, href) else {
            return;
        };
        if !dom::same_site(self.base, &url) || url.path() == "/" && url.query().is_none() {
            return;
        }
        let mut page = self.base.clone();
        page.set_fragment(None);
        if url == page {
            return;
        }
        // http/https and www/no-www variants are the same column.
        let key = format!(
            "{}{}?{}",
            url.host_str()
                .unwrap_or_default()
                .trim_start_matches("www."),
            url.path(),
            url.query().unwrap_or_default()
        );
        if self.seen.insert(key) {
            self.out.push(ColumnLink { name, url, source });
        }
    }
}

/// Find the columns of a page.
pub fn columns(doc: &Html, base: &Url, zones: &Zones, vocab: &Vocabulary) -> Vec<ColumnLink> {
    let mut c = Collector {
        base,
        vocab,
        seen: HashSet::new(),
        out: Vec::new(),
    };
    let Some(links) = LINKS.as_ref() else {
        return c.out;
    };
    // Nav.
    for a in doc.select(links) {
        let flags = zones.of(a.id());
        if flags & dom::NAV != 0
            && flags & (dom::FOOTER | dom::SCRIPT) == 0
            && !is_more_link(&a, vocab)
        {
            c.push(
                &dom::link_name(&a),
                a.attr("href").unwrap_or_default(),
                ColumnSource::Nav,
            );
        }
    }
    // Blocks.
    for a in doc
        .select(links)
        .filter(|a| is_more_link(a, vocab))
        .take(MAX_MORE_LINKS)
    {
        if zones.is(a.id(), dom::NAV | dom::FOOTER | dom::SCRIPT) {
            continue;
        }
        let href = a.attr("href").unwrap_or_default();
        if let Some(name) = block_heading(&a, href, zones, vocab) {
            c.push(&name, href, ColumnSource::Block);
        }
    }
    // Side navigation (qualifying containers, see `dom::Zones`).
    for &id in &zones.subnavs {
        let Some(el) = doc.tree.get(id).and_then(ElementRef::wrap) else {
            continue;
        };
        for a in el.select(links) {
            if !is_more_link(&a, vocab) {
                c.push(
                    &dom::link_name(&a),
                    a.attr("href").unwrap_or_default(),
                    ColumnSource::SubNav,
                );
            }
        }
    }
    c.out
}

/// The heading of the block a "more" link belongs to.
fn block_heading(
    more: &ElementRef<'_>,
    href: &str,
    zones: &Zones,
    vocab: &Vocabulary,
) -> Option<String> {
    let headings = HEADINGS.as_ref()?;
    let links = LINKS.as_ref()?;
    for anc in more.ancestors().take(4).filter_map(ElementRef::wrap) {
        if zones.size(anc.id()) > MAX_BLOCK_ELEMENTS {
            break;
        }
        let mut candidates: Vec<ElementRef<'_>> = anc.select(headings).collect();
        candidates.extend(
            anc.descendent_elements().filter(|e| {
                e.id() != anc.id() && dom::matches_hints(e, &vocab.columns.heading_hints)
            }),
        );
        if dom::matches_hints(&anc, &vocab.columns.heading_hints) {
            candidates.insert(0, anc);
        }
        for h in candidates {
            // Article headings inside list items are not block headings.
            let in_item = h
                .ancestors()
                .take_while(|p| p.id() != anc.id())
                .filter_map(ElementRef::wrap)
                .any(|p| matches!(p.value().name(), "li" | "tr" | "dd"));
            if in_item {
                continue;
            }
            // A tab heading: the heading link with the same target names the column.
            if let Some(tab) = h
                .select(links)
                .find(|l| l.attr("href") == Some(href) && !is_more_link(l, vocab))
            {
                let name = dom::link_name(&tab);
                if !name.is_empty() {
                    return Some(name);
                }
            }
            let name = heading_text(&h, vocab);
            if !name.is_empty() {
                return Some(name);
            }
        }
    }
    None
}

/// Heading text without its "more" links.
fn heading_text(h: &ElementRef<'_>, vocab: &Vocabulary) -> String {
    let text = dom::text_where(**h, |node| {
        !node
            .ancestors()
            .take_while(|a| a.id() != h.id())
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "a" && is_more_link(&a, vocab))
    });
    let text = dom::collapse(&text);
    // A heading holding several tabs is not one column name.
    if text.chars().count() > vocab.columns.max_name_chars {
        return String::new();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::super::test_util::run;
    use super::super::ColumnSource;

    fn cols(html: &str) -> Vec<(String, String, ColumnSource)> {
        run(html)
            .columns
            .into_iter()
            .map(|c| (c.name, c.url.path().to_string(), c.source))
            .collect()
    }

    #[test]
    fn nav_skips_home_external_and_dedups() {
        let html = "<nav><a href='/'>首页</a><a href='/index.html'>网站首页</a><a href='/col/a/'>栏目A</a>
            <a href='https://www.example.gov.cn/col/a/#x'>栏目A again</a><a href='http://other.gov.cn/x/'>外站</a>
            <a href='http://example.gov.cn/col/b/'>栏目B</a><a href='#'>锚点</a></nav>";
        assert_eq!(
            cols(html),
            vec![
                ("栏目A".into(), "/col/a/".into(), ColumnSource::Nav),
                ("栏目B".into(), "/col/b/".into(), ColumnSource::Nav),
            ]
        );
    }

    #[test]
    fn menu_hints_and_short_hints() {
        let html = "<div id='mainMenu'><ul><li><a href='/col/a/'>栏目A</a></li></ul></div>
            <div class='dh'><a href='/col/b/'>栏目B</a></div>
            <div class='adhoc'><a href='/col/c/'>不是导航</a></div>";
        let names: Vec<String> = cols(html).into_iter().map(|c| c.0).collect();
        assert_eq!(names, vec!["栏目A", "栏目B"]);
        let skipped = "<div class='nav'><a href='/login'>登录</a><a href='/wza/'>无障碍浏览</a><a href='/en/'>English</a><a href='/col/c/'>栏目C</a></div>";
        let names: Vec<String> = cols(skipped).into_iter().map(|c| c.0).collect();
        assert_eq!(names, vec!["栏目C"]);
    }

    #[test]
    fn blocks_with_headings_and_tabs() {
        let html = "<div class='box'><div class='hd'><ul><li><a href='/col/xw/'>县区动态</a></li><li><a href='/col/bm/'>部门信息</a></li></ul>
              <span class='more'><a href='/col/xw/'></a><a href='/col/bm/'></a></span></div>
              <div class='bd'><ul><li><h4><a href='/a/1.html'>短标题</a></h4></li></ul><div class='m-more'><a href='/col/xw/'>更多>></a></div></div></div>
            <div class='b2'><h2>政策文件 <a href='/col/zc/'>more+</a></h2></div>
            <div class='b3'><div class='tit'>通知公告</div><a href='/col/tz/'>查看更多</a></div>";
        assert_eq!(
            cols(html),
            vec![
                ("县区动态".into(), "/col/xw/".into(), ColumnSource::Block),
                ("部门信息".into(), "/col/bm/".into(), ColumnSource::Block),
                ("政策文件".into(), "/col/zc/".into(), ColumnSource::Block),
                ("通知公告".into(), "/col/tz/".into(), ColumnSource::Block),
            ]
        );
    }

    #[test]
    fn side_nav_without_dates_only() {
        let html = "<div class='sidebar'><ul><li><a href='/col/a/'>子栏目A</a></li></ul></div>
            <div class='left'><ul><li><a href='/a/1.html'>新闻</a><span>2018-01-02</span></li></ul></div>";
        assert_eq!(
            cols(html),
            vec![("子栏目A".into(), "/col/a/".into(), ColumnSource::SubNav)]
        );
    }

    #[test]
    fn simulated_side_nav_with_one_link() {
        let html = "<div class=\"left-nav\"><h2>政务公开信息</h2><ul><li><a href=\"/col/gzdt/\">动态</a></li></ul></div>";
        assert_eq!(
            cols(html),
            vec![("动态".into(), "/col/gzdt/".into(), ColumnSource::SubNav)]
        );
    }

    #[test]
    fn long_names_are_not_columns() {
        let html = "<div class='nav'><a href='/a/1.html'>这是一个非常非常非常非常非常长的文章标题而不是栏目名称</a></div>";
        assert!(cols(html).is_empty());
    }
}
