//! `govaudit demo` end to end: the simulated province through the binary, politeness lifted for
//! speed (the polite timing is `scripts/bench-province.sh`), leaving the quarter's statistics
//! with the seed notice's figures in the folder it names.

use std::process::Command;

use crate::render;

#[test]
fn demo_reproduces_the_2018q1_notice_figures() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("demo-out");
    let run = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(["demo", "--host-rate", "0", "--out"])
        .arg(&out)
        .output()
        .expect("demo runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        stdout.contains(&out.display().to_string()),
        "names its folder: {stdout}"
    );

    let json = std::fs::read_to_string(out.join("stats-2018Q1.json")).expect("stats written");
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    let total = &doc["total"];
    assert_eq!(total["running"], 248);
    assert_eq!(total["sampled"], 217);
    assert_eq!(total["failed"], 21);
    assert_eq!(total["pass_rate_text"], "90.3%");
    assert_eq!(total["sample_ratio_text"], "87.5%");
    let sub = |name: &str| {
        doc["subtotals"]
            .as_array()
            .expect("subtotals")
            .iter()
            .find(|u| u["unit"] == name)
            .cloned()
            .expect("row")
    };
    assert_eq!(sub("自治区部门（单位）")["pass_rate_text"], "81.8%");
    assert_eq!(sub("市、县（区）")["pass_rate_text"], "91.8%");
    let cat = |rule: &str| {
        doc["categories"]
            .as_array()
            .expect("categories")
            .iter()
            .find(|c| c["rule"] == rule)
            .cloned()
            .expect("category")
    };
    assert_eq!(
        (
            cat("columns.stale")["sites"].as_u64(),
            cat("columns.stale")["share_text"].as_str()
        ),
        (Some(11), Some("52.4%"))
    );
    assert_eq!(
        (
            cat("columns.blank")["sites"].as_u64(),
            cat("columns.blank")["share_text"].as_str()
        ),
        (Some(14), Some("66.7%"))
    );

    // Every per-unit row of 附件1, as the seed prints it.
    let seed = include_str!("fixtures/seed/units-2018q1.csv");
    for line in seed.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let row = doc["units"]
            .as_array()
            .expect("units")
            .iter()
            .find(|u| u["unit"] == f[0])
            .cloned()
            .expect("unit");
        assert_eq!(row["running"].to_string(), f[1], "{line}");
        assert_eq!(row["sampled"].to_string(), f[2], "{line}");
        assert_eq!(row["failed"].to_string(), f[3], "{line}");
        assert_eq!(row["pass_rate_text"], f[4], "{line}");
    }
    assert!(out.join("registry-2018q1.csv").exists() && out.join("govaudit-demo.db").exists());
    let md = std::fs::read_to_string(out.join("notice-2018Q1.md")).expect("notice written");
    assert!(
        md.contains("90.3%") && md.contains("固原市司法行政"),
        "{md}"
    );
    assert!(
        md.contains("截至2018年1月10日，全区正在运行的政府网站248家"),
        "the registry's date, as in the seed notice: {md}"
    );
    for f in [
        "notice-2018Q1.docx",
        "notice-2018Q1.xlsx",
        "notice-2018Q1.html",
    ] {
        assert!(
            std::fs::metadata(out.join(f))
                .map(|m| m.len() > 1000)
                .unwrap_or(false),
            "{f}"
        );
    }
    the_demo_documents_look_right(&out);
}

/// The demo's notice as people get it: the DOCX through LibreOffice (pages, none blank, each
/// problem site's host name on one line), the HTML in Chromium at phone and desktop width (no
/// text overflows) and printed (A4). Each check is skipped, with a note, when its program is
/// not installed (`.ci/run` installs them).
fn the_demo_documents_look_right(out: &std::path::Path) {
    let tmp = tempfile::tempdir().expect("tmp");
    match render::to_pdf(&out.join("notice-2018Q1.docx"), tmp.path()) {
        None => eprintln!("soffice not installed: DOCX → PDF check skipped"),
        Some(pdf) => match render::pdf_pages(&pdf) {
            None => eprintln!("poppler-utils not installed: PDF pages not checked"),
            Some(pages) => {
                // Text, 附件1 (27 units and subtotals) and 附件2 (21 sites).
                assert!((4..=9).contains(&pages), "{pages} pages");
                let mut text = String::new();
                for p in 1..=pages {
                    let t = render::pdf_page_text(&pdf, p).expect("pdftotext");
                    assert!(t.trim().chars().count() > 20, "page {p} is blank: {t:?}");
                    let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
                    assert!(
                        squeezed.contains(&format!("—{p}—")),
                        "page {p} numbered: {t}"
                    );
                    text.push_str(&t);
                }
                for host in [
                    "nxgy.forestry.gov.cn",
                    "218.95.179.142",
                    "www.nxaudit.gov.cn",
                ] {
                    assert!(text.contains(host), "{host} broken across lines:\n{text}");
                }
                let first = render::pdf_page_text(&pdf, 1).expect("text");
                assert!(
                    !first.trim_end().ends_with("二、主要问题"),
                    "stranded heading"
                );
            }
        },
    }
    let html = std::fs::read_to_string(out.join("notice-2018Q1.html")).expect("html");
    for width in [390, 1280] {
        match render::overflow(&html, width, tmp.path(), None) {
            None => {
                eprintln!("chromium not installed: HTML layout check skipped");
                return;
            }
            Some(bad) => assert!(bad.is_empty(), "at {width} px: {bad:#?}"),
        }
    }
    if let Some(pdf) = render::html_to_pdf(&html, tmp.path()) {
        let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.contains("(A4)"), "prints on A4: {info}");
    }
}

/// `demo --samples` audits the sample sites at once and stores each as it finishes, archived
/// as `check` archives: every site has its WARC capture beside the demo's database (the
/// audits finishing their captures while another check is stored once deadlocked the pool).
#[test]
fn demo_samples_are_stored_and_archived() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("samples");
    let run = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(["demo", "--samples", "--host-rate", "0", "--out"])
        .arg(&out)
        .output()
        .expect("demo runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "stderr: {stderr}");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let sites = stdout.lines().filter(|l| l.starts_with("==== ")).count();
    assert!(sites >= 6, "{stdout}");
    assert!(stdout.contains(&format!("检查网站 {sites} 个")), "{stdout}");
    let archive = out.join("govaudit-demo-archive");
    let mut captures = 0;
    for month in std::fs::read_dir(&archive).expect("archive folder") {
        let month = month.expect("entry").path();
        captures += std::fs::read_dir(&month)
            .expect("month folder")
            .filter(|f| {
                f.as_ref()
                    .is_ok_and(|f| f.path().to_string_lossy().ends_with(".warc.gz"))
            })
            .count();
    }
    assert_eq!(captures, sites, "one capture per sample site");
}
