//! `--format json`: exactly one JSON object per check (the CLI contract).

use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::AuditResult;
use crate::deep::DeepOutcome;
use crate::findings::{Evidence, Severity};
use crate::observation::{
    AuditLimit, ColumnClass, DateSource, FooterEvidence, HomepageItem, Ident, LinkProblem,
    LinkState,
};

/// The JSON document of one check.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    /// The site URL audited, normalised.
    pub url: &'a str,
    /// The as-of date the site was judged at.
    pub as_of: NaiveDate,
    /// Rule profile id, e.g. `gb2015`.
    pub profile: &'a str,
    /// `"pass"` or `"fail"`.
    pub verdict: &'static str,
    /// Null when the site was not read (the homepage did not open).
    pub score: Option<f64>,
    /// Rule ids whose 单项否决 fired.
    pub vetoes: &'a [String],
    /// Every finding with its evidence.
    pub findings: Vec<FindingJson<'a>>,
    /// Rules not evaluated because the homepage did not open (not evaluated is not missing).
    pub not_evaluated: &'a [String],
    /// Every column audited and what its list page showed.
    pub columns: Vec<ColumnJson<'a>>,
    /// The 政务咨询类 columns' message lists as read (互动回应差).
    pub consultations: Vec<ConsultationJson<'a>>,
    /// 办事指南 pages opened and the labels each shows (服务不实用; profiles that judge it).
    pub service_guides: &'a [crate::observation::ServiceGuide],
    /// Null when the homepage did not open.
    pub homepage: Option<HomepageJson>,
    /// Null when the homepage did not open.
    pub footer: Option<FooterJson<'a>>,
    /// Links checked and the broken, suspected and blocked ones.
    pub links: LinksJson<'a>,
    /// What the audit did not do in full to stay bounded: `{kind, url, detail}` with `kind`
    /// `page_cut_short`, `body_cut` or `crawl_delay_capped` (also the `audit.limited` 提示
    /// finding).
    pub limits: &'a [AuditLimit],
    /// Pages fetched by the audit (homepage, column and article pages).
    pub pages_fetched: usize,
    /// Requests in the stored request log, the deep crawl's included.
    pub requests: usize,
    /// Whether the homepage opened.
    pub reachable: bool,
    /// When the audit started, RFC 3339 (UTC).
    pub started_at: String,
    /// When the audit finished, RFC 3339 (UTC).
    pub finished_at: String,
    /// Database id of the stored check, when stored.
    pub check_id: Option<i64>,
    /// The deep crawl (`--deep` only; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deep: Option<DeepJson<'a>>,
    /// The availability monitor's record of the days before the as-of date, when the database
    /// held one (absent otherwise); `site.unreachable` judged it when it covers the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor: Option<&'a crate::observation::MonitorRecord>,
}

/// The deep crawl of a check: what it crawled and the link problems it found (they are in
/// `links` too, merged with the audit's).
#[derive(Debug, Serialize)]
pub struct DeepJson<'a> {
    /// The `deep_crawls` row; null when the homepage did not open and no crawl ran.
    pub crawl_id: Option<i64>,
    /// Whether an unfinished crawl was continued.
    pub resumed: bool,
    /// Pages fetched by the crawl (earlier runs of a resumed crawl included).
    pub pages: usize,
    /// Unique links found and checked.
    pub links_checked: usize,
    pub broken: Vec<DeepLinkJson<'a>>,
    pub suspected: Vec<DeepLinkJson<'a>>,
    pub blocked: Vec<DeepLinkJson<'a>>,
    /// Requests the crawl made (in the check's stored request log).
    pub requests: usize,
    /// Most frontier rows held in memory at once.
    pub peak_in_memory_frontier: usize,
}

/// A link problem the deep crawl found.
#[derive(Debug, Serialize)]
pub struct DeepLinkJson<'a> {
    pub url: &'a str,
    pub status: Option<u16>,
    pub reason: &'a str,
    pub pages: &'a [String],
}

fn deep_json(d: &DeepOutcome) -> DeepJson<'_> {
    let of = |s: LinkState| {
        d.links
            .in_state(s)
            .into_iter()
            .map(|p| DeepLinkJson {
                url: &p.url,
                status: p.status,
                reason: &p.reason,
                pages: &p.pages,
            })
            .collect()
    };
    DeepJson {
        crawl_id: (d.crawl_id > 0).then_some(d.crawl_id),
        resumed: d.resumed,
        pages: d.pages,
        links_checked: d.links.checked,
        broken: of(LinkState::Broken),
        suspected: of(LinkState::Suspected),
        blocked: of(LinkState::Blocked),
        requests: d.requests,
        peak_in_memory_frontier: d.peak_in_memory_frontier,
    }
}

