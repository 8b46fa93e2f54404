//! Column pages: fetch each column's list page, read its items and dates, open the newest item
//! when the list shows none, and mark blank columns (空白栏目).

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};
use url::Url;

use crate::analysis::{self, ColumnLink, ColumnSource};
use crate::config::CrawlConfig;
use crate::fetch::{Fetcher, RequestRecord};
use crate::observation::{
    AuditLimit, ColumnClass, ColumnObservation, ConsultationObservation, DateSource, FutureItem,
    NameSuspect, ServiceGuide,
};
use crate::rules::RuleSet;

/// Columns of one site are fetched this many at a time; the fetcher's per-host limits do the
/// actual pacing, this only bounds the tasks waiting on them.
const COLUMN_TASKS: usize = 8;

/// Shared inputs of the column stage.
pub(super) struct Ctx<'a> {
    pub fetcher: &'a Fetcher,
    pub rules: &'a RuleSet,
    pub cfg: &'a CrawlConfig,
    pub as_of: NaiveDate,
}

/// One column after its page was read.
pub(super) struct Audited {
    pub link: ColumnLink,
    pub observation: ColumnObservation,
    /// URL of the list page after redirects, when it opened.
    pub final_url: Option<Url>,
    /// Links found on the list page.
    pub links: Vec<Url>,
    /// Second-level navigation found on the list page.
    pub subcolumns: Vec<ColumnLink>,
    pub pages_fetched: usize,
    pub requests: Vec<RequestRecord>,
    /// The message list, for a 政务咨询类 column.
    pub consultation: Option<ConsultationObservation>,
    /// 办事指南 pages opened, for a 办事服务类 column.
    pub guides: Vec<ServiceGuide>,
    /// Leaders' names that look written wrong on the pages read (严重错误 candidates).
    pub suspects: Vec<NameSuspect>,
    /// Rows of the list page dated after the as-of date (疑似伪造发稿日期).
    pub future_items: Vec<FutureItem>,
    /// Pages of the column cut short while parsing.
    pub limits: Vec<AuditLimit>,
}

/// Audit a batch of columns concurrently, keeping their order.
pub(super) async fn audit_columns(ctx: &Ctx<'_>, links: &[ColumnLink], level: u8) -> Vec<Audited> {
    stream::iter(links.iter().cloned())
        .map(|link| audit_column(ctx, link, level))
        .buffered(COLUMN_TASKS)
        .collect()
        .await
}

/// Open 办事指南 pages and read the labels each shows: (guides, pages fetched, requests,
/// 严重错误 candidates).
async fn read_guides(
    ctx: &Ctx<'_>,
    column: &str,
    guides: Vec<(String, Url)>,
) -> (
    Vec<ServiceGuide>,
    usize,
    Vec<RequestRecord>,
    Vec<NameSuspect>,
) {
    // Each page is read and dropped within its own future: none holds a body slot while
    // waiting for another (a round of sites doing so could wait on each other for ever).
    let read = futures::future::join_all(guides.into_iter().map(|(title, url)| async move {
        let f = ctx.fetcher.page(&url).await;
        let page = match f.result {
            Ok(page) => page,
            Err(_) => return (None, f.log, Vec::new()),
        };
        let labels = super::cpu::analyse(page.html.len(), || {
            analysis::guide_labels(&page.html, &ctx.rules.vocabulary, ctx.cfg.parse_limits())
        })
        .await;
        let mut suspects = Vec::new();
        super::screen_names(ctx.rules, &page.url, &page.html, ctx.as_of, &mut suspects);
        drop(page);
        let guide = ServiceGuide {
            column: column.to_string(),
            title,
            url: url.to_string(),
            labels,
        };
        (Some(guide), f.log, suspects)
    }))
    .await;
    let mut out = (Vec::new(), 0, Vec::new(), Vec::new());
    for (guide, log, suspects) in read {
        out.2.extend(log);
        out.3.extend(suspects);
        if let Some(g) = guide {
            out.1 += 1;
            out.0.push(g);
        }
    }
    out
}

