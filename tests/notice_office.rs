//! The DOCX and XLSX notices read back by independent readers: the DOCX unzipped (`zip`) and its
//! `word/document.xml` parsed (`quick-xml`); the XLSX opened with `calamine`. Their figures are
//! checked against the scenario (`tests/fixtures/notice/scenario.sql`). When LibreOffice
//! (`soffice`) is installed, both files are also converted to PDF to show they open; without it
//! that test passes with a note. `hostile_docs` renders hostile page text in every format.

#[path = "hostile_docs/mod.rs"]
mod hostile_docs;
use crate::notice_db;

use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use govaudit::documents::{SiteReport, Templates};
use govaudit::render;
use govaudit::rules::RuleSet;
use quick_xml::events::Event;

/// A zip member as text.
fn member(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut f = zip.by_name(name).expect("member");
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8");
    s
}

/// The text of a DOCX: one line per paragraph, table cells separated by tabs.
fn docx_text(bytes: &[u8]) -> String {
    let xml = member(bytes, "word/document.xml");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_cell = false;
    loop {
        match reader.read_event().expect("xml") {
            Event::Text(t) => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref().expect("ref") {
                Some(c) => out.push(c),
                None => out.push_str(match &*r {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity {other}"),
                }),
            },
            Event::Start(e) if e.name().as_ref() == "w:tc" => in_cell = true,
            Event::End(e) => match e.name().as_ref() {
                "w:tc" => {
                    in_cell = false;
                    out.push('\t');
                }
                "w:tr" => out.push('\n'),
                "w:p" if !in_cell => out.push('\n'),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn the_docx_notice_reads_back_with_its_figures_and_layout() {
    let store = notice_db::scenario_db().await;
    let n = notice_db::notice_2018q1(&store).await;
    let bytes = render::docx::render_notice(&n).expect("docx");
    let text = docx_text(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "宁政办函〔2018〕27号");
    assert!(lines.contains(&"关于2018年第一季度全区政府网站抽查情况的通报"));
    assert!(lines.contains(&"各市、县（区）人民政府，自治区政府各部门、各直属机构："));
    for h in ["一、总体情况", "二、主要问题", "三、下一步工作要求"] {
        assert!(lines.contains(&h), "{h} in {text}");
    }
    assert!(text.contains("总体合格率50.0%"), "{text}");
    // 附件1 and 附件2 as real tables.
    assert!(
        lines.contains(&"单位\t运行网站数\t抽查网站数\t不合格网站数\t合格率\t"),
        "{text}"
    );
    assert!(lines.contains(&"银川市\t2\t2\t1\t50.0%\t"), "{text}");
    assert!(lines.contains(&"合计\t6\t6\t3\t50.0%\t"), "{text}");
    assert!(
        lines.contains(&"序号\t网站名称\t网址\t不合格原因\t"),
        "{text}"
    );
    let site_rows: Vec<&&str> = lines
        .iter()
        .filter(|l| {
            l.split('\t')
                .nth(2)
                .is_some_and(|u| u.starts_with("http://"))
        })
        .collect();
    assert_eq!(site_rows.len(), 3, "{text}");
    assert!(site_rows[2].starts_with("3\t<script>alert(1)</script>银川教育\t"));
    assert!(lines.contains(&"2018年3月27日"));
    assert!(
        lines.contains(&"宁夏回族自治区人民政府办公厅"),
        "落款 in full"
    );
    // 附件说明: one attachment a line.
    let at = lines
        .iter()
        .position(|l| l.starts_with("附件：1. "))
        .expect("附件说明");
    assert_eq!(lines[at + 1], "2. 抽查发现的“问题网站”名单");
    assert!(
        text.contains(
            "务于2018年3月31日前报宁夏回族自治区人民政府办公厅备案。（联系人、电话从略）"
        ),
        "报送 deadline and contact: {text}"
    );

    let xml = member(&bytes, "word/document.xml");
    assert_eq!(xml.matches("<w:tbl>").count(), 2, "two tables");
    assert!(
        xml.contains("w:w=\"11906\"") && xml.contains("w:h=\"16838\""),
        "A4"
    );
    assert!(
        xml.contains("w:top=\"2098\"") && xml.contains("w:left=\"1587\""),
        "公文 margins"
    );
    assert!(xml.contains("w:eastAsia=\"方正小标宋简体\""), "title font");
    assert!(xml.contains("w:eastAsia=\"仿宋_GB2312\""), "body font");
    assert!(!xml.contains("<script>"), "page text is escaped in the XML");
}

#[tokio::test]
async fn the_docx_self_check_report_reads_back() {
    let store = notice_db::scenario_db().await;
    let rules = RuleSet::builtin("gb2015").expect("rules");
    let t = Templates::builtin().expect("templates");
    let r = SiteReport::for_site(&store, "2", None, 7, &rules, &t)
        .await
        .expect("report");
    let text = docx_text(&render::docx::render_site(&r).expect("docx"));
    assert!(
        text.starts_with("“宁夏环境保护”政府网站自查报告\n"),
        "{text}"
    );
    assert!(
        text.contains("http://hbt.nx.gov.cn/old/page.html\t404\t"),
        "{text}"
    );
    assert!(text.contains("工作动态"), "{text}");
    assert!(
        text.contains("检查结论：不合格（单项否决：栏目不更新"),
        "a veto is named, not a score: {text}"
    );
    assert!(text.contains("超过2周期限"), "{text}");
}

/// A paragraph of `word/document.xml`: its text, the eastAsia fonts of its runs, whether it
/// is kept with the next one.
#[derive(Debug, Default)]
struct Para {
    text: String,
    fonts: Vec<String>,
    keep_next: bool,
    page_break_before: bool,
}

fn paragraphs(xml: &str) -> Vec<Para> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut cur: Option<Para> = None;
    loop {
        match reader.read_event().expect("xml") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "w:p" => cur = Some(Para::default()),
                "w:keepNext" => {
                    if let Some(p) = cur.as_mut() {
                        p.keep_next = true;
                    }
                }
                "w:pageBreakBefore" => {
                    if let Some(p) = cur.as_mut() {
                        p.page_break_before = true;
                    }
                }
                "w:rFonts" => {
                    let east = e
                        .try_get_attribute("w:eastAsia")
                        .expect("attr")
                        .map(|a| a.value.to_string());
                    if let (Some(p), Some(f)) = (cur.as_mut(), east) {
                        p.fonts.push(f);
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some(p) = cur.as_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::End(e) if e.name().as_ref() == "w:p" => out.extend(cur.take()),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// GB/T 9704 in the XML: repeated header rows, rows that do not split, 楷体 for （一）, 黑体
/// headings kept with the next paragraph, attachments starting a page without empty break
/// paragraphs, and the page number 「— N —」 in 四号 宋体, right on odd and left on even pages.
#[tokio::test]
async fn the_docx_notice_is_laid_out_to_gbt_9704() {
    let store = notice_db::scenario_db().await;
    let n = notice_db::notice_2018q1(&store).await;
    let bytes = render::docx::render_notice(&n).expect("docx");
    let xml = member(&bytes, "word/document.xml");
    for tbl in xml.split("<w:tbl>").skip(1) {
        let rows: Vec<&str> = tbl.split("<w:tr>").skip(1).collect();
        assert!(rows[0].contains("<w:tblHeader />"), "header row repeats");
        assert!(
            rows[1..].iter().all(|r| !r.contains("<w:tblHeader />")),
            "only the header row"
        );
        assert!(
            rows.iter().all(|r| r.contains("<w:cantSplit />")),
            "no row splits across pages"
        );
    }
    let paras = paragraphs(&xml);
    let find = |start: &str| {
        paras
            .iter()
            .find(|p| p.text.starts_with(start))
            .unwrap_or_else(|| panic!("{start} in {paras:#?}"))
    };
    let h = find("二、主要问题");
    assert_eq!(h.fonts, ["黑体"], "一、 headings in 黑体");
    assert!(h.keep_next, "a heading is never left at a page foot");
    let sub = find("（一）");
    assert_eq!(sub.fonts[0], "楷体_GB2312", "（一） in 楷体: {sub:?}");
    assert_eq!(sub.fonts[1], "仿宋_GB2312", "the rest in 仿宋: {sub:?}");
    assert_eq!(find("关于2018年").fonts, ["方正小标宋简体"]);
    for label in ["附件1", "附件2"] {
        assert!(find(label).page_break_before, "{label} starts a page");
    }
    assert!(!xml.contains("w:type=\"page\""), "no page-break paragraphs");

    let footer = |name: &str| member(&bytes, name);
    let settings = member(&bytes, "word/settings.xml");
    assert!(settings.contains("w:evenAndOddHeaders"), "{settings}");
    let (odd, even) = (footer("word/footer1.xml"), footer("word/footer2.xml"));
    for (f, side) in [(&odd, "right"), (&even, "left")] {
        assert!(f.contains("<w:instrText>PAGE</w:instrText>"), "{f}");
        assert!(
            f.contains("— </w:t>") && f.contains(" —</w:t>"),
            "「— N —」: {f}"
        );
        assert!(
            f.contains("w:eastAsia=\"宋体\"") && f.contains("w:val=\"28\""),
            "四号 宋体"
        );
        assert!(f.contains(&format!("w:val=\"{side}\"")), "{side}: {f}");
    }
    assert!(
        xml.contains("w:rId=\"rIdFooter1\"") || xml.contains("footerReference"),
        "footers referenced"
    );
}

fn sheet_rows(wb: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<String>> {
    let range = wb.worksheet_range(name).expect("sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_xlsx_notice_reads_back_with_its_sheets_and_figures() {
    let store = notice_db::scenario_db().await;
    let n = notice_db::notice_2018q1(&store).await;
    let bytes = render::xlsx::render_notice(&n).expect("xlsx");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("workbook");
    assert_eq!(wb.sheet_names(), ["附件1", "附件2", "问题明细"]);

    let units = sheet_rows(&mut wb, "附件1");
    assert_eq!(units[0][0], "2018年第一季度全区政府网站检查情况表");
    assert_eq!(
        units[1],
        ["单位", "运行网站数", "抽查网站数", "不合格网站数", "合格率"]
    );
    assert_eq!(units[3][..4], ["银川市", "2", "2", "1"]);
    // Counts are numbers, not text.
    let range = wb.worksheet_range("附件1").expect("sheet");
    assert!(matches!(range.get_value((7, 1)), Some(Data::Float(f)) if *f == 6.0));

    let sites = sheet_rows(&mut wb, "附件2");
    assert_eq!(sites[1], ["序号", "网站名称", "网址", "不合格原因"]);
    assert_eq!(sites.len(), 2 + 3);
    assert_eq!(
        sites[2][..3],
        ["1", "宁夏环境保护", "http://hbt.nx.gov.cn/"]
    );
    assert_eq!(
        sites[2][3], "多个栏目更新不及时；部分链接无法打开",
        "the seed's short reasons, each once"
    );
    assert_eq!(sites[4][1], "<script>alert(1)</script>银川教育");

    let detail = sheet_rows(&mut wb, "问题明细");
    assert_eq!(detail.len(), 2 + n.detail_table.rows.len());
    assert_eq!(detail[1][10], "证据网址");
    assert!(
        !detail[1].contains(&"规则".to_string()),
        "no rule ids: {:?}",
        detail[1]
    );
    assert!(detail
        .iter()
        .any(|r| r[10] == "http://hbt.nx.gov.cn/old/page.html"));
    assert!(
        detail[2..].iter().all(|r| !r[10].is_empty()),
        "every row has its URL"
    );
}

/// The first `s="N"` style index of cell `r` in a sheet's XML.
fn cell_style(sheet: &str, r: &str) -> usize {
    let re = regex::Regex::new(&format!(r#"<c r="{r}" s="(\d+)""#)).expect("re");
    re.captures(sheet)
        .and_then(|c| c[1].parse().ok())
        .unwrap_or_else(|| panic!("cell {r} has no style"))
}

/// The number format code of cell style `xf` in `xl/styles.xml`.
fn format_code(styles: &str, xf: usize) -> String {
    let xfs = styles
        .split_once("<cellXfs")
        .and_then(|(_, r)| r.split_once("</cellXfs>"))
        .expect("cellXfs")
        .0;
    let id = regex::Regex::new(r#"<xf numFmtId="(\d+)""#)
        .expect("re")
        .captures_iter(xfs)
        .nth(xf)
        .expect("xf")[1]
        .to_string();
    regex::Regex::new(&format!(r#"<numFmt numFmtId="{id}" formatCode="([^"]+)""#))
        .expect("re")
        .captures(styles)
        .map(|c| c[1].to_string())
        .unwrap_or(id)
}

/// What a spreadsheet user needs: rates as numbers formatted as percentages, dates as dates,
/// a filter on the detail sheet, rows as tall as their wrapped text, a Chinese font.
#[tokio::test]
async fn the_xlsx_cells_are_typed_filterable_and_readable() {
    let store = notice_db::scenario_db().await;
    let n = notice_db::notice_2018q1(&store).await;
    let bytes = render::xlsx::render_notice(&n).expect("xlsx");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).expect("workbook");
    let units = wb.worksheet_range("附件1").expect("sheet");
    // Row 4 (银川市): 合格率 0.5, a number, not the text 50%.
    assert!(matches!(units.get_value((3, 4)), Some(Data::Float(f)) if (*f - 0.5).abs() < 1e-9));
    let (styles, sheet1) = (
        member(&bytes, "xl/styles.xml"),
        member(&bytes, "xl/worksheets/sheet1.xml"),
    );
    assert_eq!(format_code(&styles, cell_style(&sheet1, "E4")), "0.0%");
    let detail = wb.worksheet_range("问题明细").expect("sheet");
    let newest = (0..detail.height())
        .filter_map(|r| detail.get_value((r as u32, 11)))
        .find(|v| matches!(v, Data::DateTime(_)));
    assert!(newest.is_some(), "最新信息日期 are dates");
    let sheet3 = member(&bytes, "xl/worksheets/sheet3.xml");
    let last = n.detail_table.rows.len() + 2;
    assert!(
        sheet3.contains(&format!("<autoFilter ref=\"A2:P{last}\"")),
        "{sheet3}"
    );
    // Wrapped rows are given their height: 附件2's reasons, the detail's descriptions.
    let heights: Vec<f64> =
        regex::Regex::new(r#"<row r="(\d+)"[^>]* ht="([\d.]+)" customHeight="1""#)
            .expect("re")
            .captures_iter(&sheet3)
            .filter(|c| &c[1] != "1")
            .map(|c| c[2].parse().expect("ht"))
            .collect();
    assert_eq!(heights.len(), last - 1, "every row has a height");
    assert!(
        heights.iter().any(|h| *h > 20.0),
        "long text gets more lines: {heights:?}"
    );
    assert!(styles.contains("<name val=\"宋体\"/>"), "{styles}");
    assert!(!styles.contains("Calibri"), "no Latin-only font: {styles}");
}

/// LibreOffice converts both files to PDF (skipped when `soffice` is not installed).
#[tokio::test]
async fn libreoffice_opens_the_docx_and_xlsx_when_installed() {
    let Ok(soffice) = which_soffice() else {
        eprintln!("soffice not installed: LibreOffice check skipped");
        return;
    };
    let store = notice_db::scenario_db().await;
    let n = notice_db::notice_2018q1(&store).await;
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("n.docx"),
        render::docx::render_notice(&n).expect("docx"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("n.xlsx"),
        render::xlsx::render_notice(&n).expect("xlsx"),
    )
    .expect("write");
    for f in ["n.docx", "n.xlsx"] {
        let status = std::process::Command::new(&soffice)
            .arg(format!(
                "-env:UserInstallation=file://{}/profile",
                dir.path().display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.path())
            .arg(dir.path().join(f))
            .status()
            .expect("soffice runs");
        assert!(status.success(), "soffice failed on {f}");
        let pdf = dir
            .path()
            .join(f.replace(".docx", ".pdf").replace(".xlsx", ".pdf"));
        let size = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{} is {size} bytes", pdf.display());
        std::fs::remove_file(&pdf).expect("rm");
    }
}

fn which_soffice() -> Result<std::path::PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path)
        .map(|d| d.join("soffice"))
        .find(|p| p.is_file())
        .ok_or(())
}
