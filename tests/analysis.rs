//! Page analysis on synthetic fixtures (`tests/fixtures/pages/`) and, when present, on the
//! real government pages in `../shared/realpages` (never copied into the repository; see its
//! MANIFEST.md for the expected results asserted here).

use std::path::PathBuf;

use chrono::NaiveDate;
use govaudit::analysis::{analyze, ColumnSource, PageAnalysis, Vocabulary};
use govaudit::observation::Ident;
use url::Url;

#[path = "analysis/realpages.rs"]
mod realpages;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn fixture(name: &str, url: &str, as_of: NaiveDate) -> PageAnalysis {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pages")
        .join(name);
    let html = std::fs::read_to_string(&path).unwrap();
    analyze(
        &html,
        &Url::parse(url).unwrap(),
        as_of,
        &Vocabulary::builtin(),
    )
}

fn found(s: &str) -> Ident {
    Ident::Found(s.to_string())
}

const SITE: &str = "http://www.example.gov.cn/";

#[test]
fn homepage_fixture() {
    let a = fixture("home.html", SITE, d(2018, 1, 15));
    assert_eq!(a.title.as_deref(), Some("示例市人民政府"));
    assert_eq!(a.meta.site_name.as_deref(), Some("示例市人民政府"));
    assert_eq!(a.meta.site_id_code.as_deref(), Some("6400000001"));
    assert_eq!(a.meta.column_type.as_deref(), Some("首页"));
    let cols: Vec<(&str, &str, ColumnSource)> = a
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.url.path(), c.source))
        .collect();
    assert_eq!(
        cols,
        vec![
            ("工作动态", "/col/gzdt/", ColumnSource::Nav),
            ("通知公告", "/col/tzgg/", ColumnSource::Nav),
            ("政策文件", "/col/zcwj/", ColumnSource::Nav),
            ("部门动态", "/col/bmdt/", ColumnSource::Block),
            ("图片新闻", "/col/tpxw/", ColumnSource::Block),
        ]
    );
    let items: Vec<(&str, Option<NaiveDate>)> =
        a.items.iter().map(|i| (i.title.as_str(), i.date)).collect();
    assert_eq!(
        items,
        vec![
            ("关于春节放假的通知", Some(d(2018, 1, 10))),
            ("关于开展安全检查的通知", Some(d(2018, 1, 8))),
            ("部门召开年终总结会", Some(d(2017, 12, 28))),
        ]
    );
    assert_eq!(
        a.items[0].url.as_ref().unwrap().as_str(),
        "http://www.example.gov.cn/art/2018/1/10/1.html"
    );
    assert_eq!(a.blank_marker, None);
    let f = &a.footer;
    assert_eq!(f.icp, found("宁ICP备05001234号-1"));
    assert_eq!(f.site_code, found("6400000001"));
    assert_eq!(f.police_record, found("64010402000123"));
    assert_eq!(f.conac, found("1ACC49F8764D14F7E053012819ACEFF4"));
    assert!(f.jiucuo.present && !f.jiucuo.hidden);
    assert_eq!(f.jiucuo.site_code.as_deref(), Some("6400000001"));
    assert_eq!(f.jiucuo.host.as_deref(), Some("zfwzgl.www.gov.cn"));
    assert_eq!(f.jiucuo.nonstandard, None);
    let links: Vec<&str> = a.links.iter().map(|u| u.as_str()).collect();
    assert!(links.contains(&"http://www.example.gov.cn/css/main.css"));
    assert!(links.contains(
        &"http://bszs.conac.cn/sitename?method=show&id=1ACC49F8764D14F7E053012819ACEFF4"
    ));
    assert!(links.contains(&"http://dcs.conac.cn/image/red.png"));
    assert!(links.contains(&"https://zfwzgl.www.gov.cn/exposure/jiucuo.js"));
    assert!(!links.iter().any(|l| l.starts_with("javascript")));
}

