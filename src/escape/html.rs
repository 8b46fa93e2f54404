//! HTML element text and attribute values. [`text`] is the one escaping routine of every HTML
//! renderer: the text is made [visible](super::visible) and `& < > " '` become entities, so
//! the same call is safe between tags and inside a quoted attribute value. [`link`] is the only
//! way to make a link, and only http(s) URLs become one (no `javascript:`, `data:`, relative
//! or unparsable `href`).

/// `s` escaped for HTML element content and (double- or single-quoted) attribute values.
pub fn text(s: &str) -> String {
    let v = super::visible(s);
    let mut o = String::with_capacity(v.len() + 16);
    for c in v.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// `<a href="url">label</a>` when `url` is an absolute http(s) URL (as the URL parser
/// serialises it), the escaped label (or URL) as text otherwise.
pub fn link(label: &str, url: &str) -> String {
    let parsed = url::Url::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let shown = if label.is_empty() { url } else { label };
    match parsed {
        Some(u) => format!("<a href=\"{}\">{}</a>", text(u.as_str()), text(shown)),
        None => text(shown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_quotes_and_controls_are_escaped() {
        assert_eq!(
            text("<script>alert(1)</script> & \"x\" 'y'\x1b\u{202E}"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;␛&lt;U+202E&gt;"
        );
    }

    #[test]
    fn only_web_urls_are_links() {
        assert_eq!(
            link("", "http://a.gov.cn/?q=\"><script>"),
            "<a href=\"http://a.gov.cn/?q=%22%3E%3Cscript%3E\">http://a.gov.cn/?q=&quot;&gt;&lt;script&gt;</a>"
        );
        assert_eq!(link("x", "javascript:alert(1)"), "x");
        assert_eq!(link("", " JAVASCRIPT:alert(1)"), " JAVASCRIPT:alert(1)");
    }
}
