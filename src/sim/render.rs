//! HTML of the simulated sites, in the markup real government sites use: a navigation bar,
//! homepage blocks with a 更多 link, list pages in three templates (paginated behind a 下一页
//! link to `index_1.html` … when a column sets `page_size`), side navigation, article pages
//! with 发布时间 and `PubDate`, and a footer with the identifiers.

use chrono::{Datelike, Duration, NaiveDate};
use std::fmt::Write;
use std::ops::Range;

use super::spec::{BlankStyle, ColumnSpec, DateStyle, FooterItem, LetterList, SiteSpec, Template};

/// Escape text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Publish date of item `n` (0 = newest) of a column.
pub fn item_date(col: &ColumnSpec, as_of: NaiveDate, n: usize) -> NaiveDate {
    as_of - Duration::days(col.newest + col.every * n as i64)
}

fn fmt_date(d: NaiveDate, style: DateStyle) -> String {
    match style {
        DateStyle::Iso => d.format("%Y-%m-%d").to_string(),
        DateStyle::Slash => format!("{}/{}/{}", d.year(), d.month(), d.day()),
        DateStyle::Chinese => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        DateStyle::Yearless => d.format("[%m-%d]").to_string(),
        DateStyle::ArticleOnly => String::new(),
    }
}

fn head(site: &SiteSpec, title: &str, extra_meta: &str) -> String {
    let charset = if site.encoding == "gbk" {
        r#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#.to_string()
    } else {
        r#"<meta charset="utf-8">"#.to_string()
    };
    format!(
        "<!DOCTYPE html>\n<html><head>{charset}\n<meta name=\"SiteName\" content=\"{name}\">\n\
         <meta name=\"SiteIDCode\" content=\"{code}\">\n{extra_meta}<title>{title}</title></head>\n<body>\n\
         <div class=\"header\"><h1>{name}</h1></div>\n",
        name = esc(&site.name),
        code = esc(&site.site_code),
        title = esc(title),
    )
}

/// A navigation entry for a column.
fn column_li(site: &SiteSpec, c: &ColumnSpec) -> String {
    format!(
        "<li><a href=\"{}/col/{}/\">{}</a></li>\n",
        site.prefix,
        c.slug,
        esc(&c.name)
    )
}

fn nav(site: &SiteSpec) -> String {
    let mut s = String::from("<div class=\"nav\"><ul>\n");
    let _ = writeln!(s, "<li><a href=\"{}/\">首页</a></li>", site.prefix);
    for c in site.columns.iter().filter(|c| c.parent.is_none()) {
        s.push_str(&column_li(site, c));
    }
    s.push_str("</ul></div>\n");
    s
}

fn footer(site: &SiteSpec) -> String {
    let code = &site.site_code;
    let item = |i: &FooterItem, valid: String| match i {
        FooterItem::Flag(true) => valid,
        FooterItem::Flag(false) => String::new(),
        FooterItem::Text(t) => t.clone(),
    };
    let mut s = String::from("<div class=\"footer\">\n");
    let _ = writeln!(
        s,
        "<p>主办单位：{}　<a href=\"{}/lxwm/\">联系我们</a></p>",
        esc(&site.name),
        site.prefix
    );
    let _ = writeln!(
        s,
        "{}",
        item(&site.footer.site_code, format!("<p>网站标识码：{code}</p>"))
    );
    let _ = writeln!(
        s,
        "{}",
        item(
            &site.footer.icp,
            "<a href=\"http://beian.miit.gov.cn/\">宁ICP备05001234号-1</a>".into()
        )
    );
    let _ = writeln!(
        s,
        "{}",
        item(
            &site.footer.police,
            "<a href=\"http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=64010402000123\">\
             宁公网安备 64010402000123号</a>"
                .into()
        )
    );
    let _ = writeln!(
        s,
        "{}",
        item(
            &site.footer.conac,
            "<a href=\"http://bszs.conac.cn/sitename?method=show&amp;id=1ACC49F8764D14F7E053012819ACEFF4\">\
             <img src=\"http://dcs.conac.cn/image/red.png\" alt=\"党政机关\"></a>"
                .into()
        )
    );
    let _ = writeln!(
        s,
        "{}",
        item(
            &site.footer.jiucuo,
            format!(
                "<script id=\"_jiucuo_\" sitecode='{code}' src='http://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>"
            )
        )
    );
    s.push_str("</div>\n</body></html>\n");
    s
}

