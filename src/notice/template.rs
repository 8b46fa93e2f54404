//! The editable wording of notices and self-check reports: `templates/notice.toml`,
//! `templates/site.toml` and `templates/fixes.toml`, embedded in the binary with `include_str!`
//! and replaceable by a folder of the same three files (`--templates DIR`).
//!
//! Placeholders are `{name}`, filled by the crate's one filler ([`crate::template`], which
//! also fills rule messages). Each text may use only the placeholders it is filled with: a
//! misspelt or misplaced one is refused when the templates are loaded, naming the file, the
//! key and the placeholders allowed there.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::NoticeError;

pub use crate::template::fill;

const NOTICE_TOML: &str = include_str!("../../templates/notice.toml");
const SITE_TOML: &str = include_str!("../../templates/site.toml");
const FIXES_TOML: &str = include_str!("../../templates/fixes.toml");

/// Wording of the 通报 (`notice.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NoticeTemplate {
    pub title_quarter: String,
    pub title_round: String,
    pub period_kind_quarter: String,
    pub period_kind_round: String,
    pub intro: Vec<String>,
    /// 问题类别 per rule id.
    pub labels: BTreeMap<String, String>,
    pub overview: OverviewTemplate,
    pub problems: ProblemsTemplate,
    pub requirements: RequirementsTemplate,
    pub attachments: AttachmentsTemplate,
}

/// 一、总体情况.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OverviewTemplate {
    pub heading: String,
    /// `{registry_as_of}` in `running`: `{date}` is the registry's date (`sites import
    /// --as-of`); empty when no import gave one.
    #[serde(default = "default_registry_as_of")]
    pub registry_as_of: String,
    pub running: String,
    pub level_item: String,
    pub level_separator: String,
    pub level_names: BTreeMap<String, String>,
    pub sampled: String,
}

fn default_registry_as_of() -> String {
    "截至{date}，".to_string()
}

/// 二、主要问题.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProblemsTemplate {
    pub heading: String,
    pub none: String,
    pub category: String,
    pub examples: String,
    pub example_separator: String,
    /// Ends a list cut short (等).
    pub etc: String,
    pub max_examples: usize,
    pub repeat: String,
    pub site_name: String,
    pub site_separator: String,
    /// Per rule id, and `default`.
    pub phrases: BTreeMap<String, String>,
}

/// 三、下一步工作要求 / 整改要求.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RequirementsTemplate {
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// The closing paragraph's first sentence (整改时限).
    pub closing: String,
    /// 报送截止日期 sentence: `{deadline}`, `{issuer}`.
    pub deadline: String,
    /// 联系人 line: `{contact}`.
    pub contact: String,
}

/// Attachments, table headers and chart titles.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttachmentsTemplate {
    pub list_first: String,
    pub list_next: String,
    pub unit_label: String,
    pub unit_title: String,
    pub unit_headers: Vec<String>,
    pub site_label: String,
    pub site_title: String,
    pub site_headers: Vec<String>,
    pub reason_separator: String,
    pub detail_label: String,
    pub detail_title: String,
    pub detail_headers: Vec<String>,
    pub chart_title: String,
    pub trend_title: String,
    pub trend_headers: Vec<String>,
}

/// Wording of the self-check report (`site.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteTemplate {
    pub title: String,
    /// The particulars, one a line.
    pub summary: Vec<String>,
    /// `{sponsor}` when the footer names no 主办单位.
    pub sponsor_unknown: String,
    /// 检查结论 when a 单项否决 fired: `{vetoes}`.
    pub conclusion_veto: String,
    /// 检查结论 otherwise: `{verdict}`, `{score}`.
    pub conclusion_score: String,
    pub round_none: String,
    pub round_some: String,
    pub findings_heading: String,
    pub findings_none: String,
    pub finding: String,
    pub fix: String,
    pub evidence_headers: Vec<String>,
    /// 超期情况: `{window}`, `{days}`.
    pub overdue: String,
    /// 超期情况 without a known window: `{days}`.
    pub overdue_bare: String,
    /// The note of a 提示 whose columns an earlier item lists: `{count}`, `{items}`.
    pub repeated: String,
    pub warnings_heading: String,
    pub warnings_none: String,
    pub warning: String,
}

/// All templates.
#[derive(Debug, Clone, PartialEq)]
pub struct Templates {
    pub notice: NoticeTemplate,
    pub site: SiteTemplate,
    /// Fix text per rule id, and `default` (`fixes.toml`).
    pub fixes: BTreeMap<String, String>,
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, origin: &str) -> Result<T, NoticeError> {
    toml::from_str(text).map_err(|e| NoticeError::Template {
        origin: origin.to_string(),
        message: e.to_string(),
    })
}

impl Templates {
    /// The templates built into the binary (this repository's `templates/`).
    pub fn builtin() -> Result<Templates, NoticeError> {
        Templates::from_texts(NOTICE_TOML, SITE_TOML, FIXES_TOML, "templates (built in)")
    }

