//! One check held in memory (a fresh `govaudit check` or a re-evaluation, not read back from
//! the store), in words for people that its text and Markdown ([`crate::render::text`],
//! [`crate::render::markdown`]) say alike: the conclusion, a footer identifier, the
//! 「我为政府网站找错」 entry, the deep-crawl line. Its JSON is [`crate::render::json`].

use crate::deep::DeepOutcome;
use crate::findings::Evaluation;
use crate::observation::{Ident, LinkState};

/// One line on a deep crawl, for people.
pub(crate) fn deep_summary(d: &DeepOutcome) -> String {
    if d.crawl_id == 0 {
        return "全站深度检查：首页无法访问，未进行".to_string();
    }
    let broken = d
        .links
        .problems
        .iter()
        .filter(|p| p.state == LinkState::Broken)
        .count();
    format!(
        "全站深度检查（抓取 #{}{}）：页面 {} 个，链接 {} 个，不可用链接 {} 个，其他链接问题 {} 个，请求 {} 次",
        d.crawl_id,
        if d.resumed { "，续查" } else { "" },
        d.pages,
        d.links.checked,
        broken,
        d.links.problems.len() - broken,
        d.requests
    )
}

/// The conclusion for people: 单项否决 and which when a veto fired (a score beside a veto reads
/// like full marks), else the verdict with its score.
pub fn conclusion(e: &Evaluation) -> String {
    if e.vetoes.is_empty() {
        format!("{}（得分 {:.1}）", e.verdict.label(), e.score)
    } else {
        let which: Vec<&str> = e
            .vetoes
            .iter()
            .map(|v| crate::stats::category_reason(v))
            .collect();
        format!("{}（单项否决：{}）", e.verdict.label(), which.join("、"))
    }
}

/// Said in place of what was not read when the homepage did not open.
pub(crate) const NOT_READ: &str = "未评估（首页未能打开，页面未读取）";

/// A footer identifier for people: the value, or why it is not there.
pub(crate) fn ident_text(i: &Ident) -> String {
    match i {
        Ident::Found(v) => v.clone(),
        Ident::Malformed(v) => format!("格式不规范（{v}）"),
        Ident::Missing => "缺失".to_string(),
    }
}

/// The 「我为政府网站找错」 entry for people.
pub(crate) fn jiucuo_text(j: &crate::observation::Jiucuo) -> String {
    if j.present && !j.hidden {
        format!("有（{}）", j.site_code.as_deref().unwrap_or("无标识码"))
    } else if j.present || j.hidden {
        "已添加，但被隐藏".to_string()
    } else if let Some(link) = &j.nonstandard {
        format!("缺失（仅有非标准纠错入口：{link}）")
    } else {
        "缺失".to_string()
    }
}
