//! Date parsing for list items, meta tags and publish-date labels.
//!
//! Accepted forms (full-width digits and brackets are normalised first):
//! `2018-01-10`, `2018/1/10`, `2018.01.10`, `2018年1月10日`, optionally followed by a time
//! (`2018-01-10 09:30:00`, `2007-08-20-23:59:59`), and — only where a text is nothing but a
//! date — year-less `[01-10]`, `01-10`, `1/10`, `1月10日`.
//!
//! Year inference for year-less dates: the year of `as_of`, unless that puts the date after
//! `as_of`, in which case it is the previous year (as of 2018-01-05, `[12-28]` is 2017-12-28).
//! When the item's URL carries the date its page was filed ([`url_date`]: `/20170323/`,
//! `t20180315_4755`, `/2018/03/09/`, `/201511/`), the year is the first one that puts the date on
//! or after that day: a list showing `03-23` for `/20170323/…` shows 2017-03-23, and `03-24` on a
//! `/200801/` page is not a 2018 update (old items keep a year-less date in many lists).
//!
//! Rejected (treated as "no date"): impossible dates (2018-02-30), dates before
//! [`MIN_YEAR`] (no government website published then), and dates more than one day after
//! `as_of` — a future date cannot be a publish date and is usually an event date or a typo; the
//! one-day grace absorbs time-zone differences.

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate};
use regex::Regex;

/// Earliest plausible publish year.
pub const MIN_YEAR: i32 = 1990;

/// Y-M-D anywhere in a text; digit-run lengths are validated after matching.
static FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d+)\s*(?:[-/.]|年)\s*(\d+)\s*(?:[-/.]|月)\s*(\d+)").unwrap_or_else(|_| never())
});

/// A text that is only a date: optional brackets, Y-M-D or M-D, optional time.
static PURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\[(<【〔]?\s*(\d+)\s*(?:[-/.]|年|月)\s*(\d+)\s*(?:(?:[-/.]|月)\s*(\d+)\s*)?日?\s*(?:T?\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*[\])>】〕]?$",
    )
    .unwrap_or_else(|_| never())
});

/// A regex that never matches (fallback for the static patterns, which are tested).
fn never() -> Regex {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"[^\s\S]").unwrap()
}

/// Replace full-width digits, letters, brackets and punctuation with their ASCII forms and
/// non-breaking / ideographic spaces with a plain space.
pub fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' | '\u{00A0}' => ' ',
            _ => c,
        })
        .collect()
}

/// Build a date from digit runs, checking run lengths and plausibility.
fn ymd(y: &str, m: &str, d: &str, as_of: NaiveDate) -> Option<NaiveDate> {
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    plausible(date, as_of)
}

/// Reject dates before [`MIN_YEAR`] or more than one day after `as_of`.
pub fn plausible(date: NaiveDate, as_of: NaiveDate) -> Option<NaiveDate> {
    let limit = as_of.checked_add_days(Days::new(1)).unwrap_or(as_of);
    (date.year() >= MIN_YEAR && date <= limit).then_some(date)
}

/// Y-M-D in a URL path: `20180315` between non-digits, `/2018/03/09/`, `/2018-03-09/`.
static URL_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^0-9])((?:19|20)\d{2})(?:(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])|[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01]))(?:[^0-9]|$)",
    )
    .unwrap_or_else(|_| never())
});

/// Y-M folder in a URL path: `/201803/`, `/2018-03/`, `/2018/03/`.
static URL_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])/").unwrap_or_else(|_| never())
});

/// The date a CMS filed a page under, read from its URL path (the day, or the 1st of the
/// month for month folders); `None` when the path carries none or it is implausible.
pub fn url_date(url: &url::Url, as_of: NaiveDate) -> Option<NaiveDate> {
    let path = url.path();
    let num = |m: Option<regex::Match<'_>>| m.and_then(|m| m.as_str().parse::<u32>().ok());
    let date = if let Some(c) = URL_DAY.captures(path) {
        let y: i32 = c.get(1)?.as_str().parse().ok()?;
        let (m, d) = match (num(c.get(2)), num(c.get(3))) {
            (Some(m), Some(d)) => (m, d),
            _ => (num(c.get(4))?, num(c.get(5))?),
        };
        NaiveDate::from_ymd_opt(y, m, d)?
    } else {
        let c = URL_MONTH.captures(path)?;
        NaiveDate::from_ymd_opt(c.get(1)?.as_str().parse().ok()?, num(c.get(2))?, 1)?
    };
    plausible(date, as_of)
}

