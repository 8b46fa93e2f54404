//! DOCX of a [`Notice`] or a [`SiteReport`], laid out as a Chinese official document (公文,
//! after GB/T 9704-2012): A4 page, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right;
//! 文号 centred above the title; title in 二号 方正小标宋简体; body in 三号 仿宋_GB2312 with a
//! fixed 28 pt line pitch and a two-character first-line indent; 一、 headings in 黑体, kept
//! with the next paragraph; a （一） paragraph's heading sentence in 楷体_GB2312; the 主送 line
//! flush left; 附件说明 one attachment a line, the later ones aligned under the first name;
//! 发文机关 and 成文日期 right, the date four characters from the margin and the office centred
//! over it. Page numbers 「— 1 —」 in 四号 宋体 at the foot, right on odd pages and left on even
//! ones, one character in from the margin.
//!
//! 附件1 and 附件2 each begin a new page (page break *before* their label, so no empty page can
//! appear) as Word tables whose header row repeats on every page (`w:tblHeader`) and whose rows
//! never split across pages (`w:cantSplit`). The URL column is wide enough for a host name, so a
//! line breaks only after a `/`. The detail table is in the XLSX, not here: 16 columns do not fit
//! a portrait page.
//!
//! Fonts: every run names its Chinese font as `eastAsia` and a fallback for Latin text and for
//! machines without the 公文 fonts; Word and LibreOffice substitute a missing eastAsia font with
//! their own CJK font.
//!
//! Every string is written through [`crate::escape::xml::text`] (in `run`, where every run
//! is made): a control character from a page would make the XML ill-formed and Word refuse the
//! file.

use docx_rs::{
    AlignmentType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing, LineSpacingType,
    PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table as DocxTable, TableCell,
    TableRow, WidthType,
};

use crate::documents::{Notice, NoticeError, SiteFinding, SiteReport, Table};
use crate::escape::xml;

/// A4 in twentieths of a point.
const A4: (u32, u32) = (11906, 16838);
/// Text width: A4 less the left and right margins.
const TEXT_WIDTH: usize = 11906 - 1587 - 1474;
/// One character of 三号 (16 pt) in twips.
const CHAR: i32 = 320;
/// 三号, 二号, 四号, 小四, 五号 in half-points.
const SIZE_BODY: usize = 32;
const SIZE_TITLE: usize = 44;
const SIZE_PAGE_NUMBER: usize = 28;
const SIZE_TABLE: usize = 24;
const SIZE_URL: usize = 21;

#[derive(Clone, Copy)]
enum Face {
    /// 方正小标宋简体: the title.
    Title,
    /// 黑体: 一、 headings and attachment labels.
    Heading,
    /// 楷体_GB2312: the （一） level.
    Kai,
    /// 仿宋_GB2312: the body.
    Body,
    /// 宋体: page numbers.
    Song,
}

fn fonts(face: Face) -> RunFonts {
    let (east, latin) = match face {
        Face::Title => ("方正小标宋简体", "宋体"),
        Face::Heading => ("黑体", "SimHei"),
        Face::Kai => ("楷体_GB2312", "KaiTi"),
        Face::Body => ("仿宋_GB2312", "Times New Roman"),
        Face::Song => ("宋体", "SimSun"),
    };
    RunFonts::new()
        .east_asia(east)
        .ascii(latin)
        .hi_ansi(latin)
        .cs(latin)
        .hint("eastAsia")
}

/// A run of text; `size` in half-points.
fn run(text: &str, face: Face, size: usize) -> Run {
    Run::new()
        .add_text(xml::text(text))
        .fonts(fonts(face))
        .size(size)
}

/// A paragraph at the fixed 28 pt pitch.
fn para(runs: Vec<Run>, align: AlignmentType) -> Paragraph {
    let mut p = Paragraph::new().align(align).line_spacing(
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(560),
    );
    for r in runs {
        p = p.add_run(r);
    }
    p
}

/// Two characters of first-line indent (Word also reads the character count).
fn indented(p: Paragraph) -> Paragraph {
    p.indent(
        None,
        Some(SpecialIndentType::FirstLine(2 * CHAR)),
        None,
        None,
    )
    .first_line_chars(200)
}

fn line(text: &str, face: Face, size: usize, align: AlignmentType) -> Paragraph {
    para(vec![run(text, face, size)], align)
}

/// The heading sentence of a （一） paragraph: from the marker to the first 。 inclusive.
fn kai_heading(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('（')?;
    let close = rest.find('）')?;
    let numeral = &rest[..close];
    let chinese =
        !numeral.is_empty() && numeral.chars().all(|c| "一二三四五六七八九十".contains(c));
    if !chinese {
        return None;
    }
    let end = text.find('。').map_or(text.len(), |i| i + '。'.len_utf8());
    Some(text.split_at(end))
}

