//! The DOCX and XLSX notices read back by independent readers: the DOCX unzipped (`zip`) and its
//! `word/document.xml` parsed (`quick-xml`); the XLSX opened with `calamine`. Their figures are
//! checked against the scenario (`tests/fixtures/notice/scenario.sql`). When LibreOffice
//! (`soffice`) is installed, both files are also converted to PDF to show they open; without it
//! that test passes with a note. `hostile_docs` renders hostile page text in every format.

mod hostile_docs;
mod notice_db;

use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use govaudit::notice::{self, SiteReport, Templates};
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
    let bytes = notice::docx::render_notice(&n).expect("docx");
    let text = docx_text(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "关于2018年第一季度全区政府网站抽查情况的通报");
    assert!(lines.contains(&"各市、县（区）人民政府，自治区政府各部门、各直属机构："));
    for h in ["一、总体情况", "二、主要问题", "三、下一步工作要求"] {
        assert!(lines.contains(&h), "{h} in {text}");
    }
    assert!(text.contains("总体合格率50%"), "{text}");
    // 附件1 and 附件2 as real tables.
    assert!(
        lines.contains(&"单位\t运行网站数\t抽查网站数\t不合格网站数\t合格率\t"),
        "{text}"
    );
    assert!(lines.contains(&"银川市\t2\t2\t1\t50%\t"), "{text}");
    assert!(lines.contains(&"合计\t6\t6\t3\t50%\t"), "{text}");
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
    let text = docx_text(&notice::docx::render_site(&r).expect("docx"));
    assert!(
        text.starts_with("“宁夏环境保护”政府网站自查报告\n"),
        "{text}"
    );
    assert!(
        text.contains("http://hbt.nx.gov.cn/old/page.html\t\t\t\t404\t"),
        "{text}"
    );
    assert!(text.contains("工作动态"), "{text}");
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
    let bytes = notice::xlsx::render_notice(&n).expect("xlsx");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("workbook");
    assert_eq!(wb.sheet_names(), ["附件1", "附件2", "问题明细"]);

    let units = sheet_rows(&mut wb, "附件1");
    assert_eq!(units[0][0], "2018年第一季度全区政府网站检查情况表");
    assert_eq!(
        units[1],
        ["单位", "运行网站数", "抽查网站数", "不合格网站数", "合格率"]
    );
    assert_eq!(units[3], ["银川市", "2", "2", "1", "50%"]);
    assert_eq!(
        units.last().expect("total"),
        &["合计", "6", "6", "3", "50%"]
    );
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
    assert!(sites[2][3].contains("栏目链接无法打开"), "{:?}", sites[2]);
    assert_eq!(sites[4][1], "<script>alert(1)</script>银川教育");

    let detail = sheet_rows(&mut wb, "问题明细");
    assert_eq!(detail.len(), 2 + n.detail_table.rows.len());
    assert_eq!(detail[1][11], "证据网址");
    assert!(detail
        .iter()
        .any(|r| r[11] == "http://hbt.nx.gov.cn/old/page.html"));
    assert!(
        detail[2..].iter().all(|r| !r[11].is_empty()),
        "every row has its URL"
    );
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
        notice::docx::render_notice(&n).expect("docx"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("n.xlsx"),
        notice::xlsx::render_notice(&n).expect("xlsx"),
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
