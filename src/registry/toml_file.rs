//! TOML registry files: `[[site]]` tables, each field's line taken from its span.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::file::{finish, RawField, RawSite, CODE, FIELDS, LEVEL, NAME, STATUS, UNIT, URL};
use super::{LineError, RegistryError, Site};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    site: Vec<Spanned<TomlSite>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlSite {
    #[serde(alias = "单位")]
    unit: Option<Spanned<String>>,
    #[serde(alias = "级别")]
    level: Option<Spanned<String>>,
    #[serde(alias = "网站名称")]
    name: Option<Spanned<String>>,
    #[serde(alias = "网址")]
    url: Option<Spanned<String>>,
    #[serde(alias = "网站标识码")]
    site_code: Option<Spanned<String>>,
    #[serde(alias = "状态")]
    status: Option<Spanned<String>>,
}

/// Parse and validate a TOML registry (`[[site]]` tables).
pub fn parse_toml(text: &str, path: &Path) -> Result<Vec<Site>, RegistryError> {
    let line_at = |offset: usize| {
        text.as_bytes()[..offset.min(text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    };
    let file: TomlFile = toml::from_str(text).map_err(|e| RegistryError::Invalid {
        path: path.to_path_buf(),
        errors: vec![LineError {
            line: e.span().map_or(0, |s| line_at(s.start)),
            field: None,
            message: e.message().trim().to_string(),
        }],
    })?;
    let raws = file
        .site
        .into_iter()
        .map(|spanned| {
            let line = line_at(spanned.span().start);
            let s = spanned.into_inner();
            let field = |f: usize, v: Option<Spanned<String>>| {
                v.map(|v| RawField {
                    name: FIELDS[f].to_string(),
                    line: line_at(v.span().start),
                    value: v.into_inner(),
                })
            };
            RawSite {
                line,
                fields: [
                    field(UNIT, s.unit),
                    field(LEVEL, s.level),
                    field(NAME, s.name),
                    field(URL, s.url),
                    field(CODE, s.site_code),
                    field(STATUS, s.status),
                ],
            }
        })
        .collect();
    finish(raws, Vec::new(), path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Status;

    fn errors(r: Result<Vec<Site>, RegistryError>) -> Vec<LineError> {
        match r {
            Err(RegistryError::Invalid { errors, .. }) => errors,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn toml_parses_and_reports_lines() {
        let text = "[[site]]\nunit = \"兴庆区\"\nlevel = \"县级门户\"\nname = \"兴庆区政府\"\nurl = \"www.xqq.gov.cn\"\n\n\
                    [[site]]\n\"单位\" = \"金凤区\"\n\"级别\" = \"county_portal\"\n\"网站名称\" = \"金凤区政府\"\n\"网址\" = \"www.jfq.gov.cn\"\n\"状态\" = \"关停\"\n";
        let sites = parse_toml(text, Path::new("t.toml")).expect("parses");
        assert_eq!(sites.len(), 2);
        assert_eq!(sites[1].status, Status::Closed);

        let bad = text.replace("\"county_portal\"", "\"区级\"");
        let errs = errors(parse_toml(&bad, Path::new("t.toml")));
        assert_eq!((errs[0].line, errs[0].field.as_deref()), (9, Some("level")));

        let syntax = "[[site]]\nunit = \"A\"\nlevel = 3\n";
        let errs = errors(parse_toml(syntax, Path::new("t.toml")));
        assert_eq!(errs[0].line, 3, "{errs:?}");
        let unknown = "[[site]]\nunit = \"A\"\nlevle = \"x\"\n";
        assert_eq!(errors(parse_toml(unknown, Path::new("t.toml")))[0].line, 3);
    }
}
