//! Hostile page text in every document and report (issue 12): a site whose name, column names,
//! URLs, link failure reasons and messages carry markup, Markdown link syntax, spreadsheet
//! formulas, terminal escapes, bidi overrides and XML-illegal characters, rendered in every
//! format — the notice (DOCX, XLSX, CSV, Markdown, HTML, JSON), the self-check report (DOCX,
//! Markdown, HTML, JSON), the check report (text, Markdown), `links` (text, Markdown) and the
//! statistics (text). Each document is read back by an independent reader: DOCX XML by
//! quick-xml, XLSX by calamine, CSV by the csv crate, Markdown by pulldown-cmark.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use govaudit::documents::{Notice, SiteReport, Templates};
use govaudit::render::{self, csv::CsvTable};
use govaudit::rules::RuleSet;
use govaudit::store::Store;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use sqlx::Row;

use super::{docx_text, member, notice_db};

mod reports;

/// Markup, Markdown link and image syntax, code and emphasis, a table pipe, terminal commands
/// (clear screen, backspace, CSI), right-to-left override, XML-illegal characters.
pub const HOSTILE: &str = "<script>alert(1)</script>[x](javascript:a)![i](javascript:b)`c`*e*|\
                           \x1b[2J\x08\u{202E}\0\x0b\u{FFFE}\u{FFFF}\u{9b}\x7f";
/// A link failure reason quoting a server's `Location` header (issue 18): a table pipe, a
/// script, and newlines that would start a table row and a heading of their own.
pub const LOCATION_REASON: &str = "bad redirect Location \"x|<script>alert(2)</script>\n| 合格 | 0 |\n# 合格\" from http://evil.gov.cn/: invalid";
/// A cell a spreadsheet would run.
pub const FORMULA: &str = "=cmd|' /C calc'!A0";

/// Characters that must never reach any output raw.
pub const RAW: [char; 9] = [
    '\x1b', '\x08', '\u{202E}', '\0', '\x0b', '\u{FFFE}', '\u{FFFF}', '\u{9b}', '\x7f',
];

pub fn assert_no_raw(what: &str, out: &str) {
    let found: Vec<char> = out.chars().filter(|c| RAW.contains(c)).collect();
    assert!(found.is_empty(), "{what} carries raw {found:?}");
}

/// The scenario plus a failing site in round 3 (2018-02) whose every text is hostile.
pub async fn hostile_store() -> Store {
    let store = notice_db::scenario_db().await;
    let pool = store.pool();
    sqlx::query(
        "INSERT INTO sites (id, url, name, created_at, unit, level, status) \
         VALUES (8, 'http://evil.gov.cn/', ?, '2018-01-01', ?, 'city_dept', 'running')",
    )
    .bind(format!("{FORMULA}{HOSTILE}"))
    .bind(format!("@{HOSTILE}"))
    .execute(pool)
    .await
    .expect("site");
    let observation = serde_json::json!({
        "url": "http://evil.gov.cn/",
        "as_of": "2018-02-20",
        "columns": [{"name": HOSTILE, "url": "javascript:alert(1)", "class": "dynamic",
                     "level": 1, "newest": "2018-02-18"}],
    });
    sqlx::query(
        "INSERT INTO checks (id, site_id, url, profile, as_of, started_at, finished_at, verdict, \
         score, pages_fetched, links_checked, footer_json, observation_json, round_id) VALUES \
         (10, 8, 'http://evil.gov.cn/', 'gb2015', '2018-02-20', 't', 't', 'fail', 100, 1, 1, \
         '{}', ?, 3)",
    )
    .bind(observation.to_string())
    .execute(pool)
    .await
    .expect("check");
    let evidence = serde_json::json!([
        {"url": "javascript:alert(1)", "column": HOSTILE, "detail": format!("+1+cmd|x{HOSTILE}")},
        {"url": "http://evil.gov.cn/a(b)|c", "column": "\t=1+1", "detail": "\u{202E}gpj.exe"},
        {"url": format!("http://evil.gov.cn/{HOSTILE}"), "column": "-2+3", "status": 404},
        {"url": "http://evil.gov.cn/moved", "detail": LOCATION_REASON},
    ]);
    sqlx::query(
        "INSERT INTO findings (id, check_id, rule, severity, message, points, evidence_json) \
         VALUES (9, 10, 'columns.blank', 'veto', ?, 0, ?)",
    )
    .bind(format!("-2+3{HOSTILE}"))
    .bind(evidence.to_string())
    .execute(pool)
    .await
    .expect("finding");
    sqlx::query(
        "INSERT INTO round_sites (round_id, site_id, position, check_id) VALUES (3, 8, 3, 10)",
    )
    .execute(pool)
    .await
    .expect("slot");
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM round_sites WHERE round_id = 3")
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get(0))
        .expect("count");
    assert_eq!(n, 4);
    store
}

