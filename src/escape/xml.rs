//! Strings for the XML inside DOCX and XLSX files. XML 1.0 allows no control character but
//! tab, newline and carriage return, nor U+FFFE/U+FFFF: one such character in a column name
//! makes `word/document.xml` ill-formed and Word refuses the whole file. [`text`] replaces
//! them (and the other characters of [`super::is_hazard`]) with visible stand-ins; the writers
//! (docx-rs, rust_xlsxwriter) escape `<`, `>`, `&` and quotes themselves. Every string a
//! DOCX or XLSX renderer writes goes through [`text`].

use std::borrow::Cow;

/// Whether XML 1.0 allows `c` in text (production `Char`).
pub fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// `s` holding only characters XML 1.0 allows, hazards shown as visible stand-ins.
pub fn text(s: &str) -> Cow<'_, str> {
    super::visible(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_left_is_legal_xml() {
        let hostile: String = (0u32..0x100)
            .chain([0x202E, 0xFFFE, 0xFFFF, 0x1FFFE])
            .filter_map(char::from_u32)
            .collect();
        let t = text(&hostile);
        assert!(t.chars().all(is_xml_char), "{t:?}");
        assert!(t.contains('\n') && t.contains('\t'));
        assert!(!is_xml_char('\0') && !is_xml_char('\u{FFFE}') && is_xml_char('中'));
    }
}
