//! DOCX of a [`Notice`] or a [`SiteReport`], laid out as a Chinese official document (公文,
//! after GB/T 9704-2012): A4 page, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right;
//! title in 二号 方正小标宋简体; body in 三号 仿宋_GB2312 with a fixed 28 pt line pitch and a
//! two-character first-line indent; numbered headings (一、二、三、) in 黑体; the 主送 line flush
//! left; 落款 right-aligned. 附件1 and 附件2 follow on new pages as real Word tables with a
//! header row (the detail table is in the XLSX, not here: 15 columns do not fit a portrait page).
//!
//! Fonts: every run names its Chinese font as `eastAsia` and a fallback for Latin text and for
//! machines without the 公文 fonts (宋体 for the title, Times New Roman for the body); Word and
//! LibreOffice substitute a missing eastAsia font with their own CJK serif.
//!
//! Every string is written through [`crate::escape::xml::text`] (the two places a run is made):
//! a control character from a page would make the XML ill-formed and Word refuse the file.

use docx_rs::{
    AlignmentType, BreakType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run,
    RunFonts, SpecialIndentType, Table as DocxTable, TableCell, TableRow, WidthType,
};

use super::{Notice, NoticeError, SiteReport, Table};
use crate::escape::xml;

/// A4 in twentieths of a point.
const A4: (u32, u32) = (11906, 16838);
/// Text width: A4 less the left and right margins.
const TEXT_WIDTH: usize = 11906 - 1587 - 1474;

#[derive(Clone, Copy)]
enum Face {
    /// 方正小标宋简体: the title.
    Title,
    /// 黑体: 一、 headings and attachment labels.
    Heading,
    /// 仿宋_GB2312: the body.
    Body,
}

fn fonts(face: Face) -> RunFonts {
    let (east, latin) = match face {
        Face::Title => ("方正小标宋简体", "宋体"),
        Face::Heading => ("黑体", "SimHei"),
        Face::Body => ("仿宋_GB2312", "Times New Roman"),
    };
    RunFonts::new()
        .east_asia(east)
        .ascii(latin)
        .hi_ansi(latin)
        .cs(latin)
        .hint("eastAsia")
}

/// A paragraph of one run. `size` in half-points (三号 = 32, 二号 = 44).
fn para(text: &str, face: Face, size: usize, align: AlignmentType, indent: bool) -> Paragraph {
    let p = Paragraph::new()
        .add_run(
            Run::new()
                .add_text(xml::text(text))
                .fonts(fonts(face))
                .size(size),
        )
        .align(align)
        .line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Exact)
                .line(560),
        );
    if indent {
        // Two characters of 三号 (16 pt): 640 twips; Word also reads the character count.
        p.indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
            .first_line_chars(200)
    } else {
        p
    }
}

fn body(text: &str) -> Paragraph {
    para(text, Face::Body, 32, AlignmentType::Both, true)
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

fn cell(text: &str, width: usize, header: bool) -> TableCell {
    let face = if header { Face::Heading } else { Face::Body };
    let p = Paragraph::new()
        .add_run(
            Run::new()
                .add_text(xml::text(text))
                .fonts(fonts(face))
                .size(24),
        )
        .align(if header {
            AlignmentType::Center
        } else {
            AlignmentType::Left
        });
    TableCell::new()
        .add_paragraph(p)
        .width(width, WidthType::Dxa)
}

/// A Word table with a header row; column widths shared out by `weights`.
fn word_table(headers: &[String], rows: &[Vec<String>], weights: &[usize]) -> DocxTable {
    let total: usize = weights.iter().sum::<usize>().max(1);
    let n = headers.len().max(1);
    let widths: Vec<usize> = (0..n)
        .map(|i| TEXT_WIDTH * weights.get(i).copied().unwrap_or(1) / total)
        .collect();
    let width = |i: usize| widths.get(i).copied().unwrap_or(TEXT_WIDTH / n);
    let mut out = vec![TableRow::new(
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| cell(h, width(i), true))
            .collect(),
    )];
    for r in rows {
        out.push(TableRow::new(
            r.iter()
                .enumerate()
                .map(|(i, c)| cell(c, width(i), false))
                .collect(),
        ));
    }
    DocxTable::new(out)
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

fn attachment(doc: Docx, t: &Table, weights: &[usize]) -> Docx {
    doc.add_paragraph(page_break())
        .add_paragraph(para(
            &t.label,
            Face::Heading,
            32,
            AlignmentType::Left,
            false,
        ))
        .add_paragraph(para(
            &t.title,
            Face::Title,
            36,
            AlignmentType::Center,
            false,
        ))
        .add_table(word_table(&t.headers, &t.rows, weights))
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
        .default_size(32)
}

fn pack(doc: Docx) -> Result<Vec<u8>, NoticeError> {
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| NoticeError::Render {
            format: "docx",
            message: e.to_string(),
        })?;
    Ok(buf.into_inner())
}

