//! Markdown of a [`Notice`] and of a [`SiteReport`]. Every piece of text — page-derived or
//! from the templates — goes through [`crate::escape::markdown::text`], so it renders as the
//! characters written: no raw HTML, no link or image, no emphasis, no extra table column or
//! line.

use std::fmt::Write;

use crate::documents::{Notice, SiteReport, Table};
use crate::escape::markdown::text;

fn table(out: &mut String, headers: &[String], rows: &[Vec<String>]) {
    let h: Vec<String> = headers.iter().map(|h| text(h)).collect();
    let _ = writeln!(out, "| {} |", h.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
    for r in rows {
        let c: Vec<String> = r.iter().map(|c| text(c)).collect();
        let _ = writeln!(out, "| {} |", c.join(" | "));
    }
}

fn attachment(out: &mut String, t: &Table) {
    let _ = writeln!(out, "## {}：{}", text(&t.label), text(&t.title));
    let _ = writeln!(out);
    table(out, &t.headers, &t.rows);
    let _ = writeln!(out);
}

/// The notice as Markdown: title, 主送, sections, attachments line, 落款, 附件1, 附件2, and the
/// detail table.
pub fn render_notice(n: &Notice) -> String {
    let mut s = String::new();
    if let Some(d) = &n.doc_number {
        let _ = writeln!(s, "{}\n", text(d));
    }
    let _ = writeln!(s, "# {}", text(&n.title));
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", text(&n.addressee));
    let _ = writeln!(s);
    for p in &n.intro {
        let _ = writeln!(s, "{}\n", text(p));
    }
    for sec in &n.sections {
        let _ = writeln!(s, "## {}", text(&sec.heading));
        let _ = writeln!(s);
        for p in &sec.paragraphs {
            let _ = writeln!(s, "{}\n", text(p));
        }
    }
    // One attachment a line (a Markdown hard break between them).
    let lines: Vec<String> = n.attachments.iter().map(|l| text(l)).collect();
    let _ = writeln!(s, "{}", lines.join("  \n"));
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", text(&n.issuer));
    if let Some(d) = &n.date {
        let _ = writeln!(s, "\n{}", text(d));
    }
    let _ = writeln!(s);
    for t in [&n.unit_table, &n.site_table, &n.detail_table] {
        attachment(&mut s, t);
    }
    for w in &n.warnings {
        let _ = writeln!(s, "> 注意：{}", text(w));
    }
    s
}

/// The self-check report as Markdown.
pub fn render_site(r: &SiteReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", text(&r.title));
    for l in &r.summary {
        let _ = writeln!(s, "- {}", text(l));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "## {}\n", text(&r.findings_heading));
    if r.findings.is_empty() {
        let _ = writeln!(s, "{}\n", text(&r.findings_none));
    }
    for f in &r.findings {
        let _ = writeln!(s, "### {}\n", text(&f.text));
        let _ = writeln!(s, "{}\n", text(&f.fix));
        if !f.rows.is_empty() {
            table(&mut s, &f.headers, &f.rows);
            let _ = writeln!(s);
        }
        for q in &f.seen {
            let _ = writeln!(s, "> {}\n", text(q));
        }
        if let Some(note) = &f.note {
            let _ = writeln!(s, "{}\n", text(note));
        }
    }
    let _ = writeln!(s, "## {}\n", text(&r.warnings_heading));
    if r.warnings.is_empty() {
        let _ = writeln!(s, "{}\n", text(&r.warnings_none));
    }
    for w in &r.warnings {
        let _ = writeln!(s, "- {}", text(&w.text));
    }
    if let Some(u) = &r.uptime {
        let _ = writeln!(s, "\n## {}\n", text(&u.heading));
        let _ = writeln!(s, "{}\n", text(&u.text));
        for o in &u.outages {
            let _ = writeln!(s, "- {}", text(o));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_pipes_markup_links_and_breaks() {
        assert_eq!(text("a|b\n<script>"), "a\\|b &lt;script&gt;");
        assert_eq!(text("[x](javascript:a)"), "\\[x\\](javascript:a)");
        let mut s = String::new();
        table(&mut s, &["x".into()], &[vec!["1".into()]]);
        assert_eq!(s, "| x |\n|---|\n| 1 |\n");
    }
}
