//! The page-analysis vocabulary: words, class/id hints and identifier regexes read from
//! `rules/page.toml`, plus their compiled form.
//!
//! [`Vocabulary`] is plain data (it derives `Deserialize` and rejects unknown keys); the regexes
//! are compiled once by [`Vocabulary::from_toml`] / [`Vocabulary::builtin`] and kept in a private
//! field. A vocabulary built by hand or by plain serde is compiled lazily on first use; if its
//! patterns do not compile, analysis falls back to the builtin patterns.

use std::sync::{Arc, LazyLock, OnceLock};

use regex::Regex;
use serde::Deserialize;

/// The builtin `rules/page.toml`.
pub const BUILTIN_TOML: &str = include_str!("../../rules/page.toml");

/// Errors loading a vocabulary.
#[derive(Debug, thiserror::Error)]
pub enum VocabularyError {
    /// The TOML text does not parse or does not match the schema (unknown key, wrong type).
    #[error("{origin}: {source}")]
    Toml {
        /// Where the text came from, e.g. `rules/page.toml`.
        origin: String,
        /// The parse or schema error.
        #[source]
        source: toml::de::Error,
    },
    /// A regex does not compile.
    #[error("{origin}: key `{key}`: invalid regex: {source}")]
    Regex {
        /// Where the text came from, e.g. `rules/page.toml`.
        origin: String,
        /// The key holding the pattern, e.g. `footer.icp`.
        key: String,
        /// The regex error.
        #[source]
        source: Box<regex::Error>,
    },
}

/// `<meta name=…>` names (compared case-insensitively).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaNames {
    /// Names of the site-name meta (`SiteName`).
    pub site_name: Vec<String>,
    /// Names of the site-domain meta (`SiteDomain`).
    pub site_domain: Vec<String>,
    /// Names of the 网站标识码 meta (`SiteIDCode`).
    pub site_id_code: Vec<String>,
    /// Names of the column-name meta (`ColumnName`).
    pub column_name: Vec<String>,
    /// Names of the column-type meta (`ColumnType`), used to classify columns.
    pub column_type: Vec<String>,
    /// Names of the publish-date meta (`PubDate`, `publishdate` …).
    pub pub_date: Vec<String>,
    /// Names of the first-publication meta (`firstpublishedtime` …), a fallback publish date.
    pub first_published: Vec<String>,
}

/// Date vocabulary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateWords {
    /// Labels of a visible publish date (发布时间 …).
    pub publish_labels: Vec<String>,
    /// Words that mark a text as a "today is" header date, never an item date.
    pub not_item_dates: Vec<String>,
}

/// Blank-column vocabulary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlankWords {
    /// Texts that mark a blank column (暂无信息, 正在建设中 …).
    pub markers: Vec<String>,
    /// Tags of list containers.
    pub list_tags: Vec<String>,
    /// Class/id hints of list containers.
    pub list_hints: Vec<String>,
    /// Most characters of text an empty list container may hold (a header row).
    pub empty_list_max_chars: usize,
}

/// 政务咨询类 message-list vocabulary (互动回应差).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageWords {
    /// Header cells of the title column.
    pub title_headers: Vec<String>,
    /// Labels of the date a message was left (留言时间 …).
    pub asked_labels: Vec<String>,
    /// Labels of the date it was answered (回复时间 …).
    pub replied_labels: Vec<String>,
    /// Header cells / labels of a status (办理状态 …).
    pub status_labels: Vec<String>,
    /// Labels a reply's text follows on a message page (回复内容 …).
    pub reply_labels: Vec<String>,
    /// Status words of an answered message (已回复 …).
    pub answered_words: Vec<String>,
    /// Status words of an unanswered one (未回复 …), checked first.
    pub unanswered_words: Vec<String>,
}

/// 办事指南 label reading (服务不实用).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuideWords {
    /// Longest label read (characters).
    pub max_label_chars: usize,
}

