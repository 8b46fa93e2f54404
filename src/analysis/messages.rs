//! 政务咨询类 message lists and message pages (互动回应差, rules.md §2.1, §3.2): when each message
//! was left, whether and when it was answered. Words and labels are `rules/page.toml`
//! `[messages]`.
//!
//! **Lists.** A table whose header row names its columns (信件标题 | 留言时间 | 回复时间 | 状态) is
//! read by column: each later row with a link is a message, its dates and status taken from the
//! cells under those headers. Without such a table, every list row (`li`, `tr`, `dl`, repeated
//! `div`) outside navigation and footer holding a link is read from its text: a date after an
//! asked label (留言时间：) or, unlabelled, the first date is when it was left; a date after a
//! replied label (回复时间：), or a second unlabelled date, when it was answered; status words
//! (未回复 before 已回复, since the one contains the other) say whether. A row with neither a date
//! nor a status word is not a message.
//!
//! **Message pages.** The body text outside navigation and footer: the dates after the asked
//! and replied labels; the status after a status label (办理状态：办理中), else answered when a
//! reply is dated or a reply label is followed by text, else a status word standing on a short
//! line of its own (never one inside a title or a sentence).
//!
//! Years follow [`super::dates`]: full dates as written, year-less ones inferred from the as-of
//! date and the message URL.

use std::sync::LazyLock;

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::dates;
use super::dom::{self, Zones};
use super::vocabulary::{MessageWords, Vocabulary};
use crate::observation::ReplyStatus;

static TABLES: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("table").ok());
static LINKS: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse("a[href]").ok());

/// Longest text of a list row read as a message (a longer one is an article or a layout box).
const MAX_ROW_CHARS: usize = 300;

/// One message as a list row or a message page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    /// The message's title (信件标题).
    pub title: String,
    /// The message page, absolute; `None` when the row has no usable link.
    pub url: Option<Url>,
    /// When it was left (留言时间), if shown.
    pub asked: Option<NaiveDate>,
    /// When it was answered (回复时间), if shown.
    pub replied: Option<NaiveDate>,
    /// Answered, unanswered, or unknown when neither a status word nor a reply date shows it.
    pub status: ReplyStatus,
}

/// What a table header cell names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Title,
    Asked,
    Replied,
    Status,
    Other,
}

fn has_any(text: &str, words: &[String]) -> bool {
    words
        .iter()
        .any(|w| !w.is_empty() && text.contains(w.as_str()))
}

fn role(cell: &str, w: &MessageWords) -> Role {
    let cell: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    if cell.chars().count() > 12 {
        Role::Other
    } else if has_any(&cell, &w.asked_labels) {
        Role::Asked
    } else if has_any(&cell, &w.replied_labels) {
        Role::Replied
    } else if has_any(&cell, &w.status_labels) {
        Role::Status
    } else if has_any(&cell, &w.title_headers) {
        Role::Title
    } else {
        Role::Other
    }
}

/// The status a text's words say.
pub fn status_of(text: &str, w: &MessageWords) -> ReplyStatus {
    if has_any(text, &w.unanswered_words) {
        ReplyStatus::Unanswered
    } else if has_any(text, &w.answered_words) {
        ReplyStatus::Answered
    } else {
        ReplyStatus::Unknown
    }
}

/// The first date right after one of `labels` in `text`.
fn labelled(text: &str, labels: &[String], as_of: NaiveDate) -> Option<NaiveDate> {
    labels.iter().filter(|l| !l.is_empty()).find_map(|label| {
        text.match_indices(label.as_str()).find_map(|(at, l)| {
            let rest = text[at + l.len()..].trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ':' | '：' | ']' | '】' | '[' | '【')
            });
            dates::parse_leading(rest, as_of).or_else(|| {
                let head: String = rest.chars().take(12).collect();
                dates::parse_pure(head.split_whitespace().next().unwrap_or_default(), as_of)
            })
        })
    })
}

/// Cells of a table row (its own `td`/`th`, not those of nested tables).
fn cells<'a>(tr: &ElementRef<'a>) -> Vec<ElementRef<'a>> {
    tr.children()
        .filter_map(ElementRef::wrap)
        .filter(|c| matches!(c.value().name(), "td" | "th"))
        .collect()
}

