//! [`QuarterStats`] (`govaudit stats`) and a [`RoundDiff`] (`govaudit round diff`) as Chinese
//! plain text for a terminal (their JSON is serde's). Site names, units and evidence messages come
//! from registries and pages: the text is made terminal-safe ([`crate::escape::terminal`]) before
//! it is returned.

use std::fmt::Write;

use crate::escape::terminal;
use crate::findings::Verdict;
use crate::stats::{
    category_label, format_rate, ratio, QuarterStats, RoundDiff, SiteDiff, SUBTOTAL_LOCAL,
    SUBTOTAL_REGION,
};

/// The quarter's figures for people: 总体情况, 检查情况表 (附件1), 问题类别, 多次被抽查通报 and
/// 问题网站名单 (附件2).
pub fn quarter_stats_text(st: &QuarterStats) -> String {
    let mut s = String::new();
    let t = &st.total;
    let _ = writeln!(s, "{}政府网站抽查情况（{}）", st.quarter_label, st.quarter);
    let _ = writeln!(s, "统计口径：{}；复核不计入抽查数。", st.fail_rule.label());
    let _ = writeln!(s);
    let _ = writeln!(s, "一、总体情况");
    let levels: Vec<String> = st
        .by_level
        .iter()
        .map(|l| format!("{}{}家", l.level, l.running))
        .collect();
    let _ = writeln!(
        s,
        "正在运行的政府网站{}家，其中：{}。",
        t.running,
        levels.join("，")
    );
    let sub = |label: &str| st.subtotals.iter().find(|r| r.unit == label);
    let _ = write!(
        s,
        "抽查政府网站{}家，抽查比例为{}，不合格{}家，总体合格率{}",
        t.sampled, t.sample_ratio_text, t.failed, t.pass_rate_text
    );
    if let (Some(l), Some(r)) = (sub(SUBTOTAL_LOCAL), sub(SUBTOTAL_REGION)) {
        let _ = write!(
            s,
            "。其中：{}行政区域内政府网站抽查{}家、不合格{}家，合格率为{}；{}网站抽查{}家、不合格{}家，合格率为{}",
            l.unit, l.sampled, l.failed, l.pass_rate_text, r.unit, r.sampled, r.failed,
            r.pass_rate_text
        );
    }
    let _ = writeln!(s, "。");
    let _ = writeln!(s);

    let _ = writeln!(s, "二、检查情况表");
    let _ = writeln!(s, "单位 | 运行网站数 | 抽查网站数 | 不合格网站数 | 合格率");
    for r in st.units.iter().chain(&st.subtotals).chain([t]) {
        let _ = writeln!(
            s,
            "{} | {} | {} | {} | {}",
            r.unit, r.running, r.sampled, r.failed, r.pass_rate_text
        );
    }
    let _ = writeln!(s);

    let _ = writeln!(s, "三、问题类别（占不合格网站{}家的比例）", t.failed);
    if st.categories.is_empty() {
        let _ = writeln!(s, "  无");
    }
    for c in &st.categories {
        let _ = writeln!(
            s,
            "  {}：{}家，占{}（{}）",
            c.label, c.sites, c.share_text, c.rule
        );
    }
    let _ = writeln!(s);

    let _ = writeln!(s, "四、多次被抽查通报、复核仍不合格的网站");
    if st.repeat_offenders.is_empty() {
        let _ = writeln!(s, "  无");
    }
    for o in &st.repeat_offenders {
        let _ = writeln!(
            s,
            "  “{}”网（{}，{}）：{}",
            o.name,
            o.unit,
            o.url,
            o.reasons.join("；")
        );
    }
    let _ = writeln!(s);

    let _ = writeln!(s, "五、抽查发现的“问题网站”名单");
    if st.failed_sites.is_empty() {
        let _ = writeln!(s, "  无");
    }
    for (n, f) in st.failed_sites.iter().enumerate() {
        let months: Vec<&str> = f.failed_audits.iter().map(|a| a.month.as_str()).collect();
        let _ = writeln!(
            s,
            "  {}. {} | {} | {} | 不合格轮次：{}",
            n + 1,
            f.name,
            f.url,
            f.unit,
            months.join("、")
        );
        for r in &f.reasons {
            if r.messages.is_empty() {
                let _ = writeln!(s, "     - {}", r.label);
            } else {
                let _ = writeln!(s, "     - {}：{}", r.label, r.messages.join("；"));
            }
        }
    }
    for w in &st.warnings {
        let _ = writeln!(s, "注意：{w}");
    }
    terminal::text(&s).into_owned()
}

fn verdict_text(v: Option<Verdict>) -> &'static str {
    v.map_or("未检查", Verdict::label)
}

fn diff_section(s: &mut String, title: &str, list: &[SiteDiff]) {
    let _ = writeln!(s, "{title}（{}家）", list.len());
    for d in list {
        let name = if d.name.is_empty() {
            format!("网站{}（未登记）", d.site_id)
        } else {
            format!("{}（{}，{}）", d.name, d.unit, d.url)
        };
        let _ = writeln!(
            s,
            "  {name}：{} → {}",
            verdict_text(d.verdict_a),
            verdict_text(d.verdict_b)
        );
        for (label, rules) in [
            ("新出现", &d.rules_new),
            ("已整改", &d.rules_fixed),
            ("仍存在", &d.rules_still),
        ] {
            if !rules.is_empty() {
                let labels: Vec<&str> = rules.iter().map(|r| category_label(r)).collect();
                let _ = writeln!(s, "     {label}：{}", labels.join("，"));
            }
        }
    }
}

/// A round diff for people.
pub fn round_diff_text(d: &RoundDiff) -> String {
    let ids = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join("、");
    let mut s = String::new();
    let _ = writeln!(
        s,
        "轮次对比：A = 轮次{}，B = 轮次{}",
        ids(&d.rounds_a),
        ids(&d.rounds_b)
    );
    let both =
        d.newly_failing.len() + d.fixed.len() + d.still_failing.len() + d.still_passing.len();
    let fixed_rate = format_rate(ratio(d.fixed.len(), d.fixed.len() + d.still_failing.len()));
    let _ = writeln!(
        s,
        "两轮均检查{}家：新增不合格{}家，已整改{}家，仍不合格{}家，保持合格{}家；A中不合格网站整改率{}",
        both,
        d.newly_failing.len(),
        d.fixed.len(),
        d.still_failing.len(),
        d.still_passing.len(),
        fixed_rate
    );
    diff_section(&mut s, "新增不合格", &d.newly_failing);
    diff_section(&mut s, "已整改", &d.fixed);
    diff_section(&mut s, "仍不合格", &d.still_failing);
    diff_section(&mut s, "仅A轮检查", &d.only_in_a);
    diff_section(&mut s, "仅B轮检查", &d.only_in_b);
    terminal::text(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{quarter_stats, round_diff, Quarter, StatsSettings};

    #[test]
    fn empty_inputs_render_without_panicking() {
        let q = Quarter::new(2018, 2).expect("quarter");
        let text = quarter_stats_text(&quarter_stats(&[], &[], &q, &StatsSettings::default()));
        assert!(text.contains("2018年第二季度"), "{text}");
        assert!(text.contains("合计 | 0 | 0 | 0 | —"), "{text}");
        assert!(text.contains("  无"), "{text}");
        let diff = round_diff_text(&round_diff(&[], &[], &[]));
        assert!(diff.contains("两轮均检查0家"), "{diff}");
        assert!(diff.contains("整改率—"), "{diff}");
    }
}
