//! 政务咨询类 columns (互动回应差): read the message list across its pages and open the
//! messages whose list row does not say whether or when they were answered.
//!
//! The column's first list page is the one the column stage already fetched; further pages
//! follow its 下一页 links, up to `crawl.consultation_pages` pages in all, stopping at the first
//! page whose messages are all older than a year before the as-of date (the standard looks
//! back one year). Then up to `crawl.consultation_opened` messages left within that year whose
//! row gives no reply date are opened, newest first, and read as message pages (the newest
//! alone first: when its page says nothing of a message, the column lists articles and no
//! more are opened). Every request
//! goes through the fetcher like the rest of the crawl, so the per-host politeness holds.

use std::collections::HashSet;

use chrono::{Months, NaiveDate};
use url::Url;

use crate::analysis::{self, MessageRow, MessagesPage};
use crate::fetch::urls::normalize;
use crate::fetch::RequestRecord;
use crate::observation::{ConsultationObservation, Message, NameSuspect, ReplyStatus};

use super::columns::Ctx;

/// What reading one consultation column produced.
pub(super) struct Read {
    pub observation: ConsultationObservation,
    pub pages_fetched: usize,
    pub requests: Vec<RequestRecord>,
    /// 严重错误 candidates on the pages read.
    pub suspects: Vec<NameSuspect>,
}

/// Open message `i`'s page and read it; whether the page spoke of a message at all.
async fn open(ctx: &Ctx<'_>, out: &mut Read, i: usize, url: &Url) -> bool {
    let f = ctx.fetcher.page(url).await;
    out.requests.extend(f.log);
    match f.result {
        Ok(p) => {
            out.pages_fetched += 1;
            let page = read_page(ctx, &p, out).await;
            apply(out, i, page)
        }
        Err(_) => false,
    }
}

/// Put what message `i`'s page says into it; whether it spoke of a message (a 留言时间, a
/// reply or a status).
fn apply(out: &mut Read, i: usize, page: MessagesPage) -> bool {
    let spoke =
        page.asked.is_some() || page.replied.is_some() || page.status != ReplyStatus::Unknown;
    if let Some(m) = out.observation.messages.get_mut(i) {
        m.opened = true;
        m.asked = m.asked.or(page.asked);
        m.replied = page.replied;
        if page.status != ReplyStatus::Unknown {
            m.status = page.status;
        }
    }
    spoke
}

fn message(r: MessageRow) -> Message {
    Message {
        title: r.title,
        url: r.url.map(|u| u.to_string()),
        asked: r.asked,
        replied: r.replied,
        status: r.status,
        opened: false,
    }
}

/// A page's messages, read off the async workers (see [`super::cpu`]).
pub(super) async fn messages_of(ctx: &Ctx<'_>, page: &crate::fetch::Page) -> MessagesPage {
    super::cpu::analyse(page.html.len(), || {
        analysis::messages_page(
            &page.html,
            &page.url,
            ctx.as_of,
            &ctx.rules.vocabulary,
            ctx.cfg.parse_limits(),
        )
    })
    .await
}

/// Read a page for its messages; screen it for 严重错误 candidates too.
async fn read_page(ctx: &Ctx<'_>, page: &crate::fetch::Page, out: &mut Read) -> MessagesPage {
    super::screen_names(
        ctx.rules,
        &page.url,
        &page.html,
        ctx.as_of,
        &mut out.suspects,
    );
    messages_of(ctx, page).await
}

/// Read a consultation column whose first list page (at `url`) was already read (`page`).
pub(super) async fn read(ctx: &Ctx<'_>, name: &str, url: &Url, page: MessagesPage) -> Read {
    let year_ago = ctx
        .as_of
        .checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN);
    let mut out = Read {
        observation: ConsultationObservation {
            column: name.to_string(),
            url: url.to_string(),
            pages: 1,
            messages: page.rows.into_iter().map(message).collect(),
        },
        pages_fetched: 0,
        requests: Vec::new(),
        suspects: Vec::new(),
    };
    let all_old = |rows: &[Message]| {
        !rows.is_empty() && rows.iter().all(|m| m.asked.is_some_and(|a| a < year_ago))
    };
    let mut seen: HashSet<Url> = HashSet::from([normalize(url)]);
    let mut next = page.next_pages;
    let mut last_page_old = all_old(&out.observation.messages);
    while out.observation.pages < ctx.cfg.consultation_pages && !last_page_old {
        let Some(url) = next.drain(..).find(|u| seen.insert(normalize(u))) else {
            break;
        };
        let fetched = ctx.fetcher.page(&url).await;
        out.requests.extend(fetched.log);
        let Ok(p) = fetched.result else { break };
        out.pages_fetched += 1;
        out.observation.pages += 1;
        let page = read_page(ctx, &p, &mut out).await;
        drop(p);
        if page.rows.is_empty() {
            break;
        }
        let rows: Vec<Message> = page.rows.into_iter().map(message).collect();
        last_page_old = all_old(&rows);
        out.observation.messages.extend(rows);
        next = page.next_pages;
    }
    // Open the messages left within the year whose answer the list does not date.
    let mut order: Vec<usize> = (0..out.observation.messages.len())
        .filter(|&i| {
            let m = &out.observation.messages[i];
            m.replied.is_none()
                && m.url.is_some()
                && m.asked.is_none_or(|a| a >= year_ago)
                && m.status != ReplyStatus::Unanswered
        })
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(out.observation.messages[i].asked));
    order.truncate(ctx.cfg.consultation_opened);
    let targets: Vec<(usize, Url)> = order
        .into_iter()
        .filter_map(|i| {
            let u = Url::parse(out.observation.messages[i].url.as_deref()?).ok()?;
            Some((i, u))
        })
        .collect();
    // The newest is opened first: when its page says nothing of a message (no 留言时间, reply or
    // status) the column lists articles, not messages, and no more are opened.
    let mut targets = targets.into_iter();
    if let Some((i, u)) = targets.next() {
        if !open(ctx, &mut out, i, &u).await {
            return out;
        }
    }
    // One at a time: each page is read and dropped before the next is asked for, so the
    // column holds at most one body slot (the fetcher paces the host anyway).
    for (i, u) in targets {
        open(ctx, &mut out, i, &u).await;
    }
    out
}