async fn hostile_documents() -> (Notice, SiteReport) {
    let store = hostile_store().await;
    let n = notice_db::notice_2018q1(&store).await;
    assert!(
        n.site_table.rows.iter().any(|r| r[1].starts_with(FORMULA)),
        "the hostile site is in 附件2"
    );
    let rules = RuleSet::builtin("gb2015").expect("rules");
    let t = Templates::builtin().expect("templates");
    let r = SiteReport::for_site(&store, "8", None, 7, &rules, &t)
        .await
        .expect("site report");
    (n, r)
}

/// XML 1.0's `Char` production.
fn xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn check_docx(what: &str, bytes: &[u8]) {
    let xml = member(bytes, "word/document.xml");
    let bad: Vec<char> = xml.chars().filter(|c| !xml_char(*c)).collect();
    assert!(
        bad.is_empty(),
        "{what}: document.xml is not XML 1.0: {bad:?}"
    );
    // Well-formed (docx_text parses it to the end), and the page text reads back as text.
    let text = docx_text(bytes);
    assert!(
        text.contains("<script>alert(1)</script>[x](javascript:a)"),
        "{what}: {text}"
    );
    assert!(
        text.contains("␛[2J"),
        "{what}: the escape is shown, not dropped: {text}"
    );
    assert_no_raw(what, &text);
}

#[tokio::test]
async fn docx_documents_stay_well_formed_and_show_the_text() {
    let (n, r) = hostile_documents().await;
    check_docx("notice", &render::docx::render_notice(&n).expect("docx"));
    check_docx("site report", &render::docx::render_site(&r).expect("docx"));
}

#[tokio::test]
async fn xlsx_strings_stay_strings_without_control_characters() {
    let (n, _) = hostile_documents().await;
    let bytes = render::xlsx::render_notice(&n).expect("xlsx");
    for part in ["xl/sharedStrings.xml", "xl/workbook.xml"] {
        let xml = member(&bytes, part);
        assert!(xml.chars().all(xml_char), "{part} is not XML 1.0");
    }
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("workbook");
    let mut formula_cell = false;
    let mut shown = false;
    for name in wb.sheet_names() {
        let formulas = wb.worksheet_formula(&name).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name}: no formula in the workbook"
        );
        for (_, _, cell) in wb.worksheet_range(&name).expect("sheet").used_cells() {
            if let Data::String(s) = cell {
                assert_no_raw(&name, s);
                assert!(
                    !s.contains("_x001B_"),
                    "{name}: an escaped ESC Excel would decode: {s}"
                );
                formula_cell |= s.starts_with(FORMULA);
                shown |= s.contains("␛[2J");
            }
        }
    }
    assert!(formula_cell, "the formula-like name is a string cell");
    assert!(shown, "the escape is shown in the cells");
}

fn is_number(s: &str) -> bool {
    s.trim_end_matches('%').parse::<f64>().is_ok()
}

#[tokio::test]
async fn csv_cells_never_start_a_formula() {
    let (n, _) = hostile_documents().await;
    for table in [CsvTable::Sites, CsvTable::Units, CsvTable::Detail] {
        let csv = render::csv::render_notice(&n, table).expect("csv");
        assert_no_raw("csv", &csv);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let mut hostile = false;
        for record in reader.records() {
            for cell in record.expect("row").iter() {
                let start = cell.trim_start_matches([' ', '\u{3000}']);
                if start.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    assert!(is_number(cell), "{table:?}: formula cell {cell:?}");
                }
                hostile |= cell.starts_with(&format!("'{FORMULA}"));
            }
        }
        if table == CsvTable::Sites {
            assert!(hostile, "the hostile name is kept, neutralised");
        }
    }
}