fn list_items(
    site: &SiteSpec,
    col: &ColumnSpec,
    as_of: NaiveDate,
    shown: Range<usize>,
    style: DateStyle,
) -> String {
    let mut s = String::new();
    let shown = shown.start.min(col.items)..shown.end.min(col.items);
    let (open, close) = match site.template {
        Template::Ul => ("<ul class=\"list\">\n", "</ul>\n"),
        Template::Table => ("<table class=\"list\">\n", "</table>\n"),
        Template::Div => ("<div class=\"news-list\">\n", "</div>\n"),
    };
    s.push_str(open);
    for i in shown {
        let date = fmt_date(item_date(col, as_of, i), style);
        let href = format!("{}/art/{}/{}.html", site.prefix, col.slug, i + 1);
        let title = format!("{}第{}期信息", col.name, col.items - i);
        let _ = match site.template {
            Template::Ul => writeln!(
                s,
                "<li><a href=\"{href}\">{title}</a><span class=\"date\">{date}</span></li>"
            ),
            Template::Table => writeln!(
                s,
                "<tr><td><a href=\"{href}\">{title}</a></td><td>{date}</td></tr>"
            ),
            Template::Div => writeln!(
                s,
                "<div class=\"item\"><a href=\"{href}\">{title}</a><em>{date}</em></div>"
            ),
        };
    }
    s.push_str(close);
    s
}

/// The homepage.
pub fn homepage(site: &SiteSpec, as_of: NaiveDate) -> String {
    let mut s = head(site, &site.name, "");
    s.push_str(&nav(site));
    s.push_str("<div class=\"main\">\n");
    if let Some(b) = &site.banner {
        let _ = writeln!(s, "<div class=\"banner\"><p>{}</p></div>", esc(b));
    }
    for c in site.columns.iter().filter(|c| c.home) {
        let _ = writeln!(
            s,
            "<div class=\"block\"><div class=\"title\"><h3>{}</h3><a class=\"more\" href=\"{}/col/{}/\">更多&gt;&gt;</a></div>",
            esc(&c.name),
            site.prefix,
            c.slug
        );
        // Homepage blocks show full dates, as portals do, unless the site says they show none.
        let style = if site.home_undated {
            DateStyle::ArticleOnly
        } else if site.dates == DateStyle::ArticleOnly {
            DateStyle::Iso
        } else {
            site.dates
        };
        s.push_str(&list_items(site, c, as_of, 0..6, style));
        s.push_str("</div>\n");
    }
    for i in 0..site.broken_links {
        let _ = writeln!(
            s,
            "<p><a href=\"{}/zt/old{}/index.html\">专题{}</a></p>",
            site.prefix,
            i + 1,
            i + 1
        );
    }
    s.push_str("</div>\n");
    s.push_str(&footer(site));
    s
}

/// Number of list entries of a column: its messages, its guides, or its items.
fn entries(col: &ColumnSpec) -> usize {
    if !col.letters.is_empty() {
        col.letters.len()
    } else if !col.guides.is_empty() {
        col.guides.len()
    } else {
        col.items
    }
}

/// The ten key elements of a 办事指南 and a value for each.
const GUIDE_ELEMENTS: [(&str, &str); 10] = [
    ("事项名称", "户籍迁移登记"),
    ("设定依据", "《中华人民共和国户口登记条例》"),
    ("申请条件", "符合迁入条件的本市居民"),
    ("申请材料", "居民身份证、户口簿"),
    ("办理地点", "市政务服务中心一楼"),
    ("实施机关", "市公安局"),
    ("收费标准", "不收费"),
    ("办理时间", "工作日 9:00-17:00"),
    ("咨询电话", "0951-1234567"),
    ("办理流程", "申请—受理—审核—办结"),
];

/// The guides `shown` of a 办事服务类 column, as a dated list.
fn guide_rows(site: &SiteSpec, col: &ColumnSpec, as_of: NaiveDate, shown: Range<usize>) -> String {
    let mut s = String::from("<ul class=\"list\">\n");
    for n in shown.start.min(col.guides.len())..shown.end.min(col.guides.len()) {
        let _ = writeln!(
            s,
            "<li><a href=\"{}/guide/{}/{}.html\">第{}项办事指南</a><span class=\"date\">{}</span></li>",
            site.prefix,
            col.slug,
            n + 1,
            n + 1,
            day(as_of, 3 + n as i64)
        );
    }
    s.push_str("</ul>\n");
    s
}

