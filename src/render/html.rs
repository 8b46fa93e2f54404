//! One self-contained HTML file of a [`Notice`] or a [`SiteReport`]: inline CSS, charts drawn
//! inline (pass rate by unit as HTML bars, pass rate by month as an SVG line scaled to the
//! width), and no external resource — no `src`, no `@import`, no web fonts. The only `href`s
//! are the http(s) URLs of the tables, made links by [`crate::escape::html::link`] (anything
//! else stays text). Every other string goes through [`crate::escape::html::text`], so
//! page-derived text (a site's title, a column name, a URL) cannot inject markup or carry
//! control characters.
//!
//! Responsive: a viewport setting, wide tables scroll sideways in their own box, dates, numbers
//! and URLs are never broken inside; printing is A4 with headings kept with what follows and
//! table headers repeated.

use std::fmt::Write;

use crate::documents::{Notice, Series, SiteReport, Table};
use crate::escape::html::{link, text as esc};
use crate::escape::is_web_url;

/// Screen: one readable column, tables scrolling sideways inside their own box (the page
/// itself never scrolls sideways), dates, numbers and URLs kept on one line. Print: A4, no
/// heading left at a page foot, table headers repeated, rows not split; the 16-column detail
/// table on landscape pages of its own.
const CSS: &str = "*{box-sizing:border-box}\
body{font-family:\"FangSong\",\"仿宋_GB2312\",\"仿宋\",\"Noto Serif CJK SC\",serif;max-width:60em;\
margin:0 auto;padding:1em;line-height:1.8;color:#111;overflow-wrap:break-word}\
h1{font-family:\"方正小标宋简体\",\"SimSun\",\"宋体\",\"Noto Serif CJK SC\",serif;text-align:center;\
font-weight:normal;font-size:1.6em;line-height:1.4}\
h2{font-family:\"SimHei\",\"黑体\",\"Noto Sans CJK SC\",sans-serif;font-size:1.15em}\
h3{font-size:1em;margin:.8em 0 .2em}p{text-indent:2em;margin:.4em 0}p.noindent{text-indent:0}\
.docno{text-align:center;text-indent:0}.issuer{text-align:right}blockquote{margin:.4em 2em;color:#333}\
.scroll{overflow-x:auto;margin:.5em 0 1.5em;max-width:100%}\
table{border-collapse:collapse;font-size:.9em;min-width:100%}\
th,td{border:1px solid #444;padding:.2em .4em;vertical-align:top;text-align:left}\
th{background:#eee;white-space:nowrap}td.n,td.d,td.u{white-space:nowrap}td.n{text-align:right}\
td.t{min-width:14em}a{color:#1a4f8b}\
.bars{display:grid;grid-template-columns:minmax(5em,auto) minmax(4em,1fr) auto;gap:.2em .5em;\
align-items:center;margin:.5em 0 1.5em;font-size:.9em}\
.bar{background:#e6e6e6;height:1em}.bar span{display:block;height:100%;background:#3a6ea5}\
svg.trend{width:100%;max-width:36em;height:auto;display:block}\
svg text{font-size:12px;font-family:sans-serif}\
@page{size:A4;margin:20mm 16mm}@page wide{size:A4 landscape;margin:12mm 10mm}\
@media print{body{max-width:none;padding:0;font-size:11pt}.scroll{overflow:visible}\
section.wide{page:wide;break-before:page}section.wide table{font-size:7pt}\
h1,h2,h3{break-after:avoid;page-break-after:avoid}\
tr,.bars>*,svg{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}\
a{color:inherit;text-decoration:none}table{font-size:8pt;min-width:0;width:100%}\
td.u,td.d{white-space:normal;overflow-wrap:anywhere}td.t{min-width:0}}";

fn head(s: &mut String, title: &str) {
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(title)
    );
}

/// A cell: an http(s) URL as a link kept on one line; dates and numbers kept on one line;
/// longer text wraps.
fn td(s: &mut String, c: &str) {
    let date =
        c.len() == 10 && c.as_bytes().get(4) == Some(&b'-') && c.as_bytes().get(7) == Some(&b'-');
    let number = !c.is_empty()
        && c.chars()
            .all(|ch| ch.is_ascii_digit() || ".%—".contains(ch));
    if is_web_url(c) {
        let _ = write!(s, "<td class=\"u\">{}</td>", link("", c));
    } else if date || number || c.chars().count() <= 8 {
        let class = if number { "n" } else { "d" };
        let _ = write!(s, "<td class=\"{class}\">{}</td>", esc(c));
    } else if c.chars().count() > 24 {
        let _ = write!(s, "<td class=\"t\">{}</td>", esc(c));
    } else {
        let _ = write!(s, "<td>{}</td>", esc(c));
    }
}

