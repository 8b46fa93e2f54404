//! Blank-column markers (空白栏目: 「有栏目无内容」, rules.md §2.1, §5).
//!
//! Two signs, both only asked when a page has no list items.
//!
//! **Markers**: the first line of page text (read as
//! [`dom::walk_text`] reads it) outside navigation, side navigation, footer, scripts and hidden
//! markup that contains a `blank.markers` word (longest marker first, so 暂无相关信息 is
//! reported rather than a shorter word inside it).

//!
//! **Empty lists** ([`empty_list`]): a list container that holds nothing — `<ul class="list"></ul>`,
//! a list table with only its header row, a Hanweb datastore whose `<recordset>` holds no
//! record. The container is an element of `blank.list_tags` whose class or id matches
//! `blank.list_hints`, outside navigation, side navigation, footer, scripts and hidden markup,
//! with no `href` link and at most `blank.empty_list_max_chars` characters of text. One that an
//! inline script names (its id, or a class of it) is filled in the browser by that script: it
//! is reported as such and not judged blank, since a tool reading the HTML cannot see what a
//! visitor sees there (a list filled by an external script cannot be told apart: the limit of
//! judging markup).

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};

use super::dom::{self, Zones};
use super::vocabulary::Vocabulary;

static SCRIPTS: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("script").ok());

/// A list container found empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptyList {
    /// The container's markup (at most 200 characters), as evidence.
    pub snippet: String,
    /// An inline script names the container: the browser fills it, so it is not blank.
    pub filled_by_script: bool,
}

/// The markup of an element, cut to at most `n` characters.
fn snippet(el: &ElementRef<'_>, n: usize) -> String {
    let html = dom::collapse(&el.html());
    if html.chars().count() <= n {
        html
    } else {
        let mut s: String = html.chars().take(n).collect();
        s.push('…');
        s
    }
}

/// The first empty list container in the content area, if any.
pub fn empty_list(doc: &Html, zones: &Zones, vocab: &Vocabulary) -> Option<EmptyList> {
    let b = &vocab.blank;
    let excluded = dom::NAV | dom::SUBNAV | dom::FOOTER | dom::SCRIPT | dom::HIDDEN;
    let scripts: Vec<String> = SCRIPTS
        .as_ref()
        .map(|sel| {
            doc.select(sel)
                .filter(|s| s.attr("src").is_none())
                .map(|s| s.text().collect())
                .collect()
        })
        .unwrap_or_default();
    // A Hanweb datastore with an empty recordset.
    for text in &scripts {
        if text.contains("<datastore")
            && text.contains("<recordset")
            && !text.contains("<record>")
            && !text.contains("<record ")
        {
            let start = text.find("<recordset").unwrap_or(0);
            let shown: String = text[start..].chars().take(120).collect();
            return Some(EmptyList {
                snippet: dom::collapse(&shown),
                filled_by_script: false,
            });
        }
    }
    for el in doc.root_element().descendent_elements() {
        let name = el.value().name();
        if !b.list_tags.iter().any(|t| t == name)
            || zones.is(el.id(), excluded)
            || !dom::matches_hints(&el, &b.list_hints)
        {
            continue;
        }
        let has_link = el.descendent_elements().any(|e| {
            e.value().name() == "a"
                && e.attr("href")
                    .is_some_and(|h| !h.trim().is_empty() && h.trim() != "#")
        });
        let chars = dom::raw_text(&el)
            .chars()
            .filter(|c| !c.is_whitespace())
            .count();
        if has_link || chars > b.empty_list_max_chars {
            continue;
        }
        let named = |word: &str| !word.is_empty() && scripts.iter().any(|s| s.contains(word));
        let filled_by_script = el.attr("id").is_some_and(|id| named(id.trim()))
            || el
                .attr("class")
                .is_some_and(|c| c.split_whitespace().any(|c| c.len() >= 3 && named(c)));
        return Some(EmptyList {
            snippet: snippet(&el, 200),
            filled_by_script,
        });
    }
    None
}

/// The first blank-column marker in the content area.
pub fn blank_marker(doc: &Html, zones: &Zones, vocab: &Vocabulary) -> Option<String> {
    let mut markers: Vec<&String> = vocab
        .blank
        .markers
        .iter()
        .filter(|m| !m.is_empty())
        .collect();
    markers.sort_by_key(|m| std::cmp::Reverse(m.chars().count()));
    let excluded = dom::NAV | dom::SUBNAV | dom::FOOTER | dom::SCRIPT | dom::HIDDEN;
    // Read as page text, so a marker split over inline tags (`暂无<span>信息</span>`) is seen
    // and neighbouring blocks do not make one up.
    let text = dom::text_where(doc.tree.root(), |n| {
        !n.parent().is_some_and(|p| zones.is(p.id(), excluded))
    });
    text.lines()
        .find_map(|line| markers.iter().find(|m| line.contains(m.as_str())))
        .map(|m| (*m).clone())
}

#[cfg(test)]
mod tests {
    use super::super::test_util::run;

    #[test]
    fn blank_markers() {
        let a = run("<div class='nav'>暂无数据</div><div class='con'><span>该栏目正在建设中，敬请期待</span></div>");
        assert_eq!(a.blank_marker.as_deref(), Some("正在建设中"));
        let b = run("<div class='con'><p style='display:none'>暂无信息</p><ul><li><a href='/a/1.html'>标题</a><span>2018-01-01</span></li></ul></div>");
        assert_eq!(b.blank_marker, None);
        let c = run("<div class='footer'>暂无信息</div><div class='left-nav'><a href='/c/a/'>暂无内容栏目</a></div>");
        assert_eq!(
            c.blank_marker, None,
            "footer and side navigation do not count"
        );
        // A `left` layout box without links is content, not side navigation.
        let e = run("<div class='left'><p>没有记录</p></div>");
        assert_eq!(e.blank_marker.as_deref(), Some("没有记录"));
        let d = run("<table><tr><td>没有记录</td></tr></table>");
        assert_eq!(d.blank_marker.as_deref(), Some("没有记录"));
    }
}
