//! JSON: one object per check, the CLI contract (`check.rs`); a [`Notice`] and a
//! [`SiteReport`] as serde serializes them (`notice.rs`, schema in `docs/notice-schema.md`); the
//! links of given pages (`links.rs`) and uptime (`uptime.rs`). All are written with
//! [`crate::escape::json`] (a check and links by their caller), control and bidi characters as
//! `\uXXXX` escapes. Statistics and round diffs have no module here: their JSON is serde's, written
//! by their command with [`crate::escape::json::to_string_pretty`].
//!
//! [`Notice`]: crate::documents::Notice
//! [`SiteReport`]: crate::documents::SiteReport

mod check;
mod links;
mod notice;
mod uptime;

pub use check::{check_json, CheckJson};
pub use links::links_json;
pub use notice::{render_notice, render_site};
pub use uptime::uptime_json;
