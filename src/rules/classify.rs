//! Column classification (栏目分类) from a column's name and its `ColumnType` meta, driven by
//! `classes.toml`.
//!
//! Algorithm (documented in `rules/README.md` too):
//!
//! 1. The name is normalised: all whitespace removed (names like 「通 知 公 告」 are common).
//! 2. Name matching: the classes of `classes.toml` are tried **in file order**; a class matches
//!    when the name contains one of its `keywords` and none of its `exclude` substrings. The first
//!    match wins, so more specific classes are listed first (e.g. 征集调查 before 动态要闻).
//! 3. `ColumnType` (国办发〔2017〕47号 网页设计规范 meta tag), trimmed, is looked up exactly in
//!    `column_types`. With `column_type_priority = "name_first"` (the gb2015 choice) it is used
//!    only when the name matched nothing; with `"column_type_first"` it wins when mapped.
//! 4. Otherwise [`ColumnClass::Other`].

use crate::observation::ColumnClass;

use super::file::{ClassesFile, ColumnTypePriority};

/// A compiled `classes.toml`.
#[derive(Debug, Clone, Default)]
pub struct Classifier {
    priority: ColumnTypePriority,
    column_types: Vec<(String, ColumnClass)>,
    classes: Vec<(ColumnClass, Vec<String>, Vec<String>)>,
}

fn normalise(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

impl Classifier {
    /// Builds a classifier from a parsed `classes.toml`.
    pub fn new(file: &ClassesFile) -> Classifier {
        Classifier {
            priority: file.column_type_priority,
            column_types: file
                .column_types
                .iter()
                .map(|(k, v)| (normalise(k), *v))
                .collect(),
            classes: file
                .classes
                .iter()
                .map(|c| {
                    let norm = |v: &Vec<String>| {
                        v.iter()
                            .map(|s| normalise(s))
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                    };
                    (c.class, norm(&c.keywords), norm(&c.exclude))
                })
                .collect(),
        }
    }

    fn by_name(&self, name: &str) -> Option<ColumnClass> {
        let name = normalise(name);
        if name.is_empty() {
            return None;
        }
        self.classes
            .iter()
            .find(|(_, keywords, exclude)| {
                keywords.iter().any(|k| name.contains(k.as_str()))
                    && !exclude.iter().any(|x| name.contains(x.as_str()))
            })
            .map(|(class, _, _)| *class)
    }

    fn by_column_type(&self, column_type: Option<&str>) -> Option<ColumnClass> {
        let ct = normalise(column_type?);
        self.column_types
            .iter()
            .find(|(k, _)| *k == ct)
            .map(|(_, v)| *v)
    }

    /// The class of a column.
    pub fn classify(&self, name: &str, column_type: Option<&str>) -> ColumnClass {
        let (first, second) = match self.priority {
            ColumnTypePriority::NameFirst => (self.by_name(name), self.by_column_type(column_type)),
            ColumnTypePriority::ColumnTypeFirst => {
                (self.by_column_type(column_type), self.by_name(name))
            }
        };
        first.or(second).unwrap_or(ColumnClass::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier(priority: &str) -> Classifier {
        let text = format!(
            r#"
column_type_priority = "{priority}"
[column_types]
"工作动态" = "dynamic"
"政策解读" = "other"
[[classes]]
class = "survey"
confidence = "confirmed"
keywords = ["调查", "征集"]
[[classes]]
class = "policy"
confidence = "corroborated"
keywords = ["政策", "规范性文件"]
exclude = ["解读"]
[[classes]]
class = "dynamic"
confidence = "confirmed"
keywords = ["动态", "要闻"]
exclude = ["专题"]
"#
        );
        let file: ClassesFile = toml::from_str(&text).expect("test classes");
        Classifier::new(&file)
    }

    #[test]
    fn first_matching_class_in_file_order_wins() {
        let c = classifier("name_first");
        assert_eq!(c.classify("征集调查动态", None), ColumnClass::Survey);
        assert_eq!(c.classify("部门动态", None), ColumnClass::Dynamic);
        assert_eq!(c.classify(" 本地 要闻 ", None), ColumnClass::Dynamic);
    }

    #[test]
    fn exclude_keeps_policy_interpretation_out() {
        let c = classifier("name_first");
        assert_eq!(c.classify("政策解读", None), ColumnClass::Other);
        assert_eq!(c.classify("政策文件", None), ColumnClass::Policy);
        assert_eq!(c.classify("动态专题", None), ColumnClass::Other);
    }

    #[test]
    fn column_type_is_a_fallback_when_name_first() {
        let c = classifier("name_first");
        assert_eq!(
            c.classify("工作信息", Some(" 工作动态 ")),
            ColumnClass::Dynamic
        );
        assert_eq!(
            c.classify("政策文件", Some("工作动态")),
            ColumnClass::Policy
        );
        assert_eq!(c.classify("其他", Some("未知类型")), ColumnClass::Other);
        assert_eq!(c.classify("", None), ColumnClass::Other);
    }

    #[test]
    fn column_type_wins_when_configured() {
        let c = classifier("column_type_first");
        assert_eq!(
            c.classify("政策文件", Some("工作动态")),
            ColumnClass::Dynamic
        );
        assert_eq!(c.classify("政策文件", Some("政策解读")), ColumnClass::Other);
        assert_eq!(c.classify("政策文件", Some("未知")), ColumnClass::Policy);
    }
}
