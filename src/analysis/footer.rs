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
//! Jiucuo: entries are `script#_jiucuo_` / a script matching `footer.jiucuo_script`,
//! `a[href]` matching `jiucuo_link` or `jiucuo_platform`, and the jiucuo image (`jiucuo.png`,
//! `onclick="Link('…')"`). `present` = at least one entry is visible; `hidden` = entries exist
//! but every one sits under `display:none` / `visibility:hidden` / `hidden` (fzggw.zj: counts as
//! not present). `nonstandard` = with no standard entry, the first http(s) link whose text has
//! a `jiucuo_words` word (www.gov.cn's own 网站纠错 page).

use scraper::{Html, Node};
use url::Url;

use super::dates;
use super::dom::{self, Zones};
use super::vocabulary::{Compiled, Vocabulary};
use super::PageMeta;
use crate::observation::{FooterObservation, Ident, Jiucuo};

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
    let value = if raw.len() > 2 && raw[..2].eq_ignore_ascii_case("bm") {
        format!("bm{}", &raw[2..])
    } else {
        raw.to_string()
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
    let mut entries: Vec<(bool, Option<String>, Option<String>)> = Vec::new();
    let mut nonstandard: Option<String> = None;
    for el in doc.root_element().descendent_elements() {
        let hidden = zones.is(el.id(), dom::HIDDEN);
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
        // conac.
        for attr in [href, src] {
            if attr.is_empty() {
                continue;
            }
            let found = if let Some(id) = c.conac_bszs.captures(attr).and_then(|m| m.get(1)) {
                Ident::Found(id.as_str().to_ascii_uppercase())
            } else if let Some(m) = c.conac_js.find(attr).or_else(|| c.conac_img.find(attr)) {
                Ident::Found(m.as_str().to_string())
            } else if c.conac_bszs_any.is_match(attr) {
                Ident::Malformed(attr.to_string())
            } else {
                continue;
            };
            obs.conac = better(obs.conac.clone(), found);
        }
        // jiucuo.
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
        match name {
            "script" if el.attr("id") == Some("_jiucuo_") || c.jiucuo_script.is_match(src) => {
                let code = el
                    .attr("sitecode")
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
                entries.push((hidden, code, host_of(src)));
            }
            "a" if c.jiucuo_link.is_match(href) || c.jiucuo_platform.is_match(href) => {
                let code = c
                    .jiucuo_link
                    .captures(href)
                    .and_then(|m| m.get(1))
                    .map(|m| m.as_str().to_string());
                entries.push((hidden, code, host_of(href)));
            }
            "img"
                if c.jiucuo_image.is_match(src)
                    || el
                        .attr("onclick")
                        .is_some_and(|o| c.jiucuo_onclick.is_match(o)) =>
            {
                let code = el
                    .attr("onclick")
                    .and_then(|o| c.jiucuo_onclick.captures(o))
                    .and_then(|m| m.get(1))
                    .map(|m| m.as_str().to_string());
                entries.push((hidden, code, host_of(src)));
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
        present: entries.iter().any(|e| !e.0),
        hidden: !entries.is_empty() && entries.iter().all(|e| e.0),
        ..Jiucuo::default()
    };
    let visible_first = entries
        .iter()
        .filter(|e| !e.0)
        .chain(entries.iter().filter(|e| e.0));
    for (_, code, host) in visible_first {
        if j.site_code.is_none() {
            j.site_code.clone_from(code);
        }
        if j.host.is_none() {
            j.host.clone_from(host);
        }
    }
    if entries.is_empty() {
        j.nonstandard = nonstandard;
    }
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
