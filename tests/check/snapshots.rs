//! The single-check report in its three formats (text, Markdown, JSON) as insta snapshots, for
//! sites with stale columns, blank columns, broken links, footer problems or no answer at all: a
//! change to what a department reads prints a line diff. The times of the run are the only
//! thing filtered out.

use crate::support::{audit, snapshot_of_run as snapshot};
use govaudit::render::json::check_json;
use govaudit::render::markdown::check_markdown;
use govaudit::render::text::check_text;

#[tokio::test]
async fn the_check_report_of_a_failing_site_reads_the_same_in_every_format() {
    for (host, name) in [
        ("stale5.gov.test", "check-stale5"),
        ("blank5.gov.test", "check-blank5"),
        ("broken.gov.test", "check-broken"),
        ("footer.gov.test", "check-footer"),
        ("down.gov.test", "check-down"),
    ] {
        let r = audit("thresholds", &format!("http://{host}/"), super::AS_OF).await;
        snapshot(&format!("{name}.txt"), &check_text(&r, Some(7)));
        snapshot(&format!("{name}.md"), &check_markdown(&r, Some(7)));
        let json = serde_json::to_string_pretty(&check_json(&r, Some(7))).expect("json");
        snapshot(&format!("{name}.json"), &json);
    }
}