/// A year-less month-day on an item whose page was filed on `anchor`: the first such day on or
/// after the anchor, when that is not after `as_of`; else as [`month_day`].
pub fn month_day_after(
    m: u32,
    d: u32,
    as_of: NaiveDate,
    anchor: Option<NaiveDate>,
) -> Option<NaiveDate> {
    if let Some(anchor) = anchor {
        // 29 February recurs within four years.
        let first = (anchor.year()..=anchor.year() + 4)
            .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
            .find(|date| *date >= anchor);
        if let Some(date) = first.filter(|date| *date <= as_of) {
            return plausible(date, as_of);
        }
    }
    month_day(m, d, as_of)
}

/// A year-less month-day, year inferred from `as_of`.
pub fn month_day(m: u32, d: u32, as_of: NaiveDate) -> Option<NaiveDate> {
    // No tolerance here: a year-less date after the as-of date is last year's (a one-day clock
    // tolerance, right for full dates, would turn an item 364 days old into tomorrow's).
    let this_year = NaiveDate::from_ymd_opt(as_of.year(), m, d);
    match this_year {
        Some(date) if date <= as_of => Some(date),
        _ => NaiveDate::from_ymd_opt(as_of.year() - 1, m, d),
    }
    .and_then(|date| plausible(date, as_of))
}

/// A text that is nothing but a date (list-item date cells): full or year-less.
pub fn parse_pure(text: &str, as_of: NaiveDate) -> Option<NaiveDate> {
    parse_pure_after(text, as_of, None)
}

/// [`parse_pure`] for an item whose page was filed on `anchor` (see [`month_day_after`]).
pub fn parse_pure_after(
    text: &str,
    as_of: NaiveDate,
    anchor: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let text = normalize(text);
    let text = text.trim();
    if text.len() > 40 {
        return None;
    }
    let caps = PURE.captures(text)?;
    let a = caps.get(1)?.as_str();
    let b = caps.get(2)?.as_str();
    match caps.get(3) {
        Some(c) => ymd(a, b, c.as_str(), as_of),
        None => {
            if a.len() > 2 || b.len() > 2 || text.contains('年') {
                return None;
            }
            month_day_after(a.parse().ok()?, b.parse().ok()?, as_of, anchor)
        }
    }
}

/// A text that is nothing but a full Y-M-D date after `as_of` (more than the one-day grace): a
/// date no publish date can be, kept to report (疑似伪造发稿日期), never used as one.
pub fn parse_future(text: &str, as_of: NaiveDate) -> Option<NaiveDate> {
    let text = normalize(text);
    let text = text.trim();
    if text.len() > 40 {
        return None;
    }
    let caps = PURE.captures(text)?;
    let (y, m, d) = (
        caps.get(1)?.as_str(),
        caps.get(2)?.as_str(),
        caps.get(3)?.as_str(),
    );
    if y.len() != 4 || m.len() > 2 || d.len() > 2 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    let limit = as_of.checked_add_days(Days::new(1)).unwrap_or(as_of);
    // Up to ten years ahead: further is a typo or an event calendar, not a forged date.
    (date > limit && date.year() <= as_of.year() + 10).then_some(date)
}

/// Whether a text is shaped like a date (regardless of plausibility).
pub fn looks_like_date(text: &str) -> bool {
    let text = normalize(text);
    let text = text.trim();
    text.len() <= 40 && PURE.is_match(text)
}

