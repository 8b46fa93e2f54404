//! The 21 problem sites of the notice's attachment 2, under their real names and URLs, each
//! built to fail the way the notice describes:
//!
//! - `stale`: 5 dynamic columns (动态要闻类) whose newest item is 18 days to 5 months old, while
//!   the notices and the mailbox on the homepage stay fresh (so only columns.stale vetoes);
//! - `blank`: 5 or 6 blank columns (暂无信息);
//! - `footer`: several footer identifiers missing, the 找错 entry always among them;
//! - `no_survey`: no 调查征集 column;
//! - `few_updates`: fewer than 10 homepage items in the last 2 weeks;
//! - `broken_columns` (固原市司法行政): 3 navigation columns whose pages answer 404, and a
//!   人事 column not updated for over a year (with the 5 stale dynamic columns, 6 should-update
//!   columns not updated).

use super::synth::{col, home, look};
use super::{Extra, ProblemDesc};
use crate::sim::spec::{Behaviour, DateStyle, FooterItem, FooterSpec, SiteSpec};

const STALE_GENERIC: [(&str, &str); 5] = [
    ("工作动态", "gzdt"),
    ("部门动态", "bmdt"),
    ("基层动态", "jcdt"),
    ("要闻动态", "ywdt"),
    ("行业动态", "hydt"),
];
const STALE_JUSTICE: [(&str, &str); 5] = [
    ("司法动态", "sfdt"),
    ("工作动态", "gzdt"),
    ("基层动态", "jcdt"),
    ("普法动态", "pfdt"),
    ("区县动态", "qxdt"),
];
const BLANK: [(&str, &str); 6] = [
    ("办事指南", "bszn"),
    ("表格下载", "bgxz"),
    ("图片新闻", "tpxw"),
    ("专题专栏", "ztzl"),
    ("统计数据", "tjsj"),
    ("网上办事", "wsbs"),
];
/// Ages in days of the newest item of the 5 stale dynamic columns.
const STALE_AGES: [i64; 5] = [18, 35, 60, 95, 150];

/// Split a notice URL into host and path prefix.
fn host_prefix(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("problem site URL {url} must start with http://"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let prefix = path.trim_end_matches('/');
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("/{prefix}")
    };
    if host.is_empty() {
        return Err(format!("problem site URL {url} has no host"));
    }
    Ok((host.to_ascii_lowercase(), prefix))
}

/// The site of one problem entry; `h` is its variety hash.
pub(super) fn site(p: &ProblemDesc, h: u64) -> Result<SiteSpec, String> {
    let (host, prefix) = host_prefix(&p.url)?;
    let has = |e: Extra| p.extras.contains(&e);
    let few = has(Extra::FewUpdates);
    let (template, encoding, dates) = look(h);
    // Items over a year old cannot carry a year-less date; problem sites print full dates.
    let dates = if dates == DateStyle::Yearless {
        DateStyle::Iso
    } else {
        dates
    };
    let mut columns = Vec::new();
    if few {
        // 3 homepage items in 2 weeks.
        columns.push(home(col("通知公告", "tzgg", 4, 3, 6)));
        columns.push(col("领导信箱", "ldxx", 5, 2, 3));
    } else {
        columns.push(home(col("通知公告", "tzgg", 6, 1, 2)));
        columns.push(home(col("领导信箱", "ldxx", 5, 1, 2)));
    }
    columns.push(col("政策文件", "zcwj", 5, 20, 30));
    if !has(Extra::NoSurvey) {
        columns.push(col("网上调查", "wsdc", 3, 25, 40));
    }
    if p.veto.stale() {
        let names = if has(Extra::BrokenColumns) {
            STALE_JUSTICE
        } else {
            STALE_GENERIC
        };
        for ((name, slug), age) in names.iter().zip(STALE_AGES) {
            columns.push(col(name, slug, 3, age, 15));
        }
    } else {
        let c = col("工作动态", "gzdt", 8, 1, 1);
        columns.push(if few { c } else { home(c) });
    }
    if p.veto.blank() {
        let n = 5 + (h >> 20) as usize % 2;
        for (name, slug) in BLANK.iter().take(n) {
            columns.push(col(name, slug, 0, 0, 1));
        }
    }
    if has(Extra::BrokenColumns) {
        columns.push(col("人事信息", "rsxx", 2, 400, 90));
        for (name, slug) in [
            ("法律服务", "flfw"),
            ("公证服务", "gzfw"),
            ("法律援助", "flyz"),
        ] {
            let mut c = col(name, slug, 5, 5, 10);
            c.missing = true;
            columns.push(c);
        }
    }
    let mut footer = FooterSpec::default();
    if has(Extra::Footer) {
        let off = FooterItem::Flag(false);
        footer.jiucuo = off.clone();
        match (h >> 28) % 4 {
            0 => footer.conac = off,
            1 => {
                footer.site_code = off.clone();
                footer.police = off;
            }
            2 => {
                footer.icp = off.clone();
                footer.conac = off;
            }
            _ => {
                footer.site_code = off.clone();
                footer.police = off.clone();
                footer.conac = off;
            }
        }
    }
    Ok(SiteSpec {
        name: p.name.clone(),
        host,
        prefix,
        template,
        dates,
        home_undated: false,
        article_meta: true,
        encoding: encoding.into(),
        behaviour: Behaviour::Normal,
        delay_ms: 0,
        site_code: p.site_code.clone(),
        footer,
        broken_links: 0,
        banner: None,
        columns,
        outages: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::host_prefix;

    #[test]
    fn notice_urls_split_into_host_and_prefix() {
        assert_eq!(
            host_prefix("http://218.95.179.142/gysfgw").ok(),
            Some(("218.95.179.142".into(), "/gysfgw".into()))
        );
        assert_eq!(
            host_prefix("http://www.nxep.gov.cn").ok(),
            Some(("www.nxep.gov.cn".into(), String::new()))
        );
        assert!(host_prefix("https://x").is_err());
    }
}
