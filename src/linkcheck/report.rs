//! Renderings of a [`LinkReport`]: JSON (one object), plain text and Markdown in the terms of
//! the inspection standards (不可用链接, 疑似不可用链接 …). URLs and failure reasons come from
//! pages and servers (a reason can quote a `Location` header): text goes through
//! [`crate::escape::terminal`], Markdown through [`crate::escape::markdown`].

use std::fmt::Write;

use serde_json::{json, Value};

use crate::escape::{markdown, terminal::inline};

use super::LinkReport;
use crate::observation::{LinkProblem, LinkState};

/// One JSON object: `pages`, `checked`, `broken[]`, `suspected[]`, `blocked[]`,
/// `unreadable_pages[]`; each failed link is {`url`, `state`, `status`, `reason`, `pages[]`},
/// as in `check --format json`.
pub fn to_json(r: &LinkReport) -> Value {
    json!({
        "pages": r.pages,
        "checked": r.links.checked,
        "broken": r.links.in_state(LinkState::Broken),
        "suspected": r.links.in_state(LinkState::Suspected),
        "blocked": r.links.in_state(LinkState::Blocked),
        "unreadable_pages": r.unreadable,
    })
}

/// Each state's problems under its title (the suspected ones said to be maybe temporary).
fn sections(r: &LinkReport) -> Vec<(String, Vec<&LinkProblem>)> {
    [LinkState::Broken, LinkState::Suspected, LinkState::Blocked]
        .into_iter()
        .map(|s| {
            let title = match s {
                LinkState::Suspected => format!("{}（可能是暂时的，未计入不可用）", s.label()),
                _ => s.label().to_string(),
            };
            (title, r.links.in_state(s))
        })
        .collect()
}

/// Plain text for a terminal.
pub fn to_text(r: &LinkReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "链接检查：{} 个页面，检查链接 {} 个，不可用链接 {} 个，疑似不可用 {} 个",
        r.pages,
        r.links.checked,
        r.links.in_state(LinkState::Broken).len(),
        r.links.in_state(LinkState::Suspected).len()
    );
    for (title, list) in sections(r) {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}（{} 个）：", list.len());
        for l in list {
            let _ = writeln!(out, "  {}  [{}]", inline(&l.url), inline(&l.reason));
            for p in &l.pages {
                let _ = writeln!(out, "      所在页面：{}", inline(p));
            }
        }
    }
    if !r.unreadable.is_empty() {
        let _ = writeln!(
            out,
            "\n无法打开的页面（{} 个，其链接未检查）：",
            r.unreadable.len()
        );
        for p in &r.unreadable {
            let _ = writeln!(out, "  {}  [{}]", inline(&p.url), inline(&p.reason));
        }
    }
    if r.links.in_state(LinkState::Broken).is_empty() && r.unreadable.is_empty() {
        let _ = writeln!(out, "\n未发现不可用链接。");
    }
    out
}

/// A cell of a Markdown table.
fn cell(s: &str) -> String {
    markdown::text(s)
}

/// Markdown, one table per kind of failure.
pub fn to_markdown(r: &LinkReport) -> String {
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

    fn sample() -> LinkReport {
        LinkReport {
            pages: 2,
            links: crate::observation::LinkObservation {
                checked: 5,
                problems: vec![LinkProblem {
                    url: "http://a.gov.cn/x|y".into(),
                    state: LinkState::Broken,
                    status: Some(404),
                    reason: "HTTP 404".into(),
                    pages: vec!["http://a.gov.cn/".into(), "http://a.gov.cn/b".into()],
                }],
            },
            ..LinkReport::default()
        }
    }

    #[test]
    fn json_has_the_documented_fields() {
        let v = to_json(&sample());
        assert_eq!(v["checked"], 5);
        assert_eq!(v["broken"][0]["status"], 404);
        assert_eq!(v["broken"][0]["pages"][1], "http://a.gov.cn/b");
        assert!(v["suspected"].as_array().is_some_and(Vec::is_empty));
    }

    #[test]
    fn text_and_markdown_use_chinese_terms() {
        let t = to_text(&sample());
        assert!(t.contains("不可用链接（1 个）"));
        assert!(t.contains("所在页面：http://a.gov.cn/b"));
        let md = to_markdown(&sample());
        assert!(md.contains("## 不可用链接"));
        assert!(md.contains("x\\|y"));
        assert!(to_text(&LinkReport::default()).contains("未发现不可用链接"));
    }
}
