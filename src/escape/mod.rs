//! Escaping, one module per output language: page text (anything an audited site sent —
//! column names, titles, URLs, link failure reasons, server headers) and user-supplied text
//! (registry names, templates) must come out of every renderer as text, never as markup,
//! formulas, links or terminal commands.
//!
//! Every escaper first makes the text *visible* ([`visible`]): characters that can hide,
//! reorder or execute — C0 and C1 control characters (but newline and tab), DEL, the bidi
//! embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+200E,
//! U+200F, U+061C), and Unicode noncharacters (U+FFFE, U+FFFF …) — are replaced by a
//! visible stand-in (`␛` for ESC, `<U+202E>` for RLO), so what was there stays readable and
//! nothing acts on it. Then each language escapes what is special to it:
//!
//! - [`terminal`]: text for a terminal (plain-text reports, `--format text`); nothing more
//!   than [`visible`].
//! - [`markdown`]: inline Markdown text, table cells, and links that are live only for http(s).
//! - [`html`]: element text and attribute values; `href` only for http(s).
//! - [`xml`]: strings for DOCX and XLSX (XML 1.0 allows no control characters but tab,
//!   newline and carriage return; the writers escape `<`, `&` …).
//! - [`csv`]: cells that a spreadsheet would run as formulas get a leading `'` (OWASP);
//!   numbers stay numbers.
//! - [`json`]: serde's JSON with the same characters written as `\uXXXX` escapes, so the data
//!   is unchanged and a terminal showing it is safe.

use std::borrow::Cow;

pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod terminal;
pub mod xml;

/// Whether `c` must not reach any output raw: C0 controls but newline and tab, DEL, C1
/// controls, bidi controls and Unicode noncharacters.
pub fn is_hazard(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n' && c != '\t')
        || (0x7F..=0x9F).contains(&u)
        || matches!(u, 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
}

/// The visible stand-in of a hazardous character: the Unicode control picture for C0 and DEL
/// (`␀`, `␛`, `␈`, `␡`), `<U+XXXX>` for the others.
fn stand_in(c: char, out: &mut String) {
    let u = c as u32;
    match u {
        0x00..=0x1F => out.push(char::from_u32(0x2400 + u).unwrap_or('\u{FFFD}')),
        0x7F => out.push('\u{2421}'),
        _ => out.push_str(&format!("<U+{u:04X}>")),
    }
}

/// `s` with every [hazardous](is_hazard) character replaced by its visible stand-in; newline
/// and tab are kept. Borrowed when there is nothing to replace.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hazard) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hazard(c) {
            stand_in(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` on one line: [`visible`], with newlines and tabs as spaces (for a value inside a line
/// of text, a table cell or a heading).
pub fn one_line(s: &str) -> Cow<'_, str> {
    let v = visible(s);
    if v.contains(['\n', '\t']) {
        Cow::Owned(v.replace(['\n', '\t'], " "))
    } else {
        v
    }
}

/// Whether `url` is an absolute http(s) URL that may be made clickable; anything else
/// (`javascript:`, `data:`, relative or unparsable text) is shown as text only.
pub fn is_web_url(url: &str) -> bool {
    url::Url::parse(url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazards_become_visible_and_the_rest_is_kept() {
        assert_eq!(
            visible("a\x1b[2Jb\x08c\u{202E}d\0e\x0bf\u{FFFE}\u{FFFF}\x7f\u{9b}"),
            "a␛[2Jb␈c<U+202E>d␀e␋f<U+FFFE><U+FFFF>␡<U+009B>"
        );
        assert_eq!(visible("政府网站\n\tok"), "政府网站\n\tok");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(one_line("a\nb\tc\r"), "a b c␍");
        for c in [
            '\u{2066}',
            '\u{2069}',
            '\u{202A}',
            '\u{200F}',
            '\u{FDD0}',
            '\u{1FFFF}',
        ] {
            assert!(is_hazard(c), "{c:?}");
        }
        for c in ['\n', '\t', ' ', '中', '\u{3000}', '\u{FEFF}', '\u{FFFD}'] {
            assert!(!is_hazard(c), "{c:?}");
        }
    }

    #[test]
    fn only_http_and_https_urls_are_web_urls() {
        assert!(is_web_url("http://www.nx.gov.cn/a"));
        assert!(is_web_url("https://x.gov.cn"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:a",
            "data:text/html,x",
            "/rel",
            "x",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
