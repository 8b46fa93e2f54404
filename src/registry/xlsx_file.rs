//! Excel registries (`.xlsx`): the first worksheet, read with calamine, becomes CSV text with
//! one line per sheet row — so line numbers in messages are Excel's row numbers — and goes
//! through the CSV reader and its validation unchanged. Whole numbers (a 网站标识码 typed as a
//! number) are written without a decimal part; trailing empty cells are dropped.

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

use super::csv_file::parse_csv;
use super::{LineError, RegistryError, Site};

fn cell(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Parse and validate an `.xlsx` registry.
pub fn parse_xlsx(bytes: &[u8], path: &Path) -> Result<Vec<Site>, RegistryError> {
    let unreadable = |message: String| RegistryError::Invalid {
        path: path.to_path_buf(),
        errors: vec![LineError {
            line: 1,
            field: None,
            message,
        }],
    };
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not a readable .xlsx workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("the workbook has no worksheet".into()))?
        .map_err(|e| unreadable(format!("cannot read the first worksheet: {e}")))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut out = Vec::new();
    // Rows above the used range stay as empty lines, so line N is sheet row N.
    out.extend(std::iter::repeat_n(b'\n', first_row as usize));
    // The header's width: the first non-empty row without its trailing empty cells.
    let mut width: Option<usize> = None;
    for row in range.rows() {
        let mut cells: Vec<String> = std::iter::repeat_n(String::new(), first_col as usize)
            .chain(row.iter().map(cell))
            .collect();
        let used = cells
            .iter()
            .rposition(|c| !c.trim().is_empty())
            .map_or(0, |i| i + 1);
        // Empty cells past the header are dropped, short rows padded, so that a row is short
        // or long only when it really has too few or too many values.
        let keep = match width {
            Some(w) => used.max(w),
            None if used > 0 => {
                width = Some(used);
                used
            }
            None => 0,
        };
        cells.resize(keep, String::new());
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        if cells.is_empty() {
            out.push(b'\n');
            continue;
        }
        w.write_record(&cells)
            .map_err(|e| unreadable(format!("cannot convert a row: {e}")))?;
        out.extend(
            w.into_inner()
                .map_err(|e| unreadable(format!("cannot convert a row: {e}")))?,
        );
    }
    parse_csv(&out, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn book(rows: &[&[&str]], code_as_number: Option<(u32, f64)>) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, *v).expect("cell");
                }
            }
        }
        if let Some((r, n)) = code_as_number {
            ws.write_number(r, 4, n).expect("number");
        }
        wb.save_to_buffer().expect("xlsx")
    }

    #[test]
    fn rows_are_lines_and_numbers_are_whole() {
        // Row 1 left empty: the header is on Excel row 2, the sites on rows 3 and 4.
        let bytes = book(
            &[
                &["单位", "级别", "网站名称", "网址", "网站标识码", "状态", ""],
                &[
                    "兴庆区",
                    "县级门户",
                    "兴庆区人民政府",
                    "www.xqq.gov.cn",
                    "",
                    "运行",
                ],
                &[
                    "区直部门（单位）",
                    "自治区部门",
                    "宁夏环境保护",
                    "www.nxep.gov.cn",
                    "bm64000002",
                ],
            ],
            Some((2, 6_401_040_001.0)),
        );
        let sites = parse_xlsx(&bytes, Path::new("r.xlsx")).expect("valid");
        assert_eq!(sites.len(), 2);
        assert_eq!(sites[0].site_code.as_deref(), Some("6401040001"));
        assert_eq!(sites[1].url.as_str(), "http://www.nxep.gov.cn/");

        let bytes = book(
            &[
                &["单位", "级别", "网站名称", "网址"],
                &["兴庆区", "县级门户", "兴庆区人民政府", "www.xqq.gov.cn"],
                &["兴庆区", "区级门户", "某网站", "www.x.gov.cn"],
            ],
            None,
        );
        match parse_xlsx(&bytes, Path::new("r.xlsx")) {
            Err(RegistryError::Invalid { errors, .. }) => {
                assert_eq!(errors.len(), 1, "{errors:?}");
                assert_eq!(errors[0].line, 4, "the Excel row of the bad level");
            }
            other => panic!("expected a line error, got {other:?}"),
        }
        assert!(parse_xlsx(b"not a zip", Path::new("r.xlsx")).is_err());
    }
}
