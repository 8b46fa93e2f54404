//! One check as plain text for a terminal, in Chinese official terms. Every value taken from pages
//! (URLs, column names, messages, failure reasons) is put on its line with
//! [`crate::escape::terminal::inline`], and the whole report is made terminal-safe.

use std::fmt::Write;

use crate::audit::AuditResult;
use crate::escape::terminal::{self, inline as t};

use crate::documents::check::{conclusion, deep_summary, ident_text, jiucuo_text, NOT_READ};

/// Render one check for a person at a terminal.
pub fn check_text(r: &AuditResult, check_id: Option<i64>) -> String {
    let o = &r.observation;
    let e = &r.evaluation;
    let mut s = String::new();
    let _ = writeln!(s, "网站：{}", t(&o.url));
    let _ = writeln!(s, "检查基准日：{}    规则：{}", o.as_of, e.profile);
    let _ = writeln!(s, "结论：{}", conclusion(e));
    if !o.reachability.ok {
        let _ = writeln!(
            s,
            "首页无法访问：{}（尝试 {} 次）",
            t(o.reachability.error.as_deref().unwrap_or("未知错误")),
            o.reachability.attempts
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "问题（{} 项）：", e.findings.len());
    if e.findings.is_empty() {
        let _ = writeln!(s, "  未发现问题");
    }
    for f in &e.findings {
        let pts = if f.points > 0.0 {
            format!("，扣 {:.1} 分", f.points)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  [{}{}] {} ({})",
            f.severity.label(),
            pts,
            t(&f.message),
            t(&f.rule)
        );
        for ev in f.evidence.iter().take(20) {
            let mut parts = Vec::new();
            if let Some(c) = &ev.column {
                parts.push(format!("栏目「{}」", t(c)));
            }
            if let Some(d) = ev.newest {
                parts.push(format!("最新 {d}"));
            }
            if let Some(d) = ev.days_overdue {
                parts.push(format!("超过时限 {d} 天"));
            }
            if let Some(st) = ev.status {
                parts.push(format!("HTTP {st}"));
            }
            if let Some(d) = &ev.detail {
                parts.push(t(d).into_owned());
            }
            if let Some(u) = &ev.url {
                parts.push(t(u).into_owned());
            }
            let _ = writeln!(s, "      - {}", parts.join("  "));
            if let Some(seen) = &ev.seen {
                let _ = writeln!(s, "        {}", t(seen));
            }
            if let Some(a) = ev.url.as_deref().and_then(|u| r.archived.get(u)) {
                let _ = writeln!(
                    s,
                    "        存档于 {}  存档记录 {}",
                    crate::archive::evidence::beijing_time(&a.at),
                    t(&a.record)
                );
            }
        }
        if f.evidence.len() > 20 {
            let _ = writeln!(s, "      …… 另有 {} 条", f.evidence.len() - 20);
        }
    }
    let _ = writeln!(s);
    if o.reachability.ok {
        let _ = writeln!(s, "栏目（{} 个）：", o.columns.len());
    } else {
        let _ = writeln!(s, "栏目：{}", NOT_READ);
    }
    for c in &o.columns {
        let newest = c
            .newest
            .map(|d| d.to_string())
            .unwrap_or_else(|| "无日期".into());
        let state = if let Some(err) = &c.error {
            format!("无法打开：{}", t(err))
        } else if c.blank {
            let why = match (&c.blank_marker, &c.empty_list) {
                (Some(m), _) => m.as_str(),
                (None, Some(_)) => "列表为空",
                (None, None) => "无内容",
            };
            format!("空白栏目（{}）", t(why))
        } else {
            format!("{} 条，最新 {newest}", c.items)
        };
        let _ = writeln!(s, "  {:<12} {:<8} {}", t(&c.name), c.class.label(), state);
    }
    let _ = writeln!(s);
    let f = &o.footer;
    let _ = writeln!(s, "页面底部标识：");
    if o.reachability.ok {
        let _ = writeln!(s, "  网站标识码：{}", t(&ident_text(&f.site_code)));
        let _ = writeln!(s, "  ICP备案号：{}", t(&ident_text(&f.icp)));
        let _ = writeln!(s, "  公安机关备案号：{}", t(&ident_text(&f.police_record)));
        let _ = writeln!(s, "  党政机关网站标识：{}", t(&ident_text(&f.conac)));
        let _ = writeln!(
            s,
            "  「我为政府网站找错」入口：{}",
            t(&jiucuo_text(&f.jiucuo))
        );
    } else {
        let _ = writeln!(s, "  {}", NOT_READ);
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "链接：检查 {} 个，问题 {} 个",
        o.links.checked,
        o.links.problems.len()
    );
    for p in o.links.problems.iter().take(30) {
        let _ = writeln!(
            s,
            "  {} {} （{}）",
            p.state.label(),
            t(&p.url),
            t(&p.reason)
        );
        if let Some(page) = p.pages.first() {
            let _ = writeln!(s, "      所在页面：{}", t(page));
        }
    }
    if let Some(d) = &r.deep {
        let _ = writeln!(s, "\n{}", deep_summary(d));
    }
    let _ = writeln!(
        s,
        "\n抓取页面 {} 个，请求 {} 次，用时 {:.1} 秒{}",
        o.pages_fetched,
        r.requests.len() + r.deep.as_ref().map_or(0, |d| d.requests),
        (r.finished_at - r.started_at).num_milliseconds() as f64 / 1000.0,
        check_id
            .map(|id| format!("，已存储为检查 #{id}"))
            .unwrap_or_default()
    );
    terminal::text(&s).into_owned()
}
