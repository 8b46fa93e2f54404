//! 存档页面 (`/checks/{id}/archive/{record}`): one archived page of a check as the audit saw it,
//! rendered by [`crate::archive::evidence`] exactly as `govaudit evidence` writes it (存档于
//! banner, links to the check's other archived pages rewritten to their console addresses),
//! served with a policy that runs no script, loads nothing and sandboxes the page. Read from
//! the archive alone: no request goes to the audited site. Who may see the check's site (网站详情)
//! may see its archived pages.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::super::auth::Auth;
use super::super::App;
use crate::archive::evidence;
use crate::documents::SiteReport;

/// The `Content-Security-Policy` of an archived page: the evidence page's own, and no framing,
/// no form, no base URL, a sandbox of its own origin.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                      base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";

/// The last segment of a page's console address: the record's UUID (every record id the
/// archive writes is `<urn:uuid:X>`; another id is kept whole, and addresses no page).
fn segment(record_id: &str) -> String {
    record_id
        .strip_prefix("<urn:uuid:")
        .and_then(|r| r.strip_suffix('>'))
        .unwrap_or(record_id)
        .to_string()
}

/// The console address of an archived page of check `check_id`.
pub(crate) fn href(check_id: i64, record_id: &str) -> String {
    format!("/checks/{check_id}/archive/{}", segment(record_id))
}

/// The console address of the archived page of each evidence item of `report`'s findings, in
/// the order of the findings and of their evidence rows; `None` where the item names no URL
/// or its page was not archived (a check run with `--no-archive`, a pruned capture, a link
/// whose body was not read).
pub(crate) async fn links(
    app: &App,
    report: Option<&SiteReport>,
) -> Result<Vec<Vec<Option<String>>>, crate::archive::ArchiveError> {
    let Some(report) = report else {
        return Ok(Vec::new());
    };
    let pages: HashMap<String, String> = evidence::pages(&app.archive, report.check_id)
        .await?
        .into_iter()
        .map(|(url, record)| (evidence::page_key(&url), record))
        .collect();
    Ok(report
        .findings
        .iter()
        .map(|f| {
            f.evidence
                .iter()
                .map(|e| {
                    let record = pages.get(&evidence::page_key(e.url.as_deref()?))?;
                    Some(href(report.check_id, record))
                })
                .collect()
        })
        .collect())
}

/// `GET /checks/{id}/archive/{record}`.
pub async fn page(
    State(app): State<Arc<App>>,
    auth: Auth,
    Path((check_id, record)): Path<(i64, String)>,
) -> Response {
    let site = match app.store.check_site(check_id).await {
        Ok(Some(site)) => site,
        Ok(None) => return super::missing(&app, &auth, "没有这次检查。"),
        Err(e) => return app.fail(Some(&auth.0), e),
    };
    if let Err(r) = super::sites::visible_site(&app, &auth, site).await {
        return r;
    }
    // A UUID is all the address may name (hex digits and dashes).
    if record.is_empty() || !record.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return super::missing(&app, &auth, "没有这个存档页面。");
    }
    let record_id = format!("<urn:uuid:{record}>");
    // Links between archived pages stay relative: `/checks/{id}/archive/` is the folder.
    match evidence::page(&app.archive, check_id, &record_id, segment).await {
        Ok(Some((_, html))) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, POLICY),
            ],
            html,
        )
            .into_response(),
        Ok(None) => super::missing(&app, &auth, "没有这个存档页面。"),
        Err(e) => app.fail(Some(&auth.0), e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_addressed_by_its_uuid() {
        assert_eq!(href(3, "<urn:uuid:0b5e-11>"), "/checks/3/archive/0b5e-11");
    }

    #[test]
    fn the_policy_is_the_evidence_pages_and_stricter() {
        assert!(POLICY.starts_with(evidence::POLICY), "{POLICY}");
        assert!(POLICY.ends_with("sandbox"));
    }
}