/// Rows of a table (its own `tr`, through `tbody`/`thead`, not those of nested tables).
fn rows<'a>(table: &ElementRef<'a>) -> Vec<ElementRef<'a>> {
    let mut out = Vec::new();
    for child in table.children().filter_map(ElementRef::wrap) {
        match child.value().name() {
            "tr" => out.push(child),
            "tbody" | "thead" | "tfoot" => out.extend(
                child
                    .children()
                    .filter_map(ElementRef::wrap)
                    .filter(|c| c.value().name() == "tr"),
            ),
            _ => {}
        }
    }
    out
}

fn title_link<'a>(el: &ElementRef<'a>, base: &Url) -> Option<(String, Option<Url>)> {
    let sel = LINKS.as_ref()?;
    el.select(sel).find_map(|a| {
        let name = dom::link_name(&a);
        (!name.is_empty() && !dates::looks_like_date(&name))
            .then(|| (name, dom::resolve(base, a.attr("href").unwrap_or_default())))
    })
}

/// The date in a cell: the whole text, or its first full date.
fn cell_date(text: &str, as_of: NaiveDate, anchor: Option<NaiveDate>) -> Option<NaiveDate> {
    dates::parse_pure_after(text, as_of, anchor)
        .or_else(|| dates::find_full(text, as_of).into_iter().next())
}

/// Messages of header-mapped tables.
fn table_rows(
    doc: &Html,
    base: &Url,
    zones: &Zones,
    as_of: NaiveDate,
    w: &MessageWords,
) -> Vec<MessageRow> {
    let Some(sel) = TABLES.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for table in doc.select(sel) {
        if zones.is(table.id(), dom::NAV | dom::FOOTER | dom::SCRIPT) {
            continue;
        }
        let trs = rows(&table);
        let Some(header_at) = trs.iter().position(|tr| {
            let roles: Vec<Role> = cells(tr)
                .iter()
                .map(|c| role(&dom::text_of(c), w))
                .collect();
            roles.contains(&Role::Asked) && roles.iter().filter(|r| **r != Role::Other).count() >= 2
        }) else {
            continue;
        };
        let roles: Vec<Role> = cells(&trs[header_at])
            .iter()
            .map(|c| role(&dom::text_of(c), w))
            .collect();
        for tr in &trs[header_at + 1..] {
            let cs = cells(tr);
            let Some((title, url)) = title_link(tr, base) else {
                continue;
            };
            let anchor = url.as_ref().and_then(|u| dates::url_date(u, as_of));
            let mut row = MessageRow {
                title,
                url,
                asked: None,
                replied: None,
                status: ReplyStatus::Unknown,
            };
            for (cell, role) in cs.iter().zip(&roles) {
                let text = dom::text_of(cell);
                match role {
                    Role::Asked => row.asked = cell_date(&text, as_of, anchor),
                    Role::Replied => row.replied = cell_date(&text, as_of, anchor),
                    Role::Status => row.status = status_of(&text, w),
                    Role::Title | Role::Other => {}
                }
            }
            if row.status == ReplyStatus::Unknown && row.replied.is_some() {
                row.status = ReplyStatus::Answered;
            }
            out.push(row);
        }
    }
    out
}

