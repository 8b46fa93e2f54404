//! DOM helpers shared by the extractors: class/id hint matching, page zones (navigation,
//! side navigation, footer, pagination, hidden, script) computed in one pass, text collection
//! that skips scripts, and URL resolution.

use std::collections::HashMap;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node};
use url::Url;

use super::vocabulary::Vocabulary;

/// Zone flags of an element (own or inherited from an ancestor).
pub const NAV: u8 = 1;
pub const SUBNAV: u8 = 2;
pub const FOOTER: u8 = 4;
pub const PAGINATION: u8 = 8;
pub const HIDDEN: u8 = 16;
/// Inside `<script>`, `<style>`, `<noscript>`, `<template>`, `<head>` text.
pub const SCRIPT: u8 = 32;

/// Whether one of `hints` matches the element's `class` or `id` (lower-cased, split on
/// whitespace, `-` and `_`; hints of three or more characters match inside a part, shorter
/// hints must equal a part).
pub fn matches_hints(el: &ElementRef<'_>, hints: &[String]) -> bool {
    hint_text(el).is_some_and(|text| text_matches_hints(&text, hints))
}

/// The element's `class` and `id`, lower-cased, for [`text_matches_hints`]; `None` when it
/// has neither. Taken once when one element is tested against several hint lists.
pub fn hint_text(el: &ElementRef<'_>) -> Option<String> {
    let mut parts = String::new();
    if let Some(c) = el.attr("class") {
        parts.push_str(c);
        parts.push(' ');
    }
    if let Some(i) = el.attr("id") {
        parts.push_str(i);
    }
    if parts.is_empty() {
        return None;
    }
    parts.make_ascii_lowercase();
    if !parts.is_ascii() {
        parts = parts.to_lowercase();
    }
    Some(parts)
}

/// [`matches_hints`] on a [`hint_text`].
pub fn text_matches_hints(text: &str, hints: &[String]) -> bool {
    // Called for most elements of every page: no allocation per hint unless it has capitals.
    text.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|p| !p.is_empty())
        .any(|part| {
            hints.iter().any(|h| {
                let h = lower(h);
                if h.chars().count() >= 3 {
                    part.contains(h.as_ref())
                } else {
                    part == h.as_ref()
                }
            })
        })
}

