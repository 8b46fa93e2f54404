//! The one link-check engine (链接可用性), used by the audit, `check --deep` and
//! `govaudit links`.
//!
//! - **Request policy**: [`Fetcher::check_link`](crate::fetch::Fetcher::check_link) — HEAD,
//!   falling back to GET when HEAD is refused or hangs — under the fetcher's politeness.
//! - **Judgement**: [`judge`] turns a [`LinkResult`] into a [`LinkProblem`] in a
//!   [`LinkState`](crate::observation::LinkState) (broken, suspected, blocked) or into nothing.
//!   Every path reports what it says, and [`LinkProblem`] / [`LinkObservation`] are the one
//!   result type.
//! - **Sharing**: within a run, [`LinkCache`] checks each URL once for all sites; within a
//!   round's deep crawls, [`round`] keeps results in SQLite (`round_links`).
//!
//! The three callers:
//!
//! - [`site`] — the audit's links (homepage and column pages), through the run's cache;
//! - [`round::check_crawl_link`] — one link of a deep crawl: the audit's result when it has
//!   one, else the round's, else a check of its own;
//! - [`pages`] — `govaudit links`: the links of given pages, streamed, into a [`LinkReport`];
//!   rendered by [`crate::render`] ([`text::links_text`], [`markdown::links_markdown`],
//!   [`json::links_json`]).
//!
//! [`text::links_text`]: crate::render::text::links_text
//! [`markdown::links_markdown`]: crate::render::markdown::links_markdown
//! [`json::links_json`]: crate::render::json::links_json

mod cache;
pub mod judge;
pub mod pages;
pub mod round;
pub mod site;

pub use cache::LinkCache;
pub use pages::{LinkChecker, LinkReport, UnreadablePage};

#[cfg(doc)]
use crate::observation::{LinkObservation, LinkProblem};

/// Link checks in flight per site (the audit's, a deep crawl's); per-host politeness still
/// applies to each.
pub const LINK_TASKS: usize = 16;

/// A link's outcome: the final status, or why it failed.
pub type LinkResult = Result<u16, crate::fetch::FetchFailure>;
