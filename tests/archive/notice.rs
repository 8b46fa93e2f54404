//! Publishing re-evaluations: a round audited with the archive, judged again offline with a
//! changed threshold, then `report notice --reevaluated` shows the changed verdicts (statistics,
//! 附件2, findings) and says it is made from re-evaluations, while the plain notice keeps the
//! stored ones.

use govaudit::sim::SimServer;

use super::{govaudit, stderr, stdout, AS_OF};

/// The notice of round 1 as JSON, with `extra` arguments.
fn notice_json(db: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["report", "notice", "--round", "1", "--format", "json"];
    args.extend(extra);
    let out = govaudit(None, db, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("notice json")
}

/// 附件2's site names.
fn problem_sites(n: &serde_json::Value) -> Vec<String> {
    n["site_table"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r[1].as_str().map(String::from))
        .collect()
}

/// The detail table's (site, category) pairs.
fn detail(n: &serde_json::Value) -> Vec<String> {
    n["detail_table"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r[1].as_str().unwrap_or(""),
                r[6].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_from_reevaluations_shows_the_changed_verdicts_and_says_so() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("p.db");
    let server = SimServer::start(
        crate::support::scenario("thresholds"),
        AS_OF.parse().expect("date"),
    )
    .await
    .expect("server");
    // The healthy base, a site failing only for its homepage 15 days old, one failing for 5
    // blank columns whatever the threshold.
    let csv = dir.path().join("sites.csv");
    std::fs::write(
        &csv,
        "unit,level,name,url,site_code,status\n\
         测试单位甲,市级部门,测试基准站点,http://base.gov.test/,,running\n\
         测试单位乙,市级部门,测试首页15天,http://home15.gov.test/,,running\n\
         测试单位乙,市级部门,测试空白栏目5个,http://blank5.gov.test/,,running\n",
    )
    .expect("csv");
    let csv_arg = csv.display().to_string();
    let import = govaudit(None, &db, &["sites", "import", &csv_arg]);
    assert!(import.status.success(), "{}", stderr(&import));
    let plan = govaudit(
        None,
        &db,
        &[
            "round", "plan", "--month", "2018-02", "--ratio", "1", "--seed", "1", "--as-of", AS_OF,
        ],
    );
    assert!(plan.status.success(), "{}", stderr(&plan));
    let run = govaudit(Some(&server), &db, &["round", "run"]);
    assert!(run.status.success(), "{}", stderr(&run));

    // Nothing re-evaluated yet: a notice from re-evaluations is refused, not published empty.
    let early = govaudit(
        None,
        &db,
        &[
            "report",
            "notice",
            "--round",
            "1",
            "--format",
            "md",
            "--reevaluated",
        ],
    );
    assert_eq!(early.status.code(), Some(2), "{}", stdout(&early));
    assert!(
        stderr(&early).contains("no check of round 1 has been re-evaluated"),
        "{}",
        stderr(&early)
    );

    // Judged again offline with 网站不更新 over 30 days instead of 2 weeks.
    let rules = dir.path().join("rules");
    super::copy_dir(&crate::support::fixture("../../rules"), &rules);
    for file in [
        "homepage.stale.toml",
        "columns.stale.toml",
        "columns.long_unupdated.toml",
    ] {
        let path = rules.join("gb2015").join(file);
        let text = std::fs::read_to_string(&path).expect("rule");
        std::fs::write(&path, text.replace("\"14d\"", "\"30d\"")).expect("write");
    }
    let rules_arg = rules.display().to_string();
    server.reset_stats();
    let again = govaudit(
        None,
        &db,
        &["reevaluate", "--round", "1", "--rules", &rules_arg],
    );
    assert_ne!(again.status.code(), Some(2), "{}", stderr(&again));
    assert_eq!(super::hits(&server), 0, "reevaluate made a network request");

    // As stored: two problem sites, the stored findings, no word of re-evaluation.
    let stored = notice_json(&db, &[]);
    assert_eq!(
        problem_sites(&stored),
        ["测试首页15天", "测试空白栏目5个"],
        "{}",
        stored["site_table"]
    );
    assert_eq!(stored["figures"]["total"]["failed"], 2);
    assert!(stored.get("reevaluation").is_none());
    assert!(detail(&stored)
        .iter()
        .any(|d| d == "测试首页15天 首页长期不更新"));
    let overview = stored["sections"][0].to_string();
    assert!(!overview.contains("重新评估"), "{overview}");
    documents_name_the_archived_record(&db, &stored).await;

    // As re-evaluated: the homepage of 15 days passes; statistics, 附件2 and findings follow.
    let re = notice_json(&db, &["--reevaluated"]);
    assert_eq!(
        problem_sites(&re),
        ["测试空白栏目5个"],
        "{}",
        re["site_table"]
    );
    assert_eq!(re["figures"]["total"]["failed"], 1, "{}", re["figures"]);
    assert_eq!(re["figures"]["total"]["pass_rate_text"], "66.7%");
    let units = re["unit_table"].to_string();
    assert!(
        units.contains("50.0%"),
        "测试单位乙: 1 of 2 failing: {units}"
    );
    assert!(
        detail(&re).iter().all(|d| !d.starts_with("测试首页15天")),
        "{:?}",
        detail(&re)
    );
    assert!(detail(&re)
        .iter()
        .any(|d| d == "测试空白栏目5个 空白栏目较多"));
    let basis = &re["reevaluation"];
    assert_eq!(basis["checks"], 3, "{basis}");
    assert_eq!(basis["evaluated"], 3, "{basis}");
    assert_eq!(basis["profiles"], serde_json::json!(["gb2015"]), "{basis}");
    assert_eq!(
        basis["rules_dirs"],
        serde_json::json!([rules_arg]),
        "{basis}"
    );
    let line = re["sections"][0]["paragraphs"]
        .as_array()
        .and_then(|p| p.last())
        .and_then(|p| p.as_str())
        .expect("overview line")
        .to_string();
    assert!(line.starts_with("本通报依据"), "{line}");
    assert!(line.contains("重新评估结果"), "{line}");
    let folder = std::path::Path::new(&rules_arg)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(line.contains(&format!("规则目录“{folder}”")), "{line}");
    assert!(
        !line.contains(&rules_arg),
        "the office machine path stays out: {line}"
    );
    assert!(line.contains("gb2015"), "{line}");
    assert!(line.contains("3次检查中3次采用重新评估结果"), "{line}");
    // Every table says so on its own (an XLSX sheet has no other text).
    for table in ["unit_table", "site_table", "detail_table"] {
        let title = re[table]["title"].as_str().unwrap_or_default();
        assert!(title.ends_with("（依据重新评估结果）"), "{title}");
        let plain = stored[table]["title"].as_str().unwrap_or_default();
        assert!(!plain.contains("重新评估"), "{plain}");
    }

    // The quarter's Markdown says it too; the plain one keeps the stored verdicts.
    let md = |extra: &[&str]| {
        let mut args = vec!["report", "notice", "--quarter", "2018Q1", "--format", "md"];
        args.extend(extra);
        let out = govaudit(None, &db, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let plain = md(&[]);
    let republished = md(&["--reevaluated"]);
    assert!(
        plain.contains("测试首页15天") && !plain.contains("重新评估"),
        "{plain}"
    );
    assert!(!republished.contains("测试首页15天"), "{republished}");
    assert!(republished.contains("重新评估结果"), "{republished}");
}

/// The 通报's detail table and the self-check report, built from the database, name the record
/// of the archive that supports each piece of evidence: the check's record of that URL.
async fn documents_name_the_archived_record(db: &std::path::Path, notice: &serde_json::Value) {
    let store = govaudit::store::Store::open(db).await.expect("db");
    let headers = notice["detail_table"]["headers"]
        .as_array()
        .expect("headers");
    assert_eq!(headers.last().and_then(|h| h.as_str()), Some("存档记录"));
    let rows = notice["detail_table"]["rows"].as_array().expect("rows");
    let mut named = 0;
    for row in rows {
        let cells = row.as_array().expect("cells");
        let (check, url) = (
            cells[5].as_str().unwrap_or(""),
            cells[10].as_str().unwrap_or(""),
        );
        let record = cells.last().and_then(|c| c.as_str()).unwrap_or("");
        if url.is_empty() {
            assert_eq!(record, "", "{row}");
            continue;
        }
        // The first response to that URL in the check's capture, as the live JSON names it.
        let expected: Option<(String, String)> = sqlx::query_as(
            "SELECT r.record_id, r.fetched_at FROM archive_records r \
             JOIN archive_captures c ON c.id = r.capture_id \
             WHERE c.check_id = ? AND r.uri = ? AND r.kind <> 'request' \
             ORDER BY r.body_read DESC, r.seq LIMIT 1",
        )
        .bind(check.parse::<i64>().expect("check id"))
        .bind(url)
        .fetch_optional(store.pool())
        .await
        .expect("record");
        let (id, at) = expected.expect("the evidence URL was archived");
        let when = govaudit::archive::evidence::beijing_time(&at);
        assert!(when.ends_with("（北京时间）"), "{when}");
        assert_eq!(record, format!("{when} {id}"), "{row}");
        named += 1;
    }
    assert!(named > 0, "{rows:?}");

    // The Markdown and CSV of the notice carry the column, escaped for each.
    let md = govaudit(
        None,
        db,
        &["report", "notice", "--round", "1", "--format", "md"],
    );
    let md = stdout(&md);
    assert!(md.contains("| 存档记录 |"), "{md}");
    assert!(md.contains("&lt;urn:uuid:"), "{md}");
    let csv = govaudit(
        None,
        db,
        &[
            "report", "notice", "--round", "1", "--format", "csv", "--table", "detail",
        ],
    );
    assert!(stdout(&csv).contains(",存档记录"), "{}", stdout(&csv));
    assert!(stdout(&csv).contains("<urn:uuid:"), "{}", stdout(&csv));

    // The self-check report: each piece of evidence with its record, and the table's column.
    let site = govaudit(
        None,
        db,
        &[
            "report",
            "site",
            "http://home15.gov.test/",
            "--format",
            "json",
        ],
    );
    assert_eq!(site.status.code(), Some(0), "{}", stderr(&site));
    let site: serde_json::Value = serde_json::from_slice(&site.stdout).expect("json");
    let finding = site["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "homepage.stale"))
        .expect("homepage.stale");
    let archived = &finding["evidence"][0]["archived"];
    assert!(
        archived["record"]
            .as_str()
            .is_some_and(|r| r.starts_with("<urn:uuid:")),
        "{finding}"
    );
    assert!(
        finding["headers"].to_string().contains("存档记录"),
        "{finding}"
    );
    for format in ["md", "html"] {
        let out = govaudit(
            None,
            db,
            &[
                "report",
                "site",
                "http://home15.gov.test/",
                "--format",
                format,
            ],
        );
        let text = stdout(&out);
        assert!(text.contains("存档记录"), "{format}: {text}");
        assert!(text.contains("&lt;urn:uuid:"), "{format}: {text}");
    }
    // The DOCX puts the record under its evidence row, across the table (a column of its own
    // wrapped to ten lines), kept on the page of its row.
    let dir = tempfile::tempdir().expect("tmp");
    let docx = dir.path().join("site.docx");
    let out = govaudit(
        None,
        db,
        &[
            "report",
            "site",
            "http://home15.gov.test/",
            "--format",
            "docx",
            "-o",
            docx.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bytes = std::fs::read(&docx).expect("docx written");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("document.xml"),
        &mut xml,
    )
    .expect("utf-8");
    let record = archived["record"].as_str().expect("record");
    let escaped = record.replace('<', "&lt;").replace('>', "&gt;");
    let note = xml.find(&escaped).expect("the record is in the DOCX");
    let row_start = xml[..note].rfind("<w:tr>").expect("in a table row");
    let row = &xml[row_start..note];
    assert!(
        row.contains("<w:gridSpan w:val=\"") && row.contains("存档记录："),
        "{row}"
    );
    let previous = &xml[..row_start];
    let data_row = &previous[previous.rfind("<w:tr>").expect("the evidence row")..];
    assert!(data_row.contains("<w:keepNext"), "{data_row}");
    assert!(
        !data_row.contains("urn:uuid"),
        "no record column: {data_row}"
    );
    store.close().await;
}
