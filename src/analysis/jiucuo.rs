//! The 「我为政府网站找错」 entry (rules.md §4.3).
//!
//! Standard entries:
//! * `script#_jiucuo_`, or any script whose src matches `footer.jiucuo_script` — its `sitecode`
//!   attribute is the site code (saved pages rewrite the src to a local copy: still an entry);
//!   or an inline script whose text writes such a script or link (`document.write`), the code
//!   from `footer.jiucuo_inline_sitecode`;
//! * `a[href]` matching `footer.jiucuo_link` (`…/exposure/jiucuo.html?site_code=…`) or
//!   `footer.jiucuo_platform` (zfwzzc.www.gov.cn/check_web/errorInfo);
//! * the image jiucuo.js writes: an `img` with `onclick="Link('<sitecode>')"`, or a
//!   `jiucuo.png` from a `footer.jiucuo_hosts` host or inside `#_span_jiucuo`.
//!
//! `present`: at least one entry is visible. `hidden`: entries exist but every one sits under
//! `display:none` / `visibility:hidden` / a `hidden` attribute (fzggw.zj: a hidden link does not
//! count as present). `site_code`/`host`: from the first visible entry, else the first one; the
//! host only when it is a known jiucuo host. `nonstandard`: with no standard entry at all, the
//! first http(s) link whose text has a `footer.jiucuo_words` word (中国政府网's own 网站纠错 page).

use scraper::{ElementRef, Html};
use url::Url;

use super::dom::{self, Zones};
use super::vocabulary::{Compiled, Vocabulary};
use crate::observation::{ItemEvidence, ItemSource, Jiucuo};

struct Entry {
    hidden: bool,
    site_code: Option<String>,
    host: Option<String>,
    /// The markup read (`script src=… sitecode=…`, the link's address).
    text: String,
    source: ItemSource,
}

/// The entry found, and the evidence for it.
pub struct Read {
    pub value: Jiucuo,
    pub evidence: ItemEvidence,
}

