//! One self-contained HTML file of a [`Notice`] or a [`SiteReport`]: inline CSS, inline SVG
//! charts (pass rate by unit as bars, pass rate by month as a line), and no external reference of
//! any kind — no `src`/`href` to anything, no `@import`, no web fonts; URLs are printed as text,
//! not links. Every string goes through [`crate::escape::html::text`], so page-derived text (a
//! site's title, a column name, a URL) cannot inject markup or carry control characters.

use std::fmt::Write;

use super::{Notice, Series, SiteReport, Table};
use crate::escape::html::text as esc;

const CSS: &str = "body{font-family:\"FangSong\",\"仿宋_GB2312\",\"仿宋\",serif;max-width:60em;\
margin:2em auto;line-height:1.8;color:#111}h1{font-family:\"方正小标宋简体\",\"SimSun\",\"宋体\",serif;\
text-align:center;font-weight:normal;font-size:1.6em}h2{font-family:\"SimHei\",\"黑体\",sans-serif;\
font-size:1.15em}p{text-indent:2em;margin:.4em 0}p.noindent{text-indent:0}table{border-collapse:collapse;\
width:100%;margin:.5em 0 1.5em;font-size:.9em}th,td{border:1px solid #444;padding:.2em .4em;\
vertical-align:top;word-break:break-all}th{background:#eee}.issuer{text-align:right}\
svg text{font-size:12px;font-family:sans-serif}";

fn head(s: &mut String, title: &str) {
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(title)
    );
}

fn table(s: &mut String, headers: &[String], rows: &[Vec<String>]) {
    s.push_str("<table>\n<tr>");
    for h in headers {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{}</td>", esc(c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
}

fn attachment(s: &mut String, t: &Table) {
    let _ = writeln!(s, "<h2>{}：{}</h2>", esc(&t.label), esc(&t.title));
    table(s, &t.headers, &t.rows);
}

/// Horizontal bars: one per point, its length the pass rate.
fn bar_chart(s: &mut String, series: &Series) {
    let (label_w, bar_w, row_h) = (180.0, 360.0, 22.0);
    let height = row_h * series.points.len() as f64 + 30.0;
    let _ = writeln!(
        s,
        "<h2>{}</h2>\n<svg role=\"img\" width=\"{w}\" \
         height=\"{height}\" viewBox=\"0 0 {w} {height}\">",
        esc(&series.title),
        w = label_w + bar_w + 60.0
    );
    for (i, p) in series.points.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let len = p.pass_rate.unwrap_or(0.0).clamp(0.0, 1.0) * bar_w;
        let _ = writeln!(
            s,
            "<text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{len:.1}\" height=\"{h}\" fill=\"#3a6ea5\"/>\
             <text x=\"{vx:.1}\" y=\"{ty}\">{value}</text>",
            tx = label_w - 6.0,
            ty = y + 15.0,
            label = esc(&p.label),
            h = row_h - 6.0,
            vx = label_w + len + 4.0,
            value = esc(&p.pass_rate_text),
        );
    }
    s.push_str("</svg>\n");
}

/// A line through the monthly pass rates (0–100%).
fn line_chart(s: &mut String, series: &Series) {
    let (w, h, left, top) = (560.0, 220.0, 40.0, 20.0);
    let plot_w = w - left - 20.0;
    let plot_h = h - top - 40.0;
    let _ = writeln!(
        s,
        "<h2>{}</h2>\n<svg role=\"img\" width=\"{w}\" \
         height=\"{h}\" viewBox=\"0 0 {w} {h}\">",
        esc(&series.title)
    );
    let _ = writeln!(
        s,
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b}\" stroke=\"#444\"/>\
         <line x1=\"{left}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#444\"/>\
         <text x=\"2\" y=\"{t2}\">100%</text><text x=\"10\" y=\"{b}\">0</text>",
        b = top + plot_h,
        r = left + plot_w,
        t2 = top + 4.0
    );
    let n = series.points.len();
    let step = if n > 1 { plot_w / (n - 1) as f64 } else { 0.0 };
    let mut pts = Vec::new();
    for (i, p) in series.points.iter().enumerate() {
        let x = left + if n > 1 { step * i as f64 } else { plot_w / 2.0 };
        let _ = write!(
            s,
            "<text x=\"{x:.1}\" y=\"{y}\" text-anchor=\"middle\">{}</text>",
            esc(&p.label),
            y = top + plot_h + 18.0
        );
        if let Some(r) = p.pass_rate {
            let y = top + plot_h * (1.0 - r.clamp(0.0, 1.0));
            pts.push(format!("{x:.1},{y:.1}"));
            let _ = write!(
                s,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#b22222\"/>\
                 <text x=\"{x:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{}</text>",
                esc(&p.pass_rate_text),
                ty = y - 6.0
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
    let _ = writeln!(s, "<p>{}</p>", esc(&n.attachments_line));
    let _ = writeln!(s, "<p class=\"issuer\">{}</p>", esc(&n.issuer));
    if let Some(d) = &n.date {
        let _ = writeln!(s, "<p class=\"issuer\">{}</p>", esc(d));
    }
    bar_chart(&mut s, &n.unit_chart);
    line_chart(&mut s, &n.trend);
    for t in [&n.unit_table, &n.site_table, &n.detail_table] {
        attachment(&mut s, t);
    }
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
    let _ = writeln!(s, "<p>{}</p>", esc(&r.summary));
    let _ = writeln!(s, "<h2>{}</h2>", esc(&r.findings_heading));
    if r.findings.is_empty() {
        let _ = writeln!(s, "<p>{}</p>", esc(&r.findings_none));
    }
    for f in &r.findings {
        let _ = writeln!(s, "<p class=\"noindent\"><b>{}</b></p>", esc(&f.text));
        let _ = writeln!(s, "<p>{}</p>", esc(&f.fix));
        if !f.evidence.is_empty() {
            let rows: Vec<Vec<String>> = f.evidence.iter().map(|e| e.cells()).collect();
            table(&mut s, &r.evidence_headers, &rows);
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
    use crate::notice::Point;

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
