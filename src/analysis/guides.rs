//! 办事指南 pages (服务不实用, rules.md §3.2): the labels a guide shows, for the rule to match
//! against its key elements (事项名称, 设定依据, 申请条件 …: the element list is the rule's
//! parameter, not page analysis's).
//!
//! A label is a short text (2 to `guides.max_label_chars` characters, brackets and the colon
//! dropped) that stands as a heading of a value, read three ways outside navigation, footer,
//! scripts and hidden markup:
//!
//! * at the start of a line of page text, before a colon (`受理条件：…`, `【办理地点】：`);
//! * a heading (`h1`–`h6`) or a `strong`/`b` run of its own;
//! * the first cell of a table row that has another cell (a key/value table), or a `th`.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};

use super::dom::{self, Zones};
use super::vocabulary::Vocabulary;

static HEADS: LazyLock<Option<Selector>> =
    LazyLock::new(|| Selector::parse("h1, h2, h3, h4, h5, h6, strong, b, th, tr").ok());

/// A candidate label, trimmed of brackets, colons and spaces; `None` when too short or long.
fn label(raw: &str, max: usize) -> Option<String> {
    let t: String = raw
        .trim()
        .trim_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    ':' | '：' | '【' | '】' | '[' | ']' | '（' | '）' | '(' | ')' | '*' | '·'
                )
        })
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let n = t.chars().count();
    // Element names have no digits: `2018年1月1日：` and `第3条：` are not labels.
    ((2..=max).contains(&n) && !t.chars().any(|c| c.is_ascii_digit())).then_some(t)
}

/// The labels a page shows, in page order, each once.
pub fn labels(doc: &Html, zones: &Zones, vocab: &Vocabulary) -> Vec<String> {
    let max = vocab.guides.max_label_chars.max(2);
    let excluded = dom::NAV | dom::FOOTER | dom::SCRIPT | dom::HIDDEN;
    let mut out: Vec<String> = Vec::new();
    let mut add = |l: Option<String>| {
        if let Some(l) = l {
            if !out.contains(&l) {
                out.push(l);
            }
        }
    };
    let text = dom::text_where(doc.tree.root(), |n| {
        !n.parent().is_some_and(|p| zones.is(p.id(), excluded))
    });
    for line in text.lines() {
        let line = line.trim();
        if let Some(at) = line.find(['：', ':']) {
            add(label(&line[..at], max));
        }
    }
    let Some(sel) = HEADS.as_ref() else {
        return out;
    };
    for el in doc.select(sel) {
        if zones.is(el.id(), excluded) {
            continue;
        }
        match el.value().name() {
            "tr" => {
                let cells: Vec<ElementRef<'_>> = el
                    .children()
                    .filter_map(ElementRef::wrap)
                    .filter(|c| matches!(c.value().name(), "td" | "th"))
                    .collect();
                if cells.len() >= 2 {
                    add(label(&dom::text_of(&cells[0]), max));
                }
            }
            _ => add(label(&dom::text_of(&el), max)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_util::run_with;

    fn labels(html: &str) -> Vec<String> {
        run_with(html, super::labels)
    }

    #[test]
    fn labels_in_the_shapes_guides_use() {
        let table = labels(
            "<table><tr><td>事项名称</td><td>户口迁移</td></tr><tr><th>设定依据：</th><td>《户口登记条例》</td></tr>
             <tr><td colspan=2>以上内容仅供参考，以窗口为准</td></tr></table>",
        );
        let mut table = table;
        table.sort();
        assert_eq!(table, vec!["事项名称", "设定依据"]);
        let lines = labels(
            "<div class='zn'><p>【申请条件】：年满18周岁</p><p>办理地点: 市政务服务中心</p>
             <h4>办理流程</h4><p>受理—审核—办结</p><p>2018年1月1日：起施行</p></div>",
        );
        assert_eq!(lines, vec!["申请条件", "办理地点", "办理流程"]);
        // Navigation and footer labels are not the guide's.
        let nav = labels(
            "<div class='nav'><p>联系电话：12345</p></div><div class='footer'><p>地址：x</p></div>",
        );
        assert!(nav.is_empty(), "{nav:?}");
    }
}
