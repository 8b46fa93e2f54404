//! Synthetic sites: fictitious names (示例…) on hosts under `*.sim.test`, mostly healthy, some
//! with problems below the veto thresholds, in the variety real sites show.
//!
//! Each site is small (6–7 columns plus at most 3 blank ones, at most 8 items a list) so that
//! auditing it needs well under 60 requests: with per-host politeness (2 req/s) no site takes
//! more than about 30 s, and a whole round finishes in well under 2 minutes.

use super::{UnitDesc, UnitKind};
use crate::sim::spec::{
    Behaviour, ColumnSpec, DateStyle, FooterItem, FooterSpec, SiteSpec, Template,
};

/// Which site of its unit.
#[derive(Debug, Clone, Copy)]
pub(super) enum Role {
    /// The n-th portal (1-based).
    Portal(usize),
    /// The k-th department (1-based).
    Dept(usize),
}

/// A column with the usual defaults.
pub(super) fn col(name: &str, slug: &str, items: usize, newest: i64, every: i64) -> ColumnSpec {
    ColumnSpec {
        name: name.into(),
        slug: slug.into(),
        items,
        newest,
        every,
        home: false,
        parent: None,
        page_size: None,
        missing: false,
        blank: Default::default(),
        letters: Vec::new(),
        letter_list: Default::default(),
        guides: Vec::new(),
    }
}

/// The same column shown as a homepage block.
pub(super) fn home(mut c: ColumnSpec) -> ColumnSpec {
    c.home = true;
    c
}

/// Template, encoding and date style from the variety hash.
pub(super) fn look(h: u64) -> (Template, &'static str, DateStyle) {
    let template = [Template::Ul, Template::Table, Template::Div][(h % 3) as usize];
    let encoding = if (h >> 4).is_multiple_of(4) {
        "gbk"
    } else {
        "utf-8"
    };
    let dates = [
        DateStyle::Iso,
        DateStyle::Iso,
        DateStyle::Slash,
        DateStyle::Chinese,
        DateStyle::Yearless,
        DateStyle::ArticleOnly,
    ][((h >> 8) % 6) as usize];
    (template, encoding, dates)
}

/// Name and host of a synthetic site.
fn identity(unit: &UnitDesc, role: Role) -> (String, String) {
    let short = unit.short.as_deref().unwrap_or(&unit.name);
    let slug = &unit.slug;
    match (unit.kind, role) {
        (_, Role::Portal(1)) => (
            format!("示例{short}人民政府门户网站"),
            format!("www.{slug}.sim.test"),
        ),
        (_, Role::Portal(n)) => (
            format!("示例{short}第{n}门户网站"),
            format!("www{n}.{slug}.sim.test"),
        ),
        (UnitKind::Region, Role::Dept(k)) => (
            format!("示例自治区第{k}厅局网站"),
            format!("d{k:02}.{slug}.sim.test"),
        ),
        (UnitKind::City, Role::Dept(k)) => (
            format!("示例{short}第{k}局网站"),
            format!("d{k:02}.{slug}.sim.test"),
        ),
        (UnitKind::County, Role::Dept(k)) => (
            format!("示例{short}第{k}乡镇部门网站"),
            format!("d{k:02}.{slug}.sim.test"),
        ),
    }
}

/// A synthetic site. `seq` numbers synthetic sites across the province (site codes, the few
/// slow and flaky hosts); `h` is the site's variety hash.
pub(super) fn site(unit: &UnitDesc, role: Role, seq: usize, h: u64) -> SiteSpec {
    let (name, host) = identity(unit, role);
    let (template, encoding, dates) = look(h);
    let paginate = (h >> 12).is_multiple_of(3);
    let mut gzdt = home(col("工作动态", "gzdt", 8, (h >> 14) as i64 % 2, 1));
    if paginate {
        gzdt.page_size = Some(5);
    }
    let mut columns = vec![
        gzdt,
        home(col("通知公告", "tzgg", 6, 1 + (h >> 16) as i64 % 3, 2)),
        col("政策文件", "zcwj", 5, 10 + (h >> 18) as i64 % 30, 25),
        col("人事信息", "rsxx", 3, 30, 60),
        col("网上调查", "wsdc", 3, 15, 40),
        home(col("领导信箱", "ldxx", 5, 1, 3)),
    ];
    if let Role::Portal(_) = role {
        let mut sub = col("部门动态", "bmdt", 5, 2, 2);
        sub.parent = Some("gzdt".into());
        columns.push(sub);
    }
    let mut footer = FooterSpec::default();
    let mut broken_links = 0;
    // About a third of the sites have one problem below the veto thresholds.
    match (h >> 24) % 18 {
        0 => {
            for (n, slug) in [
                ("办事指南", "bszn"),
                ("表格下载", "bgxz"),
                ("专题专栏", "ztzl"),
            ] {
                columns.push(col(n, slug, 0, 0, 1));
            }
        }
        1 => broken_links = 2,
        2 => footer.icp = FooterItem::Flag(false),
        3 => columns.retain(|c| c.slug != "wsdc"),
        4 => {
            columns.push(col("要闻动态", "ywdt", 4, 30, 10));
            columns.push(col("行业动态", "hydt", 4, 45, 10));
        }
        5 => {
            // Fewer than 10 homepage updates in 2 weeks: only the notices block, every 5 days.
            columns[0].home = false;
            columns[5].home = false;
            columns[1].every = 5;
        }
        6 => footer.jiucuo = FooterItem::Flag(false),
        _ => {}
    }
    let behaviour = if seq % 47 == 5 {
        Behaviour::Flaky
    } else {
        Behaviour::Normal
    };
    let delay_ms = if seq % 53 == 17 { 250 } else { 0 };
    SiteSpec {
        name,
        host,
        prefix: String::new(),
        template,
        dates,
        home_undated: false,
        article_meta: true,
        encoding: encoding.into(),
        behaviour,
        delay_ms,
        site_code: format!("6499{seq:06}"),
        footer,
        broken_links,
        banner: None,
        columns,
        outages: Vec::new(),
    }
}