#[test]
fn ul_list_with_year_less_dates_subnav_and_pagination() {
    let a = fixture(
        "list-ul.html",
        "http://www.example.gov.cn/col/gzdt/",
        d(2018, 1, 5),
    );
    let dates: Vec<Option<NaiveDate>> = a.items.iter().map(|i| i.date).collect();
    assert_eq!(
        dates,
        vec![
            Some(d(2018, 1, 3)),
            Some(d(2017, 12, 28)),
            Some(d(2017, 12, 20))
        ]
    );
    assert_eq!(a.items[0].title, "市领导调研春运工作");
    let sub: Vec<&str> = a
        .columns
        .iter()
        .filter(|c| c.source == ColumnSource::SubNav)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        sub,
        vec!["部门动态", "县区动态"],
        "工作动态 is the page itself / already in nav"
    );
    assert!(a
        .columns
        .iter()
        .any(|c| c.name == "通知公告" && c.source == ColumnSource::Nav));
    let next: Vec<&str> = a.next_pages.iter().map(|u| u.path()).collect();
    assert_eq!(
        next,
        vec!["/col/gzdt/index_2.html", "/col/gzdt/index_3.html"]
    );
    assert_eq!(a.meta.column_name.as_deref(), Some("工作动态"));
}

#[test]
fn table_list() {
    let a = fixture(
        "list-table.html",
        "http://www.example.gov.cn/col/tzgg/",
        d(2018, 1, 15),
    );
    let items: Vec<(&str, Option<NaiveDate>)> =
        a.items.iter().map(|i| (i.title.as_str(), i.date)).collect();
    assert_eq!(
        items,
        vec![
            ("关于征集意见的公告", Some(d(2017, 11, 2))),
            ("关于调整办公时间的通知", Some(d(2017, 10, 9)))
        ]
    );
}

#[test]
fn div_list() {
    let a = fixture(
        "list-div.html",
        "http://www.example.gov.cn/col/zcwj/",
        d(2018, 1, 15),
    );
    let dates: Vec<Option<NaiveDate>> = a.items.iter().map(|i| i.date).collect();
    assert_eq!(dates, vec![Some(d(2017, 9, 1)), Some(d(2017, 8, 15))]);
}

#[test]
fn undated_list() {
    let a = fixture(
        "list-undated.html",
        "http://www.example.gov.cn/col/rsxx/",
        d(2018, 1, 15),
    );
    let items: Vec<(&str, Option<NaiveDate>)> =
        a.items.iter().map(|i| (i.title.as_str(), i.date)).collect();
    assert_eq!(
        items,
        vec![
            ("关于张三同志任职的通知", None),
            ("关于李四同志免职的通知", None)
        ]
    );
    assert_eq!(
        a.items[0].url.as_ref().unwrap().path(),
        "/art/2017/5/1/21.html"
    );
    assert_eq!(a.blank_marker, None);
    assert!(a
        .columns
        .iter()
        .any(|c| c.name == "规划计划" && c.source == ColumnSource::SubNav));
}

#[test]
fn blank_column() {
    let a = fixture(
        "list-blank.html",
        "http://www.example.gov.cn/col/ghjh/",
        d(2018, 1, 15),
    );
    assert!(a.items.is_empty());
    assert_eq!(a.blank_marker.as_deref(), Some("暂无信息"));
}

#[test]
fn article_dates() {
    let a = fixture(
        "article.html",
        "http://www.example.gov.cn/art/2018/1/10/1.html",
        d(2018, 1, 15),
    );
    assert_eq!(a.meta.pub_date, Some(d(2018, 1, 10)));
    assert_eq!(a.publish_date, Some(d(2018, 1, 10)));
    let b = fixture(
        "article-conflict.html",
        "http://www.example.gov.cn/art/1.html",
        d(2023, 1, 1),
    );
    assert_eq!(b.meta.pub_date, Some(d(2022, 4, 24)));
    assert_eq!(
        b.publish_date,
        Some(d(2017, 5, 15)),
        "visible 发布日期 wins; 成文日期 is not a label"
    );
}