    /// The three files of a folder: `notice.toml`, `site.toml`, `fixes.toml`.
    pub fn from_dir(dir: &Path) -> Result<Templates, NoticeError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| NoticeError::Template {
                origin: path.display().to_string(),
                message: e.to_string(),
            })
        };
        let origin = |name: &str| dir.join(name).display().to_string();
        let t = Templates {
            notice: parse(&read("notice.toml")?, &origin("notice.toml"))?,
            site: parse(&read("site.toml")?, &origin("site.toml"))?,
            fixes: parse(&read("fixes.toml")?, &origin("fixes.toml"))?,
        };
        super::placeholders::check(&t, &origin)?;
        Ok(t)
    }

    fn from_texts(
        notice: &str,
        site: &str,
        fixes: &str,
        origin: &str,
    ) -> Result<Templates, NoticeError> {
        let file = |name: &str| format!("{origin}/{name}");
        let t = Templates {
            notice: parse(notice, &file("notice.toml"))?,
            site: parse(site, &file("site.toml"))?,
            fixes: parse(fixes, &file("fixes.toml"))?,
        };
        super::placeholders::check(&t, &file)?;
        Ok(t)
    }

    /// The fix text of a rule (`default` when not listed; empty when there is no default).
    pub fn fix(&self, rule: &str) -> &str {
        self.fixes
            .get(rule)
            .or_else(|| self.fixes.get("default"))
            .map_or("", String::as_str)
    }

    /// The 问题类别 of a rule: `[labels]` of notice.toml, else the statistics' label.
    pub fn label<'a>(&'a self, rule: &'a str) -> &'a str {
        self.notice
            .labels
            .get(rule)
            .map_or_else(|| crate::stats::category_label(rule), String::as_str)
    }

    /// The phrase naming a site for a rule in 二、主要问题 (`default` when not listed).
    pub fn phrase(&self, rule: &str) -> &str {
        let p = &self.notice.problems.phrases;
        p.get(rule)
            .or_else(|| p.get("default"))
            .map_or("“{name}”网{label}", String::as_str)
    }
}

/// 一, 二 … 十九, 二十 (the numbers of （一）-style sub-headings).
pub fn chinese_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            D[n / 10],
            if n.is_multiple_of(10) { "" } else { D[n % 10] }
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_parse_and_name_every_category() {
        let t = Templates::builtin().expect("templates");
        assert_eq!(t.notice.attachments.site_headers.len(), 4);
        assert!(t.phrase("columns.stale").contains("{count}"));
        assert_eq!(t.phrase("no.such"), t.notice.problems.phrases["default"]);
        assert!(!t.fix("columns.blank").is_empty());
        assert_eq!(t.fix("no.such"), t.fixes["default"]);
        for (rule, _, _) in crate::stats::CATEGORIES {
            assert!(
                t.notice.labels.contains_key(*rule),
                "{rule}: every category has the notice's wording"
            );
        }
        // As 宁政办函〔2018〕27号 words them, not as rule names.
        assert_eq!(t.label("columns.stale"), "多个栏目更新不及时");
        assert_eq!(t.label("columns.blank"), "空白栏目较多");
        assert_eq!(t.label("no.such"), "no.such");
    }

    #[test]
    fn the_shipped_folder_loads_like_the_builtin() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        assert_eq!(
            Templates::from_dir(&dir).expect("dir"),
            Templates::builtin().expect("builtin")
        );
        let missing = Templates::from_dir(Path::new("/nonexistent"));
        assert!(matches!(missing, Err(NoticeError::Template { .. })));
    }

    #[test]
    fn a_misspelt_placeholder_is_refused_at_load_naming_file_and_key() {
        let site = SITE_TOML.replace("title = \"“{name}”", "title = \"“{nmae}”");
        let err = Templates::from_texts(NOTICE_TOML, &site, FIXES_TOML, "t").expect_err("refused");
        let msg = err.to_string();
        assert!(
            msg.contains("t/site.toml") && msg.contains("{nmae}"),
            "{msg}"
        );
        // A placeholder of another text is refused too: the title is not filled with {name}.
        let notice = NOTICE_TOML.replace(
            "title_quarter = \"关于{period}",
            "title_quarter = \"关于{name}",
        );
        let err = Templates::from_texts(&notice, SITE_TOML, FIXES_TOML, "t").expect_err("refused");
        assert!(err.to_string().contains("t/notice.toml"), "{err}");
        let fixes = format!("{FIXES_TOML}\n\"x.y\" = \"改正{{fix}}\"\n");
        let err = Templates::from_texts(NOTICE_TOML, SITE_TOML, &fixes, "t").expect_err("refused");
        assert!(
            err.to_string().contains("x.y: unknown placeholder"),
            "{err}"
        );
    }

    #[test]
    fn chinese_numbers() {
        let got: Vec<String> = [1, 3, 10, 11, 20, 23].map(chinese_number).to_vec();
        assert_eq!(got, ["一", "三", "十", "十一", "二十", "二十三"]);
    }
}
