//! XLSX of a [`Notice`]: one sheet per table — 附件1 (per unit), 附件2 (problem sites) and the
//! detail sheet (one row per piece of evidence, with its URL, filterable) — named by the
//! templates' labels. Each sheet: the table's title in row 1 (merged across), the headers in row
//! 2 (bold, frozen), then the rows, each as tall as its wrapped text needs; 宋体 throughout;
//! printed A4 landscape, one page wide, headers repeated. Cells that read as whole numbers are
//! numbers, rates (`90.3%`) are numbers with the `0.0%` format, `YYYY-MM-DD` are dates; the
//! rest is text.
//!
//! Every string goes through [`crate::escape::xml::text`] (no control character reaches the
//! XML, not even as the `_x001B_` escape Excel would decode back) and is written as a string
//! cell with `write_string`: text that looks like a formula (`=cmd|…`) is never a formula.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::documents::{Notice, NoticeError, Table};
use crate::escape::xml;

fn err(e: XlsxError) -> NoticeError {
    NoticeError::Render {
        format: "xlsx",
        message: e.to_string(),
    }
}

/// Excel's forbidden sheet-name characters replaced, no apostrophe at either end, and the
/// name cut to 31 characters.
fn sheet_name(label: &str) -> String {
    let clean: String = xml::text(label)
        .trim_matches('\'')
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Sheet".to_string()
    } else {
        clean
    }
}

/// A whole number without leading zeros (so 网站标识码-like text stays text).
fn as_number(s: &str) -> Option<f64> {
    let plain = !s.is_empty()
        && s.len() <= 15
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'));
    plain.then(|| s.parse::<f64>().ok()).flatten()
}

/// A rate as the notice prints it (`90.3%`) as a ratio (0.903).
fn as_percent(s: &str) -> Option<f64> {
    let n = s.strip_suffix('%')?;
    let plain = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    plain
        .then(|| n.parse::<f64>().ok())
        .flatten()
        .map(|v| v / 100.0)
}

/// A `YYYY-MM-DD` date.
fn as_date(s: &str) -> Option<ExcelDateTime> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    use chrono::Datelike;
    let (y, m, day) = (u16::try_from(d.year()).ok()?, d.month(), d.day());
    ExcelDateTime::from_ymd(y, u8::try_from(m).ok()?, u8::try_from(day).ok()?).ok()
}

/// Width of text in Excel's character units: a CJK character takes two.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum()
}

/// Height in points of a row whose wrapped cells need this many lines (Excel does not grow
/// rows written by a program: without a height a wrapped cell shows its last line only).
fn row_height(row: &[String], widths: &[f64]) -> f64 {
    let lines = row
        .iter()
        .enumerate()
        .map(|(c, v)| {
            let w = widths.get(c).copied().unwrap_or(14.0).max(1.0);
            v.lines()
                .map(|l| (text_width(l) / (w - 1.0).max(1.0)).ceil().max(1.0))
                .sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines * 14.5 + 3.0).min(409.0)
}

/// 宋体 for every cell: Calibri has no Chinese glyphs.
fn font(f: Format) -> Format {
    f.set_font_name(FONT).set_font_size(11)
}

const FONT: &str = "宋体";

fn sheet(ws: &mut Worksheet, t: &Table, widths: &[f64], filter: bool) -> Result<(), XlsxError> {
    ws.set_name(sheet_name(&t.label))?;
    let title = font(Format::new())
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let border = rust_xlsxwriter::FormatBorder::Thin;
    let head = font(Format::new())
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(border);
    let cell = font(Format::new())
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(border);
    let percent = cell.clone().set_num_format("0.0%");
    let date = cell.clone().set_num_format("yyyy-mm-dd");
    let last = u16::try_from(t.headers.len().saturating_sub(1)).unwrap_or(u16::MAX);
    if last > 0 {
        ws.merge_range(0, 0, 0, last, &xml::text(&t.title), &title)?;
    } else {
        ws.write_string_with_format(0, 0, xml::text(&t.title), &title)?;
    }
    ws.set_row_height(0, 24)?;
    for (c, h) in t.headers.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(1, c, xml::text(h), &head)?;
        let w = widths.get(usize::from(c)).copied().unwrap_or(14.0);
        ws.set_column_width(c, w)?;
    }
    ws.set_row_height(1, row_height(&t.headers, widths))?;
    for (r, row) in t.rows.iter().enumerate() {
        let r = u32::try_from(r + 2).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            if let Some(n) = as_number(v) {
                ws.write_number_with_format(r, c, n, &cell)?;
            } else if let Some(p) = as_percent(v) {
                ws.write_number_with_format(r, c, p, &percent)?;
            } else if let Some(d) = as_date(v) {
                ws.write_datetime_with_format(r, c, d, &date)?;
            } else {
                ws.write_string_with_format(r, c, xml::text(v), &cell)?;
            }
        }
        ws.set_row_height(r, row_height(row, widths))?;
    }
    let last_row = u32::try_from(t.rows.len() + 1).unwrap_or(u32::MAX);
    if filter && !t.rows.is_empty() {
        ws.autofilter(1, 0, last_row, last)?;
    }
    ws.set_freeze_panes(2, 0)?;
    // Printing: A4 landscape, one page wide, the headers repeated on every page.
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(1, 1)?;
    Ok(())
}

/// The notice's tables as an XLSX file's bytes.
pub fn render_notice(n: &Notice) -> Result<Vec<u8>, NoticeError> {
    let mut wb = Workbook::new();
    wb.set_default_format(&font(Format::new()), 20, 64)
        .map_err(err)?;
    let tables: [(&Table, &[f64], bool); 3] = [
        (&n.unit_table, &[28.0, 12.0, 12.0, 14.0, 10.0], false),
        (&n.site_table, &[6.0, 30.0, 36.0, 40.0], false),
        (
            &n.detail_table,
            &[
                6.0, 24.0, 30.0, 16.0, 10.0, 9.0, 22.0, 10.0, 40.0, 16.0, 40.0, 12.0, 9.0, 9.0,
                20.0, 40.0,
            ],
            true,
        ),
    ];
    for (t, widths, filter) in tables {
        sheet(wb.add_worksheet(), t, widths, filter).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_sheet_names() {
        assert_eq!(as_number("217"), Some(217.0));
        assert_eq!(as_number("0"), Some(0.0));
        assert_eq!(as_number("0640000001"), None);
        assert_eq!(as_number("90.3%"), None);
        assert_eq!(as_percent("90.3%"), Some(0.903));
        assert_eq!(as_percent("100.0%"), Some(1.0));
        assert_eq!(as_percent("—"), None);
        assert!(as_date("2018-01-20").is_some() && as_date("2018-01").is_none());
        assert_eq!(row_height(&["一二三四五".into()], &[5.0]), 3.0 * 14.5 + 3.0);
        assert_eq!(as_number(""), None);
        assert_eq!(sheet_name("附件1"), "附件1");
        assert_eq!(sheet_name("a/b"), "a_b");
        assert_eq!(sheet_name(" "), "Sheet");
        assert_eq!(sheet_name("'附件\u{1b}'"), "附件␛");
    }
}