#[test]
fn footer_malformed_and_hidden() {
    let a = fixture("footer-variants.html", SITE, d(2018, 1, 15));
    let f = &a.footer;
    assert!(
        matches!(f.site_code, Ident::Malformed(ref s) if s == "1234567890"),
        "{:?}",
        f.site_code
    );
    assert!(matches!(f.icp, Ident::Malformed(_)), "{:?}", f.icp);
    assert!(
        matches!(f.police_record, Ident::Malformed(_)),
        "{:?}",
        f.police_record
    );
    assert_eq!(
        f.conac,
        found("dcs.conac.cn/js/33/000/0000/40672392/CA330000000406723920001.js")
    );
    assert!(!f.jiucuo.present);
    assert!(f.jiucuo.hidden);
    assert_eq!(f.jiucuo.site_code.as_deref(), Some("1300000001"));
    assert_eq!(f.jiucuo.host.as_deref(), Some("121.43.68.40"));
}

#[test]
fn footer_unmarked_and_nonstandard_jiucuo() {
    let a = fixture(
        "footer-nonstandard.html",
        "https://www.gov.cn/x.htm",
        d(2023, 12, 1),
    );
    let f = &a.footer;
    assert_eq!(f.site_code, found("bm01000001"));
    assert_eq!(f.icp, found("京ICP备05070218号"));
    assert_eq!(f.police_record, found("11010202000001"));
    assert_eq!(f.conac, found("081D1D6883441A53E053012819AC0DAA"));
    assert!(!f.jiucuo.present && !f.jiucuo.hidden);
    assert_eq!(
        f.jiucuo.nonstandard.as_deref(),
        Some("https://www.gov.cn/fuwu/jiucuopage.html")
    );
}

#[test]
fn links_resolution() {
    let a = fixture(
        "links.html",
        "http://www.example.gov.cn/a/b.html",
        d(2018, 1, 15),
    );
    let links: Vec<&str> = a.links.iter().map(|u| u.as_str()).collect();
    assert_eq!(
        links,
        vec![
            "http://www.example.gov.cn/sub/a.css",
            "http://cdn.example.gov.cn/j.js",
            "http://www.example.gov.cn/sub/page.html",
            "http://www.example.gov.cn/img/a.png",
            "https://video.example.com/v",
        ]
    );
}

#[test]
fn garbage_does_not_panic() {
    let base = Url::parse(SITE).unwrap();
    let v = Vocabulary::builtin();
    let junk: String = (0..20_000u32)
        .map(|i| char::from_u32((i * 7919) % 0xD7FF).unwrap_or('x'))
        .collect();
    let deep = format!(
        "{}暂无信息{}",
        "<div class='left nav'><ul><li><a href='/x'>更多</a>".repeat(3_000),
        "</li></ul></div>".repeat(3_000)
    );
    let deep_tables = "<table><tr><td><a href='/a.html'>x</a>2018-01-01".repeat(3_000);
    let wide = "<ul><li><a href='/a.html'>标题</a><span>2018-01-01</span></li></ul>".repeat(20_000);
    for html in [
        "",
        "<",
        "<html",
        "\0\0\0",
        junk.as_str(),
        deep.as_str(),
        deep_tables.as_str(),
        wide.as_str(),
    ] {
        let start = std::time::Instant::now();
        let a = analyze(html, &base, d(2018, 1, 15), &v);
        assert!(a.items.len() <= 1, "{}", a.items.len());
        eprintln!("{} bytes: {:?}", html.len(), start.elapsed());
    }
}