/// "More" and pagination vocabulary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkWords {
    /// Texts of a homepage block's "more" link (更多, more>> …), lower-cased, no whitespace.
    pub more_words: Vec<String>,
    /// Class/id hints of a "more" link or its wrapper when the link has no text.
    pub more_hints: Vec<String>,
    /// Next-page words (下一页 …); outside a pagination container only the Chinese ones count.
    pub next_words: Vec<String>,
    /// Other pager words (上一页, 尾页 …): such links are never list-item titles.
    pub pager_words: Vec<String>,
    /// Class/id hints of pagination containers.
    pub pagination_hints: Vec<String>,
    /// Regex of TRS WCM's script-built pagination (`createPageHTML(pages, current, name, ext)`).
    pub script_pager: String,
}

/// List-item thresholds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListRules {
    /// An undated link group is a list only when its titles average at least this many chars.
    pub undated_min_avg_title_chars: usize,
    /// Hanweb datastore record; group 1 = the record's HTML.
    pub record_pattern: String,
}

/// Column (navigation) vocabulary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnWords {
    /// Class/id hints of main navigation containers (`<nav>` always counts).
    pub nav_hints: Vec<String>,
    /// Class/id hints of second-level (side) navigation on column pages.
    pub subnav_hints: Vec<String>,
    /// Link names that lead home, never columns (首页, 返回首页 …).
    pub home_words: Vec<String>,
    /// Navigation entries that are site functions, not columns (登录, 无障碍, 搜索 …).
    pub skip_words: Vec<String>,
    /// Class/id hints of a homepage block's heading (h1–h4 always count).
    pub heading_hints: Vec<String>,
    /// Longest plausible column name, in characters.
    pub max_name_chars: usize,
    /// Side navigation only when its links average at most this many characters.
    pub subnav_max_avg_name_chars: usize,
}

/// Footer hints and identifier patterns (rules.md §4.3, §6).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterPatterns {
    /// Class/id hints of footer containers (`<footer>` always counts).
    pub hints: Vec<String>,
    /// Regex of an ICP备案号: groups province, 备/证, digits, optional site suffix.
    pub icp: String,
    /// Fewest digits of a well-formed ICP备案号.
    pub icp_min_digits: usize,
    /// Most digits of a well-formed ICP备案号.
    pub icp_max_digits: usize,
    /// Regex of a 公安机关备案号 (公网安备): groups prefix, digits.
    pub police: String,
    /// Province abbreviations a well-formed 公网安备 starts with.
    pub police_provinces: String,
    /// Digits of a well-formed 公安机关备案号 (14).
    pub police_digits: usize,
    /// Regex of garbled spellings reported as malformed (公安网备).
    pub police_malformed: String,
    /// Regex of a city police filing under a local label (郑公备): groups city, digits.
    pub police_local: String,
    /// Regex of the beian.gov.cn record link; group 1 = the code.
    pub police_link: String,
    /// Regex of the 网站标识码 label and value; group 1 = the value.
    pub site_code_label: String,
    /// Regex of a well-formed 网站标识码 (10 digits, or `bm` and 8 digits).
    pub site_code: String,
    /// Placeholder codes (0000000000 …) reported as malformed.
    pub site_code_placeholders: Vec<String>,
    /// Regex of the 党政机关网站标识 bszs link; group 1 = the 32-hex id.
    pub conac_bszs: String,
    /// Regex of any bszs.conac.cn link (also without a valid id).
    pub conac_bszs_any: String,
    /// Regex of the conac dcs script path.
    pub conac_js: String,
    /// Regex of the conac seal image.
    pub conac_img: String,
    /// Regex of the standard 找错 script (`/exposure/jiucuo.js`).
    pub jiucuo_script: String,
    /// Regex of the 找错 link form; group 1 = the site code.
    pub jiucuo_link: String,
    /// Regex of the image jiucuo.js writes (`jiucuo.png`).
    pub jiucuo_image: String,
    /// Regex of the image's `onclick="Link('<sitecode>')"`; group 1 = the site code.
    pub jiucuo_onclick: String,
    /// Regex of a script writing the entry itself; group 1 = the sitecode.
    pub jiucuo_inline_sitecode: String,
    /// Regex of the zfwzzc platform link variant.
    pub jiucuo_platform: String,
    /// Hosts serving the standard entry, current first, then legacy.
    pub jiucuo_hosts: Vec<String>,
    /// Texts of a non-standard correction link (网站纠错, 我要纠错 …).
    pub jiucuo_words: Vec<String>,
}

