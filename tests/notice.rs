//! Notices (通报) and self-check reports from a fixed stored scenario
//! (`tests/fixtures/notice/scenario.sql`): Markdown and JSON golden files, the figures, a round's
//! notice, CSV, HTML safety (no external references, hostile text escaped), templates from a
//! folder, and the self-check report with its early warnings.
//!
//! The documents are insta snapshots in `tests/snapshots/`: a mismatch prints a diff, and
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test integration notice::`)
//! accepts a reviewed change.

use crate::notice_db;
use crate::support::snapshot as golden;

use govaudit::documents::{Notice, SiteReport, Templates};
use govaudit::render::{self, csv::CsvTable};
use govaudit::rules::RuleSet;

#[tokio::test]
async fn the_quarter_notice_has_the_figures_and_matches_its_golden_files() {
    let store = notice_db::scenario_db().await;
    let n = notice_db::notice_2018q1(&store).await;
    assert_eq!(n.title, "关于2018年第一季度全区政府网站抽查情况的通报");
    assert_eq!(
        n.addressee,
        "各市、县（区）人民政府，自治区政府各部门、各直属机构："
    );
    assert_eq!(n.registry_as_of.as_deref(), Some("2018年1月10日"));
    assert!(
        n.sections[0].paragraphs[0].starts_with("截至2018年1月10日，全区正在运行的政府网站6家"),
        "{:?}",
        n.sections[0].paragraphs[0]
    );
    let headings: Vec<&str> = n.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        headings,
        ["一、总体情况", "二、主要问题", "三、下一步工作要求"]
    );
    let t = &n.figures.total;
    assert_eq!((t.running, t.sampled, t.failed), (6, 6, 3));
    assert_eq!(t.pass_rate_text, "50.0%");
    // 附件1: units, subtotals, total.
    let units: Vec<String> = n.unit_table.rows.iter().map(|r| r.join("|")).collect();
    assert_eq!(
        units,
        [
            "区直部门（单位）|3|3|2|33.3%",
            "银川市|2|2|1|50.0%",
            "兴庆区|1|1|0|100.0%",
            "自治区部门（单位）|3|3|2|33.3%",
            "市、县（区）|3|3|1|66.7%",
            "合计|6|6|3|50.0%",
        ]
    );
    // 附件2: the site's categories in the seed's words, each once, no machine text.
    assert_eq!(n.site_table.rows.len(), 3);
    assert_eq!(n.site_table.rows[0][1], "宁夏环境保护");
    assert_eq!(
        n.site_table.rows[0][3],
        "多个栏目更新不及时；部分链接无法打开"
    );
    assert_eq!(
        n.site_table.rows[2][3], "空白栏目较多",
        "one category, said once"
    );
    // 二、主要问题 in the seed's words, with counts and no repeated lists of columns, then
    // the repeat offenders (整改不彻底).
    let problems = n.sections[1].paragraphs.join("\n");
    assert!(
        problems.starts_with("（一）多个栏目更新不及时。本季度抽查发现的3家不合格政府网站中，有1家政府网站多个栏目更新不及时，占33.3%。如“宁夏环境保护”网5个栏目未按时更新。"),
        "{problems}"
    );
    assert!(problems.contains("（二）空白栏目较多。"), "{problems}");
    assert!(
        !problems.contains("（超过（含）"),
        "no rule messages: {problems}"
    );
    assert!(problems.contains("少数网站问题整改不彻底"), "{problems}");
    // Percentages with one decimal everywhere; the closing paragraph with deadline and contact.
    let all = n
        .sections
        .iter()
        .flat_map(|s| &s.paragraphs)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    let figures = n.sections[..2]
        .iter()
        .flat_map(|s| &s.paragraphs)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    let whole = regex::Regex::new(r"[^.\d]\d+%").expect("re");
    assert!(
        !whole.is_match(&figures),
        "a percentage without a decimal: {figures}"
    );
    assert!(all.contains("总体合格率50.0%"), "{all}");
    assert!(
        all.contains("务于2018年3月31日前报宁夏回族自治区人民政府办公厅备案。（联系人、电话从略）"),
        "{all}"
    );
    assert_eq!(n.doc_number.as_deref(), Some("宁政办函〔2018〕27号"));
    assert_eq!(n.issuer, "宁夏回族自治区人民政府办公厅");
    assert_eq!(n.attachments.len(), 2, "one attachment a line");
    // The detail table: one row per piece of evidence, each with its URL.
    assert!(n
        .detail_table
        .rows
        .iter()
        .all(|r| r.len() == n.detail_table.headers.len()));
    assert!(n
        .detail_table
        .rows
        .iter()
        .any(|r| r[10] == "http://hbt.nx.gov.cn/old/page.html" && r[13] == "404"));
    // The trend: December, January, February.
    let trend: Vec<(&str, &str)> = n
        .trend
        .points
        .iter()
        .map(|p| (p.label.as_str(), p.pass_rate_text.as_str()))
        .collect();
    assert_eq!(
        trend,
        [
            ("2017-12", "0.0%"),
            ("2018-01", "50.0%"),
            ("2018-02", "33.3%")
        ]
    );

    golden("notice-2018q1.md", &render::markdown::render_notice(&n));
    golden(
        "notice-2018q1.json",
        &(render::json::render_notice(&n).expect("json") + "\n"),
    );
}

#[tokio::test]
async fn a_round_notice_counts_that_round_only() {
    let store = notice_db::scenario_db().await;
    let t = Templates::builtin().expect("templates");
    let n = Notice::for_round(&store, 3, &notice_db::settings(), &t)
        .await
        .expect("round notice");
    assert_eq!(n.period, "2018年2月");
    let total = &n.figures.total;
    assert_eq!((total.sampled, total.failed), (3, 2));
    let names: Vec<&str> = n.site_table.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["宁夏统计信息", "<script>alert(1)</script>银川教育"]);
    // The hostile site failed in rounds 2 and 3 and its re-check: a repeat offender.
    assert_eq!(n.figures.repeat_offenders.len(), 1);
    let missing = Notice::for_round(&store, 99, &notice_db::settings(), &t).await;
    assert!(missing.is_err());
}

#[tokio::test]
async fn csv_tables_have_a_bom_and_the_rows() {
    let store = notice_db::scenario_db().await;
    let n = notice_db::notice_2018q1(&store).await;
    let sites = render::csv::render_notice(&n, CsvTable::Sites).expect("csv");
    assert!(
        sites.starts_with("\u{feff}序号,网站名称,网址,不合格原因\n"),
        "{sites}"
    );
    let mut r = csv::Reader::from_reader(sites.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[1][2], "http://tj.nx.gov.cn/");
    let units = render::csv::render_notice(&n, CsvTable::Units).expect("csv");
    assert!(units.contains("合计,6,6,3,50.0%"), "{units}");
    let detail = render::csv::render_notice(&n, CsvTable::Detail).expect("csv");
    assert_eq!(detail.lines().count(), n.detail_table.rows.len() + 1);
}

/// No reference to anything outside the file but links to web pages (http/https).
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for href in lower.split("href=\"").skip(1) {
        assert!(
            href.starts_with("http://") || href.starts_with("https://"),
            "a link to {}",
            &href[..href.len().min(40)]
        );
    }
    for bad in [
        "src=",
        "@import",
        "url(",
        "<link",
        "<script",
        "@font-face",
        "<iframe",
        "<img",
        "<object",
        "<embed",
        "xlink:",
    ] {
        assert!(!lower.contains(bad), "HTML contains {bad:?}");
    }
}

#[tokio::test]
async fn html_is_self_contained_and_escapes_page_text() {
    let store = notice_db::scenario_db().await;
    let n = notice_db::notice_2018q1(&store).await;
    let html = render::html::render_notice(&n);
    assert_self_contained(&html);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;银川教育"));
    assert_eq!(
        html.matches("<svg").count(),
        1,
        "the trend (the unit chart is HTML bars)"
    );
    assert!(html.contains("<div class=\"bars\""), "unit chart");
    assert!(html.contains("<polyline"), "trend line");
    assert!(html.contains("<style>") && html.starts_with("<!DOCTYPE html>"));
    // Phones, links, print.
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
    assert!(
        html.contains(
            "<td class=\"u\"><a href=\"http://hbt.nx.gov.cn/\">http://hbt.nx.gov.cn/</a></td>"
        ),
        "URLs are links"
    );
    assert!(
        html.contains("<div class=\"scroll\"><table>"),
        "tables scroll sideways"
    );
    assert!(html.contains("@page{size:A4"), "A4");
    // The 16-column detail table prints on landscape pages of its own, the other attachments
    // do not.
    assert!(
        html.contains("@page wide{size:A4 landscape"),
        "landscape page"
    );
    assert!(
        html.contains("section.wide{page:wide"),
        "the detail table uses it"
    );
    assert_eq!(
        html.matches("<section class=\"wide\">").count(),
        1,
        "only the detail table"
    );
    assert!(
        html.contains("h1,h2,h3{break-after:avoid"),
        "no stranded headings in print"
    );
    assert!(
        html.contains("thead{display:table-header-group}"),
        "headers repeat in print"
    );
    assert!(html.contains("viewBox=\"0 0 560 240\""), "the trend scales");

    let rules = RuleSet::builtin("gb2015").expect("rules");
    let t = Templates::builtin().expect("templates");
    let r = SiteReport::for_site(&store, "5", Some(2), 7, &rules, &t)
        .await
        .expect("site report");
    let html = render::html::render_site(&r);
    assert_self_contained(&html);
    assert!(html.contains("&lt;script&gt;"), "{html}");
}

#[tokio::test]
async fn the_self_check_report_lists_evidence_fixes_and_warnings() {
    let store = notice_db::scenario_db().await;
    let rules = RuleSet::builtin("gb2015").expect("rules");
    let t = Templates::builtin().expect("templates");
    // By URL without the trailing slash: its latest check (round 2).
    let r = SiteReport::for_site(&store, "http://hbt.nx.gov.cn", None, 7, &rules, &t)
        .await
        .expect("report");
    assert_eq!((r.site_id, r.check_id, r.round_id), (2, 3, Some(2)));
    let rules_seen: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        rules_seen,
        ["columns.stale", "links.broken", "links.suspected"]
    );
    // A veto is named, not scored like full marks.
    assert_eq!(
        r.conclusion,
        "不合格（单项否决：栏目不更新（动态要闻类、通知公告类、政策文件类））"
    );
    assert!(r
        .summary
        .iter()
        .any(|l| l
            == "检查结论：不合格（单项否决：栏目不更新（动态要闻类、通知公告类、政策文件类））"));
    // 超期 against the limit of the column's class.
    assert_eq!(
        r.findings[0].evidence[0].overdue.as_deref(),
        Some("超过2周期限36天")
    );
    let broken = &r.findings[1];
    assert_eq!(broken.evidence[0].status, Some(404));
    assert!(broken.fix.contains("修复或删除"), "{}", broken.fix);
    assert_eq!(r.findings[0].evidence[1].days_overdue, Some(50));
    let warned: Vec<(&str, i64)> = r
        .warnings
        .iter()
        .map(|w| (w.column.as_str(), w.days_left))
        .collect();
    assert_eq!(warned, [("工作动态", 5), ("通知公告", 6)]);
    let md = render::markdown::render_site(&r);
    assert!(
        md.contains("| http://hbt.nx.gov.cn/old/page.html | 404 |"),
        "{md}"
    );
    golden("site-2.md", &md);
    golden(
        "site-2.json",
        &(render::json::render_site(&r).expect("json") + "\n"),
    );

    let none = SiteReport::for_site(&store, "http://nowhere.gov.cn/", None, 7, &rules, &t).await;
    assert!(none.is_err());
    let not_in_round = SiteReport::for_site(&store, "2", Some(3), 7, &rules, &t).await;
    assert!(not_in_round.is_err());
}

#[tokio::test]
async fn templates_from_a_folder_change_the_wording() {
    let dir = tempfile::tempdir().expect("tmp");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for f in ["notice.toml", "site.toml", "fixes.toml"] {
        let text = std::fs::read_to_string(src.join(f)).expect("template");
        let text = text.replace("三、下一步工作要求", "三、整改要求");
        std::fs::write(dir.path().join(f), text).expect("write");
    }
    let t = Templates::from_dir(dir.path()).expect("templates");
    let store = notice_db::scenario_db().await;
    let q = "2018Q1".parse().expect("quarter");
    let n = Notice::for_quarter(&store, &q, &notice_db::settings(), &t)
        .await
        .expect("notice");
    assert_eq!(n.sections[2].heading, "三、整改要求");
    std::fs::write(dir.path().join("notice.toml"), "title_quarter = 1").expect("write");
    assert!(Templates::from_dir(dir.path()).is_err());
}

#[tokio::test]
async fn the_cli_writes_every_format_and_refuses_bad_requests() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("n.db");
    drop(notice_db::scenario_db_at(&db).await);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_govaudit"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .expect("runs")
    };
    for format in ["docx", "xlsx", "html", "md", "json", "csv"] {
        let out = dir.path().join(format!("n.{format}"));
        let o = run(&[
            "report",
            "notice",
            "--quarter",
            "2018Q1",
            "--format",
            format,
            "-o",
            out.to_str().expect("utf-8"),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            std::fs::metadata(&out).expect("written").len() > 100,
            "{format}"
        );
    }
    let md = run(&["report", "notice", "--round", "3", "--format", "md"]);
    assert_eq!(md.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&md.stdout).contains("2018年2月"));
    let site = run(&[
        "report",
        "site",
        "http://hbt.nx.gov.cn/",
        "--format",
        "json",
        "--warn-days",
        "5",
    ]);
    assert_eq!(
        site.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&site.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&site.stdout).expect("json");
    assert_eq!(json["warn_days"], 5);
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(1), "{json}");
    // Binary formats need -o; a scope is required; unknown sites are errors (exit 2).
    for bad in [
        &[
            "report",
            "notice",
            "--quarter",
            "2018Q1",
            "--format",
            "docx",
        ][..],
        &["report", "notice", "--format", "md"][..],
        &[
            "report",
            "notice",
            "--quarter",
            "2018Q1",
            "--round",
            "3",
            "--format",
            "md",
        ][..],
        &["report", "site", "http://nowhere.gov.cn/", "--format", "md"][..],
    ] {
        assert_eq!(run(bad).status.code(), Some(2), "{bad:?}");
    }
}

#[tokio::test]
async fn a_quarter_without_rounds_makes_an_empty_notice_in_every_format() {
    let store = notice_db::scenario_db().await;
    let t = Templates::builtin().expect("templates");
    let q = "2018Q3".parse().expect("quarter");
    let n = Notice::for_quarter(&store, &q, &notice_db::settings(), &t)
        .await
        .expect("notice");
    assert_eq!((n.figures.total.sampled, n.figures.total.failed), (0, 0));
    assert_eq!(n.figures.total.pass_rate_text, "—");
    assert!(n.site_table.rows.is_empty() && n.detail_table.rows.is_empty());
    assert_eq!(
        n.sections[1].paragraphs,
        ["本季度抽查未发现不合格政府网站。"]
    );
    assert!(render::docx::render_notice(&n).is_ok());
    assert!(render::xlsx::render_notice(&n).is_ok());
    assert!(render::html::render_notice(&n).contains("<svg"));
    assert!(render::markdown::render_notice(&n).contains("| 合计 | 6 | 0 | 0 | — |"));
}
