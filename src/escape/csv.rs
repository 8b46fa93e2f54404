//! CSV cells opened in a spreadsheet. Excel, LibreOffice and WPS run a cell that starts with
//! `=`, `+`, `-` or `@` (or tab or carriage return, also after leading blanks) as a formula:
//! `=cmd|' /C calc'!A0` from a page title would start a program on the office's machine.
//! [`cell`] neutralises such a cell the way OWASP recommends, with a leading `'` (shown by
//! the spreadsheet as text, not as part of the value), and leaves real numbers (`-5`, `+3.5`,
//! `50%`) alone so numeric columns stay numeric. Full-width `＝＋－＠` are treated the same,
//! as Chinese input methods type them. Every CSV renderer writes its cells through [`cell`].

use std::borrow::Cow;

/// Whether `s` is a plain number: optional sign, digits with an optional fraction, an optional
/// exponent, an optional `%`.
fn is_number(s: &str) -> bool {
    let s = s.strip_suffix('%').unwrap_or(s);
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// `s` as a CSV cell a spreadsheet shows as text: [visible](super::visible), and prefixed with
/// `'` when it would start a formula.
pub fn cell(s: &str) -> Cow<'_, str> {
    let v = super::visible(s);
    let first = v.trim_start_matches([' ', '\u{3000}']).chars().next();
    let formula = matches!(
        first,
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
    );
    if formula && !is_number(v.trim()) {
        Cow::Owned(format!("'{v}"))
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for f in [
            "=cmd|' /C calc'!A0",
            "+1+cmd|x",
            "-2+3",
            "@SUM(A1)",
            "  =1+1",
            "\t=1",
            "＝1+1",
            "-",
        ] {
            assert!(cell(f).starts_with('\''), "{f:?} → {:?}", cell(f));
        }
        for n in [
            "-5", "+3.5", "50%", "-0.5e3", "217", "33.3%", "宁夏", "a=b", "—",
        ] {
            assert!(!cell(n).starts_with('\''), "{n:?}");
        }
        assert_eq!(cell("\r=1"), "␍=1", "a carriage return is shown, not run");
        assert!(!is_number("1e") && !is_number(".") && !is_number("") && is_number(".5"));
    }
}