/// Find the jiucuo entry of a page.
pub fn jiucuo(doc: &Html, base: &Url, zones: &Zones, vocab: &Vocabulary, c: &Compiled) -> Read {
    let host_of = |raw: &str| {
        dom::resolve(base, raw)
            .and_then(|u| u.host_str().map(str::to_string))
            .filter(|h| {
                vocab
                    .footer
                    .jiucuo_hosts
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(h))
            })
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut nonstandard: Option<String> = None;
    for el in doc.root_element().descendent_elements() {
        let href = el.attr("href").unwrap_or_default();
        let src = el.attr("src").unwrap_or_default();
        let entry = |site_code: Option<String>, host: Option<String>, text: String, source| Entry {
            hidden: zones.is(el.id(), dom::HIDDEN),
            site_code,
            host,
            text,
            source,
        };
        match el.value().name() {
            "script" if src.is_empty() => {
                // Inline script writing the embed (document.write / unescape).
                let text: String = el.text().collect();
                let text = text.replace("%2F", "/").replace("%2f", "/");
                if c.jiucuo_script.is_match(&text) || c.jiucuo_link.is_match(&text) {
                    let code = c
                        .jiucuo_inline_sitecode
                        .captures(&text)
                        .or_else(|| c.jiucuo_link.captures(&text))
                        .and_then(|m| m.get(1))
                        .map(|m| m.as_str().to_string());
                    let host = vocab
                        .footer
                        .jiucuo_hosts
                        .iter()
                        .find(|h| text.contains(h.as_str()))
                        .cloned();
                    let text = text.trim().chars().take(200).collect();
                    entries.push(entry(code, host, text, ItemSource::Script));
                }
            }
            "script" if el.attr("id") == Some("_jiucuo_") || c.jiucuo_script.is_match(src) => {
                let code = el
                    .attr("sitecode")
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
                let text = format!(
                    "<script id=\"{}\" sitecode=\"{}\" src=\"{src}\">",
                    el.attr("id").unwrap_or_default(),
                    el.attr("sitecode").unwrap_or_default()
                );
                entries.push(entry(code, host_of(src), text, ItemSource::Script));
            }
            "a" if c.jiucuo_link.is_match(href) || c.jiucuo_platform.is_match(href) => {
                let code = c
                    .jiucuo_link
                    .captures(href)
                    .and_then(|m| m.get(1))
                    .map(|m| m.as_str().to_string());
                entries.push(entry(
                    code,
                    host_of(href),
                    href.to_string(),
                    ItemSource::Link,
                ));
            }
            "img" => {
                let onclick = el
                    .attr("onclick")
                    .and_then(|o| c.jiucuo_onclick.captures(o));
                let in_span = el
                    .parent()
                    .and_then(ElementRef::wrap)
                    .is_some_and(|p| p.attr("id") == Some("_span_jiucuo"));
                let image = c.jiucuo_image.is_match(src) && (in_span || host_of(src).is_some());
                if onclick.is_some() || image {
                    let code = onclick
                        .and_then(|m| m.get(1))
                        .map(|m| m.as_str().to_string());
                    let text = match el.attr("onclick") {
                        Some(o) => format!("<img onclick=\"{o}\" src=\"{src}\">"),
                        None => format!("<img src=\"{src}\">"),
                    };
                    entries.push(entry(code, host_of(src), text, ItemSource::Image));
                }
            }
            "a" if nonstandard.is_none() => {
                let text = dom::text_of(&el);
                if vocab
                    .footer
                    .jiucuo_words
                    .iter()
                    .any(|w| !w.is_empty() && text.contains(w.as_str()))
                {
                    nonstandard = dom::resolve(base, href).map(|u| u.to_string());
                }
            }
            _ => {}
        }
    }
    let mut j = Jiucuo {
        present: entries.iter().any(|e| !e.hidden),
        hidden: !entries.is_empty() && entries.iter().all(|e| e.hidden),
        ..Jiucuo::default()
    };
    let visible_first = entries
        .iter()
        .filter(|e| !e.hidden)
        .chain(entries.iter().filter(|e| e.hidden));
    for e in visible_first {
        if j.site_code.is_none() {
            j.site_code.clone_from(&e.site_code);
        }
        if j.host.is_none() {
            j.host.clone_from(&e.host);
        }
    }
    if entries.is_empty() {
        j.nonstandard = nonstandard.clone();
    }
    let evidence = match entries.iter().find(|e| !e.hidden).or(entries.first()) {
        Some(e) => ItemEvidence {
            text: Some(e.text.chars().take(200).collect()),
            source: e.source,
        },
        None => ItemEvidence {
            source: if nonstandard.is_some() {
                ItemSource::Link
            } else {
                ItemSource::None
            },
            text: nonstandard,
        },
    };
    Read { value: j, evidence }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::run;

    fn footer(inner: &str) -> crate::observation::FooterObservation {
        run(&format!(
            "<html><body><div class='main'>正文</div><div class='footer'>{inner}</div></body></html>"
        ))
        .footer
    }

    #[test]
    fn jiucuo_forms() {
        let link = footer("<a href='https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=bm17000009'><img src='/j.png'></a>");
        assert!(link.jiucuo.present && !link.jiucuo.hidden);
        assert_eq!(link.jiucuo.site_code.as_deref(), Some("bm17000009"));
        assert_eq!(link.jiucuo.host.as_deref(), Some("zfwzgl.www.gov.cn"));

        let legacy = footer("<script id='_jiucuo_' sitecode='3609220011' src='http://pucha.kaipuyun.cn/exposure/jiucuo.js'></script>");
        assert_eq!(legacy.jiucuo.host.as_deref(), Some("pucha.kaipuyun.cn"));

        let platform = footer(
            "<a href='https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfo/abc-123'>找错</a>",
        );
        assert!(platform.jiucuo.present);
        assert_eq!(platform.jiucuo.nonstandard, None);

        // A saved page: local script copy plus the image jiucuo.js wrote.
        let saved = footer("<script id='_jiucuo_' sitecode='3609000002' src='./x_files/jiucuo.js'></script><span id='_span_jiucuo'><img onclick=\"Link('3609000002')\" src='./x_files/jiucuo.png'></span>");
        assert!(saved.jiucuo.present);
        assert_eq!(saved.jiucuo.site_code.as_deref(), Some("3609000002"));
        assert_eq!(saved.jiucuo.host, None);

        // Hidden by an ancestor's `hidden` attribute or style.
        for wrap in [
            "<div hidden>",
            "<div style='DISPLAY: none'>",
            "<div style='visibility:hidden'>",
        ] {
            let h = footer(&format!("{wrap}<a href='http://121.43.68.40/exposure/jiucuo.html?site_code=3300000020'>x</a></div>"));
            assert!(!h.jiucuo.present && h.jiucuo.hidden, "{wrap}");
        }
        // One visible entry is enough.
        let both = footer("<div hidden><a href='http://121.43.68.40/exposure/jiucuo.html?site_code=3300000020'>x</a></div><script id='_jiucuo_' sitecode='3300000020' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>");
        assert!(both.jiucuo.present && !both.jiucuo.hidden);
        assert_eq!(both.jiucuo.host.as_deref(), Some("zfwzgl.www.gov.cn"));

        let own = footer("<a href='/fuwu/jiucuopage.html'>网站纠错</a>");
        assert!(!own.jiucuo.present);
        assert_eq!(
            own.jiucuo.nonstandard.as_deref(),
            Some("http://www.example.gov.cn/fuwu/jiucuopage.html")
        );
        let js_only = footer("<a href='javascript:;'>【我要纠错】</a>");
        assert_eq!(js_only.jiucuo.nonstandard, None);
        assert_eq!(footer("").jiucuo, crate::observation::Jiucuo::default());
    }

    #[test]
    fn inline_script_embed() {
        let js = footer("<script>document.write(unescape(\"%3Cscript id='_jiucuo_' sitecode='3302000071' src='http://pucha.kaipuyun.cn/exposure/jiucuo.js'%3E%3C/script%3E\"));</script>");
        assert!(js.jiucuo.present);
        assert_eq!(js.jiucuo.site_code.as_deref(), Some("3302000071"));
        assert_eq!(js.jiucuo.host.as_deref(), Some("pucha.kaipuyun.cn"));
        // The sitecode of a script is not a displayed 网站标识码.
        assert_eq!(js.site_code, crate::observation::Ident::Missing);
        assert_eq!(
            js.evidence.jiucuo.source,
            crate::observation::ItemSource::Script
        );
    }

    #[test]
    fn a_sites_own_jiucuo_image_is_not_the_standard_entry() {
        let own = footer("<a href='/jc/'><img src='/images/jiucuo.png'></a>");
        assert!(!own.jiucuo.present && !own.jiucuo.hidden);
    }
}