#[derive(Debug, Serialize)]
pub struct FindingJson<'a> {
    pub rule: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    pub points: f64,
    pub evidence: Vec<EvidenceJson<'a>>,
}

/// An evidence item with the archived record that supports it, when the audit was archived.
#[derive(Debug, Serialize)]
pub struct EvidenceJson<'a> {
    #[serde(flatten)]
    pub evidence: &'a Evidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<&'a crate::archive::RecordRef>,
}

#[derive(Debug, Serialize)]
pub struct ColumnJson<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub class: ColumnClass,
    pub level: u8,
    pub newest: Option<NaiveDate>,
    /// Where `newest` was read: `list`, `article` (the list showed no dates) or `none`.
    pub date_source: DateSource,
    /// The newest item: its title and URL (for `date_source = article`, the page the date
    /// was read on).
    pub newest_title: Option<&'a str>,
    pub newest_url: Option<&'a str>,
    pub items: usize,
    pub blank: bool,
    /// Why blank: the marker shown (暂无信息 …) and/or the empty list's markup.
    pub blank_marker: Option<&'a str>,
    pub empty_list: Option<&'a str>,
    /// The list is empty in the HTML but a script on the page fills it: not judged blank.
    pub list_by_script: bool,
    pub error: Option<&'a str>,
}

/// One 政务咨询类 column's message list: what was read, and every message.
#[derive(Debug, Serialize)]
pub struct ConsultationJson<'a> {
    pub column: &'a str,
    pub url: &'a str,
    /// List pages read.
    pub pages: usize,
    /// Messages by status.
    pub answered: usize,
    pub unanswered: usize,
    pub unknown: usize,
    /// `{title, url, asked, replied, status, opened}` each.
    pub messages: &'a [crate::observation::Message],
}

/// The homepage's information items, whatever rule fires.
#[derive(Debug, Serialize)]
pub struct HomepageJson {
    /// Newest date among the items (shown, or read by clicking through).
    pub newest: Option<NaiveDate>,
    /// Items (one per article).
    pub items: usize,
    /// Items with a date.
    pub dated: usize,
    /// Items with no date anywhere.
    pub undated: usize,
    /// Dated items within the 2-week window (监测2周: on or after as_of − 14 days).
    pub recent: usize,
    /// Items the homepage showed undated whose date was read on their own page.
    pub opened: usize,
    /// Those items: `{title, url, date, date_url}`, `date_url` the page the date was read on.
    pub opened_items: Vec<HomepageItem>,
    /// The homepage is only a navigation hub (its columns are judged instead).
    pub hub: bool,
}

/// The 2-week window of the update rules (监测2周), for [`HomepageJson::recent`].
const RECENT_DAYS: u64 = 14;

fn homepage_json(o: &crate::observation::Observation) -> HomepageJson {
    let items = &o.homepage_items;
    let from = o
        .as_of
        .checked_sub_days(chrono::Days::new(RECENT_DAYS))
        .unwrap_or(o.as_of);
    HomepageJson {
        newest: items.iter().filter_map(|i| i.date).max(),
        items: items.len(),
        dated: items.iter().filter(|i| i.date.is_some()).count(),
        undated: items.iter().filter(|i| i.date.is_none()).count(),
        recent: items
            .iter()
            .filter(|i| i.date.is_some_and(|d| d >= from && d <= o.as_of))
            .count(),
        opened: items.iter().filter(|i| i.date_url.is_some()).count(),
        opened_items: items
            .iter()
            .filter(|i| i.date_url.is_some())
            .cloned()
            .collect(),
        hub: o.homepage_is_hub,
    }
}

/// Each identifier: the well-formed value, or null; malformed raw values are listed apart.
#[derive(Debug, Serialize)]
pub struct FooterJson<'a> {
    pub icp: Option<&'a str>,
    pub site_code: Option<&'a str>,
    pub police_record: Option<&'a str>,
    pub conac: Option<&'a str>,
    /// The jiucuo sitecode, `true` when present without one, `false` when absent.
    pub jiucuo: serde_json::Value,
    pub jiucuo_hidden: bool,
    pub malformed: serde_json::Map<String, serde_json::Value>,
    /// For each item, the exact text read and where (`footer`, `page`, `link`, `image`,
    /// `script`; `meta` / `jiucuo_script` for a 网站标识码 that is not displayed; `none`).
    pub evidence: &'a FooterEvidence,
    /// The footer's displayed text (at most 300 characters).
    pub text: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct LinksJson<'a> {
    pub checked: usize,
    pub broken: Vec<&'a LinkProblem>,
    pub suspected: Vec<&'a LinkProblem>,
    pub blocked: Vec<&'a LinkProblem>,
}