/// `text` in lower case, borrowed when it has no capitals.
pub fn lower(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_uppercase) {
        std::borrow::Cow::Owned(text.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether an element's inline style or attributes hide it.
fn hides(el: &ElementRef<'_>) -> bool {
    if el.attr("hidden").is_some() {
        return true;
    }
    if el
        .attr("type")
        .is_some_and(|t| t.eq_ignore_ascii_case("hidden"))
        && el.value().name() == "input"
    {
        return true;
    }
    el.attr("style").is_some_and(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// Largest side-navigation container, in elements.
const MAX_SUBNAV_ELEMENTS: u32 = 5000;

/// Whether an element contains a text node shaped like a date.
pub fn has_dated_text(el: &ElementRef<'_>) -> bool {
    el.descendants().any(|n| match n.value() {
        Node::Text(t) => t.trim().len() >= 3 && super::dates::looks_like_date(t),
        _ => false,
    })
}

/// Zone flags for every element: one pre-order pass, then side-navigation candidates
/// (`columns.subnav_hints`) are kept only when they look like navigation.
pub struct Zones {
    flags: HashMap<NodeId, u8>,
    /// Number of element descendants (self included) of every element.
    sizes: HashMap<NodeId, u32>,
    /// Side-navigation containers (outermost), in document order.
    pub subnavs: Vec<NodeId>,
}

impl Zones {
    pub fn compute(doc: &Html, vocab: &Vocabulary) -> Zones {
        let mut flags = HashMap::new();
        let mut sizes = HashMap::new();
        // Side-navigation candidates and whether they also match navigation hints.
        let mut side: Vec<(NodeId, bool)> = Vec::new();
        let mut stack: Vec<u8> = vec![0];
        let mut opened: Vec<u32> = Vec::new();
        let mut count: u32 = 0;
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(node) => {
                    let parent = stack.last().copied().unwrap_or(0);
                    let Some(el) = ElementRef::wrap(node) else {
                        continue;
                    };
                    let name = el.value().name();
                    let mut mine = 0u8;
                    match name {
                        "nav" => mine |= NAV,
                        "footer" => mine |= FOOTER,
                        "script" | "style" | "noscript" | "template" | "head" => mine |= SCRIPT,
                        _ => {}
                    }
                    let hinted = if matches!(name, "html" | "body" | "a") {
                        None
                    } else {
                        hint_text(&el)
                    };
                    if let Some(text) = hinted {
                        // `left-nav`, `subnav`: side navigation is decided after this pass
                        // (it must look like navigation); navigation otherwise.
                        let nav = text_matches_hints(&text, &vocab.columns.nav_hints);
                        if text_matches_hints(&text, &vocab.columns.subnav_hints) {
                            side.push((node.id(), nav));
                        } else if nav {
                            mine |= NAV;
                        }
                        if text_matches_hints(&text, &vocab.footer.hints) {
                            mine |= FOOTER;
                        }
                        if text_matches_hints(&text, &vocab.links.pagination_hints) {
                            mine |= PAGINATION;
                        }
                    }
                    if hides(&el) {
                        mine |= HIDDEN;
                    }
                    let all = parent | mine;
                    flags.insert(node.id(), all);
                    stack.push(all);
                    opened.push(count);
                    count = count.saturating_add(1);
                }
                Edge::Close(node) => {
                    if node.value().is_element() {
                        stack.pop();
                        let start = opened.pop().unwrap_or(0);
                        sizes.insert(node.id(), count - start);
                    }
                }
            }
        }
        let mut zones = Zones {
            flags,
            sizes,
            subnavs: Vec::new(),
        };
        for (id, nav) in side {
            let Some(el) = doc.tree.get(id).and_then(ElementRef::wrap) else {
                continue;
            };
            if zones.is(id, SUBNAV | NAV | FOOTER | SCRIPT) {
                continue;
            }
            if zones.looks_like_side_nav(&el, vocab) {
                zones.subnavs.push(id);
                zones.mark(&el, SUBNAV);
            } else if nav {
                zones.mark(&el, NAV);
            }
        }
        zones
    }

    /// Add a flag to an element and its descendants.
    fn mark(&mut self, el: &ElementRef<'_>, flag: u8) {
        for n in el.descendants() {
            if n.value().is_element() {
                *self.flags.entry(n.id()).or_insert(0) |= flag;
            }
        }
    }

    /// A side-navigation candidate is navigation when it is small, shows no dates, and is
    /// mostly short links (a `left` layout box holding an article list is not).
    fn looks_like_side_nav(&self, el: &ElementRef<'_>, vocab: &Vocabulary) -> bool {
        if self.size(el.id()) > MAX_SUBNAV_ELEMENTS || has_dated_text(el) {
            return false;
        }
        let count = |t: &str| t.chars().filter(|c| !c.is_whitespace()).count();
        // Headings (政务公开 above the links) do not count against the link share.
        let headings: usize = el
            .descendent_elements()
            .filter(|e| matches!(e.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
            .map(|h| count(&raw_text(&h)))
            .sum();
        let total = count(&raw_text(el)).saturating_sub(headings);
        let (mut links, mut link_chars) = (0usize, 0usize);
        for a in el.descendent_elements().filter(|e| e.value().name() == "a") {
            let n = count(&link_name(&a));
            if n > 0 {
                links += 1;
                link_chars += n;
            }
        }
        links > 0
            && link_chars * 2 >= total
            && link_chars <= links * vocab.columns.subnav_max_avg_name_chars
    }

    /// Number of elements in an element's subtree (itself included).
    pub fn size(&self, id: NodeId) -> u32 {
        self.sizes.get(&id).copied().unwrap_or(u32::MAX)
    }

    /// Flags of an element (own and inherited).
    pub fn of(&self, id: NodeId) -> u8 {
        self.flags.get(&id).copied().unwrap_or(0)
    }

    /// Whether an element is in any of the `mask` zones.
    pub fn is(&self, id: NodeId, mask: u8) -> bool {
        self.of(id) & mask != 0
    }
}

/// Elements whose text is not page text.
pub fn is_non_text(name: &str) -> bool {
    matches!(name, "script" | "style" | "noscript" | "template")
}

/// How an element separates its text from its neighbours', as a reader sees the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Boundary {
    /// Inline formatting (`span`, `b`, `font`, unknown tags): text runs on, so an identifier
    /// or a date split over tags (`京ICP备<span>0507</span>0218号`) reads whole.
    None,
    /// A word of its own (`a`, `img`, form controls): a space, so a title ending in a digit does
    /// not run into the date after it.
    Space,
    /// A block (`div`, `p`, `li`, table cells, `br` …): a line break, so a heading and the
    /// `发布时间：` line below it are not read as one word.
    Line,
}

/// The separator an element puts around its text.
pub fn boundary(name: &str) -> Boundary {
    match name {
        "address" | "article" | "aside" | "blockquote" | "body" | "br" | "caption" | "center"
        | "dd" | "details" | "dialog" | "dir" | "div" | "dl" | "dt" | "fieldset" | "figcaption"
        | "figure" | "footer" | "form" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "header"
        | "hgroup" | "hr" | "html" | "iframe" | "legend" | "li" | "main" | "menu" | "nav"
        | "ol" | "option" | "p" | "pre" | "section" | "summary" | "table" | "tbody" | "td"
        | "tfoot" | "th" | "thead" | "title" | "tr" | "ul" => Boundary::Line,
        "a" | "img" | "input" | "button" | "select" | "textarea" | "label" | "object" | "embed"
        | "video" | "audio" | "canvas" | "svg" => Boundary::Space,
        _ => Boundary::None,
    }
}

/// Accumulates page text with [`Boundary`] separators: runs of separators fold into the
/// strongest one, and none is written at the start.
#[derive(Debug, Default)]
pub struct TextBuf {
    text: String,
    pending: Option<Boundary>,
}

impl TextBuf {
    /// A separator before the next text.
    pub fn sep(&mut self, b: Boundary) {
        if b != Boundary::None {
            self.pending = Some(self.pending.map_or(b, |p| p.max(b)));
        }
    }

    /// Text, after any pending separator.
    pub fn push(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        if let Some(b) = self.pending.take() {
            if !self.text.is_empty() {
                self.text.push(if b == Boundary::Line { '\n' } else { ' ' });
            }
        }
        self.text.push_str(t);
    }

    pub fn into_string(self) -> String {
        self.text
    }
}

/// The one walk that reads page text: every text node under `root` in document order, and the [`Boundary`] of every element opened or closed, skipping
/// scripts, styles and templates ([`is_non_text`]). Every extractor that joins text (labels,
/// footers, list rows, link names, blank markers) goes through here, so neighbouring blocks
/// never run together in one place and stay apart in another.
pub fn walk_text<'a>(
    root: ego_tree::NodeRef<'a, Node>,
    mut on_text: impl FnMut(&'a str, ego_tree::NodeRef<'a, Node>),
    mut on_sep: impl FnMut(Boundary),
) {
    let mut skip = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Element(e) if is_non_text(e.name()) => skip += 1,
                Node::Element(e) if skip == 0 => on_sep(boundary(e.name())),
                Node::Text(t) if skip == 0 => on_text(t, n),
                _ => {}
            },
            Edge::Close(n) => {
                if let Node::Element(e) = n.value() {
                    if is_non_text(e.name()) {
                        skip = skip.saturating_sub(1);
                    } else if skip == 0 {
                        on_sep(boundary(e.name()));
                    }
                }
            }
        }
    }
}

