//! Text for a terminal. A terminal acts on what it prints: ESC starts a command (`\x1b[2J`
//! clears the screen, others retitle the window or set the clipboard), BS and CR overwrite
//! what was printed, U+202E (RLO) prints what follows backwards. Every plain-text rendering
//! (the check report, `links`, statistics, the CLI's lists) goes through [`text`] before it is
//! printed.

use std::borrow::Cow;

/// `s` safe to print on a terminal: control characters (but newline and tab), DEL, C1 controls
/// and bidi controls replaced by visible stand-ins (see [`super::visible`]).
pub fn text(s: &str) -> Cow<'_, str> {
    super::visible(s)
}

/// One value inside a line of terminal text: [`text`], and newlines and tabs as spaces so a
/// value cannot start a line of its own (a column named `x\n结论：合格`).
pub fn inline(s: &str) -> Cow<'_, str> {
    super::one_line(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_raw_escape_backspace_or_rlo_survives() {
        let t = text("\x1b]0;owned\x07\x08\r\u{202E}moc.elgoog\n下一行");
        assert!(
            !t.contains(['\x1b', '\x07', '\x08', '\r', '\u{202E}']),
            "{t}"
        );
        assert!(t.ends_with("\n下一行"));
        assert_eq!(inline("栏目\n结论：合格"), "栏目 结论：合格");
    }
}