/// Build the JSON document of a check.
pub fn check_json(r: &AuditResult, check_id: Option<i64>) -> CheckJson<'_> {
    let o = &r.observation;
    let e = &r.evaluation;
    let mut malformed = serde_json::Map::new();
    for (k, i) in [
        ("icp", &o.footer.icp),
        ("site_code", &o.footer.site_code),
        ("police_record", &o.footer.police_record),
        ("conac", &o.footer.conac),
    ] {
        if let Ident::Malformed(v) = i {
            malformed.insert(k.into(), v.clone().into());
        }
    }
    let j = &o.footer.jiucuo;
    let jiucuo = match (j.present, &j.site_code) {
        (true, Some(code)) => serde_json::Value::from(code.as_str()),
        (true, None) => true.into(),
        (false, _) => false.into(),
    };
    // Nothing but reachability is judged when the homepage did not open.
    let read = o.reachability.ok;
    let by_state = |s: LinkState| o.links.in_state(s);
    CheckJson {
        url: &o.url,
        as_of: o.as_of,
        profile: &e.profile,
        verdict: match e.verdict {
            crate::findings::Verdict::Pass => "pass",
            crate::findings::Verdict::Fail => "fail",
        },
        score: read.then_some(e.score),
        vetoes: &e.vetoes,
        not_evaluated: &e.not_evaluated,
        findings: e
            .findings
            .iter()
            .map(|f| FindingJson {
                rule: &f.rule,
                severity: f.severity,
                message: &f.message,
                points: f.points,
                evidence: f
                    .evidence
                    .iter()
                    .map(|ev| EvidenceJson {
                        evidence: ev,
                        archived: ev.url.as_deref().and_then(|u| r.archived.get(u)),
                    })
                    .collect(),
            })
            .collect(),
        columns: o
            .columns
            .iter()
            .map(|c| ColumnJson {
                name: &c.name,
                url: &c.url,
                class: c.class,
                level: c.level,
                newest: c.newest,
                date_source: c.date_source,
                newest_title: c.newest_title.as_deref(),
                newest_url: c.newest_url.as_deref(),
                items: c.items,
                blank: c.blank,
                blank_marker: c.blank_marker.as_deref(),
                empty_list: c.empty_list.as_deref(),
                list_by_script: c.list_by_script,
                error: c.error.as_deref(),
            })
            .collect(),
        footer: read.then_some(FooterJson {
            icp: o.footer.icp.found(),
            site_code: o.footer.site_code.found(),
            police_record: o.footer.police_record.found(),
            conac: o.footer.conac.found(),
            jiucuo,
            jiucuo_hidden: j.hidden,
            malformed,
            evidence: &o.footer.evidence,
            text: o.footer.text.as_deref(),
        }),
        homepage: read.then(|| homepage_json(o)),
        service_guides: &o.service_guides,
        consultations: o
            .consultations
            .iter()
            .map(|c| {
                let count = |s: crate::observation::ReplyStatus| {
                    c.messages.iter().filter(|m| m.status == s).count()
                };
                ConsultationJson {
                    column: &c.column,
                    url: &c.url,
                    pages: c.pages,
                    answered: count(crate::observation::ReplyStatus::Answered),
                    unanswered: count(crate::observation::ReplyStatus::Unanswered),
                    unknown: count(crate::observation::ReplyStatus::Unknown),
                    messages: &c.messages,
                }
            })
            .collect(),
        links: LinksJson {
            checked: o.links.checked,
            broken: by_state(LinkState::Broken),
            suspected: by_state(LinkState::Suspected),
            blocked: by_state(LinkState::Blocked),
        },
        limits: &o.limits,
        pages_fetched: o.pages_fetched,
        requests: r.requests.len() + r.deep.as_ref().map_or(0, |d| d.requests),
        reachable: o.reachability.ok,
        started_at: r.started_at.to_rfc3339(),
        finished_at: r.finished_at.to_rfc3339(),
        check_id,
        deep: r.deep.as_ref().map(deep_json),
        monitor: o.monitor.as_ref(),
    }
}