/// Parses `md` as GitHub Markdown: no raw HTML but `<br>`, no image, links only to http(s),
/// every table row as wide as its head, no heading made of page text; the hostile text shows
/// as its characters.
pub fn assert_inert_markdown(what: &str, md: &str) {
    assert_no_raw(what, md);
    let mut text = String::new();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let (mut head_cells, mut row_cells, mut heading) = (0usize, 0usize, None::<String>);
    for event in Parser::new_ext(md, options) {
        if let Some(h) = heading.as_mut() {
            if let Event::Text(t) = &event {
                h.push_str(t);
            }
        }
        match &event {
            Event::Start(Tag::TableHead | Tag::TableRow) => row_cells = 0,
            Event::Start(Tag::TableCell) => row_cells += 1,
            Event::End(TagEnd::TableHead) => head_cells = row_cells,
            Event::End(TagEnd::TableRow) => {
                assert_eq!(row_cells, head_cells, "{what}: a row of another width")
            }
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                let h = heading.take().unwrap_or_default();
                assert_ne!(h.trim(), "合格", "{what}: page text made a heading");
            }
            _ => {}
        }
        match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                assert_eq!(h.as_ref(), "<br>", "{what}: raw HTML {h:?}")
            }
            Event::Start(Tag::Image { dest_url, .. }) => panic!("{what}: image {dest_url}"),
            Event::Start(Tag::Link { dest_url, .. }) => assert!(
                dest_url.starts_with("http://") || dest_url.starts_with("https://"),
                "{what}: live link to {dest_url}"
            ),
            Event::Text(t) => text.push_str(&t),
            _ => {}
        }
    }
    assert!(
        text.contains("<script>alert(1)</script>[x](javascript:a)![i](javascript:b)`c`*e*|"),
        "{what}: the page text is shown as written: {text}"
    );
}

#[tokio::test]
async fn markdown_has_no_live_link_and_shows_the_text() {
    let (n, r) = hostile_documents().await;
    assert_inert_markdown("notice", &render::markdown::render_notice(&n));
    let site = render::markdown::render_site(&r);
    assert_inert_markdown("site report", &site);
    assert!(
        site.contains("x\\|&lt;script&gt;alert(2)&lt;/script&gt; \\| 合格"),
        "the Location reason is one cell: {site}"
    );
}

#[tokio::test]
async fn html_and_json_carry_no_raw_control_characters() {
    let (n, r) = hostile_documents().await;
    for (what, html) in [
        ("notice", render::html::render_notice(&n)),
        ("site report", render::html::render_site(&r)),
    ] {
        assert_no_raw(what, &html);
        assert!(!html.to_lowercase().contains("<script"), "{what}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{what}"
        );
    }
    let json = render::json::render_notice(&n).expect("json");
    assert_no_raw("notice json", &json);
    let back: serde_json::Value = serde_json::from_str(&json).expect("parses");
    let names: Vec<&str> = back["site_table"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r[1].as_str())
        .collect();
    assert!(
        names.contains(&format!("{FORMULA}{HOSTILE}").as_str()),
        "JSON keeps the data exactly"
    );
    assert_no_raw("site json", &render::json::render_site(&r).expect("json"));
}

#[tokio::test]
async fn statistics_text_is_terminal_safe() {
    let store = hostile_store().await;
    let sites = govaudit::rounds::site_records(&store).await.expect("sites");
    let audits = govaudit::rounds::audit_records(&store)
        .await
        .expect("audits");
    let q = "2018Q1".parse().expect("quarter");
    let st = govaudit::stats::quarter_stats(&sites, &audits, &q, &Default::default());
    let text = govaudit::render::text::quarter_stats_text(&st);
    assert!(text.contains("␛[2J"), "{text}");
    assert_no_raw("stats", &text);
    let of = |id: i64| -> Vec<_> {
        audits
            .iter()
            .filter(|a| a.round_id == id)
            .cloned()
            .collect()
    };
    let diff = govaudit::stats::round_diff(&of(2), &of(3), &sites);
    assert_no_raw(
        "round diff",
        &govaudit::render::text::round_diff_text(&diff),
    );
}
