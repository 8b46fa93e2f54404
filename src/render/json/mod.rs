//! JSON: one object per check, the CLI contract (`check.rs`); a [`Notice`] and a
//! [`SiteReport`] as serde serializes them (`notice.rs`, schema in `docs/notice-schema.md`).
//! Both are written with [`crate::escape::json::to_string_pretty`] (a check by its caller), control
//! and bidi characters as `\uXXXX` escapes.
//!
//! [`Notice`]: crate::documents::Notice
//! [`SiteReport`]: crate::documents::SiteReport

mod check;
mod notice;

pub use check::{check_json, CheckJson};
pub use notice::{render_notice, render_site};