#[test]
fn prefix_site_undated_table_column() {
    let a = fixture(
        "sim-prefix-column-undated.html",
        "http://www.example.gov.cn/fgj/col/ghjh/",
        d(2018, 1, 15),
    );
    let titles: Vec<&str> = a.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "规划计划第3期信息",
            "规划计划第2期信息",
            "规划计划第1期信息"
        ]
    );
    assert_eq!(a.undated_items(), 3);
    assert_eq!(
        a.items[0].url.as_ref().unwrap().path(),
        "/fgj/art/ghjh/1.html"
    );
    assert_eq!(a.blank_marker, None);
    let cols: Vec<(&str, ColumnSource)> = a
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.source))
        .collect();
    assert_eq!(
        cols,
        vec![
            ("工作动态", ColumnSource::Nav),
            ("政务公开", ColumnSource::Nav),
            ("年度计划", ColumnSource::SubNav),
        ]
    );
    assert_eq!(a.meta.column_name.as_deref(), Some("规划计划"));
    let f = &a.footer;
    assert!(
        matches!(f.icp, Ident::Malformed(ref s) if s == "冀ICP备1234号"),
        "{:?}",
        f.icp
    );
    assert_eq!(f.conac, Ident::Missing);
    assert_eq!(f.site_code, found("6401000012"));
    assert!(f.jiucuo.present);
}

#[test]
fn prefix_site_homepage_with_chinese_dates() {
    let a = fixture(
        "sim-prefix-home-chinese.html",
        "http://www.example.gov.cn/fgj/",
        d(2018, 1, 15),
    );
    let items: Vec<(&str, Option<NaiveDate>)> =
        a.items.iter().map(|i| (i.title.as_str(), i.date)).collect();
    assert_eq!(
        items,
        vec![
            ("工作动态第2期信息", Some(d(2017, 12, 30))),
            ("工作动态第1期信息", Some(d(2017, 12, 20))),
            ("通知公告第1期信息", Some(d(2017, 6, 1))),
        ]
    );
    let names: Vec<&str> = a.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["工作动态", "通知公告"]);
    assert_eq!(a.footer.icp, Ident::Missing);
    assert!(!a.footer.jiucuo.present);
    assert!(a
        .links
        .iter()
        .any(|u| u.path() == "/fgj/zt/old2/index.html"));
}

#[test]
fn random_fragments_do_not_panic() {
    const TOKENS: &[&str] = &[
        "<div class='nav'>",
        "<div class='left-nav'>",
        "<div class='footer'>",
        "</div>",
        "<ul>",
        "</ul>",
        "<li>",
        "</li>",
        "<a href='/a/1.html'>",
        "<a href='javascript:;'>",
        "<a href='http://[::1'>",
        "</a>",
        "<span>",
        "</span>",
        "2018-01-10",
        "[01-10]",
        "12-31",
        "2018年1月",
        "发布时间：",
        "时间",
        "网站标识码：",
        "BM",
        "bm0100",
        "京ICP备",
        "ICP备",
        "公网安备",
        "1234567890123",
        "号",
        "-",
        "更多",
        "暂无信息",
        "<meta name='SiteIDCode' content='网站'>",
        "<meta name='PubDate' content='2018-13-45'>",
        "<script id='_jiucuo_' sitecode='",
        "<img src='",
        "'>",
        "\"",
        "<",
        ">",
        "&amp;",
        "&#x0;",
        "\u{0}",
        "<table><tr><td>",
        "</td></tr></table>",
        "＞＞",
        "年",
        "月",
        "日",
        "<base href='",
        "http://",
        "//",
        "?",
        "#",
        "𝕏",
        "é",
        "\u{feff}",
        "<h3>",
        "</h3>",
        "<div class='title'>",
        "<em>",
        "createPageHTML(3, 0, 'index', 'html')",
        "<script>",
        "</script>",
        " ",
        "\n",
        "bszs.conac.cn/sitename?method=show&id=",
        "registerSystemInfo?recordcode=",
        "<a style='display:none' href='",
        "/exposure/jiucuo.html?site_code=",
        "Link('",
        "')",
    ];
    let base = Url::parse(SITE).unwrap();
    let v = Vocabulary::builtin();
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..400 {
        let mut html = String::new();
        for _ in 0..60 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            html.push_str(TOKENS[(seed % TOKENS.len() as u64) as usize]);
        }
        let _ = analyze(&html, &base, d(2018, 1, 15), &v);
    }
}

// ---------------------------------------------------------------- real pages

