//! Markdown: a check for pasting into documents and tickets (`check.rs`), a [`Notice`] and a
//! [`SiteReport`] (`notice.rs`). Text goes through [`crate::escape::markdown`].
//!
//! [`Notice`]: crate::documents::Notice
//! [`SiteReport`]: crate::documents::SiteReport

mod check;
mod notice;

pub use check::check_markdown;
pub use notice::{render_notice, render_site};
