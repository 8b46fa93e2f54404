//! Page links (for link checking) and pagination links.
//!
//! Links: every `a[href]`, `img[src]`, `iframe[src]`, `frame[src]`, `script[src]`,
//! `link[href]` with `rel` stylesheet or icon, resolved against `<base href>` (itself resolved
//! against the page URL), http(s) only, fragment removed, deduplicated, in page order.
//!
//! Pagination (best effort): inside a container matching `links.pagination_hints`, links whose
//! text is a `links.next_words` word or a page number ≥ 2; anywhere else, links whose text is a
//! Chinese next word (下一页, 下页 …); and the next page of a TRS script pager
//! (`links.script_pager`). Links to the page itself are skipped.

use std::collections::HashSet;
use std::sync::LazyLock;

use scraper::{Html, Selector};
use url::Url;

use super::dom::{self, Zones};
use super::vocabulary::{Compiled, Vocabulary};

static BASE: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("base[href]").ok());
static LINKS: LazyLock<Option<Selector>> = LazyLock::new(|| {
    Selector::parse("a[href], img[src], iframe[src], frame[src], script[src], link[href]").ok()
});
static SCRIPTS: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("script").ok());
static ANCHORS: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("a[href]").ok());

/// The effective base URL: `<base href>` resolved against the page URL, else the page URL.
pub fn effective_base(doc: &Html, page: &Url) -> Url {
    BASE.as_ref()
        .and_then(|s| doc.select(s).next())
        .and_then(|b| b.attr("href"))
        .and_then(|h| page.join(h.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page.clone())
}

/// Every http(s) link of the page.
pub fn links(doc: &Html, base: &Url) -> Vec<Url> {
    let Some(sel) = LINKS.as_ref() else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for el in doc.select(sel) {
        let raw = match el.value().name() {
            "a" => el.attr("href"),
            "link" => {
                let rel = el.attr("rel").unwrap_or_default().to_ascii_lowercase();
                if rel.contains("stylesheet") || rel.contains("icon") {
                    el.attr("href")
                } else {
                    None
                }
            }
            _ => el.attr("src"),
        };
        if let Some(u) = raw.and_then(|r| dom::resolve(base, r)) {
            if seen.insert(u.as_str().to_string()) {
                out.push(u);
            }
        }
    }
    out
}

/// Pagination links of a list page.
pub fn next_pages(
    doc: &Html,
    base: &Url,
    page: &Url,
    zones: &Zones,
    vocab: &Vocabulary,
    compiled: &Compiled,
) -> Vec<Url> {
    let Some(sel) = ANCHORS.as_ref() else {
        return Vec::new();
    };
    let mut page = page.clone();
    page.set_fragment(None);
    let words: Vec<String> = vocab
        .links
        .next_words
        .iter()
        .map(|w| w.to_lowercase())
        .collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for a in doc.select(sel) {
        let text = dom::text_of(&a).to_lowercase().replace(' ', "");
        if text.is_empty() {
            continue;
        }
        let in_pager = zones.is(a.id(), dom::PAGINATION);
        let is_word = words.contains(&text);
        let hit = if in_pager {
            is_word || text.parse::<u32>().is_ok_and(|n| n >= 2)
        } else {
            is_word && !text.is_ascii()
        };
        if !hit {
            continue;
        }
        if let Some(u) = dom::resolve(base, a.attr("href").unwrap_or_default()) {
            if u != page && seen.insert(u.as_str().to_string()) {
                out.push(u);
            }
        }
    }
    if let Some(u) = script_next_page(doc, base, compiled) {
        if u != page && seen.insert(u.as_str().to_string()) {
            out.push(u);
        }
    }
    out
}

/// The next page of a TRS `createPageHTML(pages, current, "index", "html")` pager.
fn script_next_page(doc: &Html, base: &Url, compiled: &Compiled) -> Option<Url> {
    let sel = SCRIPTS.as_ref()?;
    for script in doc.select(sel) {
        let text: String = script.text().collect();
        let Some(caps) = compiled.script_pager.captures(&text) else {
            continue;
        };
        let pages: u64 = caps.get(1)?.as_str().parse().ok()?;
        let current: u64 = caps.get(2)?.as_str().parse().ok()?;
        let (name, ext) = (caps.get(3)?.as_str(), caps.get(4)?.as_str());
        let next = current.checked_add(1)?;
        if next >= pages {
            return None;
        }
        return base.join(&format!("{name}_{next}.{ext}")).ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::test_util::run;

    #[test]
    fn pagination() {
        let html = "<ul><li><a href='/a/1.html'>标题</a><span>2018-01-01</span></li></ul>
            <div class='pagination'><a href='index.html'>1</a><a href='index_2.html'>2</a><a href='index_2.html'>下一页</a>
            <a href='index_9.html'>尾页</a><a href='javascript:goPage(2)'>3</a></div>
            <p><a href='/other/list_2.html'>下一页</a><a href='/x/'>next</a></p>";
        let a = run(html);
        let next: Vec<&str> = a.next_pages.iter().map(|u| u.path()).collect();
        assert_eq!(next, vec!["/col/x/index_2.html", "/other/list_2.html"]);
    }

    #[test]
    fn trs_script_pager() {
        let a = run("<script>createPageHTML(5, 0, \"index\", \"shtml\");</script>");
        let next: Vec<&str> = a.next_pages.iter().map(|u| u.path()).collect();
        assert_eq!(next, vec!["/col/x/index_1.shtml"]);
        let last = run("<script>createPageHTML(5, 4, 'index', 'html');</script>");
        assert!(last.next_pages.is_empty());
    }

    #[test]
    fn links_skip_non_http_and_dedup() {
        let a = run("<a href='/a.html#p1'>a</a><a href='/a.html#p2'>a</a><a href=' https://x.gov.cn/b '>b</a>
            <a href='data:text/plain,x'>d</a><a href='JavaScript:void(0)'>j</a><link rel='alternate' href='/feed'>
            <link rel='shortcut icon' href='/favicon.ico'><frame src='/f.html'>");
        let links: Vec<&str> = a.links.iter().map(|u| u.as_str()).collect();
        assert_eq!(
            links,
            vec![
                "http://www.example.gov.cn/a.html",
                "https://x.gov.cn/b",
                "http://www.example.gov.cn/favicon.ico"
            ]
        );
    }
}