fn real(name: &str, url: &str, as_of: NaiveDate) -> Option<PageAnalysis> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realpages");
    if !dir.is_dir() {
        eprintln!("skip: {} is absent", dir.display());
        return None;
    }
    let html = std::fs::read_to_string(dir.join(name)).ok()?;
    Some(analyze(
        &html,
        &Url::parse(url).unwrap(),
        as_of,
        &Vocabulary::builtin(),
    ))
}

fn assert_all_five(a: &PageAnalysis, icp: &str, bsm: &str, ga: &str) {
    let f = &a.footer;
    assert_eq!(f.icp, found(icp));
    assert_eq!(f.site_code, found(bsm));
    assert_eq!(f.police_record, found(ga));
    assert!(f.conac.found().is_some(), "{:?}", f.conac);
    assert!(f.jiucuo.present, "{:?}", f.jiucuo);
    assert!(!f.jiucuo.hidden);
    assert_eq!(f.jiucuo.site_code.as_deref(), Some(bsm));
}

#[test]
fn real_yichun_home() {
    let Some(a) = real(
        "www.yichun.gov.cn-home.html",
        "http://www.yichun.gov.cn/ycsrmzf/index.shtml",
        d(2023, 10, 11),
    ) else {
        return;
    };
    assert_eq!(a.newest_item_date(), Some(d(2023, 10, 11)));
    assert_eq!(a.undated_items(), 0);
    let jxszc = a
        .items
        .iter()
        .filter(|i| i.url.as_ref().is_some_and(|u| u.path().contains("/jxszc/")))
        .filter_map(|i| i.date)
        .max();
    assert_eq!(jxszc, Some(d(2023, 10, 7)));
    let names: Vec<&str> = a.columns.iter().map(|c| c.name.as_str()).collect();
    for n in [
        "市政府",
        "政务公开",
        "政务动态",
        "政府公告",
        "江西省政策",
        "政策解读",
        "互动交流",
        "在线访谈",
        "数据开放",
        "走进宜春",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    assert!(!names.contains(&"首页"));
    assert_all_five(&a, "赣ICP备06000141号", "3609000002", "36090202000004");
    assert_eq!(a.footer.jiucuo.host.as_deref(), Some("zfwzgl.www.gov.cn"));
    assert_eq!(a.meta.site_id_code.as_deref(), Some("3609000002"));
    assert_eq!(a.blank_marker, None);
}

#[test]
fn real_yichun_article() {
    let Some(a) = real(
        "www.yichun.gov.cn-detail-tjgb2022.html",
        "http://www.yichun.gov.cn/ycsrmzf/tjgb/1.shtml",
        d(2023, 10, 11),
    ) else {
        return;
    };
    assert_eq!(a.publish_date, Some(d(2023, 5, 16)));
    assert_all_five(&a, "赣ICP备06000141号", "3609000002", "36090202000004");
}

#[test]
fn real_wanzai_conflicting_dates() {
    let Some(a) = real(
        "www.wanzai.gov.cn-detail-tjgb2015.html",
        "http://www.wanzai.gov.cn/tjgb/201705/1.html",
        d(2023, 10, 11),
    ) else {
        return;
    };
    assert_eq!(a.meta.pub_date, Some(d(2022, 4, 24)));
    assert_eq!(a.publish_date, Some(d(2017, 5, 15)));
    assert_all_five(&a, "赣ICP备11002306号-1", "3609220011", "36092202000105");
}

#[test]
fn real_wanzai_2022() {
    let Some(a) = real(
        "www.wanzai.gov.cn-detail-tjsj2022.html",
        "http://www.wanzai.gov.cn/tjsj/1.html",
        d(2023, 10, 11),
    ) else {
        return;
    };
    assert_eq!(a.publish_date, Some(d(2023, 8, 16)));
    assert_all_five(&a, "赣ICP备11002306号-1", "3609220011", "36092202000105");
}

#[test]
fn real_zj_hidden_jiucuo() {
    let Some(a) = real(
        "fzggw.zj.gov.cn-detail.html",
        "http://fzggw.zj.gov.cn/art/2016/11/22/1.html",
        d(2023, 10, 11),
    ) else {
        return;
    };
    assert_eq!(a.publish_date, Some(d(2016, 11, 22)));
    assert_eq!(a.meta.site_id_code, None, "empty SiteIDCode meta");
    let f = &a.footer;
    assert_eq!(f.icp, found("浙ICP备05018911号"));
    assert_eq!(f.site_code, found("3300000020"));
    assert_eq!(f.police_record, found("33010602009328"));
    assert!(f.conac.found().is_some());
    assert!(!f.jiucuo.present, "hidden entry does not count as present");
    assert!(f.jiucuo.hidden);
    assert_eq!(f.jiucuo.site_code.as_deref(), Some("3300000020"));
    assert_eq!(f.jiucuo.host.as_deref(), Some("121.43.68.40"));
}

#[test]
fn real_shanxi() {
    let Some(a) = real(
        "www.shanxi.gov.cn-detail.html",
        "http://www.shanxi.gov.cn/yw/sxyw/1.shtml",
        d(2023, 10, 11),
    ) else {
        return;
    };
    assert_eq!(a.publish_date, Some(d(2019, 9, 18)));
    assert_all_five(&a, "晋ICP备12000773号", "1400000045", "14010502050691");
    assert_eq!(a.footer.jiucuo.host.as_deref(), Some("pucha.kaipuyun.cn"));
}

#[test]
fn real_gov_cn_nonstandard_jiucuo() {
    let Some(a) = real(
        "www.gov.cn-detail-gwygb.html",
        "https://www.gov.cn/gongbao/content/2007/content_1.htm",
        d(2023, 10, 23),
    ) else {
        return;
    };
    assert_eq!(a.meta.first_published, Some(d(2007, 8, 20)));
    assert_eq!(a.publish_date, Some(d(2007, 8, 20)));
    let f = &a.footer;
    assert_eq!(f.icp, found("京ICP备05070218号"));
    assert_eq!(f.site_code, found("bm01000001"));
    assert_eq!(f.police_record, found("11010202000001"));
    assert!(f.conac.found().is_some());
    assert!(!f.jiucuo.present && !f.jiucuo.hidden);
    assert_eq!(
        f.jiucuo.nonstandard.as_deref(),
        Some("https://www.gov.cn/fuwu/jiucuopage.html")
    );
}

#[test]
fn real_cmse_negative() {
    let Some(a) = real(
        "www.cmse.gov.cn-detail.html",
        "http://www.cmse.gov.cn/art/2012/6/24/1.html",
        d(2023, 10, 11),
    ) else {
        return;
    };
    assert_eq!(a.publish_date, Some(d(2012, 6, 24)));
    let f = &a.footer;
    assert_eq!(f.icp, found("京ICP备20027467号-1"));
    assert_eq!(f.site_code, Ident::Missing);
    assert_eq!(f.police_record, Ident::Missing);
    assert_eq!(f.conac, Ident::Missing);
    assert!(!f.jiucuo.present && !f.jiucuo.hidden);
    assert_eq!(f.jiucuo.site_code, None);
}

/// `cargo test --test integration analysis::dump -- --ignored --nocapture` prints what analysis sees on
/// every real page (for tuning heuristics).
#[test]
#[ignore]
fn dump_real_pages() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realpages");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.ends_with(".html") {
            continue;
        }
        let host = name.split('-').next().unwrap_or("example.gov.cn");
        let a = real(&name, &format!("http://{host}/"), d(2023, 10, 23)).unwrap();
        println!(
            "==== {name}\n title {:?}\n meta {:?}\n publish {:?}\n blank {:?}",
            a.title, a.meta, a.publish_date, a.blank_marker
        );
        for c in &a.columns {
            println!(" col {:?} {} {}", c.source, c.name, c.url);
        }
        for i in &a.items {
            println!(
                " item {:?} {} {:?}",
                i.date,
                i.title,
                i.url.as_ref().map(|u| u.as_str())
            );
        }
        println!(
            " footer {:?}\n links {} next {:?}",
            a.footer,
            a.links.len(),
            a.next_pages
        );
    }
}
