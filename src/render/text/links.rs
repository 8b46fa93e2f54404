//! `govaudit links` as plain text for a terminal, in the terms of the inspection standards
//! (不可用链接, 疑似不可用链接 …). URLs and failure reasons come from pages and servers (a reason
//! can quote a `Location` header): each is put on its line with
//! [`crate::escape::terminal::inline`].

use std::fmt::Write;

use crate::documents::links::sections;
use crate::escape::terminal::inline;
use crate::linkcheck::LinkReport;
use crate::observation::LinkState;

/// Plain text for a terminal.
pub fn links_text(r: &LinkReport) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::links::sample;

    #[test]
    fn text_uses_chinese_terms() {
        let t = links_text(&sample());
        assert!(t.contains("不可用链接（1 个）"));
        assert!(t.contains("所在页面：http://a.gov.cn/b"));
        assert!(links_text(&LinkReport::default()).contains("未发现不可用链接"));
    }
}
