//! The site registry (网站名录): every government site the office samples from, with its unit
//! (单位), level (级别), name, URL, 网站标识码 and status (运行 / 关停).
//!
//! - [`file`](mod@file) reads a registry file (CSV as Excel writes it — UTF-8, UTF-8 with BOM
//!   or GBK — TOML, or the first worksheet of an `.xlsx`) into validated [`Site`]s; every error
//!   names the file, line (an Excel row) and field.
//! - [`db`] stores them: [`import`] upserts by URL in one transaction, [`list`] and [`get`]
//!   read them back as [`SiteRecord`]s (rows created by `govaudit check` have only a URL).
//!
//! - [`units`] keeps one spelling per unit: names differing only in bracket width or spaces
//!   (银川市(本级) / 银川市（本级）) are merged on import.
//!
//! Levels and statuses are shown in Chinese as the notices write them and stored in the
//! database as stable English keys.

mod csv_file;
pub mod db;
pub mod file;
mod toml_file;
pub mod units;
mod xlsx_file;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use url::Url;

pub use csv_file::{decode, parse_csv};
pub use db::{
    add_url, fingerprint, get, id_of_url, import, import_dated, list, registry_as_of,
    ImportSummary, SiteFilter, SiteRecord,
};
pub use file::load_file;
pub use toml_file::parse_toml;

/// The level of a site, as the quarterly notices count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// 自治区（省）人民政府门户网站.
    #[serde(rename = "自治区门户", alias = "region_portal")]
    RegionPortal,
    /// 自治区（省）政府部门（单位）网站.
    #[serde(rename = "自治区部门", alias = "region_dept")]
    RegionDept,
    /// 市级人民政府门户网站.
    #[serde(rename = "市级门户", alias = "city_portal")]
    CityPortal,
    /// 市级政府部门（单位）网站.
    #[serde(rename = "市级部门", alias = "city_dept")]
    CityDept,
    /// 县级人民政府门户网站.
    #[serde(rename = "县级门户", alias = "county_portal")]
    CountyPortal,
    /// 县级以下政府网站 (county departments, townships).
    #[serde(rename = "县级以下", alias = "below_county")]
    BelowCounty,
}

impl Level {
    /// Every level, in the order the notices list them.
    pub const ALL: [Level; 6] = [
        Level::RegionPortal,
        Level::RegionDept,
        Level::CityPortal,
        Level::CityDept,
        Level::CountyPortal,
        Level::BelowCounty,
    ];

    /// The Chinese name (自治区门户 …), as shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Level::RegionPortal => "自治区门户",
            Level::RegionDept => "自治区部门",
            Level::CityPortal => "市级门户",
            Level::CityDept => "市级部门",
            Level::CountyPortal => "县级门户",
            Level::BelowCounty => "县级以下",
        }
    }

    /// The stable English key (region_portal …), as stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            Level::RegionPortal => "region_portal",
            Level::RegionDept => "region_dept",
            Level::CityPortal => "city_portal",
            Level::CityDept => "city_dept",
            Level::CountyPortal => "county_portal",
            Level::BelowCounty => "below_county",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Level {
    type Err = String;

    /// Accepts the Chinese name, the English key (any case, `-` or `_`), the long category
    /// names of the notices (自治区政府部门（单位）网站 …), and 省级门户 / 省级部门 for provinces
    /// that are not autonomous regions.
    fn from_str(s: &str) -> Result<Level, String> {
        let t = s.trim();
        let english = t.to_ascii_lowercase().replace('-', "_");
        Level::ALL
            .into_iter()
            .find(|l| l.label() == t || l.key() == english)
            .or(match t {
                // The category names of the notices' 总体情况, and 省级 for provinces.
                "自治区人民政府门户网站" | "省级门户" => Some(Level::RegionPortal),
                "自治区政府部门（单位）网站" | "自治区政府部门网站" | "省级部门" => {
                    Some(Level::RegionDept)
                }
                "市级人民政府门户网站" => Some(Level::CityPortal),
                "市级政府部门（单位）网站" | "市级政府部门网站" => {
                    Some(Level::CityDept)
                }
                "县级人民政府门户网站" => Some(Level::CountyPortal),
                "县级以下政府网站" => Some(Level::BelowCounty),
                _ => None,
            })
            .ok_or_else(|| {
                format!(
                    "unknown level {t:?}; expected one of 自治区门户, 自治区部门, 市级门户, \
                     市级部门, 县级门户, 县级以下 (or region_portal, region_dept, city_portal, \
                     city_dept, county_portal, below_county)"
                )
            })
    }
}

