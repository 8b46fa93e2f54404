//! Markdown: a check for pasting into documents and tickets (`check.rs`), a [`Notice`] and a
//! [`SiteReport`] (`notice.rs`), the links of given pages (`links.rs`) and uptime (`uptime.rs`).
//! Text goes through [`crate::escape::markdown`].
//!
//! [`Notice`]: crate::documents::Notice
//! [`SiteReport`]: crate::documents::SiteReport

mod check;
mod links;
mod notice;
mod uptime;

pub use check::check_markdown;
pub use links::links_markdown;
pub use notice::{render_notice, render_site};
pub use uptime::uptime_markdown;
