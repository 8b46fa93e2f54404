//! Kind `footer_identifiers`: the homepage footer (页面底部功能区) must carry 党政机关网站标识,
//! 网站标识码, ICP备案号, 公安机关备案号 and the 「我为政府网站找错」 entry (国办发〔2017〕47号;
//! list CORROBORATED by the 浙江 2018 Q3 抽查通报 on www.gov.cn).
//!
//! One instance (and one evidence item) per problem:
//!
//! * an identifier `missing`, or `malformed` (evidence carries the raw text);
//! * jiucuo: not present (evidence names a non-standard correction link when that is all there
//!   is, unless `accept_nonstandard_jiucuo`), or present but hidden (unless
//!   `accept_hidden_jiucuo`);
//! * jiucuo `site_code` different from the footer's 网站标识码 (case-insensitive), when
//!   `check_jiucuo_site_code`.

use serde::Deserialize;

use crate::findings::{Evidence, Finding};
use crate::observation::{FooterObservation, Ident, ItemEvidence, ItemSource};

use super::{Ctx, RuleMeta};

/// Placeholders: `{count}` problems, `{items}` the names concerned (e.g. ICP备案号、网站标识码).
pub const PLACEHOLDERS: &[&str] = &["count", "items"];

/// A footer element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FooterItem {
    /// ICP备案号.
    Icp,
    /// 网站标识码, displayed on the page.
    SiteCode,
    /// 公安机关备案号 (公网安备).
    PoliceRecord,
    /// 党政机关网站标识 (conac).
    Conac,
    /// The 「我为政府网站找错」 entry.
    Jiucuo,
}

impl FooterItem {
    /// Official Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            FooterItem::Icp => "ICP备案号",
            FooterItem::SiteCode => "网站标识码",
            FooterItem::PoliceRecord => "公安机关备案号",
            FooterItem::Conac => "党政机关网站标识",
            FooterItem::Jiucuo => "「我为政府网站找错」入口",
        }
    }

    /// The correct form, for a department fixing its footer (rules.md §6).
    pub fn example(self) -> &'static str {
        match self {
            FooterItem::Icp => "京ICP备05070218号（工业和信息化部备案号，链接至beian.miit.gov.cn）",
            FooterItem::SiteCode => "网站标识码：bm01000001（10位，由全国政府网站信息报送系统分配）",
            FooterItem::PoliceRecord => "京公网安备 11010202000001号（14位，链接至beian.gov.cn）",
            FooterItem::Conac => "党政机关网站标识图标（脚本或链接来自 dcs.conac.cn / bszs.conac.cn）",
            FooterItem::Jiucuo => {
                "页面底部嵌入 zfwzgl.www.gov.cn 提供的找错脚本（<script id=\"_jiucuo_\" sitecode=\"网站标识码\" …>）"
            }
        }
    }

    fn evidence(self, f: &FooterObservation) -> Option<&ItemEvidence> {
        match self {
            FooterItem::Icp => Some(&f.evidence.icp),
            FooterItem::SiteCode => Some(&f.evidence.site_code),
            FooterItem::PoliceRecord => Some(&f.evidence.police_record),
            FooterItem::Conac => Some(&f.evidence.conac),
            FooterItem::Jiucuo => Some(&f.evidence.jiucuo),
        }
    }

    fn ident(self, f: &FooterObservation) -> Option<&Ident> {
        match self {
            FooterItem::Icp => Some(&f.icp),
            FooterItem::SiteCode => Some(&f.site_code),
            FooterItem::PoliceRecord => Some(&f.police_record),
            FooterItem::Conac => Some(&f.conac),
            FooterItem::Jiucuo => None,
        }
    }
}

fn all_items() -> Vec<FooterItem> {
    vec![
        FooterItem::Conac,
        FooterItem::SiteCode,
        FooterItem::Icp,
        FooterItem::PoliceRecord,
        FooterItem::Jiucuo,
    ]
}

fn yes() -> bool {
    true
}

/// Params of `footer_identifiers`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterParams {
    /// Elements required (default: all five).
    #[serde(default = "all_items")]
    pub require: Vec<FooterItem>,
    /// Report a jiucuo sitecode that differs from the footer 网站标识码. Default true.
    #[serde(default = "yes")]
    pub check_jiucuo_site_code: bool,
    /// A hidden jiucuo entry counts as present. Default false.
    #[serde(default)]
    pub accept_hidden_jiucuo: bool,
    /// A non-standard correction link counts as the jiucuo entry. Default false.
    #[serde(default)]
    pub accept_nonstandard_jiucuo: bool,
}

fn problem(item: FooterItem, detail: String) -> (FooterItem, Evidence) {
    (
        item,
        Evidence {
            detail: Some(detail),
            ..Evidence::default()
        },
    )
}

/// What the evidence says an item was read from, when it was found but does not count.
fn undisplayed(e: &ItemEvidence) -> Option<String> {
    match e.source {
        ItemSource::Meta | ItemSource::JiucuoScript => Some(format!(
            "仅见于{}：{}",
            e.source.label(),
            e.text.as_deref().unwrap_or_default()
        )),
        _ => None,
    }
}

