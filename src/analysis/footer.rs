//! Footer identifiers (rules.md §4.1, §4.3, §6): ICP备案号, 网站标识码, 公网安备,
//! 党政机关网站标识 (conac) and the 「我为政府网站找错」 entry.
//!
//! Text identifiers are searched in footer containers first (`<footer>`, `footer.hints`), then
//! in the whole visible text, since footers are not always marked. Link identifiers are read
//! from every `href`/`src`. For each identifier a well-formed value anywhere wins over a
//! malformed one.
//!
//! Values: ICP normalised `京ICP备05009132号-1`; 网站标识码 the code (`bm` lower-cased);
//! 公网安备 the 14-digit record number; conac the bszs id (upper-case hex), else the dcs script
//! path or seal image path as matched.
//!
//! The 网站标识码 counts only when displayed (a `网站标识码：` label in the page text). A code only
//! in the `SiteIDCode` meta or the jiucuo script's `sitecode` attribute is not displayed: the
//! item is missing and the evidence names where the code was seen.
//!
//! Evidence: every item carries the exact text read and where (`footer` text, other `page`
//! text, a `link`, an `image`, a `script`; `meta` or `jiucuo_script` for an undisplayed code),
//! and the footer's displayed text is kept (300 characters) so a report can quote it.
//!
//! The 「我为政府网站找错」 entry is read by [`super::jiucuo`].

use scraper::Html;
use url::Url;

use super::dates;
use super::dom::{self, Zones};
use super::vocabulary::{Compiled, Vocabulary};
use super::PageMeta;
use crate::observation::{FooterEvidence, FooterObservation, Ident, ItemEvidence, ItemSource};

/// One reading of an item: its value and the evidence for it.
#[derive(Debug, Clone, Default)]
struct Hit {
    ident: Ident,
    ev: ItemEvidence,
}

impl Hit {
    fn new(ident: Ident, text: &str, source: ItemSource) -> Hit {
        Hit {
            ident,
            ev: ItemEvidence {
                text: Some(clip(text, 200)),
                source,
            },
        }
    }

    /// Keep the first well-formed value, else the first malformed one.
    fn or(self, next: Hit) -> Hit {
        match (&self.ident, &next.ident) {
            (Ident::Found(_), _) => self,
            (_, Ident::Found(_)) => next,
            (Ident::Missing, _) => next,
            _ => self,
        }
    }

    fn in_source(mut self, source: ItemSource) -> Hit {
        if self.ident != Ident::Missing {
            self.ev.source = source;
        }
        self
    }
}

/// At most `n` characters of a whitespace-collapsed text.
fn clip(text: &str, n: usize) -> String {
    dom::collapse(text).chars().take(n).collect()
}

/// Displayed text, normalised half-width for matching (`norm`) and as shown (`shown`). The
/// normalisation maps character to character, so a match in `norm` is quoted from `shown`
/// by character positions.
struct Shown {
    norm: String,
    shown: String,
}

impl Shown {
    fn new(shown: String) -> Shown {
        Shown {
            norm: dates::normalize(&shown),
            shown,
        }
    }

    /// The displayed text of a match in `norm`.
    fn exact(&self, m: &regex::Match<'_>) -> String {
        let start = self.norm[..m.start()].chars().count();
        let len = m.as_str().chars().count();
        self.shown.chars().skip(start).take(len).collect()
    }
}

/// Footer text and whole visible text, read as [`dom::walk_text`] reads page text.
fn texts(doc: &Html, zones: &Zones) -> (Shown, Shown) {
    let bufs = std::cell::RefCell::new((dom::TextBuf::default(), dom::TextBuf::default()));
    dom::walk_text(
        doc.tree.root(),
        |t, node| {
            let flags = node.parent().map(|p| zones.of(p.id())).unwrap_or(0);
            // Hidden text is not displayed: an identifier there is not shown to anyone.
            if flags & (dom::SCRIPT | dom::HIDDEN) != 0 {
                return;
            }
            let mut b = bufs.borrow_mut();
            if flags & dom::FOOTER != 0 {
                b.0.push(t);
            }
            b.1.push(t);
        },
        |sep| {
            let mut b = bufs.borrow_mut();
            b.0.sep(sep);
            b.1.sep(sep);
        },
    );
    let (footer, all) = bufs.into_inner();
    (
        Shown::new(footer.into_string()),
        Shown::new(all.into_string()),
    )
}

