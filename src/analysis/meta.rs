//! `<title>`, `<meta>` tags (rules.md §4.2) and the article publish date.
//!
//! Publish-date choice: a visible labelled date (`发布时间：2018-01-10`) wins over the `PubDate`
//! meta, which wins over `firstpublishedtime`. The visible date is what a reader and an
//! inspector see; CMSs often rewrite `PubDate` on republication (万载 tjgb2015: meta
//! 2022-04-24, visible 发布日期 2017-05-15, URL `/201705/`; the correct date is 2017-05-15).

use std::sync::LazyLock;

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Selector};

use super::dates;
use super::dom::{self, Zones};
use super::vocabulary::{Compiled, Vocabulary};
use super::PageMeta;

static TITLE: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("title").ok());
static META: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("meta").ok());
static BODY: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("body").ok());

/// The page `<title>`, whitespace-collapsed.
pub fn title(doc: &Html) -> Option<String> {
    let sel = TITLE.as_ref()?;
    doc.select(sel)
        .map(|t| dom::collapse(&t.text().collect::<String>()))
        .find(|t| !t.is_empty())
}

fn one_of(name: &str, names: &[String]) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Read the `<meta>` tags (names case-insensitive; empty contents ignored; first wins).
pub fn page_meta(doc: &Html, as_of: NaiveDate, vocab: &Vocabulary) -> PageMeta {
    let mut meta = PageMeta::default();
    let Some(sel) = META.as_ref() else {
        return meta;
    };
    let names = &vocab.meta;
    for m in doc.select(sel) {
        let Some(name) = m.attr("name").or_else(|| m.attr("property")) else {
            continue;
        };
        let name = name.trim();
        let content = dom::collapse(m.attr("content").unwrap_or_default());
        if content.is_empty() {
            continue;
        }
        let set = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(content.clone());
            }
        };
        if one_of(name, &names.site_name) {
            set(&mut meta.site_name);
        } else if one_of(name, &names.site_domain) {
            set(&mut meta.site_domain);
        } else if one_of(name, &names.site_id_code) {
            set(&mut meta.site_id_code);
        } else if one_of(name, &names.column_name) {
            set(&mut meta.column_name);
        } else if one_of(name, &names.column_type) {
            set(&mut meta.column_type);
        } else if one_of(name, &names.pub_date) {
            if meta.pub_date.is_none() {
                meta.pub_date = dates::parse_leading(&content, as_of);
            }
        } else if one_of(name, &names.first_published) && meta.first_published.is_none() {
            meta.first_published = dates::parse_leading(&content, as_of);
        }
    }
    meta
}