fn table(s: &mut String, headers: &[String], rows: &[Vec<String>]) {
    s.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for h in headers {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            td(s, c);
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
}

/// An attachment (附件) as a section; a wide one (the 16-column detail table) prints on
/// landscape pages of its own.
fn attachment(s: &mut String, t: &Table, wide: bool) {
    let class = if wide { " class=\"wide\"" } else { "" };
    let _ = writeln!(s, "<section{class}>");
    let _ = writeln!(s, "<h2>{}：{}</h2>", esc(&t.label), esc(&t.title));
    table(s, &t.headers, &t.rows);
    s.push_str("</section>\n");
}

/// Pass rate per unit as bars of HTML boxes: they take the width there is, and the labels
/// stay text at the page's size, on a phone as on a desktop.
fn bar_chart(s: &mut String, series: &Series) {
    let _ = writeln!(
        s,
        "<h2>{}</h2>\n<div class=\"bars\" role=\"img\">",
        esc(&series.title)
    );
    for p in &series.points {
        let pct = p.pass_rate.unwrap_or(0.0).clamp(0.0, 1.0) * 100.0;
        let _ = writeln!(
            s,
            "<div>{}</div><div class=\"bar\"><span style=\"width:{pct:.1}%\"></span></div><div>{}</div>",
            esc(&p.label),
            esc(&p.pass_rate_text),
        );
    }
    s.push_str("</div>\n");
}

/// A month label: 2018年1月 for the first and for each January, else 2月.
fn month_label(label: &str, first: bool) -> String {
    match crate::stats::parse_month(label) {
        Some((y, m)) if first || m == 1 => format!("{y}年{m}月"),
        Some((_, m)) => format!("{m}月"),
        None => label.to_string(),
    }
}

/// A line through the monthly pass rates (0–100%), scaled to the width there is (viewBox).
/// Month labels are short (2月) and alternate above and below the axis when crowded; rate
/// labels alternate above and below their point.
fn line_chart(s: &mut String, series: &Series) {
    let (w, h, left, top) = (560.0, 240.0, 44.0, 24.0);
    let plot_w = w - left - 30.0;
    let plot_h = h - top - 56.0;
    let _ = writeln!(
        s,
        "<h2>{}</h2>\n<svg class=\"trend\" role=\"img\" viewBox=\"0 0 {w} {h}\" \
         preserveAspectRatio=\"xMinYMin meet\">",
        esc(&series.title)
    );
    let _ = writeln!(
        s,
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b}\" stroke=\"#444\"/>\
         <line x1=\"{left}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#444\"/>\
         <text x=\"{lx}\" y=\"{t2}\" text-anchor=\"end\">100%</text>\
         <text x=\"{lx}\" y=\"{b}\" text-anchor=\"end\">0</text>",
        b = top + plot_h,
        r = left + plot_w,
        t2 = top + 4.0,
        lx = left - 4.0
    );
    let n = series.points.len();
    let step = if n > 1 { plot_w / (n - 1) as f64 } else { 0.0 };
    let crowded = n > 1 && step < 60.0;
    let mut pts = Vec::new();
    for (i, p) in series.points.iter().enumerate() {
        let x = left + if n > 1 { step * i as f64 } else { plot_w / 2.0 };
        let below = if crowded && i % 2 == 1 { 32.0 } else { 18.0 };
        let _ = write!(
            s,
            "<text x=\"{x:.1}\" y=\"{y}\" text-anchor=\"middle\">{}</text>",
            esc(&month_label(&p.label, i == 0)),
            y = top + plot_h + below
        );
        if let Some(r) = p.pass_rate {
            let y = top + plot_h * (1.0 - r.clamp(0.0, 1.0));
            pts.push(format!("{x:.1},{y:.1}"));
            let ty = if crowded && i % 2 == 1 && y + 18.0 < top + plot_h {
                y + 18.0
            } else {
                y - 8.0
            };
            let _ = write!(
                s,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#b22222\"/>\
                 <text x=\"{x:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{}</text>",
                esc(&p.pass_rate_text),
            );
        }
    }
    if pts.len() > 1 {
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"#b22222\" stroke-width=\"2\" points=\"{}\"/>",
            pts.join(" ")
        );
    }
    s.push_str("\n</svg>\n");
}

