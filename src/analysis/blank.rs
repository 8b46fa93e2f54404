//! Blank-column markers (空白栏目: 「有栏目无内容」, rules.md §2.1, §5).
//!
//! Only asked when a page has no list items: the first line of page text (read as
//! [`dom::walk_text`] reads it) outside navigation, side navigation, footer, scripts and hidden
//! markup that contains a `blank.markers` word (longest marker first, so 暂无相关信息 is
//! reported rather than a shorter word inside it).

use scraper::Html;

use super::dom::{self, Zones};
use super::vocabulary::Vocabulary;

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
