//! Reading registry files into validated [`Site`]s: the file type comes from the extension,
//! `csv_file` and `toml_file` turn the text into raw records with their
//! lines, and this module validates them all before returning anything.
//!
//! - **CSV** with the header `unit,level,name,url,site_code,status` or
//!   `单位,级别,网站名称,网址,网站标识码,状态` (any column order; `site_code` and `status` may be
//!   left out: no code, running). Encoding as Excel writes it: UTF-8, UTF-8 with BOM, or GBK.
//! - **TOML**: `[[site]]` tables with the same fields (English keys, or the Chinese column names
//!   quoted, as TOML requires for non-ASCII keys: `"单位" = "兴庆区"`).
//! - **XLSX**: the first worksheet, read as CSV with its rows as lines (`xlsx_file`).
//!
//! Every problem is reported with its line and field, and a URL appearing twice is an error
//! naming both lines. A value holding a control, bidi or other invisible character (NUL, ESC,
//! U+202E …, also a line break or tab inside a cell) is refused, named by its code point.

use std::collections::HashMap;
use std::path::Path;

use super::csv_file::{decode, parse_csv};
use super::toml_file::parse_toml;
use super::xlsx_file::parse_xlsx;
use super::{parse_site_code, parse_url, LineError, RegistryError, Site, Status};

/// The fields of a registry record, in the canonical column order.
pub(super) const FIELDS: [&str; 6] = ["unit", "level", "name", "url", "site_code", "status"];
pub(super) const UNIT: usize = 0;
pub(super) const LEVEL: usize = 1;
pub(super) const NAME: usize = 2;
pub(super) const URL: usize = 3;
pub(super) const CODE: usize = 4;
pub(super) const STATUS: usize = 5;

/// One value as written in the file, with where it was.
#[derive(Debug, Clone)]
pub(super) struct RawField {
    /// The field's name as written (a CSV header or TOML key), for messages.
    pub(super) name: String,
    pub(super) value: String,
    pub(super) line: usize,
}

/// One record before validation.
#[derive(Debug, Default)]
pub(super) struct RawSite {
    pub(super) line: usize,
    pub(super) fields: [Option<RawField>; 6],
}

/// Read and validate a registry file; the type comes from the extension: `.csv` (also `.tsv`
/// and `.txt`, as Excel's text exports are named), `.toml` or `.xlsx` (its first worksheet).
pub fn load_file(path: &Path) -> Result<Vec<Site>, RegistryError> {
    let bytes = std::fs::read(path).map_err(|error| RegistryError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv" | "tsv" | "txt") => parse_csv(&bytes, path),
        Some("toml") => parse_toml(&decode(&bytes, path)?, path),
        Some("xlsx") => parse_xlsx(&bytes, path),
        _ => Err(RegistryError::FileType {
            path: path.to_path_buf(),
        }),
    }
}

