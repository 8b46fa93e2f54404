//! The integration tests, one binary with a module per area (as ripgrep does): the crate is
//! linked once, not once per file. Run one area with `cargo test --test integration check::`.
//!
//! Two targets stand apart on purpose: `parse_memory` (its counting global allocator must see
//! only the page under test, not other tests running beside it) and the benchmarks under
//! `tests/bench/` (bench targets, run by `scripts/bench-*.sh`, never by `cargo test`).
//!
//! Shared helpers: [`support`] (scenario servers and audits), [`notice_db`] (a stored
//! scenario for the documents), [`render`] (LibreOffice, poppler and Chromium renderers).

// A test target sees every dependency and dev-dependency of the package and uses few of them.
#![allow(unused_crate_dependencies)]

mod notice_db;
mod render;
mod support;

mod admission;
mod analysis;
mod archive;
mod check;
mod cli;
mod console;
mod deep;
mod deep_round;
mod demo;
mod faults;
mod fetch;
mod hostile;
mod link_engine;
mod links;
mod monitor;
mod notice;
mod notice_office;
mod politeness;
mod province;
mod registry;
mod rounds;
mod rules;
mod stats;
