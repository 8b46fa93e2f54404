//! `govaudit links` as Markdown: a table of counts, then one table per kind of failure, in the
//! terms of the inspection standards (不可用链接, 疑似不可用链接 …). URLs and failure reasons come
//! from pages and servers (a reason can quote a `Location` header): each cell goes through
//! [`crate::escape::markdown`].

use std::fmt::Write;

use crate::documents::links::sections;
use crate::escape::markdown;
use crate::linkcheck::LinkReport;
use crate::observation::LinkState;

/// A cell of a Markdown table.
fn cell(s: &str) -> String {
    markdown::text(s)
}

/// Markdown, one table per kind of failure.
pub fn links_markdown(r: &LinkReport) -> String {
    let mut out = String::from("# 链接可用性检查\n\n");
    let _ = writeln!(out, "| 项目 | 数量 |\n|---|---:|");
    let _ = writeln!(out, "| 检查页面 | {} |", r.pages);
    let _ = writeln!(out, "| 检查链接 | {} |", r.links.checked);
    let _ = writeln!(
        out,
        "| 不可用链接 | {} |",
        r.links.in_state(LinkState::Broken).len()
    );
    let _ = writeln!(
        out,
        "| 疑似不可用链接 | {} |",
        r.links.in_state(LinkState::Suspected).len()
    );
    let _ = writeln!(out, "| 无法打开的页面 | {} |", r.unreadable.len());
    for (title, list) in sections(r) {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n## {title}\n\n| 链接 | 原因 | 所在页面 |\n|---|---|---|"
        );
        for l in list {
            let pages: Vec<String> = l.pages.iter().map(|p| cell(p)).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&l.url),
                cell(&l.reason),
                pages.join("<br>")
            );
        }
    }
    if !r.unreadable.is_empty() {
        let _ = writeln!(out, "\n## 无法打开的页面\n\n| 页面 | 原因 |\n|---|---|");
        for p in &r.unreadable {
            let _ = writeln!(out, "| {} | {} |", cell(&p.url), cell(&p.reason));
        }
    }
    if r.links.in_state(LinkState::Broken).is_empty() && r.unreadable.is_empty() {
        out.push_str("\n未发现不可用链接。\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::links::sample;

    #[test]
    fn markdown_uses_chinese_terms_and_escapes_cells() {
        let md = links_markdown(&sample());
        assert!(md.contains("## 不可用链接"));
        assert!(md.contains("x\\|y"));
    }
}