/// A body paragraph; a （一） paragraph's first sentence in 楷体.
fn body(text: &str) -> Paragraph {
    let runs = match kai_heading(text) {
        Some((head, rest)) if !rest.is_empty() => vec![
            run(head, Face::Kai, SIZE_BODY),
            run(rest, Face::Body, SIZE_BODY),
        ],
        Some((head, _)) => vec![run(head, Face::Kai, SIZE_BODY)],
        None => vec![run(text, Face::Body, SIZE_BODY)],
    };
    indented(para(runs, AlignmentType::Both)).widow_control(true)
}

/// A 一、 heading: 黑体, indented, never the last line of a page.
fn heading(text: &str) -> Paragraph {
    indented(line(text, Face::Heading, SIZE_BODY, AlignmentType::Left)).keep_next(true)
}

fn blank() -> Paragraph {
    line("", Face::Body, SIZE_BODY, AlignmentType::Left)
}

/// Width of text in characters of the body size (CJK one, Latin and digits half).
fn char_width(s: &str) -> i32 {
    let halves: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    i32::try_from(halves.div_ceil(2)).unwrap_or(i32::MAX / CHAR)
}

/// 发文机关 and 成文日期: the date right, four characters in; the office centred over it (or the
/// date under the office when the office's name is longer).
fn signature(doc: Docx, issuer: &str, date: Option<&str>) -> Docx {
    let right = |p: Paragraph, chars: i32| p.indent(None, None, Some(chars * CHAR), None);
    let (wi, wd) = (char_width(issuer), date.map_or(0, char_width));
    let (ri, rd) = if wi >= wd {
        (4, 4 + (wi - wd) / 2)
    } else {
        (4 + (wd - wi) / 2, 4)
    };
    let mut doc = doc.add_paragraph(right(
        line(issuer, Face::Body, SIZE_BODY, AlignmentType::Right),
        ri,
    ));
    if let Some(d) = date {
        doc = doc.add_paragraph(right(
            line(d, Face::Body, SIZE_BODY, AlignmentType::Right),
            rd,
        ));
    }
    doc
}

/// A table cell; `keep_next` keeps its row on the page of the next row (a row and the note
/// under it).
fn cell(text: &str, width: usize, header: bool, keep_next: bool) -> TableCell {
    let face = if header { Face::Heading } else { Face::Body };
    let align = if header {
        AlignmentType::Center
    } else {
        AlignmentType::Left
    };
    // URLs in 五号 so that a host name fits its column on one line.
    let size = if !header && crate::escape::is_web_url(text) {
        SIZE_URL
    } else {
        SIZE_TABLE
    };
    TableCell::new()
        .add_paragraph(
            Paragraph::new()
                .add_run(run(text, face, size))
                .align(align)
                .keep_next(keep_next),
        )
        .width(width, WidthType::Dxa)
}

/// A Word table whose header row repeats on each page and whose rows never split; column
/// widths shared out by `weights`. The header row is marked by [`repeat_header_rows`].
fn word_table(headers: &[String], rows: &[Vec<String>], weights: &[usize]) -> DocxTable {
    word_table_with_notes(headers, rows, &[], weights)
}

