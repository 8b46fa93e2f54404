//! Stage 6, second half — rendering: the [`crate::documents`] written out, one module per
//! output format, each rendering every document that exists in its format.
//!
//! | format | one check (in memory) | [`Notice`](crate::documents::Notice) (通报) | [`SiteReport`](crate::documents::SiteReport) (自查报告) |
//! |---|---|---|---|
//! | [`text`] (terminal) | [`text::check_text`] | | |
//! | [`markdown`] | [`markdown::check_markdown`] | [`markdown::render_notice`] | [`markdown::render_site`] |
//! | [`json`] | [`json::check_json`] | [`json::render_notice`] | [`json::render_site`] |
//! | [`csv`] | | [`csv::render_notice`] (one table) | |
//! | [`html`] | | [`html::render_notice`] | [`html::render_site`] |
//! | [`docx`] | | [`docx::render_notice`] | [`docx::render_site`] |
//! | [`xlsx`] | | [`xlsx::render_notice`] | |
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