fn icp(text: &Shown, vocab: &Vocabulary, c: &Compiled) -> Hit {
    let mut best = Hit::default();
    for caps in c.icp.captures_iter(&text.norm) {
        let (Some(whole), Some(prov), Some(kind), Some(digits)) =
            (caps.get(0), caps.get(1), caps.get(2), caps.get(3))
        else {
            continue;
        };
        let n = digits.as_str().len();
        let ident = if (vocab.footer.icp_min_digits..=vocab.footer.icp_max_digits).contains(&n) {
            let suffix = caps
                .get(4)
                .map(|s| format!("-{}", s.as_str()))
                .unwrap_or_default();
            Ident::Found(format!(
                "{}ICP{}{}号{}",
                prov.as_str(),
                kind.as_str(),
                digits.as_str(),
                suffix
            ))
        } else {
            Ident::Malformed(whole.as_str().trim().to_string())
        };
        best = best.or(Hit::new(ident, &text.exact(&whole), ItemSource::Page));
    }
    best
}

fn police_text(text: &Shown, vocab: &Vocabulary, c: &Compiled) -> Hit {
    let mut best = Hit::default();
    let digits_ok = |d: &str| d.len() == vocab.footer.police_digits;
    for caps in c.police.captures_iter(&text.norm) {
        let (Some(whole), Some(digits)) = (caps.get(0), caps.get(2)) else {
            continue;
        };
        let prov = caps.get(1).map(|p| p.as_str()).unwrap_or_default();
        let ok = digits_ok(digits.as_str())
            && !prov.is_empty()
            && vocab.footer.police_provinces.contains(prov);
        let ident = if ok {
            Ident::Found(digits.as_str().to_string())
        } else {
            Ident::Malformed(whole.as_str().trim().to_string())
        };
        best = best.or(Hit::new(ident, &text.exact(&whole), ItemSource::Page));
    }
    // A city police filing (郑公备：41010029000130): the record number, under a local label.
    for caps in c.police_local.captures_iter(&text.norm) {
        let (Some(whole), Some(digits)) = (caps.get(0), caps.get(2)) else {
            continue;
        };
        let ident = if digits_ok(digits.as_str()) {
            Ident::Found(digits.as_str().to_string())
        } else {
            Ident::Malformed(whole.as_str().trim().to_string())
        };
        best = best.or(Hit::new(ident, &text.exact(&whole), ItemSource::Page));
    }
    for m in c.police_malformed.find_iter(&text.norm) {
        let ident = Ident::Malformed(m.as_str().trim().to_string());
        best = best.or(Hit::new(ident, &text.exact(&m), ItemSource::Page));
    }
    best
}

fn site_code_value(raw: &str, vocab: &Vocabulary, c: &Compiled) -> Ident {
    let raw = raw.trim();
    // `BM01000001` → `bm01000001` (`get` keeps multi-byte input from splitting a char).
    let value = match (raw.get(..2), raw.get(2..)) {
        (Some(prefix), Some(rest)) if prefix.eq_ignore_ascii_case("bm") => format!("bm{rest}"),
        _ => raw.to_string(),
    };
    if c.site_code.is_match(&value)
        && !vocab
            .footer
            .site_code_placeholders
            .iter()
            .any(|p| p == &value)
    {
        Ident::Found(value)
    } else {
        Ident::Malformed(raw.to_string())
    }
}

fn site_code_text(text: &Shown, vocab: &Vocabulary, c: &Compiled) -> Hit {
    let mut best = Hit::default();
    for caps in c.site_code_label.captures_iter(&text.norm) {
        let (Some(whole), Some(v)) = (caps.get(0), caps.get(1).filter(|v| !v.as_str().is_empty()))
        else {
            continue;
        };
        let ident = site_code_value(v.as_str(), vocab, c);
        best = best.or(Hit::new(ident, &text.exact(&whole), ItemSource::Page));
    }
    best
}

/// A text item read in the footer first, then anywhere on the page.
fn footer_first(footer: Hit, page: Hit) -> Hit {
    footer.in_source(ItemSource::Footer).or(page)
}