/// The notice as a DOCX file's bytes.
pub fn render_notice(n: &Notice) -> Result<Vec<u8>, NoticeError> {
    let mut doc = official()
        .add_paragraph(para(
            &n.title,
            Face::Title,
            44,
            AlignmentType::Center,
            false,
        ))
        .add_paragraph(para("", Face::Body, 32, AlignmentType::Left, false))
        .add_paragraph(para(
            &n.addressee,
            Face::Body,
            32,
            AlignmentType::Left,
            false,
        ));
    for p in &n.intro {
        doc = doc.add_paragraph(body(p));
    }
    for sec in &n.sections {
        doc = doc.add_paragraph(para(
            &sec.heading,
            Face::Heading,
            32,
            AlignmentType::Left,
            true,
        ));
        for p in &sec.paragraphs {
            doc = doc.add_paragraph(body(p));
        }
    }
    doc = doc
        .add_paragraph(body(&n.attachments_line))
        .add_paragraph(para("", Face::Body, 32, AlignmentType::Left, false))
        .add_paragraph(para(&n.issuer, Face::Body, 32, AlignmentType::Right, false));
    if let Some(d) = &n.date {
        doc = doc.add_paragraph(para(d, Face::Body, 32, AlignmentType::Right, false));
    }
    doc = attachment(doc, &n.unit_table, &[4, 2, 2, 2, 2]);
    doc = attachment(doc, &n.site_table, &[1, 4, 4, 6]);
    pack(doc)
}

/// The self-check report as a DOCX file's bytes.
pub fn render_site(r: &SiteReport) -> Result<Vec<u8>, NoticeError> {
    let mut doc = official()
        .add_paragraph(para(
            &r.title,
            Face::Title,
            44,
            AlignmentType::Center,
            false,
        ))
        .add_paragraph(body(&r.summary))
        .add_paragraph(para(
            &r.findings_heading,
            Face::Heading,
            32,
            AlignmentType::Left,
            true,
        ));
    if r.findings.is_empty() {
        doc = doc.add_paragraph(body(&r.findings_none));
    }
    for f in &r.findings {
        doc = doc.add_paragraph(body(&f.text)).add_paragraph(body(&f.fix));
        if !f.evidence.is_empty() {
            let rows: Vec<Vec<String>> = f.evidence.iter().map(|e| e.cells()).collect();
            doc = doc.add_table(word_table(&r.evidence_headers, &rows, &[5, 3, 3, 2, 2, 3]));
        }
    }
    doc = doc.add_paragraph(para(
        &r.warnings_heading,
        Face::Heading,
        32,
        AlignmentType::Left,
        true,
    ));
    if r.warnings.is_empty() {
        doc = doc.add_paragraph(body(&r.warnings_none));
    }
    for w in &r.warnings {
        doc = doc.add_paragraph(body(&w.text));
    }
    if let Some(u) = &r.uptime {
        doc = doc.add_paragraph(para(
            &u.heading,
            Face::Heading,
            32,
            AlignmentType::Left,
            true,
        ));
        for line in std::iter::once(&u.text).chain(&u.outages) {
            doc = doc.add_paragraph(body(line));
        }
    }
    pack(doc)
}
