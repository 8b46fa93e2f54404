//! JSON for machines that people also read on a terminal. serde_json escapes only what JSON
//! requires (C0 controls, `"` and `\`); [`to_string_pretty`] also writes DEL, C1 controls,
//! bidi controls and noncharacters (see [`super::is_hazard`]) as `\uXXXX` escapes. The data is
//! unchanged — a JSON parser reads the same string — but printing it cannot drive the
//! terminal or reorder text. Every JSON the CLI prints goes through it.

use serde::Serialize;

/// `json` (a serialised JSON document) with every hazardous character inside its strings
/// written as a `\uXXXX` escape. Outside strings JSON is ASCII, so this never changes
/// structure.
pub fn escape_hazards(json: String) -> String {
    if !json.chars().any(super::is_hazard) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if super::is_hazard(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// serde_json's pretty printing, terminal-safe (see [`escape_hazards`]).
///
/// # Errors
/// When `value` cannot be serialised (a map with non-string keys …).
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value).map(escape_hazards)
}

/// serde_json's compact form, terminal-safe (see [`escape_hazards`]).
///
/// # Errors
/// When `value` cannot be serialised.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value).map(escape_hazards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_is_unchanged_and_the_text_is_safe() {
        let hostile = "a\x1b[2J\u{202E}\u{9b}\x7f\u{1FFFF}b";
        let json = to_string(&serde_json::json!({ "x": hostile })).expect("json");
        assert!(!json.chars().any(crate::escape::is_hazard), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).expect("parses");
        assert_eq!(back["x"], hostile);
    }
}