/// [`word_table`] with a note under row `i` when `notes[i]` is given: one cell across the
/// whole table, in the URL size (the archived record of a piece of evidence, which a column
/// of its own would wrap to ten lines).
fn word_table_with_notes(
    headers: &[String],
    rows: &[Vec<String>],
    notes: &[Option<String>],
    weights: &[usize],
) -> DocxTable {
    let total: usize = weights.iter().sum::<usize>().max(1);
    let n = headers.len().max(1);
    let widths: Vec<usize> = (0..n)
        .map(|i| TEXT_WIDTH * weights.get(i).copied().unwrap_or(1) / total)
        .collect();
    let width = |i: usize| widths.get(i).copied().unwrap_or(TEXT_WIDTH / n);
    let row = |cells: &[String], header: bool, keep_next: bool| {
        TableRow::new(
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| cell(c, width(i), header, keep_next))
                .collect(),
        )
        .cant_split()
    };
    let note = |text: &str| {
        let p = Paragraph::new()
            .add_run(run(text, Face::Body, SIZE_URL))
            .align(AlignmentType::Left);
        TableRow::new(vec![TableCell::new()
            .add_paragraph(p)
            .grid_span(n)
            .width(TEXT_WIDTH, WidthType::Dxa)])
        .cant_split()
    };
    let mut out = vec![row(headers, true, false)];
    for (i, r) in rows.iter().enumerate() {
        let note_text = notes.get(i).and_then(Option::as_deref);
        out.push(row(r, false, note_text.is_some()));
        if let Some(text) = note_text {
            out.push(note(text));
        }
    }
    DocxTable::new(out)
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// docx-rs cannot mark a header row: every table's first row (the first `w:cantSplit` after its
/// `w:tblGrid`) gets `w:tblHeader`, so Word and LibreOffice repeat it on each page.
fn repeat_header_rows(document: &str) -> String {
    const GRID_END: &str = "</w:tblGrid>";
    const CANT_SPLIT: &str = "<w:cantSplit />";
    let mut out = String::with_capacity(document.len() + 256);
    let mut rest = document;
    while let Some(g) = rest.find(GRID_END) {
        let after = g + GRID_END.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        if let Some(c) = rest.find(CANT_SPLIT) {
            let end = c + CANT_SPLIT.len();
            out.push_str(&rest[..end]);
            out.push_str("<w:tblHeader />");
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// An attachment on a new page: label, title, table, then a hairline paragraph (a document
/// must not end in a table: Word would add a full-height empty paragraph that can spill onto a
/// blank page).
fn attachment(doc: Docx, t: &Table, weights: &[usize]) -> Docx {
    doc.add_paragraph(
        line(&t.label, Face::Heading, SIZE_BODY, AlignmentType::Left)
            .page_break_before(true)
            .keep_next(true),
    )
    .add_paragraph(line(&t.title, Face::Title, 36, AlignmentType::Center).keep_next(true))
    .add_table(word_table(&t.headers, &t.rows, weights))
    .add_paragraph(hairline())
}

fn hairline() -> Paragraph {
    Paragraph::new().add_run(Run::new().size(2)).line_spacing(
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(20),
    )
}

/// The page number 「— N —」, 四号 宋体, one character in from the outer margin.
fn page_number(align: AlignmentType) -> Footer {
    let num = Run::new()
        .fonts(fonts(Face::Song))
        .size(SIZE_PAGE_NUMBER)
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false);
    let one_char = Some(280);
    let (left, right) = match align {
        AlignmentType::Left => (one_char, None),
        _ => (None, one_char),
    };
    let p = Paragraph::new()
        .align(align)
        .add_run(run("— ", Face::Song, SIZE_PAGE_NUMBER))
        .add_run(num)
        .add_run(run(" —", Face::Song, SIZE_PAGE_NUMBER))
        .indent(left, None, right, None);
    Footer::new().add_paragraph(p)
}

fn official() -> Docx {
    Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1587)
                .right(1474)
                .header(851)
                .footer(992),
        )
        .default_fonts(fonts(Face::Body))
        .default_size(SIZE_BODY)
        .footer(page_number(AlignmentType::Right))
        .even_footer(page_number(AlignmentType::Left))
}

fn pack(doc: Docx) -> Result<Vec<u8>, NoticeError> {
    let err = |message: String| NoticeError::Render {
        format: "docx",
        message,
    };
    let mut xml = doc.build();
    let document =
        String::from_utf8(std::mem::take(&mut xml.document)).map_err(|e| err(e.to_string()))?;
    xml.document = repeat_header_rows(&document).into_bytes();
    let mut buf = std::io::Cursor::new(Vec::new());
    xml.pack(&mut buf).map_err(|e| err(e.to_string()))?;
    Ok(buf.into_inner())
}

/// The notice as a DOCX file's bytes.
pub fn render_notice(n: &Notice) -> Result<Vec<u8>, NoticeError> {
    let mut doc = official();
    if let Some(d) = &n.doc_number {
        doc = doc
            .add_paragraph(line(d, Face::Body, SIZE_BODY, AlignmentType::Center))
            .add_paragraph(blank());
    }
    doc = doc
        .add_paragraph(line(
            &n.title,
            Face::Title,
            SIZE_TITLE,
            AlignmentType::Center,
        ))
        .add_paragraph(blank())
        .add_paragraph(line(
            &n.addressee,
            Face::Body,
            SIZE_BODY,
            AlignmentType::Left,
        ));
    for p in &n.intro {
        doc = doc.add_paragraph(body(p));
    }
    for sec in &n.sections {
        doc = doc.add_paragraph(heading(&sec.heading));
        for p in &sec.paragraphs {
            doc = doc.add_paragraph(body(p));
        }
    }
    doc = doc.add_paragraph(blank());
    // 附件说明: 附件：1. …, the later lines aligned under the first name (after 附件：).
    for (i, a) in n.attachments.iter().enumerate() {
        let p = line(a, Face::Body, SIZE_BODY, AlignmentType::Left);
        let p = if i == 0 {
            p.indent(
                Some(5 * CHAR),
                Some(SpecialIndentType::Hanging(3 * CHAR)),
                None,
                None,
            )
        } else {
            p.indent(Some(5 * CHAR), None, None, None)
        };
        doc = doc.add_paragraph(p.keep_next(true));
    }
    doc = doc.add_paragraph(blank()).add_paragraph(blank());
    doc = signature(doc, &n.issuer, n.date.as_deref());
    doc = attachment(doc, &n.unit_table, &[4, 2, 2, 2, 2]);
    doc = attachment(doc, &n.site_table, &[2, 6, 10, 7]);
    pack(doc)
}

