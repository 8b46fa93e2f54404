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
    /// Title of a quarter's notice: `{period}` is e.g. 2018年第一季度.
    pub title_quarter: String,
    /// Title of one round's notice: `{period}` is e.g. 2018年2月.
    pub title_round: String,
    /// What the text calls a quarter (`{period_kind}`, e.g. 季度).
    pub period_kind_quarter: String,
    /// What the text calls a round (`{period_kind}`, e.g. 轮).
    pub period_kind_round: String,
    /// Paragraphs before 一、, each filled with `{period}`, `{period_kind}`, `{registry_as_of}`.
    pub intro: Vec<String>,
    /// 问题类别 per rule id.
    pub labels: BTreeMap<String, String>,
    /// 一、总体情况: running and sampled sites.
    pub overview: OverviewTemplate,
    /// 二、主要问题: one paragraph per problem category, then repeat offenders.
    pub problems: ProblemsTemplate,
    /// 三、下一步工作要求: the demands and the closing paragraph.
    pub requirements: RequirementsTemplate,
    /// 附件说明 lines, attachment titles, table headers and chart titles.
    pub attachments: AttachmentsTemplate,
}

/// 一、总体情况.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OverviewTemplate {
    /// The section heading (一、总体情况).
    pub heading: String,
    /// `{registry_as_of}` in `running`: `{date}` is the registry's date (`sites import
    /// --as-of`); empty when no import gave one.
    #[serde(default = "default_registry_as_of")]
    pub registry_as_of: String,
    /// Running-sites sentence: `{running}` sites, `{levels}` the level items joined.
    pub running: String,
    /// One level's count in `running`: `{level}`, `{count}`.
    pub level_item: String,
    /// Joins the `level_item`s in `{levels}`.
    pub level_separator: String,
    /// Text name of each registry level (自治区门户 …); a level not listed is printed as is.
    pub level_names: BTreeMap<String, String>,
    /// Sampled-sites sentence: `{sampled}`, `{sample_ratio}`, `{failed}`, `{pass_rate}` and the
    /// `{local_*}` (市、县（区）) / `{region_*}` (自治区部门) subtotals.
    pub sampled: String,
    /// The line of a notice made from re-evaluations (`report notice --reevaluated`), after
    /// `sampled`: `{evaluated}` of `{checks}` checks taken as re-evaluated, `{evaluated_on}`
    /// the newest re-evaluation's date, `{profiles}` and `{rules}` what they were judged with.
    pub reevaluated: String,
    /// `{rules}` for re-evaluations under the built-in rules.
    pub rules_builtin: String,
    /// `{rules}` for re-evaluations under a rules folder: `{dir}`.
    pub rules_dir: String,
    /// Joins several profiles or rule sets in `{profiles}` and `{rules}`.
    pub reevaluated_separator: String,
}

fn default_archived_header() -> String {
    "存档记录".to_string()
}

fn default_registry_as_of() -> String {
    "截至{date}，".to_string()
}

/// 二、主要问题.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProblemsTemplate {
    /// The section heading (二、主要问题).
    pub heading: String,
    /// The section's text when no site failed.
    pub none: String,
    /// One problem category's paragraph (问题类别): `{n}`, `{label}`, `{failed}`, `{sites}`,
    /// `{share}`, `{examples}`.
    pub category: String,
    /// The named-sites sentence of a category: `{list}`, `{etc}`.
    pub examples: String,
    /// Joins the site phrases in `examples`' `{list}`.
    pub example_separator: String,
    /// Ends a list cut short (等).
    pub etc: String,
    /// How many sites a category (and the repeat-offender paragraph) names at most.
    pub max_examples: usize,
    /// Repeat offenders paragraph (多次被抽查通报 / 复核仍不合格): `{n}`, `{list}`, `{etc}`.
    pub repeat: String,
    /// A repeat offender's name in `repeat`'s `{list}`: `{name}`.
    pub site_name: String,
    /// Joins the `site_name`s in `repeat`'s `{list}`.
    pub site_separator: String,
    /// Per rule id, and `default`.
    pub phrases: BTreeMap<String, String>,
}