/// Text of a subtree whose text nodes pass `keep`, with [`Boundary`] separators: what a
/// reader sees of that part of the page.
pub fn text_where<'a>(
    root: ego_tree::NodeRef<'a, Node>,
    keep: impl Fn(ego_tree::NodeRef<'a, Node>) -> bool,
) -> String {
    let buf = std::cell::RefCell::new(TextBuf::default());
    walk_text(
        root,
        |t, node| {
            if keep(node) {
                buf.borrow_mut().push(t);
            }
        },
        |b| buf.borrow_mut().sep(b),
    );
    buf.into_inner().into_string()
}

/// Text of an element as a reader sees it: scripts and styles skipped, blocks on their own
/// lines, links and images apart, inline formatting run together (see [`Boundary`]).
pub fn raw_text(el: &ElementRef<'_>) -> String {
    text_where(**el, |_| true)
}

/// Whitespace-collapsed text of an element, skipping scripts and styles.
pub fn text_of(el: &ElementRef<'_>) -> String {
    collapse(&raw_text(el))
}

/// Collapse runs of whitespace (incl. ideographic and non-breaking spaces) into one space.
pub fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The display name of a link: its text, or its `title` when the text is empty or truncated,
/// or the `alt` of an image inside it.
pub fn link_name(a: &ElementRef<'_>) -> String {
    let text = text_of(a);
    let title = a.attr("title").map(collapse).unwrap_or_default();
    if (text.is_empty() || text.ends_with("...") || text.ends_with('…')) && !title.is_empty() {
        return title;
    }
    if text.is_empty() {
        return a
            .descendent_elements()
            .filter(|e| e.value().name() == "img")
            .find_map(|i| i.attr("alt").map(collapse).filter(|s| !s.is_empty()))
            .unwrap_or_default();
    }
    text
}