/// Every plausible Y-M-D date in a text, in order.
pub fn find_full(text: &str, as_of: NaiveDate) -> Vec<NaiveDate> {
    let text = normalize(text);
    FULL.captures_iter(&text)
        .filter_map(|c| {
            ymd(
                c.get(1)?.as_str(),
                c.get(2)?.as_str(),
                c.get(3)?.as_str(),
                as_of,
            )
        })
        .collect()
}

/// A Y-M-D date at the start of a text (after whitespace): meta contents, label values.
pub fn parse_leading(text: &str, as_of: NaiveDate) -> Option<NaiveDate> {
    let text = normalize(text);
    let trimmed = text.trim_start();
    let caps = FULL.captures(trimmed)?;
    let whole = caps.get(0)?;
    if whole.start() != 0 {
        return None;
    }
    ymd(
        caps.get(1)?.as_str(),
        caps.get(2)?.as_str(),
        caps.get(3)?.as_str(),
        as_of,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    const AS_OF: (i32, u32, u32) = (2018, 1, 15);
    fn as_of() -> NaiveDate {
        d(AS_OF.0, AS_OF.1, AS_OF.2)
    }

    #[test]
    fn full_forms() {
        for s in [
            "2018-01-10",
            "2018/1/10",
            "2018.01.10",
            "2018年1月10日",
            "2018 年 01 月 10 日",
            "[2018-01-10]",
            "(2018-01-10)",
            "【2018-01-10】",
            "2018-01-10 09:30:00",
            "2018-01-10 09:30",
            "２０１８－０１－１０",
            "［2018-01-10］",
            "（2018/01/10）",
        ] {
            assert_eq!(parse_pure(s, as_of()), Some(d(2018, 1, 10)), "{s}");
        }
    }

    #[test]
    fn year_less_forms() {
        for s in [
            "[01-10]",
            "01-10",
            "1-10",
            "1/10",
            "1月10日",
            "01.10",
            " 01-10 ",
            "［01-10］",
        ] {
            assert_eq!(parse_pure(s, as_of()), Some(d(2018, 1, 10)), "{s}");
        }
    }

    #[test]
    fn url_dates() {
        let as_of = d(2018, 3, 31);
        let u = |p: &str| {
            url_date(
                &url::Url::parse(&format!("http://x.gov.cn{p}")).unwrap(),
                as_of,
            )
        };
        assert_eq!(
            u("/zhuzhan/zkxx/20170323/386901.html"),
            Some(d(2017, 3, 23))
        );
        assert_eq!(u("/tzgg/201803/t20180315_4755.html"), Some(d(2018, 3, 15)));
        assert_eq!(
            u("/zcfg/gwybwwj/200801/t20080124_825.html"),
            Some(d(2008, 1, 24))
        );
        assert_eq!(
            u("/zwgk/system/2018/03/09/010771234.shtml"),
            Some(d(2018, 3, 9))
        );
        assert_eq!(u("/art/2016/11/22/art_1_1.html"), Some(d(2016, 11, 22)));
        assert_eq!(u("/xwzx/201511/"), Some(d(2015, 11, 1)));
        assert_eq!(u("/xwzx/2015-11/x.html"), Some(d(2015, 11, 1)));
        // Not dates: long numeric ids, impossible days, the future, no date at all.
        assert_eq!(u("/art/1232018031512.html"), None);
        assert_eq!(u("/20181345/a.html"), None);
        assert_eq!(u("/20190101/a.html"), None);
        assert_eq!(u("/col/col123/index.html"), None);
    }

    #[test]
    fn year_less_dates_follow_the_url_date() {
        let as_of = d(2018, 3, 31);
        let p = |t: &str, anchor: (i32, u32, u32)| {
            parse_pure_after(t, as_of, Some(d(anchor.0, anchor.1, anchor.2)))
        };
        // Shown without a year on a page filed in an earlier year: that year, not this one.
        assert_eq!(p("03/23", (2017, 3, 23)), Some(d(2017, 3, 23)));
        assert_eq!(p("[04-25]", (2016, 4, 25)), Some(d(2016, 4, 25)));
        // The first such day on or after the filing date.
        assert_eq!(p("03-24", (2008, 1, 24)), Some(d(2008, 3, 24)));
        assert_eq!(p("01-20", (2015, 3, 1)), Some(d(2016, 1, 20)));
        assert_eq!(p("02-29", (2015, 3, 1)), Some(d(2016, 2, 29)));
        // Filed this year: as without the URL.
        assert_eq!(p("03-18", (2018, 3, 18)), Some(d(2018, 3, 18)));
        // A date before the filing day that would land after as_of: as without the URL.
        assert_eq!(p("02-22", (2018, 3, 9)), Some(d(2018, 2, 22)));
        // Full dates keep their year whatever the URL says.
        assert_eq!(p("2018-02-22", (2018, 3, 9)), Some(d(2018, 2, 22)));
    }

    #[test]
    fn year_inference_across_new_year() {
        let as_of = d(2018, 1, 5);
        assert_eq!(parse_pure("[12-28]", as_of), Some(d(2017, 12, 28)));
        assert_eq!(parse_pure("01-05", as_of), Some(d(2018, 1, 5)));
        // No grace for year-less dates: the day after the as-of date is last year's.
        assert_eq!(parse_pure("01-06", as_of), Some(d(2017, 1, 6)));
        assert_eq!(parse_pure("01-07", as_of), Some(d(2017, 1, 7)));
        // 29 February: this year if valid, else last year if valid, else no date.
        assert_eq!(parse_pure("02-29", d(2020, 3, 1)), Some(d(2020, 2, 29)));
        assert_eq!(parse_pure("02-29", d(2021, 3, 1)), Some(d(2020, 2, 29)));
        assert_eq!(parse_pure("02-29", d(2022, 3, 1)), None);
    }

    #[test]
    fn rejects_impossible_and_future() {
        assert_eq!(parse_pure("2018-02-30", as_of()), None);
        assert_eq!(parse_pure("2018-13-01", as_of()), None);
        assert_eq!(parse_pure("13-01", as_of()), None);
        assert_eq!(
            parse_pure("2018-01-17", as_of()),
            None,
            "future beyond grace"
        );
        assert_eq!(
            parse_pure("2018-01-16", as_of()),
            Some(d(2018, 1, 16)),
            "grace day"
        );
        assert_eq!(parse_pure("1980-01-01", as_of()), None, "too old");
        assert_eq!(parse_pure("20180-01-10", as_of()), None);
        assert_eq!(parse_pure("2018-001-10", as_of()), None);
    }

    #[test]
    fn pure_rejects_non_dates() {
        for s in [
            "",
            "标题",
            "2018",
            "2018年1月",
            "0795-8819792",
            "第1-10期",
            "1-10号文件",
            "v1.2.3",
        ] {
            assert_eq!(parse_pure(s, as_of()), None, "{s}");
        }
        assert!(!looks_like_date("工作动态"));
        assert!(looks_like_date("[01-10]"));
    }

    #[test]
    fn find_in_text() {
        let t = "发布时间：2018-01-10 来源：本站 更新于2017年12月1日，电话0795-8819792";
        assert_eq!(find_full(t, as_of()), vec![d(2018, 1, 10), d(2017, 12, 1)]);
        assert_eq!(find_full("2018-01-10 2018-01-11", as_of()).len(), 2);
        assert!(find_full("12018-01-10", as_of()).is_empty());
    }

    #[test]
    fn leading() {
        assert_eq!(
            parse_leading("2018-01-10 09:00", as_of()),
            Some(d(2018, 1, 10))
        );
        assert_eq!(
            parse_leading("  2007-08-20-23:59:59", as_of()),
            Some(d(2007, 8, 20))
        );
        assert_eq!(parse_leading("x 2018-01-10", as_of()), None);
        assert_eq!(parse_leading("", as_of()), None);
    }

    #[test]
    fn normalize_full_width() {
        assert_eq!(normalize("２０１８年１月１０日"), "2018年1月10日");
        assert_eq!(normalize("（１）"), "(1)");
        assert_eq!(normalize("a\u{3000}b"), "a b");
    }
}