/// 三、下一步工作要求 / 整改要求.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RequirementsTemplate {
    /// The section heading (三、下一步工作要求).
    pub heading: String,
    /// The demands, one paragraph each, before the closing paragraph.
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
    /// First 附件说明 line: `{n}`, `{title}`.
    pub list_first: String,
    /// Each further 附件说明 line, aligned under the first: `{n}`, `{title}`.
    pub list_next: String,
    /// Label of 附件1, the per-unit (单位) table.
    pub unit_label: String,
    /// Title of 附件1: `{period}`.
    pub unit_title: String,
    /// A table's title in a notice from re-evaluations (`report notice --reevaluated`), so
    /// that a sheet or attachment on its own says so too: `{title}`.
    pub reevaluated_title: String,
    /// Column headers of 附件1 (单位, 运行网站数, 抽查网站数, 不合格网站数, 合格率).
    pub unit_headers: Vec<String>,
    /// Label of 附件2, the problem-site list.
    pub site_label: String,
    /// Title of 附件2.
    pub site_title: String,
    /// Column headers of 附件2 (序号, 网站名称, 网址, 不合格原因).
    pub site_headers: Vec<String>,
    /// Joins a site's categories (问题类别) in 附件2's 不合格原因.
    pub reason_separator: String,
    /// Label of the detail table (问题明细, one row per piece of evidence).
    pub detail_label: String,
    /// Title of the detail table: `{period}`.
    pub detail_title: String,
    /// Column headers of the detail table.
    pub detail_headers: Vec<String>,
    /// Header of the detail table's last column: the archived record of each piece of evidence
    /// (存档记录; a template folder without it gets this).
    #[serde(default = "default_archived_header")]
    pub archived_header: String,
    /// Title of the HTML chart of 合格率 by unit.
    pub chart_title: String,
    /// Title of the HTML monthly 合格率 trend.
    pub trend_title: String,
    /// Column headers of the monthly trend table.
    pub trend_headers: Vec<String>,
}

/// Wording of the self-check report (`site.toml`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteTemplate {
    /// The report's title: `{name}` (site name, or its URL when the registry has none).
    pub title: String,
    /// The particulars, one a line.
    pub summary: Vec<String>,
    /// `{sponsor}` when the footer names no 主办单位.
    pub sponsor_unknown: String,
    /// 检查结论 when a 单项否决 fired: `{vetoes}`.
    pub conclusion_veto: String,
    /// 检查结论 otherwise: `{verdict}`, `{score}`.
    pub conclusion_score: String,
    /// `{round}` when the check belongs to no 抽查轮次 (单独检查).
    pub round_none: String,
    /// `{round}` when the check belongs to a round: `{round_id}`, `{month}`.
    pub round_some: String,
    /// Heading of the findings (一、发现的问题).
    pub findings_heading: String,
    /// Text of the findings section when the check found nothing.
    pub findings_none: String,
    /// One finding's line: `{n}`, `{label}`, `{severity}` (单项否决, 扣分, 提示 …), `{message}`.
    pub finding: String,
    /// A finding's 整改建议 line: `{fix}`, the rule's text from `fixes.toml`.
    pub fix: String,
    /// The evidence table's column headers; a finding's table shows only the columns its rows fill.
    pub evidence_headers: Vec<String>,
    /// Header of the evidence column naming the archived record (存档记录; a template folder
    /// without it gets this); shown when some evidence of the finding has one.
    #[serde(default = "default_archived_header")]
    pub archived_header: String,
    /// 超期情况: `{window}`, `{days}`.
    pub overdue: String,
    /// 超期情况 without a known window: `{days}`.
    pub overdue_bare: String,
    /// The note of a 提示 whose columns an earlier item lists: `{count}`, `{items}`.
    pub repeated: String,
    /// Heading of the warnings (columns about to go stale): `{warn_days}`.
    pub warnings_heading: String,
    /// Text of the warnings section when no column goes stale within `{warn_days}` days.
    pub warnings_none: String,
    /// One warning: `{column}`, `{class}`, `{url}`, `{newest}`, `{stale_on}`, `{days_left}`.
    pub warning: String,
}

/// All templates.
#[derive(Debug, Clone, PartialEq)]
pub struct Templates {
    /// Wording of the 通报 (`notice.toml`).
    pub notice: NoticeTemplate,
    /// Wording of the self-check report (`site.toml`).
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
