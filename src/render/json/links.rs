//! `govaudit links` as JSON: one object, each failed link as in `check --format json`. The caller
//! writes it with [`crate::escape::json`].

use serde_json::{json, Value};

use crate::linkcheck::LinkReport;
use crate::observation::LinkState;

/// One JSON object: `pages`, `checked`, `broken[]`, `suspected[]`, `blocked[]`,
/// `unreadable_pages[]`; each failed link is {`url`, `state`, `status`, `reason`, `pages[]`},
/// as in `check --format json`.
pub fn links_json(r: &LinkReport) -> Value {
    json!({
        "pages": r.pages,
        "checked": r.links.checked,
        "broken": r.links.in_state(LinkState::Broken),
        "suspected": r.links.in_state(LinkState::Suspected),
        "blocked": r.links.in_state(LinkState::Blocked),
        "unreadable_pages": r.unreadable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::links::sample;

    #[test]
    fn json_has_the_documented_fields() {
        let v = links_json(&sample());
        assert_eq!(v["checked"], 5);
        assert_eq!(v["broken"][0]["status"], 404);
        assert_eq!(v["broken"][0]["pages"][1], "http://a.gov.cn/b");
        assert!(v["suspected"].as_array().is_some_and(Vec::is_empty));
    }
}