/// Analyse the footer identifiers of a page.
pub fn footer(
    doc: &Html,
    base: &Url,
    zones: &Zones,
    meta: &PageMeta,
    vocab: &Vocabulary,
    c: &Compiled,
) -> FooterObservation {
    let (footer_text, all_text) = texts(doc, zones);
    let mut icp_hit = footer_first(icp(&footer_text, vocab, c), icp(&all_text, vocab, c));
    let mut police = footer_first(
        police_text(&footer_text, vocab, c),
        police_text(&all_text, vocab, c),
    );
    let mut site_code = footer_first(
        site_code_text(&footer_text, vocab, c),
        site_code_text(&all_text, vocab, c),
    );
    let mut conac = Hit::default();
    for el in doc.root_element().descendent_elements() {
        let href = el.attr("href").unwrap_or_default();
        let src = el.attr("src").unwrap_or_default();
        let name = el.value().name();
        // 公网安备 record link.
        if name == "a" {
            if let Some(code) = c.police_link.captures(href).and_then(|m| m.get(1)) {
                let code = code.as_str();
                let ident = if code.len() == vocab.footer.police_digits {
                    Ident::Found(code.to_string())
                } else {
                    Ident::Malformed(code.to_string())
                };
                police = police.or(Hit::new(ident, href, ItemSource::Link));
            }
        }
        // conac (also inside inline scripts that write the seal: document.write / unescape).
        let inline = if name == "script" && src.is_empty() {
            el.text()
                .collect::<String>()
                .replace("%2F", "/")
                .replace("%2f", "/")
        } else {
            String::new()
        };
        let script = if name == "script" {
            ItemSource::Script
        } else if name == "img" {
            ItemSource::Image
        } else {
            ItemSource::Link
        };
        for (attr, source) in [
            (href, ItemSource::Link),
            (src, script),
            (inline.as_str(), ItemSource::Script),
        ] {
            if attr.is_empty() {
                continue;
            }
            let (ident, text) = if let Some(id) = c
                .conac_bszs
                .captures(attr)
                .and_then(|m| m.get(0).zip(m.get(1)))
            {
                (
                    Ident::Found(id.1.as_str().to_ascii_uppercase()),
                    id.0.as_str(),
                )
            } else if let Some(m) = c.conac_js.find(attr).or_else(|| c.conac_img.find(attr)) {
                (Ident::Found(m.as_str().to_string()), m.as_str())
            } else if c.conac_bszs_any.is_match(attr) {
                (Ident::Malformed(attr.chars().take(200).collect()), attr)
            } else {
                continue;
            };
            conac = conac.or(Hit::new(ident, text, source));
        }
    }
    let j = super::jiucuo::jiucuo(doc, base, zones, vocab, c);
    // The 网站标识码 must be displayed. A code only in the `SiteIDCode` meta or the jiucuo
    // script's `sitecode` is not: the item stays missing, the code goes into the evidence.
    if site_code.ident == Ident::Missing {
        if let Some(code) = &meta.site_id_code {
            site_code.ev = ItemEvidence {
                text: Some(clip(code, 200)),
                source: ItemSource::Meta,
            };
        } else if let Some(code) = &j.value.site_code {
            site_code.ev = ItemEvidence {
                text: Some(clip(code, 200)),
                source: ItemSource::JiucuoScript,
            };
        }
    }
    if icp_hit.ident == Ident::Missing {
        icp_hit.ev = ItemEvidence::default();
    }
    let footer_shown = clip(&footer_text.shown, 300);
    FooterObservation {
        evidence: FooterEvidence {
            icp: icp_hit.ev,
            site_code: site_code.ev,
            police_record: police.ev,
            conac: conac.ev,
            jiucuo: j.evidence.clone(),
        },
        icp: icp_hit.ident,
        site_code: site_code.ident,
        police_record: police.ident,
        conac: conac.ident,
        jiucuo: j.value,
        text: (!footer_shown.is_empty()).then_some(footer_shown),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::run;
    use crate::observation::{Ident, ItemSource};

    fn found(s: &str) -> Ident {
        Ident::Found(s.to_string())
    }
    fn footer(inner: &str) -> crate::observation::FooterObservation {
        run(&format!("<html><body><div class='main'>正文</div><div class='footer'>{inner}</div></body></html>")).footer
    }

    #[test]
    fn icp_forms() {
        for (text, want) in [
            ("京ICP备05009132号", "京ICP备05009132号"),
            ("京ICP备05009132号-1", "京ICP备05009132号-1"),
            ("蜀ICP备 12005138号-1", "蜀ICP备12005138号-1"),
            ("陇ICP备 05000593", "陇ICP备05000593号"),
            ("苏ICP备2025160641号-3", "苏ICP备2025160641号-3"),
            ("京ICP备030173号", "京ICP备030173号"),
            ("ICP备案编号: 京ICP备05009132号", "京ICP备05009132号"),
            ("浙ICP备１２３４５６７８号", "浙ICP备12345678号"),
        ] {
            assert_eq!(footer(text).icp, found(want), "{text}");
        }
        assert!(matches!(footer("冀ICP备1234号").icp, Ident::Malformed(_)));
        assert!(matches!(
            footer("京ICP备12345678901号").icp,
            Ident::Malformed(_)
        ));
        assert_eq!(footer("备案中").icp, Ident::Missing);
        // A valid number elsewhere wins over a malformed one.
        assert_eq!(
            footer("冀ICP备1234号 冀ICP备12345678号").icp,
            found("冀ICP备12345678号")
        );
    }

    #[test]
    fn police_forms() {
        assert_eq!(
            footer("京公网安备 11040102700072号").police_record,
            found("11040102700072")
        );
        assert_eq!(
            footer("苏公网安备32120202010796号").police_record,
            found("32120202010796")
        );
        let link = "<a href='http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=32010202010427'>备案</a>";
        assert_eq!(footer(link).police_record, found("32010202010427"));
        for bad in [
            "冀公网安备 13010200000000000号",
            "深公网安备：4403101910665",
            "沪公安网备31011502009028号",
        ] {
            assert!(
                matches!(footer(bad).police_record, Ident::Malformed(_)),
                "{bad}"
            );
        }
        assert_eq!(footer("公安备案").police_record, Ident::Missing);
        // A city police filing under a local label: 14 digits are the record.
        let local = footer("政府网站标识码：4100000001&nbsp;郑公备：41010029000130");
        assert_eq!(local.police_record, found("41010029000130"));
        assert_eq!(local.evidence.police_record.source, ItemSource::Footer);
        assert_eq!(
            local.evidence.police_record.text.as_deref(),
            Some("郑公备：41010029000130")
        );
        assert!(matches!(
            footer("郑公备：4101002900").police_record,
            Ident::Malformed(_)
        ));
        // The record link is evidence too.
        let link = footer("<a href='http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=32010202010427'><img src='/ga.png'></a>");
        assert_eq!(link.evidence.police_record.source, ItemSource::Link);
    }

    #[test]
    fn site_code_forms() {
        assert_eq!(
            footer("网站标识码：1304000009").site_code,
            found("1304000009")
        );
        assert_eq!(
            footer("政府网站标识码：3609000002").site_code,
            found("3609000002")
        );
        assert_eq!(
            footer("网站标识码bm01000001").site_code,
            found("bm01000001")
        );
        assert_eq!(
            footer("网站标识码: BM17000009").site_code,
            found("bm17000009")
        );
        for bad in [
            "网站标识码：0000000000",
            "网站标识码：1234567890",
            "网站标识码：12345",
            "网站标识码：bm0100",
        ] {
            assert!(
                matches!(footer(bad).site_code, Ident::Malformed(_)),
                "{bad}"
            );
        }
        // Non-ASCII meta content must not panic.
        let odd = run(
            "<html><head><meta name='SiteIDCode' content='网站标识'></head><body></body></html>",
        );
        assert_eq!(odd.footer.site_code, Ident::Missing);
        // A code only in the meta or the jiucuo script is not displayed: missing, with the
        // code and where it was seen in the evidence.
        let meta = run(
            "<html><head><meta name='siteidcode' content='1101070001'></head><body></body></html>",
        );
        assert_eq!(meta.footer.site_code, Ident::Missing);
        assert_eq!(meta.footer.evidence.site_code.source, ItemSource::Meta);
        assert_eq!(
            meta.footer.evidence.site_code.text.as_deref(),
            Some("1101070001")
        );
        let js = footer("<script id='_jiucuo_' sitecode='bm29040001' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>");
        assert_eq!(js.site_code, Ident::Missing);
        assert_eq!(js.evidence.site_code.source, ItemSource::JiucuoScript);
        assert_eq!(js.evidence.site_code.text.as_deref(), Some("bm29040001"));
        // Displayed beats both; hidden text is not displayed.
        let shown = run("<html><head><meta name='SiteIDCode' content='1101070001'></head><body><div class='footer'>网站标识码：1101070001</div></body></html>");
        assert_eq!(shown.footer.site_code, found("1101070001"));
        assert_eq!(shown.footer.evidence.site_code.source, ItemSource::Footer);
        assert_eq!(
            shown.footer.evidence.site_code.text.as_deref(),
            Some("网站标识码：1101070001")
        );
        let hidden = footer("<span style='display:none'>网站标识码：1101070001</span>");
        assert_eq!(hidden.site_code, Ident::Missing);
    }

    #[test]
    fn conac_forms() {
        let bszs = "<a href='http://bszs.conac.cn/sitename?method=show&amp;id=1acc49f8764d14f7e053012819aceff4'><img src='/x.png'></a>";
        assert_eq!(
            footer(bszs).conac,
            found("1ACC49F8764D14F7E053012819ACEFF4")
        );
        let img = "<img src='//dcs.conac.cn/image/blue_error.png'>";
        assert_eq!(
            footer(img).conac,
            found("dcs.conac.cn/image/blue_error.png")
        );
        let js = "<span id='_ideConac'></span><script src='https://dcs.conac.cn/js/12/187/0000/41045066/CA121870000410450660001.js'></script>";
        assert_eq!(
            footer(js).conac,
            found("dcs.conac.cn/js/12/187/0000/41045066/CA121870000410450660001.js")
        );
        let bad = "<a href='http://bszs.conac.cn/sitename?method=show&id=XYZ'>标识</a>";
        assert!(matches!(footer(bad).conac, Ident::Malformed(_)));
        assert_eq!(footer("无").conac, Ident::Missing);
        let inline = "<script>document.write(unescape(\"%3Cspan id='_ideConac'%3E%3C/span%3E%3Cscript src='http://dcs.conac.cn/js/33/000/0000/40672392/CA330000000406723920001.js'%3E%3C/script%3E\"));</script>";
        assert_eq!(
            footer(inline).conac,
            found("dcs.conac.cn/js/33/000/0000/40672392/CA330000000406723920001.js")
        );
    }

    #[test]
    fn identifiers_split_over_tags_or_written_full_width_read_whole() {
        for (html, icp, code) in [
            (
                "京ICP备<span>0500</span><b>9132</b>号 网站标识码：<font>1101</font>070001",
                "京ICP备05009132号",
                "1101070001",
            ),
            (
                "<p>ICP备案：</p><p>京ICP备05009132号-1</p><p>网站标识码：</p><p>bm01000001</p>",
                "京ICP备05009132号-1",
                "bm01000001",
            ),
            (
                "京ＩＣＰ备０５００９１３２号　网站标识码：１１０１０７０００１",
                "京ICP备05009132号",
                "1101070001",
            ),
        ] {
            let f = footer(html);
            assert_eq!(f.icp, found(icp), "{html}");
            assert_eq!(f.site_code, found(code), "{html}");
        }
        // Quoted as shown, full-width and all.
        let f = footer("网站标识码：１１０１０７０００１");
        assert_eq!(
            f.evidence.site_code.text.as_deref(),
            Some("网站标识码：１１０１０７０００１")
        );
        // The footer's text is kept to quote.
        assert_eq!(f.text.as_deref(), Some("网站标识码：１１０１０７０００１"));
    }

    #[test]
    fn unmarked_footer_is_searched_in_the_whole_page() {
        let a = run("<html><body><div class='wrap'><p>京ICP备05070218号 网站标识码：bm01000001</p></div></body></html>");
        assert_eq!(a.footer.icp, found("京ICP备05070218号"));
        assert_eq!(a.footer.site_code, found("bm01000001"));
    }
}
