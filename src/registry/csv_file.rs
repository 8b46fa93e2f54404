//! CSV registry files as Excel writes them: a BOM (UTF-8 / UTF-16) wins, then valid UTF-8, then
//! a statistical guess (chardetng, with the `.cn` hint), which in practice means GBK (decoded as
//! its superset GB18030). Columns are found by their header, English or Chinese, in any order.
//! A header with tabs and no commas means tab-separated (Excel's UTF-16 "Unicode text").

use std::borrow::Cow;
use std::path::Path;

use encoding_rs::{DecoderResult, Encoding};

use super::file::{finish, RawField, RawSite, CODE, FIELDS, LEVEL, NAME, STATUS, UNIT, URL};
use super::{LineError, RegistryError, Site};

/// The field a CSV column header names, if any.
fn field_of_header(header: &str) -> Option<usize> {
    let h = header.trim().to_ascii_lowercase();
    let idx = match h.as_str() {
        "unit" | "单位" => UNIT,
        "level" | "级别" | "网站级别" => LEVEL,
        "name" | "网站名称" | "名称" => NAME,
        "url" | "网址" | "网站地址" | "网站网址" | "首页网址" => URL,
        "site_code" | "网站标识码" | "标识码" => CODE,
        "status" | "状态" | "运行状态" => STATUS,
        _ => return None,
    };
    Some(idx)
}

/// Decode a file's bytes: BOM, else UTF-8, else the detected legacy encoding (GBK in practice).
/// An error names the first line that is not valid in the encoding assumed, and why that
/// encoding was assumed (a byte-order mark, or detection after UTF-8 failed).
pub fn decode<'a>(bytes: &'a [u8], path: &Path) -> Result<Cow<'a, str>, RegistryError> {
    let error = |line, message| RegistryError::Encoding {
        path: path.to_path_buf(),
        line,
        message,
    };
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let name = encoding.name();
        return strict(encoding, &bytes[bom_len..])
            .map(Cow::Owned)
            .map_err(|line| {
                error(
                    line,
                    format!(
                        "not valid {name}, although the file starts with a {name} byte-order \
                         mark; save it as {name} throughout (Excel: \"CSV UTF-8\"), or as GBK \
                         without the mark"
                    ),
                )
            });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => {
            let utf8_line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            let guess = detector.guess(Some(b"cn"), false);
            strict(guess, bytes).map(Cow::Owned).map_err(|line| {
                error(
                    line,
                    format!(
                        "not valid UTF-8 (from line {utf8_line}), nor {} (the encoding detected \
                         then; from line {line}); save the file as UTF-8 or GBK throughout",
                        guess.name()
                    ),
                )
            })
        }
    }
}

/// `body` decoded without replacement, or the 1-based line of its first malformed sequence.
fn strict(encoding: &'static Encoding, body: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(body.len() + body.len() / 2 + 16);
    let mut rest = body;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        rest = &rest[read..];
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(rest.len() * 3 + 16),
            DecoderResult::Malformed(..) => return Err(out.matches('\n').count() + 1),
        }
    }
}

