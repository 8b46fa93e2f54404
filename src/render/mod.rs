//! Stage 6, second half — rendering: the [`crate::documents`] and the other outputs of the
//! commands written out, one module per output format, each rendering every document that exists
//! in its format.
//!
//! | format | one check (in memory) | [`Notice`](crate::documents::Notice) (通报) | [`SiteReport`](crate::documents::SiteReport) (自查报告) | [`LinkReport`](crate::linkcheck::LinkReport) (`links`) | [`SiteUptime`](crate::monitor::summary::SiteUptime)s (`uptime`) | [`QuarterStats`](crate::stats::QuarterStats) (`stats`), [`RoundDiff`](crate::stats::RoundDiff) (`round diff`) |
//! |---|---|---|---|---|---|---|
//! | [`text`] (terminal) | [`text::check_text`] | | | [`text::links_text`] | [`text::uptime_text`] | [`text::quarter_stats_text`], [`text::round_diff_text`] |
//! | [`markdown`] | [`markdown::check_markdown`] | [`markdown::render_notice`] | [`markdown::render_site`] | [`markdown::links_markdown`] | [`markdown::uptime_markdown`] | |
//! | [`json`] | [`json::check_json`] | [`json::render_notice`] | [`json::render_site`] | [`json::links_json`] | [`json::uptime_json`] | serde's |
//! | [`csv`] | | [`csv::render_notice`] (one table) | | | | |
//! | [`html`] | | [`html::render_notice`] | [`html::render_site`] | | | |
//! | [`docx`] | | [`docx::render_notice`] | [`docx::render_site`] | | | |
//! | [`xlsx`] | | [`xlsx::render_notice`] | | | | |
//!
//! The words a document says alike in several formats are written once, beside the document
//! (e.g. [`crate::documents::check`]); a format module only lays them out.
//!
//! Every string taken from pages or templates goes through [`crate::escape`], the one escaping
//! module per output language.

pub mod csv;
pub mod docx;
pub mod html;
pub mod json;
pub mod markdown;
pub mod text;
pub mod xlsx;