/// The first visible labelled publish date in the body (outside nav and footer).
pub fn labelled_date(
    doc: &Html,
    zones: &Zones,
    as_of: NaiveDate,
    compiled: &Compiled,
) -> Option<NaiveDate> {
    let body: ElementRef<'_> = BODY.as_ref().and_then(|s| doc.select(s).next())?;
    // Text of the body without nav/footer/script subtrees, blocks on their own lines (a
    // heading followed by a `<div>发布时间：…</div>` must not read `…第1条发布时间：`).
    let text = dom::text_where(*body, |node| {
        !node
            .parent()
            .is_some_and(|p| zones.is(p.id(), dom::NAV | dom::FOOTER | dom::SCRIPT))
    });
    let text = dates::normalize(&text);
    for caps in compiled.publish_label.captures_iter(&text) {
        let (Some(label), Some(whole)) = (caps.get(1), caps.get(0)) else {
            continue;
        };
        // The label must not be the tail of a longer word (成文日期, 更新时间).
        let before = text[..label.start()].chars().next_back();
        if before.is_some_and(is_han) {
            continue;
        }
        if let Some(d) = dates::parse_leading(&text[whole.end()..], as_of) {
            return Some(d);
        }
    }
    None
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// The article publish date: labelled visible date, else `PubDate`, else first publication.
pub fn publish_date(labelled: Option<NaiveDate>, meta: &PageMeta) -> Option<NaiveDate> {
    labelled.or(meta.pub_date).or(meta.first_published)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{day, run};

    #[test]
    fn meta_names_are_case_insensitive_and_empty_is_none() {
        let a = run("<html><head><title>\n 标题 \n</title><META NAME='sitename' CONTENT='某市政府'>
            <meta name='SITEIDCODE' content=' '><meta name='columnname' content='通知公告'>
            <meta name='ColumnType' content='通知公告'><meta name='pubdate' content='2017-12-01 10:00'>
            <meta name='firstpublishedtime' content='2017-11-30-23:59:59'></head><body></body></html>");
        assert_eq!(a.title.as_deref(), Some("标题"));
        assert_eq!(a.meta.site_name.as_deref(), Some("某市政府"));
        assert_eq!(a.meta.site_id_code, None);
        assert_eq!(a.meta.column_name.as_deref(), Some("通知公告"));
        assert_eq!(a.meta.column_type.as_deref(), Some("通知公告"));
        assert_eq!(a.meta.pub_date, Some(day(2017, 12, 1)));
        assert_eq!(a.meta.first_published, Some(day(2017, 11, 30)));
        assert_eq!(a.publish_date, Some(day(2017, 12, 1)));
    }

    #[test]
    fn a_label_in_the_block_after_a_heading_is_read() {
        // The heading ends in a Han character: run together, `条发布时间` would read as one word.
        for html in [
            "<h1>关于做好有关工作的通知第1条</h1><div>发布时间：2018-01-09 10:00 来源：本站</div>",
            "<div class='title'>通知第1条</div><div class='info'><span>发布日期：</span><span>2018-01-09</span></div>",
            "<table><tr><td>通知第1条</td></tr><tr><td>发布时间：2018-01-09</td></tr></table>",
            "<p>通知第1条<br>时间：2018-01-09</p>",
        ] {
            assert_eq!(run(html).publish_date, Some(day(2018, 1, 9)), "{html}");
        }
        // A label that really is the tail of a longer word still does not count, split or not.
        let split = run("<p><span>成文</span><span>日期：2017-01-01</span></p>");
        assert_eq!(split.publish_date, None);
    }

    #[test]
    fn publish_date_sources() {
        // Label only.
        let a = run("<div class='info'>发布日期:2017-05-15 10:49:00 来源：本站</div>");
        assert_eq!(a.publish_date, Some(day(2017, 5, 15)));
        // Label split across elements.
        let b = run("<span>发布时间：<b><publishtime>2017-05-15</publishtime></b></span>");
        assert_eq!(b.publish_date, Some(day(2017, 5, 15)));
        let bracket = run("<p>[发布日期] 2017-05-16</p>");
        assert_eq!(bracket.publish_date, Some(day(2017, 5, 16)));
        let full_width = run("<p>发布时间：２０１７年５月１７日</p>");
        assert_eq!(full_width.publish_date, Some(day(2017, 5, 17)));
        // Longer words ending in a label do not count; the plain label later does.
        let c = run("<p>成文日期：2017-01-01 更新时间：2017-02-02</p><p>时间：2017-03-03</p>");
        assert_eq!(c.publish_date, Some(day(2017, 3, 3)));
        // Visible label beats the meta; meta beats firstpublishedtime.
        let d = run("<head><meta name='PubDate' content='2018-01-10'><meta name='firstpublishedtime' content='2017-01-01'></head><body>发布时间：2017-12-31</body>");
        assert_eq!(d.publish_date, Some(day(2017, 12, 31)));
        let e = run("<head><meta name='PubDate' content='2018-01-10'><meta name='firstpublishedtime' content='2017-01-01'></head><body></body>");
        assert_eq!(e.publish_date, Some(day(2018, 1, 10)));
        // Labels in the footer are not the article's.
        let f = run("<div class='footer'>更新日期：2018-01-01 发布时间：2018-01-02</div>");
        assert_eq!(f.publish_date, None);
        // A future labelled date is no date; the meta is used.
        let g = run("<head><meta name='PubDate' content='2018-01-10'></head><body>发布时间：2019-01-01</body>");
        assert_eq!(g.publish_date, Some(day(2018, 1, 10)));
    }
}