/// Words and patterns page analysis needs, read from `rules/page.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// `[meta]`: `<meta name=…>` names.
    pub meta: MetaNames,
    /// `[dates]`: publish-date labels and header-clock words.
    pub dates: DateWords,
    /// `[blank]`: blank-column markers and list containers.
    pub blank: BlankWords,
    /// `[messages]`: 政务咨询类 message-list labels and status words.
    pub messages: MessageWords,
    /// `[guides]`: 办事指南 label reading.
    pub guides: GuideWords,
    /// `[lists]`: list-item thresholds and the Hanweb record pattern.
    pub lists: ListRules,
    /// `[links]`: "more" and pagination words.
    pub links: LinkWords,
    /// `[columns]`: navigation hints and column-name limits.
    pub columns: ColumnWords,
    /// `[footer]`: footer hints and identifier patterns.
    pub footer: FooterPatterns,
    #[serde(skip)]
    compiled: OnceLock<Arc<Compiled>>,
}

/// The compiled regexes of a vocabulary.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub icp: Regex,
    pub police: Regex,
    pub police_malformed: Regex,
    pub police_local: Regex,
    pub police_link: Regex,
    pub site_code_label: Regex,
    pub site_code: Regex,
    pub conac_bszs: Regex,
    pub conac_bszs_any: Regex,
    pub conac_js: Regex,
    pub conac_img: Regex,
    pub jiucuo_script: Regex,
    pub jiucuo_link: Regex,
    pub jiucuo_image: Regex,
    pub jiucuo_onclick: Regex,
    pub jiucuo_inline_sitecode: Regex,
    pub jiucuo_platform: Regex,
    pub script_pager: Regex,
    pub list_record: Regex,
    /// `(label)` + optional brackets and colon, built from `dates.publish_labels`, longest first.
    pub publish_label: Regex,
}

static BUILTIN: LazyLock<Result<Vocabulary, String>> = LazyLock::new(|| {
    Vocabulary::from_toml(BUILTIN_TOML, "rules/page.toml (builtin)").map_err(|e| e.to_string())
});

impl Vocabulary {
    /// Parse and compile a vocabulary. `origin` names the source in errors
    /// (e.g. `"rules/page.toml"`).
    pub fn from_toml(text: &str, origin: &str) -> Result<Vocabulary, VocabularyError> {
        let vocab: Vocabulary = toml::from_str(text).map_err(|source| VocabularyError::Toml {
            origin: origin.to_string(),
            source,
        })?;
        let compiled = vocab.compile(origin)?;
        let _ = vocab.compiled.set(Arc::new(compiled));
        Ok(vocab)
    }

    /// The vocabulary built into the binary (`rules/page.toml`).
    ///
    /// The builtin file is checked by a unit test; should it ever fail to load this panics
    /// with the error, which is a build defect rather than bad input.
    pub fn builtin() -> Vocabulary {
        match &*BUILTIN {
            Ok(v) => v.clone(),
            Err(e) => panic!("builtin rules/page.toml is invalid: {e}"),
        }
    }