/// Relative widths of the self-check report's evidence columns, by header: a date
/// (`2017-12-09`) and 超过2周期限46天 fit a line or two, URLs and 说明 take the rest. (The
/// archived record is a row of its own under its evidence: [`evidence_table`].)
fn evidence_weight(header: &str) -> usize {
    match header {
        "网址" => 6,
        "说明" => 5,
        "最新信息日期" | "超期情况" => 4,
        "栏目" => 3,
        _ => 2,
    }
}

/// A finding's evidence table. The archived record (存档记录), the table's last column when
/// any piece of evidence has one, goes under its row instead, across the table:
/// `存档记录：2018年03月01日 08:00:00（北京时间） <urn:uuid:…>`.
fn evidence_table(f: &SiteFinding) -> DocxTable {
    let archived = f.evidence.iter().any(|e| e.archived.is_some());
    let (headers, rows, notes) = match f.headers.split_last() {
        Some((label, rest)) if archived => {
            let rows: Vec<Vec<String>> = f
                .rows
                .iter()
                .map(|r| r[..r.len().saturating_sub(1)].to_vec())
                .collect();
            let notes: Vec<Option<String>> = f
                .evidence
                .iter()
                .map(|e| {
                    e.archived
                        .as_ref()
                        .map(|a| format!("{label}：{}", a.name()))
                })
                .collect();
            (rest.to_vec(), rows, notes)
        }
        _ => (f.headers.clone(), f.rows.clone(), Vec::new()),
    };
    let weights: Vec<usize> = headers.iter().map(|h| evidence_weight(h)).collect();
    word_table_with_notes(&headers, &rows, &notes, &weights)
}

/// The self-check report as a DOCX file's bytes.
pub fn render_site(r: &SiteReport) -> Result<Vec<u8>, NoticeError> {
    let mut doc = official()
        .add_paragraph(line(
            &r.title,
            Face::Title,
            SIZE_TITLE,
            AlignmentType::Center,
        ))
        .add_paragraph(blank());
    for l in &r.summary {
        doc = doc.add_paragraph(indented(line(
            l,
            Face::Body,
            SIZE_BODY,
            AlignmentType::Left,
        )));
    }
    doc = doc.add_paragraph(heading(&r.findings_heading));
    if r.findings.is_empty() {
        doc = doc.add_paragraph(body(&r.findings_none));
    }
    for f in &r.findings {
        let title = indented(para(
            vec![run(&f.text, Face::Body, SIZE_BODY).bold()],
            AlignmentType::Both,
        ))
        .keep_next(true);
        doc = doc.add_paragraph(title).add_paragraph(body(&f.fix));
        if !f.rows.is_empty() {
            doc = doc.add_table(evidence_table(f)).add_paragraph(hairline());
        }
        for q in f.seen.iter().chain(&f.note) {
            doc = doc.add_paragraph(body(q));
        }
    }
    doc = doc.add_paragraph(heading(&r.warnings_heading));
    if r.warnings.is_empty() {
        doc = doc.add_paragraph(body(&r.warnings_none));
    }
    for w in &r.warnings {
        doc = doc.add_paragraph(body(&w.text));
    }
    if let Some(u) = &r.uptime {
        doc = doc.add_paragraph(heading(&u.heading));
        for line in std::iter::once(&u.text).chain(&u.outages) {
            doc = doc.add_paragraph(body(line));
        }
    }
    pack(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_row_of_each_table_is_its_header() {
        let xml = "<w:tbl><w:tblGrid /></w:tblGrid><w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr>\
                   <w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr></w:tbl>";
        let out = repeat_header_rows(xml);
        assert_eq!(out.matches("<w:tblHeader />").count(), 1, "{out}");
        assert!(out.contains("</w:tblGrid><w:tr><w:trPr><w:cantSplit /><w:tblHeader />"));
        assert_eq!(repeat_header_rows("<w:p/>"), "<w:p/>");
    }

    #[test]
    fn kai_headings_end_at_the_first_full_stop() {
        assert_eq!(
            kai_heading("（二）少数网站整改不彻底。从本季度看"),
            Some(("（二）少数网站整改不彻底。", "从本季度看"))
        );
        assert_eq!(kai_heading("（联系人、电话从略）"), None);
        assert_eq!(kai_heading("一、总体情况"), None);
        assert_eq!(
            char_width("2018年3月27日"),
            7,
            "digits are half a character"
        );
    }
}
