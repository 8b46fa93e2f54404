//! Inline Markdown (CommonMark and GitHub's GFM) from text: what a renderer would read as
//! syntax is escaped so it shows as the characters written.
//!
//! [`text`] is used for every piece of text a Markdown renderer writes — paragraphs, headings,
//! list items and table cells alike:
//!
//! - the text is made [visible](super::visible) and put on one line (a newline could start a
//!   heading, a list or a new table row);
//! - `<`, `>` and `&` become entities (no raw HTML, no `<javascript:…>` autolink, no entity
//!   smuggled in), in every Markdown dialect;
//! - `\` `` ` `` `*` `_` `~` `[` `]` `|` `#` `$` are backslash-escaped: no code span, emphasis,
//!   strike-through, link or image (`[x](javascript:a)`, `![x](…)`), table column, heading
//!   or math;
//! - a leading list marker (`- `, `+ `, `1. `, `1) `) or run of `-` / `=` is escaped so the
//!   text cannot open a list, draw a rule or underline a heading; leading blanks are dropped
//!   (four would start a code block).
//!
//! [`link`] is the only way a renderer makes a link, and only http(s) URLs become one.

/// Characters backslash-escaped wherever they are (`_` only where it could open or close
/// emphasis: not between two letters or digits, as in `missing_identifier`).
const ESCAPED: &[char] = &['\\', '`', '*', '_', '~', '[', ']', '|', '#', '$'];

/// Whether the text starts with a block marker: a bullet (`-`, `+`) or an ordered-list number
/// (`1.`, `1)`) followed by a blank or the end, or a run of `-` / `=` (a thematic break or a
/// heading underline). Returns the index of the character to escape.
fn block_marker(line: &str) -> Option<usize> {
    let blank_or_end = |rest: &str| rest.is_empty() || rest.starts_with([' ', '\t']);
    let first = line.chars().next()?;
    if matches!(first, '-' | '+' | '=') {
        let rest = &line[1..];
        let underline = first != '+' && rest.starts_with(first);
        return (blank_or_end(rest) || underline).then_some(0);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = &line[digits..];
    ((1..=9).contains(&digits) && rest.starts_with(['.', ')']) && blank_or_end(&rest[1..]))
        .then_some(digits)
}

/// `s` as inert inline Markdown (see the module documentation).
pub fn text(s: &str) -> String {
    let line = super::one_line(s);
    let line = line.trim_start_matches([' ', '\u{3000}']);
    let marker = block_marker(line);
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let intraword = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '_' if intraword(i.checked_sub(1)) && intraword(Some(i + 1)) => out.push(c),
            c if ESCAPED.contains(&c) || marker == Some(i) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A link to `url` labelled `label` when `url` is an absolute http(s) URL; otherwise the
/// label and the URL as text, `label（url）`, so nothing is clickable.
pub fn link(label: &str, url: &str) -> String {
    let parsed = url::Url::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    match parsed {
        Some(u) => {
            let mut dest = String::with_capacity(u.as_str().len());
            for c in u.as_str().chars() {
                match c {
                    '(' | ')' | '|' | '\\' | '`' | '<' | '>' | ' ' | '"' | '\'' => {
                        dest.push_str(&format!("%{:02X}", c as u32));
                    }
                    c => dest.push(c),
                }
            }
            format!("[{}]({dest})", text(label))
        }
        None if label.trim().is_empty() => text(url),
        None => format!("{}（{}）", text(label), text(url)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_is_escaped() {
        assert_eq!(
            text("[x](javascript:a)"),
            "\\[x\\](javascript:a)",
            "no link"
        );
        assert_eq!(text("![i](http://x/y.png)"), "!\\[i\\](http://x/y.png)");
        assert_eq!(text("<script>&amp;"), "&lt;script&gt;&amp;amp;");
        assert_eq!(text("a|b\nc\r"), "a\\|b c␍");
        assert_eq!(
            text("*em* _u_ `c` ~~s~~ $m$"),
            "\\*em\\* \\_u\\_ \\`c\\` \\~\\~s\\~\\~ \\$m\\$"
        );
        assert_eq!(text("# h"), "\\# h");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("+"), "\\+");
        assert_eq!(text("=="), "\\==");
        assert_eq!(text("---"), "\\---");
        assert_eq!(text("12. x 3.5"), "12\\. x 3.5");
        assert_eq!(text("1)"), "1\\)");
        assert_eq!(text("33.3%"), "33.3%", "a number is not a list");
        assert_eq!(text("-2+3"), "-2+3");
        assert_eq!(
            text("missing_identifier _e_ a_"),
            "missing_identifier \\_e\\_ a\\_"
        );
        assert_eq!(text("2018年1月"), "2018年1月");
        assert_eq!(text("    code"), "code");
        assert_eq!(text("\x1b[2J"), "␛\\[2J");
        assert_eq!(text("宁夏环境保护（50%）"), "宁夏环境保护（50%）");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            link("栏目", "http://a.gov.cn/x(1)|y"),
            "[栏目](http://a.gov.cn/x%281%29%7Cy)"
        );
        assert_eq!(link("x", "javascript:alert(1)"), "x（javascript:alert(1)）");
        assert_eq!(link("", "data:text/html,<b>"), "data:text/html,&lt;b&gt;");
        assert_eq!(
            link("a]b", "https://a.gov.cn/"),
            "[a\\]b](https://a.gov.cn/)"
        );
    }
}