async fn audit_column(ctx: &Ctx<'_>, link: ColumnLink, level: u8) -> Audited {
    let mut out = Audited {
        observation: ColumnObservation {
            name: link.name.clone(),
            url: link.url.to_string(),
            class: ctx.rules.classify(&link.name, None),
            level,
            date_source: DateSource::None,
            ..ColumnObservation::default()
        },
        link,
        final_url: None,
        links: Vec::new(),
        subcolumns: Vec::new(),
        pages_fetched: 0,
        requests: Vec::new(),
        limits: Vec::new(),
        consultation: None,
        guides: Vec::new(),
        suspects: Vec::new(),
        future_items: Vec::new(),
    };
    let fetched = ctx.fetcher.page(&out.link.url).await;
    out.requests.extend(fetched.log);
    let page = match fetched.result {
        Ok(p) => p,
        Err(e) => {
            out.observation.error = Some(e.to_string());
            return out;
        }
    };
    out.pages_fetched = 1;
    let an = super::cpu::analyse(page.html.len(), || {
        analysis::analyze_body_with(
            &page.html,
            &page.url,
            ctx.as_of,
            &ctx.rules.vocabulary,
            ctx.cfg.parse_limits(),
        )
    })
    .await;
    out.limits.extend(super::page_limits(&page, an.cut_short));
    if let Some(ct) = an.meta.column_type.as_deref() {
        out.observation.class = ctx.rules.classify(&out.link.name, Some(ct));
    }
    // A 政务咨询类 column's first list page is read for its messages before its body goes.
    let messages =
        if out.observation.class == ColumnClass::Consultation && ctx.rules.judges_messages() {
            Some(super::consultation::messages_of(ctx, &page).await)
        } else {
            None
        };
    // Not held while the newest item waits for its turn at the host, nor its body slot.
    let page_url = page.url.clone();
    super::screen_names(
        ctx.rules,
        &page_url,
        &page.html,
        ctx.as_of,
        &mut out.suspects,
    );
    drop(page);
    out.future_items = super::future_items(&page_url, &an.future_items);
    if let Some(first) = messages {
        let read = super::consultation::read(ctx, &out.link.name, &page_url, first).await;
        out.pages_fetched += read.pages_fetched;
        out.requests.extend(read.requests);
        out.suspects.extend(read.suspects);
        out.consultation = Some(read.observation);
    }
    if out.observation.class == ColumnClass::Service && ctx.rules.judges_guides() {
        let guides: Vec<(String, Url)> = an
            .items
            .iter()
            .filter_map(|i| Some((i.title.clone(), i.url.clone()?)))
            .filter(|(_, u)| u.host_str() == page_url.host_str())
            .take(ctx.cfg.service_guides_opened)
            .collect();
        let read = read_guides(ctx, &out.link.name, guides).await;
        out.pages_fetched += read.1;
        out.requests.extend(read.2);
        out.suspects.extend(read.3);
        out.guides = read.0;
    }
    let obs = &mut out.observation;
    obs.items = an.items.len();
    obs.undated_items = an.items.iter().filter(|i| i.date.is_none()).count();
    // The newest dated item, or (undated list) the first, which lists put newest.
    let newest_item = an
        .items
        .iter()
        .filter(|i| i.date.is_some())
        .max_by_key(|i| i.date)
        .or(an.items.first());
    if let Some(i) = newest_item {
        obs.newest = i.date;
        obs.newest_title = Some(i.title.clone());
        obs.newest_url = i.url.as_ref().map(Url::to_string);
    }
    if obs.newest.is_some() {
        obs.date_source = DateSource::List;
    }
    if an.items.is_empty() {
        // 空白栏目 (有栏目无内容): no items at all, and a marker (暂无信息 …) or an empty list
        // container says so (an empty list with pagination is a page of a longer list). A page
        // with neither is a single-page column (e.g. 机构职能), which is not blank.
        obs.blank_marker = an.blank_marker.clone();
        if let Some(empty) = &an.empty_list {
            obs.empty_list = Some(empty.snippet.clone());
            obs.list_by_script = empty.filled_by_script;
        }
        let empty = an
            .empty_list
            .as_ref()
            .is_some_and(|e| !e.filled_by_script && an.next_pages.is_empty());
        obs.blank = an.blank_marker.is_some() || empty;
    } else if obs.newest.is_none() && ctx.cfg.open_undated_items {
        // The list shows no dates: the newest item (lists are newest first) tells the date.
        if let Some(first) = an.items.iter().find_map(|i| i.url.clone()) {
            let art = ctx.fetcher.page(&first).await;
            out.requests.extend(art.log);
            if let Ok(art_page) = art.result {
                out.pages_fetched += 1;
                super::screen_names(
                    ctx.rules,
                    &art_page.url,
                    &art_page.html,
                    ctx.as_of,
                    &mut out.suspects,
                );
                let art_an = super::cpu::analyse(art_page.html.len(), || {
                    analysis::analyze_body_with(
                        &art_page.html,
                        &art_page.url,
                        ctx.as_of,
                        &ctx.rules.vocabulary,
                        ctx.cfg.parse_limits(),
                    )
                })
                .await;
                out.limits
                    .extend(super::page_limits(&art_page, art_an.cut_short));
                if let Some(d) = art_an.publish_date {
                    obs.newest = Some(d);
                    obs.date_source = DateSource::Article;
                    obs.newest_url = Some(art_page.url.to_string());
                    if let Some(i) = an.items.iter().find(|i| i.url.as_ref() == Some(&first)) {
                        obs.newest_title = Some(i.title.clone());
                    }
                }
            }
        }
    }
    out.subcolumns = an
        .columns
        .into_iter()
        .filter(|c| c.source == ColumnSource::SubNav)
        .collect();
    out.links = an.links;
    out.final_url = Some(page_url);
    out
}
