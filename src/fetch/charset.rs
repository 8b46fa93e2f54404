//! Charset detection and decoding for HTML bodies.
//!
//! We decode bytes ourselves instead of trusting the HTTP client, because Chinese government
//! sites very often declare their charset only in a `<meta>` tag (GB2312/GBK). The order is the
//! one browsers use for a document without a parent:
//!
//! 1. a byte-order mark (UTF-8, UTF-16LE/BE);
//! 2. the `charset=` parameter of the HTTP `Content-Type` header;
//! 3. `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">` within the
//!    first [`META_PRESCAN_BYTES`] bytes;
//! 4. a guess by `chardetng`.
//!
//! Labels are resolved with [`Encoding::for_label`], the WHATWG Encoding Standard table, so
//! `gb2312`, `GB_2312-80`, `x-gbk` and `gbk` all decode as GBK (whose decoder is the gb18030
//! decoder and accepts every gb18030 byte sequence). As in the HTML standard, a `<meta>` that
//! declares UTF-16 means UTF-8 (the bytes we found it in were ASCII-compatible) and
//! `x-user-defined` means windows-1252.

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED};
use regex::bytes::Regex;

use super::CharsetSource;

/// How many leading bytes are searched for a `<meta>` charset declaration.
pub const META_PRESCAN_BYTES: usize = 4096;

/// A decoded body.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, as UTF-8.
    pub text: String,
    /// The encoding used.
    pub encoding: &'static Encoding,
    /// Where the encoding came from.
    pub source: CharsetSource,
    /// Malformed sequences were replaced with U+FFFD.
    pub had_errors: bool,
}

/// `charset` inside a `<meta …>` tag: covers both `<meta charset="gbk">` and
/// `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`.
static META_CHARSET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#).ok()
});

/// Decode an HTML body: BOM → `Content-Type` charset → `<meta>` → guess.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(
            bytes.get(bom_len..).unwrap_or_default(),
            encoding,
            CharsetSource::Bom,
        );
    }
    if let Some(encoding) = content_type.and_then(header_charset) {
        return decode_with(bytes, encoding, CharsetSource::Header);
    }
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    if let Some(encoding) = meta_charset(head) {
        return decode_with(bytes, encoding, CharsetSource::Meta);
    }
    decode_with(bytes, guess(bytes), CharsetSource::Guess)
}

/// The encoding named by the `charset` parameter of a `Content-Type` header value.
pub fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let label = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        Encoding::for_label(label.as_bytes())
    })
}

/// The encoding declared by the first `<meta>` charset declaration in `head`.
pub fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let re = META_CHARSET.as_ref()?;
    let label = re.captures_iter(head).find_map(|c| {
        let label = c.get(1)?.as_bytes();
        Encoding::for_label(label)
    })?;
    // HTML standard, "prescan a byte stream": UTF-16 in a meta means UTF-8.
    Some(if label == UTF_16LE || label == UTF_16BE {
        UTF_8
    } else if label == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        label
    })
}

/// chardetng's guess, allowing UTF-8 and with no TLD hint.
fn guess(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, true)
}

fn decode_with(bytes: &[u8], encoding: &'static Encoding, source: CharsetSource) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding,
        source,
        had_errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GB18030, GBK};

    const TEXT: &str = "宁夏回族自治区生态环境厅 政务公开 通知公告";

    fn gbk_page(meta: &str) -> Vec<u8> {
        let html =
            format!("<html><head>{meta}<title>{TEXT}</title></head><body>{TEXT}</body></html>");
        let (bytes, _, unmappable) = GBK.encode(&html);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn gbk_declared_only_in_meta_charset() {
        let bytes = gbk_page(r#"<meta charset="gb2312">"#);
        let d = decode_html(&bytes, Some("text/html"));
        assert_eq!(d.source, CharsetSource::Meta);
        assert_eq!(d.encoding, GBK);
        assert!(d.text.contains(TEXT), "{}", d.text);
        assert!(!d.had_errors);
    }

    #[test]
    fn gbk_declared_in_meta_http_equiv() {
        let bytes =
            gbk_page(r#"<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=GB2312" />"#);
        let d = decode_html(&bytes, None);
        assert_eq!(d.source, CharsetSource::Meta);
        assert_eq!(d.encoding, GBK);
        assert!(d.text.contains(TEXT));
    }

    #[test]
    fn header_beats_meta() {
        let bytes = gbk_page(r#"<meta charset="utf-8">"#);
        let d = decode_html(&bytes, Some("text/html; charset=\"GBK\""));
        assert_eq!(d.source, CharsetSource::Header);
        assert_eq!(d.encoding, GBK);
        assert!(d.text.contains(TEXT));
    }

    #[test]
    fn gb18030_label_is_gb18030() {
        assert_eq!(header_charset("text/html;charset=gb18030"), Some(GB18030));
        assert_eq!(header_charset("text/html; charset=x-gbk"), Some(GBK));
        assert_eq!(header_charset("text/html"), None);
        assert_eq!(header_charset("text/html; charset=nonsense"), None);
    }

    #[test]
    fn bom_beats_everything() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(format!("<meta charset=gbk>{TEXT}").as_bytes());
        let d = decode_html(&bytes, Some("text/html; charset=gbk"));
        assert_eq!(d.source, CharsetSource::Bom);
        assert_eq!(d.encoding, UTF_8);
        assert!(d.text.starts_with("<meta"));
        assert!(d.text.contains(TEXT));
    }

    #[test]
    fn meta_after_prescan_window_is_ignored_and_guess_used() {
        let mut html = "<!-- padding -->".repeat(META_PRESCAN_BYTES / 10);
        html.push_str(r#"<meta charset="gbk">"#);
        html.push_str(&TEXT.repeat(20));
        let (bytes, _, _) = GBK.encode(&html);
        let d = decode_html(&bytes, None);
        assert_eq!(d.source, CharsetSource::Guess);
        // chardetng recognises a long run of GBK text.
        assert!(
            d.encoding == GBK || d.encoding == GB18030,
            "{}",
            d.encoding.name()
        );
        assert!(d.text.contains(TEXT));
    }

    #[test]
    fn plain_utf8_without_declaration_is_guessed_utf8() {
        let d = decode_html(format!("<p>{TEXT}</p>").as_bytes(), None);
        assert_eq!(d.source, CharsetSource::Guess);
        assert_eq!(d.encoding, UTF_8);
    }

    #[test]
    fn meta_utf16_means_utf8() {
        assert_eq!(meta_charset(b"<meta charset=utf-16le>"), Some(UTF_8));
        assert_eq!(meta_charset(b"<meta name=x content=y>"), None);
    }
}