/// A 办事指南 page: a key/value table of the elements it has.
pub fn guide_page(site: &SiteSpec, col: &ColumnSpec, n: usize) -> Option<String> {
    let missing = *col.guides.get(n.checked_sub(1)?)?;
    let title = format!("第{n}项办事指南");
    let mut s = head(site, &title, "");
    s.push_str(&nav(site));
    let _ = writeln!(
        s,
        "<div class=\"guide\"><h2>{}</h2><table class=\"bszn\">",
        esc(&title)
    );
    for (name, value) in GUIDE_ELEMENTS
        .iter()
        .take(GUIDE_ELEMENTS.len().saturating_sub(missing))
    {
        let _ = writeln!(s, "<tr><td>{name}</td><td>{value}</td></tr>");
    }
    s.push_str("</table></div>\n");
    s.push_str(&footer(site));
    Some(s)
}

/// Number of list pages of a column (at least 1).
pub fn page_count(col: &ColumnSpec) -> usize {
    match col.page_size {
        Some(size) if size > 0 => entries(col).div_ceil(size).max(1),
        _ => 1,
    }
}

fn day(as_of: NaiveDate, days_before: i64) -> NaiveDate {
    as_of - Duration::days(days_before)
}

/// The messages `shown` of a 政务咨询类 column, as its list shows them.
fn letter_rows(site: &SiteSpec, col: &ColumnSpec, as_of: NaiveDate, shown: Range<usize>) -> String {
    let full = col.letter_list == LetterList::Full;
    let mut s = String::new();
    if full {
        s.push_str("<table class=\"xjlb\"><tr><th>信件标题</th><th>留言时间</th><th>回复时间</th><th>办理状态</th></tr>\n");
    } else {
        s.push_str("<ul class=\"list\">\n");
    }
    for n in shown.start.min(col.letters.len())..shown.end.min(col.letters.len()) {
        let l = col.letters[n];
        let href = format!("{}/letter/{}/{}.html", site.prefix, col.slug, n + 1);
        let title = format!("关于第{}号事项的咨询", col.letters.len() - n);
        let asked = day(as_of, l.asked);
        if full {
            let (replied, status) = match l.replied_after {
                Some(d) => ((asked + Duration::days(d)).to_string(), "已回复"),
                None => (String::new(), "办理中"),
            };
            let _ = writeln!(
                s,
                "<tr><td><a href=\"{href}\">{title}</a></td><td>{asked}</td><td>{replied}</td><td>{status}</td></tr>"
            );
        } else {
            let _ = writeln!(
                s,
                "<li><a href=\"{href}\">{title}</a><span class=\"date\">{asked}</span></li>"
            );
        }
    }
    s.push_str(if full { "</table>\n" } else { "</ul>\n" });
    s
}

/// A message's page: 留言时间, and the reply or its status.
pub fn letter_page(
    site: &SiteSpec,
    col: &ColumnSpec,
    n: usize,
    as_of: NaiveDate,
) -> Option<String> {
    let l = col.letters.get(n.checked_sub(1)?)?;
    let title = format!("关于第{}号事项的咨询", col.letters.len() + 1 - n);
    let asked = day(as_of, l.asked);
    let mut s = head(site, &title, "");
    s.push_str(&nav(site));
    let _ = writeln!(
        s,
        "<div class=\"letter\"><h2>{}</h2><p>留言时间：{asked}</p><p>留言内容：请问此事如何办理？</p>",
        esc(&title)
    );
    match l.replied_after {
        Some(d) => {
            let _ = writeln!(
                s,
                "<div class=\"reply\"><p>回复单位：{}</p><p>回复时间：{}</p><p>回复内容：您好，您反映的问题已转有关部门办理。</p></div>",
                esc(&site.name),
                asked + Duration::days(d)
            );
        }
        None => s.push_str("<p>办理状态：办理中</p>\n"),
    }
    s.push_str("</div>\n");
    s.push_str(&footer(site));
    Some(s)
}

/// A column's list page (its first page).
pub fn column_page(site: &SiteSpec, col: &ColumnSpec, as_of: NaiveDate) -> String {
    column_page_n(site, col, 0, as_of)
}

