//! Markdown report of one check (自查报告), for pasting into documents and tickets. Text
//! taken from pages goes through [`crate::escape::markdown`]: it renders as written, and a
//! column's link is live only when its URL is http(s).

use std::fmt::Write;

use crate::audit::AuditResult;
use crate::escape::markdown::{link, text as esc};

use super::{ident_text, link_state_label};

/// Render one check as Markdown.
pub fn check_markdown(r: &AuditResult, check_id: Option<i64>) -> String {
    let o = &r.observation;
    let e = &r.evaluation;
    let mut s = String::new();
    let _ = writeln!(s, "# 政府网站检查结果：{}\n", esc(&o.url));
    let _ = writeln!(s, "- 检查基准日：{}", o.as_of);
    let _ = writeln!(s, "- 规则：{}", esc(&e.profile));
    let _ = writeln!(s, "- 结论：**{}**，得分 {:.1}", e.verdict.label(), e.score);
    if !e.vetoes.is_empty() {
        let _ = writeln!(s, "- 单项否决：{}", esc(&e.vetoes.join("、")));
    }
    if let Some(id) = check_id {
        let _ = writeln!(s, "- 检查编号：{id}");
    }
    let _ = writeln!(s, "\n## 问题清单\n");
    if e.findings.is_empty() {
        let _ = writeln!(s, "未发现问题。");
    } else {
        let _ = writeln!(
            s,
            "| 序号 | 规则 | 类别 | 问题 | 扣分 |\n|---|---|---|---|---|"
        );
        for (i, f) in e.findings.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {:.1} |",
                i + 1,
                esc(&f.rule),
                f.severity.label(),
                esc(&f.message),
                f.points
            );
        }
    }
    let _ = writeln!(s, "\n## 栏目\n");
    let _ = writeln!(
        s,
        "| 栏目 | 类别 | 最新日期 | 条数 | 状态 |\n|---|---|---|---|---|"
    );
    for c in &o.columns {
        let state = match (&c.error, c.blank) {
            (Some(err), _) => format!("无法打开（{}）", esc(err)),
            (None, true) => "空白栏目".to_string(),
            _ => "正常".to_string(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            link(&c.name, &c.url),
            c.class.label(),
            c.newest
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            c.items,
            state
        );
    }
    let f = &o.footer;
    let _ = writeln!(s, "\n## 页面底部标识\n");
    let _ = writeln!(s, "| 要素 | 检查结果 |\n|---|---|");
    let _ = writeln!(s, "| 网站标识码 | {} |", esc(&ident_text(&f.site_code)));
    let _ = writeln!(s, "| ICP备案号 | {} |", esc(&ident_text(&f.icp)));
    let _ = writeln!(
        s,
        "| 公安机关备案号 | {} |",
        esc(&ident_text(&f.police_record))
    );
    let _ = writeln!(s, "| 党政机关网站标识 | {} |", esc(&ident_text(&f.conac)));
    let j = if f.jiucuo.present && !f.jiucuo.hidden {
        "有"
    } else if f.jiucuo.present {
        "被隐藏"
    } else {
        "缺失"
    };
    let _ = writeln!(s, "| 「我为政府网站找错」入口 | {j} |");
    let _ = writeln!(s, "\n## 链接可用性\n");
    let _ = writeln!(s, "检查链接 {} 个。\n", o.links.checked);
    for p in &o.links.problems {
        let _ = writeln!(
            s,
            "- {}：{}（{}），所在页面：{}",
            link_state_label(p.state),
            esc(&p.url),
            esc(&p.reason),
            esc(&p.pages.join("、"))
        );
    }
    if let Some(d) = &r.deep {
        let _ = writeln!(s, "\n## 全站深度检查\n\n{}", esc(&super::deep_summary(d)));
    }
    s
}