    /// Compile the regexes, naming the offending key on error.
    fn compile(&self, origin: &str) -> Result<Compiled, VocabularyError> {
        let f = &self.footer;
        let re = |key: &str, pattern: &str| {
            Regex::new(pattern).map_err(|source| VocabularyError::Regex {
                origin: origin.to_string(),
                key: key.to_string(),
                source: Box::new(source),
            })
        };
        let mut labels: Vec<&str> = self
            .dates
            .publish_labels
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        labels.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        let alternation = labels
            .iter()
            .map(|s| regex::escape(s))
            .collect::<Vec<_>>()
            .join("|");
        let publish_label = if alternation.is_empty() {
            // Matches nothing.
            r"[^\s\S]".to_string()
        } else {
            format!(r"({alternation})\s*[\]】)]?\s*[:：]?\s*[\[【(]?\s*")
        };
        Ok(Compiled {
            icp: re("footer.icp", &f.icp)?,
            police: re("footer.police", &f.police)?,
            police_malformed: re("footer.police_malformed", &f.police_malformed)?,
            police_local: re("footer.police_local", &f.police_local)?,
            police_link: re("footer.police_link", &f.police_link)?,
            site_code_label: re("footer.site_code_label", &f.site_code_label)?,
            site_code: re("footer.site_code", &f.site_code)?,
            conac_bszs: re("footer.conac_bszs", &f.conac_bszs)?,
            conac_bszs_any: re("footer.conac_bszs_any", &f.conac_bszs_any)?,
            conac_js: re("footer.conac_js", &f.conac_js)?,
            conac_img: re("footer.conac_img", &f.conac_img)?,
            jiucuo_script: re("footer.jiucuo_script", &f.jiucuo_script)?,
            jiucuo_link: re("footer.jiucuo_link", &f.jiucuo_link)?,
            jiucuo_image: re("footer.jiucuo_image", &f.jiucuo_image)?,
            jiucuo_onclick: re("footer.jiucuo_onclick", &f.jiucuo_onclick)?,
            jiucuo_inline_sitecode: re("footer.jiucuo_inline_sitecode", &f.jiucuo_inline_sitecode)?,
            jiucuo_platform: re("footer.jiucuo_platform", &f.jiucuo_platform)?,
            script_pager: re("links.script_pager", &self.links.script_pager)?,
            list_record: re("lists.record_pattern", &self.lists.record_pattern)?,
            publish_label: re("dates.publish_labels", &publish_label)?,
        })
    }

    /// The compiled regexes: compiled on first use when the vocabulary was not built by
    /// [`Vocabulary::from_toml`]; falls back to the builtin ones if they do not compile.
    pub(crate) fn compiled(&self) -> Arc<Compiled> {
        self.compiled
            .get_or_init(|| match self.compile("vocabulary") {
                Ok(c) => Arc::new(c),
                Err(e) => {
                    tracing::warn!("{e}; using the builtin page patterns");
                    Vocabulary::builtin().compiled()
                }
            })
            .clone()
    }
}

impl Default for Vocabulary {
    /// The builtin vocabulary.
    fn default() -> Self {
        Vocabulary::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads() {
        let v = Vocabulary::from_toml(BUILTIN_TOML, "rules/page.toml").unwrap();
        assert!(v.blank.markers.iter().any(|m| m == "暂无信息"));
        assert!(v.compiled().icp.is_match("京ICP备05009132号-1"));
        let _ = Vocabulary::default();
    }

    #[test]
    fn unknown_key_is_an_error() {
        let text = format!("{BUILTIN_TOML}\n[extra]\nx = 1\n");
        let err = Vocabulary::from_toml(&text, "x.toml").unwrap_err();
        assert!(matches!(err, VocabularyError::Toml { .. }), "{err}");
        assert!(err.to_string().starts_with("x.toml:"));
    }

    #[test]
    fn bad_regex_names_the_key() {
        let text = BUILTIN_TOML.replace(
            r"conac_js = 'dcs\.conac\.cn",
            r"conac_js = '(dcs\.conac\.cn",
        );
        let err = Vocabulary::from_toml(&text, "rules/page.toml").unwrap_err();
        match &err {
            VocabularyError::Regex { key, origin, .. } => {
                assert_eq!(key, "footer.conac_js");
                assert_eq!(origin, "rules/page.toml");
            }
            other => panic!("unexpected {other}"),
        }
        assert!(err.to_string().contains("footer.conac_js"));
    }
}