/// The notice as one self-contained HTML file.
pub fn render_notice(n: &Notice) -> String {
    let mut s = String::new();
    head(&mut s, &n.title);
    if let Some(d) = &n.doc_number {
        let _ = writeln!(s, "<p class=\"docno\">{}</p>", esc(d));
    }
    let _ = writeln!(s, "<h1>{}</h1>", esc(&n.title));
    let _ = writeln!(s, "<p class=\"noindent\">{}</p>", esc(&n.addressee));
    for p in &n.intro {
        let _ = writeln!(s, "<p>{}</p>", esc(p));
    }
    for sec in &n.sections {
        let _ = writeln!(s, "<h2>{}</h2>", esc(&sec.heading));
        for p in &sec.paragraphs {
            let _ = writeln!(s, "<p>{}</p>", esc(p));
        }
    }
    for (i, a) in n.attachments.iter().enumerate() {
        // 附件说明: the later lines aligned under the first attachment's name.
        let style = if i == 0 {
            ""
        } else {
            " style=\"text-indent:5em\""
        };
        let _ = writeln!(s, "<p class=\"noindent\"{style}>{}</p>", esc(a));
    }
    let _ = writeln!(s, "<p class=\"issuer\">{}</p>", esc(&n.issuer));
    if let Some(d) = &n.date {
        let _ = writeln!(s, "<p class=\"issuer\">{}</p>", esc(d));
    }
    bar_chart(&mut s, &n.unit_chart);
    line_chart(&mut s, &n.trend);
    attachment(&mut s, &n.unit_table, false);
    attachment(&mut s, &n.site_table, false);
    attachment(&mut s, &n.detail_table, true);
    for w in &n.warnings {
        let _ = writeln!(s, "<p class=\"noindent\">注意：{}</p>", esc(w));
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// The self-check report as one self-contained HTML file.
pub fn render_site(r: &SiteReport) -> String {
    let mut s = String::new();
    head(&mut s, &r.title);
    let _ = writeln!(s, "<h1>{}</h1>", esc(&r.title));
    for l in &r.summary {
        let _ = writeln!(s, "<p class=\"noindent\">{}</p>", esc(l));
    }
    let _ = writeln!(s, "<h2>{}</h2>", esc(&r.findings_heading));
    if r.findings.is_empty() {
        let _ = writeln!(s, "<p>{}</p>", esc(&r.findings_none));
    }
    for f in &r.findings {
        let _ = writeln!(s, "<h3>{}</h3>", esc(&f.text));
        let _ = writeln!(s, "<p>{}</p>", esc(&f.fix));
        if !f.rows.is_empty() {
            table(&mut s, &f.headers, &f.rows);
        }
        for q in &f.seen {
            let _ = writeln!(s, "<blockquote>{}</blockquote>", esc(q));
        }
        if let Some(note) = &f.note {
            let _ = writeln!(s, "<p>{}</p>", esc(note));
        }
    }
    let _ = writeln!(s, "<h2>{}</h2>", esc(&r.warnings_heading));
    if r.warnings.is_empty() {
        let _ = writeln!(s, "<p>{}</p>", esc(&r.warnings_none));
    }
    for w in &r.warnings {
        let _ = writeln!(s, "<p>{}</p>", esc(&w.text));
    }
    if let Some(u) = &r.uptime {
        let _ = writeln!(s, "<h2>{}</h2>", esc(&u.heading));
        for line in std::iter::once(&u.text).chain(&u.outages) {
            let _ = writeln!(s, "<p>{}</p>", esc(line));
        }
    }
    s.push_str("</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::Point;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert(1)</script> & \"x\" 'y'"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;"
        );
    }

    #[test]
    fn charts_escape_labels_and_survive_empty_series() {
        let mut s = String::new();
        let series = Series {
            title: "<b>".into(),
            points: vec![Point {
                label: "<img src=x>".into(),
                sampled: 2,
                failed: 1,
                pass_rate: Some(0.5),
                pass_rate_text: "50%".into(),
            }],
        };
        bar_chart(&mut s, &series);
        line_chart(&mut s, &series);
        assert!(!s.contains("<img") && !s.contains("<b>"), "{s}");
        let mut e = String::new();
        line_chart(
            &mut e,
            &Series {
                title: String::new(),
                points: Vec::new(),
            },
        );
        assert!(e.ends_with("</svg>\n"));
    }
}
