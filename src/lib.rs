//! govaudit — audits Chinese government websites against the national inspection standards.
//!
//! One pipeline, one module per stage:
//!
//! 1. [`fetch`] — polite HTTP: per-host rate limits, retries, redirects, charsets, SSRF guard.
//! 2. [`analysis`] — one page → columns, dated items, blank markers and empty lists, footer
//!    identifiers with their evidence, links; message lists, 办事指南 labels and leaders' names
//!    for the rules that ask.
//! 3. [`crawl`] — one site → an [`observation::Observation`] (homepage, columns, 政务咨询类
//!    messages, 办事指南, links), every page analysed off the async workers.
//! 4. [`rules`] — rule files (`rules/<profile>/*.toml`) → [`findings::Evaluation`].
//! 5. [`store`] — every check in SQLite.
//! 6. [`documents`] — what is rendered, format-neutral: the 通报 ([`documents::Notice`]) and a
//!    site's self-check report (自查报告, [`documents::SiteReport`]) built from the stored checks
//!    and the editable templates, and the words of one check held in memory; then [`render`] —
//!    one module per output format (text, Markdown, JSON, CSV, HTML, DOCX, XLSX), each writing
//!    every document that exists in it — a check, a notice, a self-check report, and the reports
//!    of `links`, `uptime`, `stats` and `round diff`.
//!
//! Around the single-site audit: [`registry`] (the site registry, 网站名录), [`sample`]
//! (stratified monthly sampling), [`rounds`] (monthly rounds and 复核, resumable) and
//! [`calendar`] (the official working-day calendar, for rectification deadlines).
//! [`stats`] turns stored rounds into quarterly 合格率, problem categories, repeat offenders and
//! round diffs (pure, no I/O).
//!
//! [`template`] is the one `{placeholder}` filler of rule messages and notice templates,
//! refusing a placeholder a text is not filled with when the text is loaded.
//!
//! [`escape`] makes page text inert in every output language (terminal, Markdown, HTML,
//! DOCX/XLSX XML, CSV, JSON); every format of [`render`] goes through it.
//!
//! [`linkcheck`] is the one link-check engine — request policy, judgement (broken, suspected,
//! blocked), sharing per run and per round — used by the audit, the deep crawl and
//! `govaudit links` (the links of given pages, without crawling); [`deep`]
//! crawls a whole site after the audit (`--deep`).
//!
//! [`monitor`] measures availability the way the standard does (`govaudit monitor`, `uptime`):
//! scheduled homepage probes stored in SQLite, whose 7-day record `site.unreachable` judges.
//!
//! [`archive`] keeps every exchange of an audit as WARC 1.1 (indexed in the database): the
//! evidence behind each finding (`govaudit evidence`), re-evaluation offline through a replaying
//! fetcher (`govaudit reevaluate`), and 疑似伪造发稿日期 by comparing captures.
//!
//! [`serve`] is the web console (`govaudit serve`): the same statistics, rounds, registry and
//! notices as pages for the office and the departments, with users, roles and background jobs.
//!
//! [`audit`] runs stages 1–5 for one site; [`config`] is the one configuration struct
//! (`config.toml` documents it); [`sim`] serves sample sites on loopback for the demo and the
//! tests.

// The unit tests also see the dev-dependencies, which each test uses only a few of.
#![cfg_attr(test, allow(unused_crate_dependencies))]

// Dependencies only the `govaudit` binary uses (src/main.rs, src/cli/); Cargo has no
// per-target dependencies, so the library names them for `unused_crate_dependencies`:
use anyhow as _; // the binary's error type (command results, `main`)
use clap as _; // the binary's command-line parser
use indicatif as _; // the binary's progress bar of `round run`
use mimalloc as _; // the binary's global allocator
use rpassword as _; // the binary's password prompt of `user add`
use tracing_subscriber as _; // the binary's log output (`-v`, `RUST_LOG`)

pub mod analysis;
pub mod archive;
pub mod audit;
pub mod calendar;
pub mod config;
pub mod crawl;
pub mod deep;
pub mod documents;
pub mod escape;
pub mod fetch;
pub mod findings;
pub mod linkcheck;
pub mod monitor;
pub mod observation;
pub mod registry;
pub mod render;
pub mod rounds;
pub mod rules;
pub mod sample;
pub mod serve;
pub mod sim;
pub mod stats;
pub mod store;
pub mod template;
