//! Markdown of one check (政府网站检查结果), for pasting into documents and tickets. Text
//! taken from pages goes through [`crate::escape::markdown`]: it renders as written, and a
//! column's link is live only when its URL is http(s).

use std::fmt::Write;

use crate::audit::AuditResult;
use crate::escape::markdown::{link, text as esc};

use crate::documents::check::{conclusion, deep_summary, ident_text, jiucuo_text, NOT_READ};

/// Render one check as Markdown.
pub fn check_markdown(r: &AuditResult, check_id: Option<i64>) -> String {
    let o = &r.observation;
    let e = &r.evaluation;
    let mut s = String::new();
    let _ = writeln!(s, "# 政府网站检查结果：{}\n", esc(&o.url));
    let _ = writeln!(s, "- 检查基准日：{}", o.as_of);
    let _ = writeln!(s, "- 规则：{}", esc(&e.profile));
    let _ = writeln!(s, "- 结论：**{}**", esc(&conclusion(e)));
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
        let _ = writeln!(s, "\n### 问题依据\n");
        for (i, f) in e.findings.iter().enumerate() {
            for ev in f.evidence.iter().take(20) {
                let mut parts = Vec::new();
                if let Some(c) = &ev.column {
                    parts.push(format!("栏目「{}」", esc(c)));
                }
                if let Some(d) = &ev.detail {
                    parts.push(esc(d));
                }
                if let Some(seen) = &ev.seen {
                    parts.push(esc(seen));
                }
                if let Some(u) = &ev.url {
                    parts.push(esc(u));
                }
                if let Some(a) = ev.url.as_deref().and_then(|u| r.archived.get(u)) {
                    parts.push(format!(
                        "存档于 {}，存档记录 {}",
                        crate::archive::evidence::beijing_time(&a.at),
                        esc(&a.record)
                    ));
                }
                let _ = writeln!(s, "- {}. {}", i + 1, parts.join("；"));
            }
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
    if o.reachability.ok {
        let _ = writeln!(s, "| 要素 | 检查结果 |\n|---|---|");
        for (name, value) in [
            ("网站标识码", ident_text(&f.site_code)),
            ("ICP备案号", ident_text(&f.icp)),
            ("公安机关备案号", ident_text(&f.police_record)),
            ("党政机关网站标识", ident_text(&f.conac)),
            ("「我为政府网站找错」入口", jiucuo_text(&f.jiucuo)),
        ] {
            let _ = writeln!(s, "| {name} | {} |", esc(&value));
        }
    } else {
        let _ = writeln!(s, "{}", NOT_READ);
    }
    let _ = writeln!(s, "\n## 链接可用性\n");
    let _ = writeln!(s, "检查链接 {} 个。\n", o.links.checked);
    for p in &o.links.problems {
        let _ = writeln!(
            s,
            "- {}：{}（{}），所在页面：{}",
            p.state.label(),
            esc(&p.url),
            esc(&p.reason),
            esc(&p.pages.join("、"))
        );
    }
    if let Some(d) = &r.deep {
        let _ = writeln!(s, "\n## 全站深度检查\n\n{}", esc(&deep_summary(d)));
    }
    s
}