/// Validate every record, reject duplicate URLs, and return the sites only if all is well.
pub(super) fn finish(
    raws: Vec<RawSite>,
    mut errors: Vec<LineError>,
    path: &Path,
) -> Result<Vec<Site>, RegistryError> {
    let mut sites = Vec::with_capacity(raws.len());
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for raw in &raws {
        match validate(raw) {
            Ok(site) => {
                let url_line = raw.fields[URL].as_ref().map_or(raw.line, |f| f.line);
                match first_line.get(site.url.as_str()) {
                    Some(first) => errors.push(LineError {
                        line: url_line,
                        field: raw.fields[URL].as_ref().map(|f| f.name.clone()),
                        message: format!(
                            "duplicate URL {}: already on line {first} (lines {first} and {url_line})",
                            site.url
                        ),
                    }),
                    None => {
                        first_line.insert(site.url.to_string(), url_line);
                        sites.push(site);
                    }
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(sites)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(RegistryError::Invalid {
            path: path.to_path_buf(),
            errors,
        })
    }
}

/// A control, bidi or other invisible character in a value, reported by its code point and
/// never echoed (a NUL would later break the DOCX notice, an ESC the terminal).
fn control_character(raw: &RawSite) -> Vec<LineError> {
    raw.fields
        .iter()
        .flatten()
        .filter_map(|f| {
            let (i, c) = f
                .value
                .chars()
                .enumerate()
                .find(|(_, c)| crate::escape::is_hazard(*c) || matches!(c, '\n' | '\t'))?;
            Some(LineError {
                line: f.line,
                field: Some(f.name.clone()),
                message: format!(
                    "contains the control or invisible character U+{:04X} (character {}); \
                     remove it",
                    u32::from(c),
                    i + 1
                ),
            })
        })
        .collect()
}

/// Validate one record, collecting a problem per bad field.
fn validate(raw: &RawSite) -> Result<Site, Vec<LineError>> {
    let mut errors = control_character(raw);
    if !errors.is_empty() {
        return Err(errors);
    }
    let unit = required(raw, UNIT, &mut errors).map(|v| v.value.trim().to_string());
    let level = required(raw, LEVEL, &mut errors);
    let level = parse_field(level, &mut errors, |s| s.parse());
    let name = required(raw, NAME, &mut errors).map(|v| v.value.trim().to_string());
    let url = required(raw, URL, &mut errors);
    let url = parse_field(url, &mut errors, parse_url);
    let optional = |f: usize| {
        raw.fields[f]
            .as_ref()
            .filter(|v| !v.value.trim().is_empty())
    };
    let site_code = parse_field(optional(CODE), &mut errors, parse_site_code);
    let status = parse_field(optional(STATUS), &mut errors, |s| s.parse::<Status>());
    match (unit, level, name, url) {
        (Some(unit), Some(level), Some(name), Some(url)) if errors.is_empty() => Ok(Site {
            unit,
            level,
            name,
            url,
            site_code,
            status: status.unwrap_or(Status::Running),
        }),
        _ => Err(errors),
    }
}

/// A required field's value, or an error naming it when it is missing or blank.
fn required<'a>(raw: &'a RawSite, f: usize, errors: &mut Vec<LineError>) -> Option<&'a RawField> {
    match &raw.fields[f] {
        Some(v) if !v.value.trim().is_empty() => Some(v),
        other => {
            errors.push(LineError {
                line: other.as_ref().map_or(raw.line, |v| v.line),
                field: Some(other.as_ref().map_or(FIELDS[f], |v| &v.name).to_string()),
                message: "required value is missing".into(),
            });
            None
        }
    }
}

/// Parse a present field; a failure is recorded with the field's line and name.
fn parse_field<T>(
    value: Option<&RawField>,
    errors: &mut Vec<LineError>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let v = value?;
    match parse(&v.value) {
        Ok(x) => Some(x),
        Err(message) => {
            errors.push(LineError {
                line: v.line,
                field: Some(v.name.clone()),
                message,
            });
            None
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn errors(r: Result<Vec<Site>, RegistryError>) -> Vec<LineError> {
        match r {
            Err(RegistryError::Invalid { errors, .. }) => errors,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    fn p() -> &'static Path {
        Path::new("t.csv")
    }

    #[test]
    fn every_bad_field_is_reported_with_its_line() {
        let text = "unit,level,name,url,site_code,status\n\
                    A,市级部门,ok,a.gov.cn,,\n\
                    ,区级,x,ftp://b,123,停用\n";
        let errs = errors(parse_csv(text.as_bytes(), p()));
        let fields: Vec<_> = errs.iter().filter_map(|e| e.field.as_deref()).collect();
        assert_eq!(fields, ["unit", "level", "url", "site_code", "status"]);
        assert!(errs.iter().all(|e| e.line == 3), "{errs:?}");
    }

    #[test]
    fn duplicate_urls_name_both_lines() {
        let text = "unit,level,name,url\nA,市级部门,a,a.gov.cn\nB,市级部门,b,x.gov.cn\nC,市级部门,c,http://a.gov.cn:80/\n";
        let errs = errors(parse_csv(text.as_bytes(), p()));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 4);
        assert!(errs[0].message.contains("line 2"), "{}", errs[0].message);
    }

    #[test]
    fn unknown_extensions_and_missing_files_are_errors() {
        assert!(matches!(
            load_file(Path::new("sites.xls")),
            Err(RegistryError::Read { .. }) | Err(RegistryError::FileType { .. })
        ));
        let dir = tempfile::tempdir().expect("tempdir");
        let xlsx = dir.path().join("sites.xls");
        std::fs::write(&xlsx, b"PK").expect("write");
        assert!(matches!(
            load_file(&xlsx),
            Err(RegistryError::FileType { .. })
        ));
    }
}