/// Page `page` (0 = first, `index.html`; 1 = `index_1.html` …) of a column's list.
pub fn column_page_n(site: &SiteSpec, col: &ColumnSpec, page: usize, as_of: NaiveDate) -> String {
    let mut s = head(
        site,
        &col.name,
        &format!(
            "<meta name=\"ColumnName\" content=\"{}\">\n",
            esc(&col.name)
        ),
    );
    s.push_str(&nav(site));
    let parent = col.parent.as_deref().unwrap_or(&col.slug);
    let children: Vec<&ColumnSpec> = site
        .columns
        .iter()
        .filter(|c| c.parent.as_deref() == Some(parent))
        .collect();
    if !children.is_empty() {
        s.push_str("<div class=\"left-nav\"><h2>栏目导航</h2><ul>\n");
        for c in children {
            s.push_str(&column_li(site, c));
        }
        s.push_str("</ul></div>\n");
    }
    s.push_str("<div class=\"content\">\n");
    let _ = writeln!(
        s,
        "<div class=\"position\">当前位置：首页 &gt; {}</div>",
        esc(&col.name)
    );
    let size = col.page_size.unwrap_or(20);
    let start = page.saturating_mul(size);
    if !col.letters.is_empty() {
        s.push_str(&letter_rows(
            site,
            col,
            as_of,
            start..start.saturating_add(size),
        ));
    } else if !col.guides.is_empty() {
        s.push_str(&guide_rows(
            site,
            col,
            as_of,
            start..start.saturating_add(size),
        ));
    } else if col.items == 0 {
        s.push_str(match col.blank {
            BlankStyle::Marker => "<div class=\"list\"><p>暂无信息</p></div>\n",
            BlankStyle::EmptyList => "<ul class=\"list\">\n</ul>\n",
            BlankStyle::HeaderOnly => {
                "<table class=\"list\"><tr><th>标题</th><th>发布日期</th></tr></table>\n"
            }
            BlankStyle::HanwebEmpty => {
                "<div id=\"379\"><script type=\"text/xml\"><datastore><nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1\"></a>]]></nextgroup><recordset></recordset></datastore></script></div>\n"
            }
            BlankStyle::ScriptFilled => {
                "<ul id=\"newslist\"></ul>\n<script>$.getJSON('/api/list.json', function (d) { $('#newslist').html(d.html); });</script>\n"
            }
        });
    } else {
        s.push_str(&list_items(
            site,
            col,
            as_of,
            start..start.saturating_add(size),
            site.dates,
        ));
    }
    let pages = page_count(col);
    if pages > 1 {
        s.push_str("<div class=\"page\">");
        let name = |n: usize| {
            if n == 0 {
                "index.html".to_string()
            } else {
                format!("index_{n}.html")
            }
        };
        let base = format!("{}/col/{}/", site.prefix, col.slug);
        if page > 0 {
            let _ = write!(s, "<a href=\"{base}{}\">上一页</a> ", name(page - 1));
        }
        let _ = write!(s, "<span>第{}页 共{pages}页</span>", page + 1);
        if page + 1 < pages {
            let _ = write!(s, " <a href=\"{base}{}\">下一页</a>", name(page + 1));
        }
        s.push_str("</div>\n");
    }
    s.push_str("</div>\n");
    s.push_str(&footer(site));
    s
}

/// An article page.
pub fn article_page(site: &SiteSpec, col: &ColumnSpec, n: usize, as_of: NaiveDate) -> String {
    let date = item_date(col, as_of, n.saturating_sub(1));
    let title = format!("{}第{}期信息", col.name, col.items.saturating_sub(n - 1));
    let mut meta = format!("<meta name=\"ArticleTitle\" content=\"{}\">\n", esc(&title));
    if site.article_meta {
        let _ = writeln!(meta, "<meta name=\"PubDate\" content=\"{date} 09:30\">");
    }
    let mut s = head(site, &title, &meta);
    s.push_str(&nav(site));
    let _ = writeln!(
        s,
        "<div class=\"article\"><h2>{}</h2><div class=\"info\">发布时间：{} 09:30　来源：{}</div>\n\
         <div class=\"text\"><p>正文内容。</p></div></div>",
        esc(&title),
        date,
        esc(&site.name)
    );
    s.push_str(&footer(site));
    s
}

/// A plain page (联系我们, the external identifier services).
pub fn plain_page(title: &str) -> String {
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{0}</title></head><body><p>{0}</p></body></html>", esc(title))
}