/// Whether a site is running (运行) or closed (关停). Only running sites are sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 运行: in service; may be sampled.
    #[serde(alias = "运行")]
    Running,
    /// 关停: closed down; never sampled, not counted as running.
    #[serde(alias = "关停")]
    Closed,
}

impl Status {
    /// The Chinese name (运行 / 关停).
    pub fn label(self) -> &'static str {
        match self {
            Status::Running => "运行",
            Status::Closed => "关停",
        }
    }

    /// The stable English key (running / closed), as stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Closed => "closed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Status, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "running" | "运行" => Ok(Status::Running),
            "closed" | "关停" => Ok(Status::Closed),
            other => Err(format!(
                "unknown status {other:?}; expected running (运行) or closed (关停)"
            )),
        }
    }
}

/// One registered site, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    /// 单位: the unit the site is counted under (区直部门（单位）, 银川市(本级), 兴庆区 …).
    pub unit: String,
    /// 级别 of the site.
    pub level: Level,
    /// 网站名称.
    pub name: String,
    /// Normalised with [`crate::fetch::normalize`]; may be a path prefix.
    pub url: Url,
    /// 网站标识码: ten digits, or `bm` and eight digits.
    pub site_code: Option<String>,
    /// 运行 or 关停.
    pub status: Status,
}

/// Parse a site URL as people write it: surrounding whitespace is ignored, a missing scheme
/// means `http://`, only http(s) with a host is accepted, and the result is normalised. The
/// one site-URL parser: the registry, `check`, `links` and the rounds all read URLs with it.
pub fn parse_url(input: &str) -> Result<Url, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("empty URL".into());
    }
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    if has_userinfo(&with_scheme) {
        return Err(USERINFO.into());
    }
    let url = Url::parse(&with_scheme).map_err(|e| format!("invalid URL {text:?}: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(USERINFO.into());
    }
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "invalid URL {text:?}: expected an http(s) address with a host"
        ));
    }
    Ok(crate::fetch::normalize(&url))
}

/// Why a URL with credentials is refused (the URL itself is never echoed: it holds a password).
pub const USERINFO: &str = "a URL with a user name or password (user:password@host) is not \
    accepted: it would be stored and printed in reports; remove them";

/// Whether a URL as written (with its scheme) carries a user name or password
/// (`http://admin:secret@host/`): an `@` in the part between `://` and the path.
pub fn has_userinfo(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#', '\\'])
        .next()
        .is_some_and(|authority| authority.contains('@'))
}

/// Validate a 网站标识码: ten digits (portals, e.g. 6400000001) or `bm` and eight digits
/// (departments, e.g. bm15000001). `BM` is accepted and stored in lower case.
pub fn parse_site_code(input: &str) -> Result<String, String> {
    let t = input.trim().to_ascii_lowercase();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let ok = digits(&t, 10) || t.strip_prefix("bm").is_some_and(|rest| digits(rest, 8));
    if ok {
        Ok(t)
    } else {
        Err(format!(
            "invalid 网站标识码 {:?}: expected 10 digits or bm + 8 digits",
            input.trim()
        ))
    }
}

/// One problem in a registry file: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number in the file.
    pub line: usize,
    /// The field (column) concerned, when there is one.
    pub field: Option<String>,
    /// What is wrong, in English.
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}: {field}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Registry errors, with the file (and line) or the site concerned.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry file cannot be read.
    // The I/O error is part of the message rather than a `source`, so that it is shown once.
    #[error("cannot read registry file {path}: {error}")]
    Read {
        /// The registry file given.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file's extension is not .csv, .tsv, .txt, .toml or .xlsx.
    #[error("{path}: unsupported registry file type; expected .csv (.tsv, .txt), .toml or .xlsx")]
    FileType {
        /// The registry file given.
        path: PathBuf,
    },
    /// The file is not in the encoding assumed; `line` is the first line that is not.
    #[error("{path}:{line}: {message}")]
    Encoding {
        /// The registry file.
        path: PathBuf,
        /// 1-based line number of the first undecodable line.
        line: usize,
        /// What the decoder found.
        message: String,
    },
    /// The file has errors; nothing was imported. Each error is shown as `FILE:LINE: field: …`.
    #[error("{}", render_invalid(path, errors))]
    Invalid {
        /// The registry file.
        path: PathBuf,
        /// Every problem found, in file order.
        errors: Vec<LineError>,
    },
    /// A query of the `sites` table failed.
    #[error("database error: {0}")]
    Sql(sqlx::Error),
    /// A stored row holds a value no version writes.
    #[error("stored site {id} is invalid: {message}")]
    Corrupt {
        /// Row id in the `sites` table.
        id: i64,
        /// What is wrong with the stored value (an unknown level or status key).
        message: String,
    },
    /// No stored site has this id or URL (the key as given).
    #[error("site {0} not found in the registry")]
    NotFound(String),
}

