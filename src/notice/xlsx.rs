//! XLSX of a [`Notice`]: one sheet per table — 附件1 (per unit), 附件2 (problem sites) and the
//! detail sheet (one row per piece of evidence, with its URL) — named by the templates' labels.
//! Each sheet: the table's title in row 1 (merged across), the headers in row 2 (bold, frozen),
//! then the rows; printed A4 landscape, one page wide, headers repeated. Cells that read as whole
//! numbers are written as numbers, the rest as text (rates stay as the notice prints them, e.g.
//! `90.3%`).
//!
//! Every string goes through [`crate::escape::xml::text`] (no control character reaches the
//! XML, not even as the `_x001B_` escape Excel would decode back) and is written as a string
//! cell with `write_string`: text that looks like a formula (`=cmd|…`) is never a formula.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::{Notice, NoticeError, Table};
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

fn sheet(ws: &mut Worksheet, t: &Table, widths: &[f64]) -> Result<(), XlsxError> {
    ws.set_name(sheet_name(&t.label))?;
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let cell = Format::new()
        .set_text_wrap()
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let last = u16::try_from(t.headers.len().saturating_sub(1)).unwrap_or(u16::MAX);
    if last > 0 {
        ws.merge_range(0, 0, 0, last, &xml::text(&t.title), &title)?;
    } else {
        ws.write_string_with_format(0, 0, xml::text(&t.title), &title)?;
    }
    for (c, h) in t.headers.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(1, c, xml::text(h), &head)?;
        let w = widths.get(usize::from(c)).copied().unwrap_or(14.0);
        ws.set_column_width(c, w)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = u32::try_from(r + 2).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match as_number(v) {
                Some(n) => ws.write_number_with_format(r, c, n, &cell)?,
                None => ws.write_string_with_format(r, c, xml::text(v), &cell)?,
            };
        }
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
    let tables: [(&Table, &[f64]); 3] = [
        (&n.unit_table, &[28.0, 12.0, 12.0, 14.0, 10.0]),
        (&n.site_table, &[6.0, 30.0, 36.0, 60.0]),
        (
            &n.detail_table,
            &[
                6.0, 24.0, 30.0, 16.0, 10.0, 9.0, 22.0, 22.0, 10.0, 40.0, 16.0, 40.0, 12.0, 9.0,
                9.0, 20.0,
            ],
        ),
    ];
    for (t, widths) in tables {
        sheet(wb.add_worksheet(), t, widths).map_err(err)?;
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
        assert_eq!(as_number(""), None);
        assert_eq!(sheet_name("附件1"), "附件1");
        assert_eq!(sheet_name("a/b"), "a_b");
        assert_eq!(sheet_name(" "), "Sheet");
        assert_eq!(sheet_name("'附件\u{1b}'"), "附件␛");
    }
}