/// Parse and validate a CSV registry (raw bytes, in any supported encoding).
pub fn parse_csv(bytes: &[u8], path: &Path) -> Result<Vec<Site>, RegistryError> {
    let text = decode(bytes, path)?;
    let invalid = |errors| RegistryError::Invalid {
        path: path.to_path_buf(),
        errors,
    };
    // Excel's "Unicode text" export is UTF-16 with tabs: a header without commas but with
    // tabs means tab-separated.
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if !first.contains(',') && first.contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();

    let header = match records.next() {
        None => {
            return Err(invalid(vec![LineError {
                line: 1,
                field: None,
                message: format!("empty file: expected the header {}", FIELDS.join(",")),
            }]))
        }
        Some(Err(e)) => return Err(invalid(vec![csv_error(&e)])),
        Some(Ok(h)) => h,
    };
    let header_line = line_of(&header);
    let mut columns: [Option<(usize, String)>; 6] = Default::default();
    let mut errors = Vec::new();
    for (i, h) in header.iter().enumerate() {
        match field_of_header(h) {
            Some(f) if columns[f].is_some() => errors.push(LineError {
                line: header_line,
                field: Some(h.to_string()),
                message: format!("column {:?} appears twice", FIELDS[f]),
            }),
            Some(f) => columns[f] = Some((i, h.to_string())),
            None => errors.push(LineError {
                line: header_line,
                field: Some(h.to_string()),
                message: format!(
                    "unknown column; expected {} or 单位,级别,网站名称,网址,网站标识码,状态",
                    FIELDS.join(",")
                ),
            }),
        }
    }
    for f in [UNIT, LEVEL, NAME, URL] {
        if columns[f].is_none() {
            errors.push(LineError {
                line: header_line,
                field: Some(FIELDS[f].to_string()),
                message: "required column missing from the header".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }

    let mut raws = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(&e));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue; // Excel writes rows of bare commas below the data
        }
        let line = line_of(&record);
        if record.len() != header.len() {
            errors.push(LineError {
                line,
                field: None,
                message: format!(
                    "{} fields, but the header has {}",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        let mut raw = RawSite {
            line,
            ..RawSite::default()
        };
        for (f, column) in columns.iter().enumerate() {
            if let Some((i, name)) = column {
                raw.fields[f] = record.get(*i).map(|v| RawField {
                    name: name.clone(),
                    value: v.to_string(),
                    line,
                });
            }
        }
        raws.push(raw);
    }
    finish(raws, errors, path)
}

fn line_of(record: &csv::StringRecord) -> usize {
    record.position().map_or(0, |p| p.line() as usize)
}

fn csv_error(e: &csv::Error) -> LineError {
    LineError {
        line: e.position().map_or(0, |p| p.line() as usize),
        field: None,
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Level, Status};

    fn p() -> &'static Path {
        Path::new("t.csv")
    }

    fn errors(r: Result<Vec<Site>, RegistryError>) -> Vec<LineError> {
        match r {
            Err(RegistryError::Invalid { errors, .. }) => errors,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn english_csv_parses() {
        let text = "unit,level,name,url,site_code,status\n\
                    区直部门（单位）,自治区部门,宁夏环境保护,www.nxep.gov.cn,bm64000001,running\n\
                    兴庆区,county_portal,兴庆区政府,http://www.xqq.gov.cn/,,\n";
        let sites = parse_csv(text.as_bytes(), p()).expect("parses");
        assert_eq!(sites.len(), 2);
        assert_eq!(sites[0].url.as_str(), "http://www.nxep.gov.cn/");
        assert_eq!(sites[0].site_code.as_deref(), Some("bm64000001"));
        assert_eq!(sites[1].level, Level::CountyPortal);
        assert_eq!(
            (sites[1].site_code.as_ref(), sites[1].status),
            (None, Status::Running)
        );
    }

    #[test]
    fn chinese_header_any_order_without_optional_columns() {
        let text = "网址,网站名称,级别,单位\nhttp://218.95.179.142/gysfgw,固原市发改委,市级部门,固原市(本级)\n";
        let sites = parse_csv(text.as_bytes(), p()).expect("parses");
        assert_eq!(sites[0].url.as_str(), "http://218.95.179.142/gysfgw");
        assert_eq!(sites[0].unit, "固原市(本级)");
    }

    #[test]
    fn bom_and_gbk_are_decoded() {
        let text = "单位,级别,网站名称,网址,网站标识码,状态\n银川市(本级),市级门户,银川市人民政府,www.yinchuan.gov.cn,6401000001,运行\n";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let (gbk, _, bad) = encoding_rs::GBK.encode(text);
        assert!(!bad && std::str::from_utf8(&gbk).is_err());
        for bytes in [bom, gbk.into_owned()] {
            let sites = parse_csv(&bytes, p()).expect("parses");
            assert_eq!(sites[0].unit, "银川市(本级)");
            assert_eq!(sites[0].name, "银川市人民政府");
        }
    }

    #[test]
    fn header_problems_are_reported() {
        let errs = errors(parse_csv("unit,levle,name,url\n".as_bytes(), p()));
        assert!(errs.iter().any(|e| e.field.as_deref() == Some("levle")));
        assert!(errs.iter().any(|e| e.field.as_deref() == Some("level")));
        assert!(!errors(parse_csv(b"", p())).is_empty());
        let ragged = "unit,level,name,url\nA,市级部门,a\n";
        assert_eq!(errors(parse_csv(ragged.as_bytes(), p()))[0].line, 2);
    }

    #[test]
    fn excel_unicode_text_is_utf16_with_tabs() {
        let text = "单位\t级别\t网站名称\t网址\r\n兴庆区\t县级门户\t兴庆区政府\twww.xqq.gov.cn\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let sites = parse_csv(&bytes, p()).expect("parses");
        assert_eq!(sites[0].name, "兴庆区政府");
    }
}