impl From<sqlx::Error> for RegistryError {
    fn from(e: sqlx::Error) -> Self {
        RegistryError::Sql(e)
    }
}

fn render_invalid(path: &std::path::Path, errors: &[LineError]) -> String {
    const SHOWN: usize = 20;
    let mut out = format!(
        "{}: {} error(s), nothing imported",
        path.display(),
        errors.len()
    );
    for e in errors.iter().take(SHOWN) {
        out.push_str(&format!("\n  {}:{}: ", path.display(), e.line));
        if let Some(field) = &e.field {
            out.push_str(field);
            out.push_str(": ");
        }
        out.push_str(&e.message);
    }
    if errors.len() > SHOWN {
        out.push_str(&format!("\n  … and {} more", errors.len() - SHOWN));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_in_chinese_and_english() {
        for l in Level::ALL {
            assert_eq!(l.label().parse::<Level>(), Ok(l));
            assert_eq!(l.key().parse::<Level>(), Ok(l));
            assert_eq!(l.key().to_uppercase().parse::<Level>(), Ok(l));
        }
        assert_eq!("省级部门".parse::<Level>(), Ok(Level::RegionDept));
        assert_eq!(
            "市级政府部门（单位）网站".parse::<Level>(),
            Ok(Level::CityDept)
        );
        assert_eq!("县级以下政府网站".parse::<Level>(), Ok(Level::BelowCounty));
        assert!("区级".parse::<Level>().is_err());
    }

    #[test]
    fn statuses_parse_in_chinese_and_english() {
        assert_eq!("运行".parse::<Status>(), Ok(Status::Running));
        assert_eq!(" Closed ".parse::<Status>(), Ok(Status::Closed));
        assert_eq!("关停".parse::<Status>(), Ok(Status::Closed));
        assert!("停用".parse::<Status>().is_err());
    }

    #[test]
    fn urls_are_normalised_and_default_to_http() {
        let u = parse_url(" www.nxep.gov.cn ").expect("url");
        assert_eq!(u.as_str(), "http://www.nxep.gov.cn/");
        let p = parse_url("http://218.95.179.142:80/gysfgw").expect("path prefix");
        assert_eq!(p.as_str(), "http://218.95.179.142/gysfgw");
        assert!(parse_url("ftp://x.gov.cn").is_err());
        assert!(parse_url("http://").is_err());
        assert!(parse_url("").is_err());
        for secret in [
            "http://admin:secret@a.gov.cn/",
            "secret@a.gov.cn",
            "https://a:secret@b",
        ] {
            let e = parse_url(secret).expect_err(secret);
            assert!(!e.contains("secret"), "{e}");
        }
        assert!(
            parse_url("http://a.gov.cn/?q=a@b").is_ok(),
            "an @ in the query is fine"
        );
    }

    #[test]
    fn site_codes_are_ten_digits_or_bm_and_eight() {
        assert_eq!(parse_site_code("6400000001").as_deref(), Ok("6400000001"));
        assert_eq!(parse_site_code("BM15000001").as_deref(), Ok("bm15000001"));
        assert!(parse_site_code("640000001").is_err());
        assert!(parse_site_code("bm1500000x").is_err());
        assert!(parse_site_code("ab15000001").is_err());
    }

    #[test]
    fn invalid_files_list_file_and_line() {
        let e = RegistryError::Invalid {
            path: PathBuf::from("r.csv"),
            errors: vec![LineError {
                line: 4,
                field: Some("level".into()),
                message: "unknown level".into(),
            }],
        };
        let text = e.to_string();
        assert!(text.contains("r.csv:4: level: unknown level"), "{text}");
    }
}
