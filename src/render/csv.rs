//! CSV of one of a [`Notice`]'s tables: 附件2 (the problem sites, the default), 附件1 (per unit)
//! or the detail table (one row per piece of evidence). UTF-8 with a byte-order mark so that
//! Excel opens the Chinese text correctly; the first row is the table's headers. Every cell goes
//! through [`crate::escape::csv::cell`]: a cell that would start a formula gets a leading `'`,
//! numbers stay numbers.

use crate::documents::{Notice, NoticeError, Table};
use crate::escape::csv::cell;

/// Which table a CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvTable {
    /// 附件1: per unit, subtotals, total.
    Units,
    /// 附件2: 序号, 网站名称, 网址, 不合格原因.
    #[default]
    Sites,
    /// One row per piece of evidence of every finding that made a site fail.
    Detail,
}

fn write(t: &Table) -> Result<String, NoticeError> {
    let err = |e: &dyn std::fmt::Display| NoticeError::Render {
        format: "csv",
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let record = |r: &[String]| r.iter().map(|c| cell(c).into_owned()).collect::<Vec<_>>();
    w.write_record(record(&t.headers)).map_err(|e| err(&e))?;
    for r in &t.rows {
        w.write_record(record(r)).map_err(|e| err(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| err(&e))?;
    let body = String::from_utf8(bytes).map_err(|e| err(&e))?;
    Ok(format!("\u{feff}{body}"))
}

/// The chosen table of the notice as CSV.
pub fn render_notice(n: &Notice, table: CsvTable) -> Result<String, NoticeError> {
    write(match table {
        CsvTable::Units => &n.unit_table,
        CsvTable::Sites => &n.site_table,
        CsvTable::Detail => &n.detail_table,
    })
}