/// Evaluates `footer_identifiers`.
pub fn identifiers(p: &FooterParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let f = &ctx.obs.footer;
    let mut problems = Vec::new();
    for item in &p.require {
        let label = item.label();
        let example = item.example();
        match item.ident(f) {
            Some(Ident::Found(_)) => {}
            Some(Ident::Missing) => {
                let detail = match item.evidence(f).and_then(undisplayed) {
                    Some(where_) => {
                        format!("{label}未在页面显示（{where_}），规范形式如：{example}")
                    }
                    None => format!("缺少{label}，规范形式如：{example}"),
                };
                problems.push(problem(*item, detail));
            }
            Some(Ident::Malformed(raw)) => problems.push(problem(
                *item,
                format!("{label}不规范：{raw}，规范形式如：{example}"),
            )),
            None => {
                let j = &f.jiucuo;
                if j.hidden && !j.present {
                    if !p.accept_hidden_jiucuo {
                        problems.push(problem(*item, format!("{label}已添加但被隐藏")));
                    }
                } else if j.present && j.hidden && !p.accept_hidden_jiucuo {
                    problems.push(problem(*item, format!("{label}已添加但被隐藏")));
                } else if !j.present {
                    match &j.nonstandard {
                        Some(_) if p.accept_nonstandard_jiucuo => {}
                        Some(link) => problems.push(problem(
                            *item,
                            format!("未规范添加{label}，仅有非标准纠错入口：{link}"),
                        )),
                        None => problems.push(problem(
                            *item,
                            format!("缺少{label}，规范形式如：{example}"),
                        )),
                    }
                }
            }
        }
    }
    if p.check_jiucuo_site_code {
        if let (Some(j), Some(code)) = (&f.jiucuo.site_code, f.site_code.found()) {
            if !j.trim().eq_ignore_ascii_case(code.trim()) {
                problems.push(problem(
                    FooterItem::Jiucuo,
                    format!("「我为政府网站找错」入口的网站标识码（{j}）与页面底部网站标识码（{code}）不一致"),
                ));
            }
        }
    }
    if problems.is_empty() {
        return vec![];
    }
    let mut names: Vec<&str> = Vec::new();
    for (item, _) in &problems {
        if !names.contains(&item.label()) {
            names.push(item.label());
        }
    }
    let count = problems.len();
    let url = Some(ctx.obs.url.clone()).filter(|u| !u.is_empty());
    // What the footer does say, quoted on every problem.
    let seen = f.text.as_ref().map(|t| format!("页面底部显示：「{t}」"));
    let evidence = problems
        .into_iter()
        .map(|(_, mut e)| {
            e.url = url.clone();
            e.seen = seen.clone();
            e
        })
        .collect();
    vec![rule.finding(
        rule.severity.level,
        count,
        &[("count", count.to_string()), ("items", names.join("、"))],
        evidence,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::observation::{Jiucuo, Observation};

    fn meta() -> RuleMeta {
        RuleMeta::for_test(Severity::Deduction, 1.0, 3.0, "{items}（{count}项）")
    }

    fn run(p: &str, footer: FooterObservation) -> Vec<Finding> {
        let p: FooterParams = toml::from_str(p).expect("params");
        let o = Observation {
            footer,
            ..Observation::default()
        };
        identifiers(
            &p,
            &meta(),
            &Ctx {
                obs: &o,
                undated_is_stale: true,
            },
        )
    }

    #[test]
    fn points_are_capped_and_items_named_once() {
        let f = run("", FooterObservation::default());
        assert_eq!(f[0].points, 3.0);
        assert_eq!(f[0].evidence.len(), 5);
        let f = run("require = [\"icp\"]", FooterObservation::default());
        assert_eq!(f[0].message, "ICP备案号（1项）");
    }

    #[test]
    fn hidden_and_nonstandard_jiucuo_can_be_accepted() {
        let hidden = FooterObservation {
            jiucuo: Jiucuo {
                present: true,
                hidden: true,
                ..Jiucuo::default()
            },
            ..FooterObservation::default()
        };
        assert_eq!(run("require = [\"jiucuo\"]", hidden.clone()).len(), 1);
        assert!(run(
            "require = [\"jiucuo\"]\naccept_hidden_jiucuo = true",
            hidden
        )
        .is_empty());
        let own = FooterObservation {
            jiucuo: Jiucuo {
                nonstandard: Some("/jc.html".into()),
                ..Jiucuo::default()
            },
            ..FooterObservation::default()
        };
        assert!(run(
            "require = [\"jiucuo\"]\naccept_nonstandard_jiucuo = true",
            own
        )
        .is_empty());
    }

    #[test]
    fn site_code_mismatch_only_when_both_known() {
        let f = FooterObservation {
            site_code: Ident::Malformed("123".into()),
            jiucuo: Jiucuo {
                present: true,
                site_code: Some("1304000009".into()),
                ..Jiucuo::default()
            },
            ..FooterObservation::default()
        };
        let out = run("require = []", f);
        assert!(out.is_empty());
    }
}
