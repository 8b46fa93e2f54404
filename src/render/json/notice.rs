//! JSON of a [`Notice`] and of a [`SiteReport`]: serde's serialization of the models, pretty
//! printed, with control and bidi characters as `\uXXXX` escapes ([`crate::escape::json`]): the
//! same data, safe on a terminal. The schema is documented in `docs/notice-schema.md`.

use crate::documents::{Notice, NoticeError, SiteReport};

/// The notice as JSON.
pub fn render_notice(n: &Notice) -> Result<String, NoticeError> {
    crate::escape::json::to_string_pretty(n).map_err(|e| NoticeError::Render {
        format: "json",
        message: e.to_string(),
    })
}

/// The self-check report as JSON.
pub fn render_site(r: &SiteReport) -> Result<String, NoticeError> {
    crate::escape::json::to_string_pretty(r).map_err(|e| NoticeError::Render {
        format: "json",
        message: e.to_string(),
    })
}