/// Messages of plain list rows, read from their text.
fn list_rows(
    doc: &Html,
    base: &Url,
    zones: &Zones,
    as_of: NaiveDate,
    w: &MessageWords,
) -> Vec<MessageRow> {
    let mut out = Vec::new();
    let mut taken: Vec<ego_tree::NodeId> = Vec::new();
    for el in doc.root_element().descendent_elements() {
        let name = el.value().name();
        let repeated_div = matches!(name, "div" | "p" | "dd")
            && el.parent().is_some_and(|p| {
                p.children()
                    .filter_map(ElementRef::wrap)
                    .filter(|c| c.value().name() == name)
                    .nth(1)
                    .is_some()
            });
        // A row holds no rows of its own (a layout box around the list is not a message).
        let holds_rows = || {
            el.descendent_elements()
                .skip(1)
                .any(|e| matches!(e.value().name(), "li" | "tr" | "dl" | "ul" | "ol" | "table"))
        };
        if !(matches!(name, "li" | "tr" | "dl") || repeated_div)
            || zones.is(el.id(), dom::NAV | dom::FOOTER | dom::SCRIPT | dom::SUBNAV)
            || el.ancestors().any(|a| taken.contains(&a.id()))
            || holds_rows()
        {
            continue;
        }
        let text = dates::normalize(&dom::text_of(&el));
        if text.chars().count() > MAX_ROW_CHARS {
            continue;
        }
        let Some((title, url)) = title_link(&el, base) else {
            continue;
        };
        let anchor = url.as_ref().and_then(|u| dates::url_date(u, as_of));
        // Dates outside the title, in order, text node by text node (two date cells side by
        // side run together in the row's text).
        let rest = text.replacen(&dates::normalize(&title), " ", 1);
        let found: Vec<NaiveDate> = el
            .descendants()
            .filter(|n| {
                !n.ancestors()
                    .take_while(|a| a.id() != el.id())
                    .filter_map(ElementRef::wrap)
                    .any(|a| a.value().name() == "a")
            })
            .filter_map(|n| n.value().as_text().map(|t| dates::normalize(t)))
            .filter_map(|t| {
                dates::parse_pure_after(&t, as_of, anchor)
                    .or_else(|| dates::find_full(&t, as_of).into_iter().next())
            })
            .collect();
        let asked = labelled(&rest, &w.asked_labels, as_of).or(found.first().copied());
        let replied = labelled(&rest, &w.replied_labels, as_of)
            .or_else(|| found.get(1).copied().filter(|d| Some(*d) != asked));
        let mut status = status_of(&rest, w);
        if asked.is_none() && status == ReplyStatus::Unknown {
            continue;
        }
        if status == ReplyStatus::Unknown && replied.is_some() {
            status = ReplyStatus::Answered;
        }
        taken.push(el.id());
        out.push(MessageRow {
            title,
            url,
            asked,
            replied,
            status,
        });
    }
    out
}

/// The messages of a list page.
pub fn message_rows(
    doc: &Html,
    base: &Url,
    zones: &Zones,
    as_of: NaiveDate,
    vocab: &Vocabulary,
) -> Vec<MessageRow> {
    let w = &vocab.messages;
    let table = table_rows(doc, base, zones, as_of, w);
    if !table.is_empty() {
        return table;
    }
    list_rows(doc, base, zones, as_of, w)
}

/// What a message page says: (left on, answered on, status).
pub fn message_page(
    doc: &Html,
    zones: &Zones,
    as_of: NaiveDate,
    vocab: &Vocabulary,
) -> (Option<NaiveDate>, Option<NaiveDate>, ReplyStatus) {
    let w = &vocab.messages;
    let text = dates::normalize(&dom::text_where(doc.tree.root(), |n| {
        !n.parent()
            .is_some_and(|p| zones.is(p.id(), dom::NAV | dom::FOOTER | dom::SCRIPT | dom::HIDDEN))
    }));
    let asked = labelled(&text, &w.asked_labels, as_of);
    let replied = labelled(&text, &w.replied_labels, as_of);
    // Status, most telling first: the words after a status label (办理状态：办理中); a reply
    // date; a reply label followed by text; a status word on a short line of its own (a badge —
    // not in a title or a sentence, where 未回复 may be any word's part).
    let after_label = w
        .status_labels
        .iter()
        .filter(|l| !l.is_empty())
        .find_map(|l| {
            text.split(l.as_str()).nth(1).map(|after| {
                let after =
                    after.trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '：');
                status_of(&after.chars().take(8).collect::<String>(), w)
            })
        });
    let replied_text = w.reply_labels.iter().filter(|l| !l.is_empty()).any(|l| {
        text.split(l.as_str()).skip(1).any(|after| {
            let after =
                after.trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == '：');
            after
                .lines()
                .next()
                .is_some_and(|l| l.trim().chars().count() >= 4)
        })
    });
    let status = match after_label {
        Some(s) if s != ReplyStatus::Unknown => s,
        _ if replied.is_some() || replied_text => ReplyStatus::Answered,
        _ => text
            .lines()
            .map(str::trim)
            .filter(|l| l.chars().count() <= 8)
            .map(|l| status_of(l, w))
            .find(|s| *s != ReplyStatus::Unknown)
            .unwrap_or_default(),
    };
    (asked, replied, status)
}

#[cfg(test)]
mod tests;
