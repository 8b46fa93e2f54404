//! Problem categories (问题类别): a Chinese label per rule id, for the notice's 二、主要问题 and
//! its 附件2 (问题网站名单).
//!
//! Decision: a Rust table, not a data file. The labels are wording of the notices, not rule
//! parameters, and `rules/<profile>/` may only hold rule files (the loader rejects others); a
//! table here is checked by the compiler and tested against the rule ids of `rules/gb2015/`.
//! Sources: 宁政办函〔2018〕27号 (二、主要问题 and 附件2) for the rules it names; the rule files'
//! own `name` for the others. The table's order is the order of categories in reports.

/// (rule id, 问题类别 label as in the notice, short reason as in the notice's 附件2).
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("site.unreachable", "网站无法访问", "网站无法访问"),
    ("homepage.stale", "首页2周以上无信息更新", "网站不更新"),
    (
        "columns.stale",
        "动态类栏目2周以上未更新",
        "多个栏目更新不及时",
    ),
    (
        "columns.long_unupdated",
        "应更新栏目长期未更新",
        "多个栏目更新不及时",
    ),
    (
        "columns.blank",
        "空白栏目数量超过5个",
        "存在5个以上空白栏目",
    ),
    (
        "interaction.poor_response",
        "政务咨询类栏目留言超过3个月未回应",
        "互动回应差",
    ),
    (
        "interaction.no_channel",
        "未提供网上咨询建言渠道",
        "互动回应差",
    ),
    (
        "content.serious_error",
        "网站存在严重错误（领导人姓名写错）",
        "严重错误",
    ),
    ("content.future_date", "疑似伪造发稿日期", "伪造发稿日期"),
    ("content.backdated", "疑似伪造发稿日期", "伪造发稿日期"),
    ("service.none", "未提供办事服务", "服务不实用"),
    (
        "service.not_practical",
        "办事指南重点要素缺失",
        "服务不实用",
    ),
    (
        "homepage.few_updates",
        "首页信息更新数量少于10条",
        "首页信息更新数量少于10条",
    ),
    ("links.broken", "栏目链接无法打开", "多个栏目链接无法打开"),
    (
        "footer.missing_identifier",
        "首页底部功能区要素标识不全",
        "首页底部功能区要素标识不全",
    ),
    (
        "interaction.no_survey",
        "未开设调查征集类栏目",
        "未开设调查征集类栏目",
    ),
    ("links.suspected", "疑似不可用链接", "疑似不可用链接"),
    ("links.blocked", "未检查链接（指向内网地址）", "未检查链接"),
    (
        "audit.limited",
        "检查受限（页面未完整读取或访问间隔受限）",
        "检查受限",
    ),
];

/// The category label of a rule id; an unknown id is its own label.
pub fn category_label(rule: &str) -> &str {
    CATEGORIES
        .iter()
        .find(|(id, _, _)| *id == rule)
        .map_or(rule, |(_, label, _)| label)
}

/// The short 附件2 reason of a rule id; an unknown id is its own reason.
pub fn category_reason(rule: &str) -> &str {
    CATEGORIES
        .iter()
        .find(|(id, _, _)| *id == rule)
        .map_or(rule, |(_, _, reason)| reason)
}

/// Sort key of a rule id: the table's position, unknown ids after it.
pub(crate) fn category_rank(rule: &str) -> usize {
    CATEGORIES
        .iter()
        .position(|(id, _, _)| *id == rule)
        .unwrap_or(CATEGORIES.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_the_notice() {
        assert_eq!(category_label("columns.stale"), "动态类栏目2周以上未更新");
        assert_eq!(category_label("columns.blank"), "空白栏目数量超过5个");
        assert_eq!(category_reason("links.broken"), "多个栏目链接无法打开");
        assert_eq!(category_label("x.unknown"), "x.unknown");
        assert_eq!(category_rank("site.unreachable"), 0);
        assert_eq!(category_rank("x.unknown"), CATEGORIES.len());
    }

    #[test]
    fn every_rule_has_a_label_and_no_label_is_orphaned() {
        let mut ids: Vec<String> = Vec::new();
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/rules/gb2015"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/rules/gb2019"),
        ];
        let entries = dirs
            .iter()
            .flat_map(|d| std::fs::read_dir(d).expect("rules dir"));
        for entry in entries {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("rule file");
            if let Some(line) = text.lines().find(|l| l.starts_with("id = ")) {
                let id = line
                    .trim_start_matches("id = ")
                    .trim_matches('"')
                    .to_string();
                let is_rule = text.lines().any(|l| l.starts_with("kind = "));
                if is_rule && !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        assert!(ids.len() >= 10, "rule ids found: {ids:?}");
        for id in &ids {
            assert!(
                category_rank(id) < CATEGORIES.len(),
                "no category label for {id}"
            );
        }
        for (id, _, _) in CATEGORIES {
            assert!(ids.iter().any(|i| i == id), "label for unknown rule {id}");
        }
    }
}
