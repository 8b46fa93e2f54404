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
//! Site-code sources, in order: footer/page text label, `SiteIDCode` meta, jiucuo sitecode.
//!
//! The 「我为政府网站找错」 entry is read by [`super::jiucuo`].

use scraper::{Html, Node};
use url::Url;

use super::dates;
use super::dom::{self, Zones};
use super::vocabulary::{Compiled, Vocabulary};
use super::PageMeta;
use crate::observation::{FooterObservation, Ident};

/// Keep the first well-formed value, else the first malformed one.
fn better(current: Ident, next: Ident) -> Ident {
    match (&current, &next) {
        (Ident::Found(_), _) => current,
        (_, Ident::Found(_)) => next,
        (Ident::Missing, _) => next,
        _ => current,
    }
}

/// Footer text and whole visible text (normalised half-width), text nodes joined by spaces.
fn texts(doc: &Html, zones: &Zones) -> (String, String) {
    let mut footer = String::new();
    let mut all = String::new();
    for n in doc.tree.root().descendants() {
        let Node::Text(t) = n.value() else { continue };
        let flags = n.parent().map(|p| zones.of(p.id())).unwrap_or(0);
        if flags & dom::SCRIPT != 0 {
            continue;
        }
        if flags & dom::FOOTER != 0 {
            footer.push_str(t);
            footer.push(' ');
        }
        all.push_str(t);
        all.push(' ');
    }
    (dates::normalize(&footer), dates::normalize(&all))
}

fn icp(text: &str, vocab: &Vocabulary, c: &Compiled) -> Ident {
    let mut best = Ident::Missing;
    for caps in c.icp.captures_iter(text) {
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
        best = better(best, ident);
    }
    best
}

fn police_text(text: &str, vocab: &Vocabulary, c: &Compiled) -> Ident {
    let mut best = Ident::Missing;
    for caps in c.police.captures_iter(text) {
        let (Some(whole), Some(digits)) = (caps.get(0), caps.get(2)) else {
            continue;
        };
        let prov = caps.get(1).map(|p| p.as_str()).unwrap_or_default();
        let ok = digits.as_str().len() == vocab.footer.police_digits
            && !prov.is_empty()
            && vocab.footer.police_provinces.contains(prov);
        best = better(
            best,
            if ok {
                Ident::Found(digits.as_str().to_string())
            } else {
                Ident::Malformed(whole.as_str().trim().to_string())
            },
        );
    }
    for m in c.police_malformed.find_iter(text) {
        best = better(best, Ident::Malformed(m.as_str().trim().to_string()));
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

fn site_code_text(text: &str, vocab: &Vocabulary, c: &Compiled) -> Ident {
    let mut best = Ident::Missing;
    for caps in c.site_code_label.captures_iter(text) {
        let Some(v) = caps.get(1).filter(|v| !v.as_str().is_empty()) else {
            continue;
        };
        best = better(best, site_code_value(v.as_str(), vocab, c));
    }
    best
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
    let mut obs = FooterObservation {
        icp: better(icp(&footer_text, vocab, c), icp(&all_text, vocab, c)),
        police_record: better(
            police_text(&footer_text, vocab, c),
            police_text(&all_text, vocab, c),
        ),
        site_code: better(
            site_code_text(&footer_text, vocab, c),
            site_code_text(&all_text, vocab, c),
        ),
        ..FooterObservation::default()
    };
    for el in doc.root_element().descendent_elements() {
        let href = el.attr("href").unwrap_or_default();
        let src = el.attr("src").unwrap_or_default();
        let name = el.value().name();
        // 公网安备 record link.
        if name == "a" {
            if let Some(code) = c.police_link.captures(href).and_then(|m| m.get(1)) {
                let code = code.as_str();
                obs.police_record = better(
                    obs.police_record.clone(),
                    if code.len() == vocab.footer.police_digits {
                        Ident::Found(code.to_string())
                    } else {
                        Ident::Malformed(code.to_string())
                    },
                );
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
        for attr in [href, src, inline.as_str()] {
            if attr.is_empty() {
                continue;
            }
            let found = if let Some(id) = c.conac_bszs.captures(attr).and_then(|m| m.get(1)) {
                Ident::Found(id.as_str().to_ascii_uppercase())
            } else if let Some(m) = c.conac_js.find(attr).or_else(|| c.conac_img.find(attr)) {
                Ident::Found(m.as_str().to_string())
            } else if c.conac_bszs_any.is_match(attr) {
                Ident::Malformed(attr.chars().take(200).collect())
            } else {
                continue;
            };
            obs.conac = better(obs.conac.clone(), found);
        }
    }
    let j = super::jiucuo::jiucuo(doc, base, zones, vocab, c);
    // 网站标识码 fallbacks: meta, then the jiucuo sitecode.
    if obs.site_code == Ident::Missing {
        if let Some(code) = &meta.site_id_code {
            obs.site_code = site_code_value(code, vocab, c);
        } else if let Some(code) = &j.site_code {
            obs.site_code = site_code_value(code, vocab, c);
        }
    }
    obs.jiucuo = j;
    obs
}

#[cfg(test)]
mod tests {
    use super::super::test_util::run;
    use crate::observation::Ident;

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
        assert!(matches!(odd.footer.site_code, Ident::Malformed(_)));
        // Meta fallback, then jiucuo sitecode.
        let meta = run(
            "<html><head><meta name='siteidcode' content='1101070001'></head><body></body></html>",
        );
        assert_eq!(meta.footer.site_code, found("1101070001"));
        let js = footer("<script id='_jiucuo_' sitecode='bm29040001' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>");
        assert_eq!(js.site_code, found("bm29040001"));
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
    fn unmarked_footer_is_searched_in_the_whole_page() {
        let a = run("<html><body><div class='wrap'><p>京ICP备05070218号 网站标识码：bm01000001</p></div></body></html>");
        assert_eq!(a.footer.icp, found("京ICP备05070218号"));
        assert_eq!(a.footer.site_code, found("bm01000001"));
    }
}