/// Resolve an href/src against the base to an absolute http(s) URL in normal form
/// ([`crate::fetch::normalize`]: no fragment, no default port). Whitespace around it is
/// trimmed (the ideographic space U+3000 CMS editors paste in too); `javascript:`, `mailto:`,
/// `tel:`, other schemes and fragment-only references give `None`.
pub fn resolve(base: &Url, raw: &str) -> Option<Url> {
    let raw = raw.trim();
    if raw.is_empty() || raw.starts_with('#') {
        return None;
    }
    let lower = raw.to_ascii_lowercase();
    if [
        "javascript:",
        "mailto:",
        "tel:",
        "data:",
        "about:",
        "vbscript:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return None;
    }
    let url = base.join(raw).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| crate::fetch::normalize(&url))
}

/// Host without a leading `www.`.
fn bare_host(u: &Url) -> Option<String> {
    u.host_str()
        .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
}

/// Whether `u` is on the same site as `base` (same host, ignoring `www.`).
pub fn same_site(base: &Url, u: &Url) -> bool {
    bare_host(base).is_some() && bare_host(base) == bare_host(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Selector;

    fn first(html: &str) -> bool {
        let doc = Html::parse_fragment(html);
        let sel = Selector::parse("div").unwrap();
        let el = doc.select(&sel).next().unwrap();
        let hints = vec!["nav".to_string(), "dh".to_string()];
        matches_hints(&el, &hints)
    }

    #[test]
    fn hint_matching() {
        assert!(first("<div class='main-Nav'></div>"));
        assert!(first("<div class='mainnav x'></div>"));
        assert!(first("<div id='top_dh'></div>"));
        assert!(first("<div class='dh'></div>"));
        assert!(
            !first("<div class='adhoc'></div>"),
            "short hints match whole parts only"
        );
        assert!(!first("<div></div>"));
    }

    #[test]
    fn resolution() {
        let base = Url::parse("http://www.example.gov.cn/a/b.html").unwrap();
        let r = |s: &str| resolve(&base, s).map(|u| u.to_string());
        assert_eq!(
            r("c.html#x").as_deref(),
            Some("http://www.example.gov.cn/a/c.html")
        );
        assert_eq!(
            r("//cdn.gov.cn/x.js").as_deref(),
            Some("http://cdn.gov.cn/x.js")
        );
        assert_eq!(
            r(" \n/img/a.png\n").as_deref(),
            Some("http://www.example.gov.cn/img/a.png")
        );
        for bad in [
            "",
            "#",
            "#top",
            "javascript:;",
            "MAILTO:a@b.cn",
            "tel:12345",
            "ftp://x/y",
        ] {
            assert_eq!(r(bad), None, "{bad}");
        }
        let other = Url::parse("https://example.gov.cn/x").unwrap();
        assert!(same_site(&base, &other));
        assert!(!same_site(
            &base,
            &Url::parse("http://sub.example.gov.cn/").unwrap()
        ));
    }

    fn text(html: &str) -> String {
        let doc = Html::parse_fragment(html);
        raw_text(&doc.root_element())
    }

    #[test]
    fn blocks_separate_inline_runs_on_links_stand_apart() {
        // Neighbouring blocks never run together, whatever the block.
        for html in [
            "<h1>第1条</h1><div>发布时间</div>",
            "<p>第1条</p><p>发布时间</p>",
            "<table><tr><td>第1条</td><td>发布时间</td></tr></table>",
            "<li>第1条</li><li>发布时间</li>",
            "第1条<br>发布时间",
            "<div>第1条<div>发布时间</div></div>",
        ] {
            assert_eq!(text(html), "第1条\n发布时间", "{html}");
        }
        // Inline formatting runs on: identifiers and words split over tags read whole.
        assert_eq!(
            text("京ICP备<span>0500</span><b>9132</b>号"),
            "京ICP备05009132号"
        );
        assert_eq!(text("暂无<font color=red>信息</font>"), "暂无信息");
        // A link is a word of its own: a title ending in a digit does not eat the date.
        assert_eq!(
            text("<a href='/1'>报告1</a><span>2018-01-29</span>"),
            "报告1 2018-01-29"
        );
        // Scripts and styles are not text; separators fold, none at the start.
        assert_eq!(
            text("<div><script>var a='x';</script><style>p{}</style></div><div></div><p>正文</p>"),
            "正文"
        );
    }

    #[test]
    fn collapse_spaces() {
        assert_eq!(collapse("  a \u{3000} b\n\tc\u{a0}"), "a b c");
    }

    #[test]
    fn resolve_skips_non_http() {
        let base = Url::parse("http://www.nxep.gov.cn/zwgk/index.html").expect("base");
        for href in [
            "",
            "  ",
            "#",
            "#top",
            "javascript:void(0)",
            "JavaScript:;",
            "mailto:a@b.cn",
            "tel:12345",
            "ftp://x.cn/f",
            "data:text/html,x",
        ] {
            assert_eq!(resolve(&base, href), None, "{href}");
        }
    }

    #[test]
    fn resolve_joins_and_normalises() {
        let base = Url::parse("http://www.nxep.gov.cn/zwgk/index.html").expect("base");
        assert_eq!(
            resolve(&base, " ./tzgg/202401/t1.html#p2 ")
                .unwrap()
                .as_str(),
            "http://www.nxep.gov.cn/zwgk/tzgg/202401/t1.html"
        );
        assert_eq!(
            resolve(&base, "\u{3000}/xxgk/\u{3000}").unwrap().as_str(),
            "http://www.nxep.gov.cn/xxgk/"
        );
        assert_eq!(
            resolve(&base, "//other.gov.cn:80").unwrap().as_str(),
            "http://other.gov.cn/"
        );
        assert_eq!(
            resolve(&base, "https://x.gov.cn/a b").unwrap().as_str(),
            "https://x.gov.cn/a%20b"
        );
    }
}
