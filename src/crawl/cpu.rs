//! Page analysis off the async workers, a bounded number at once.
//!
//! Parsing and analysing a page is CPU work: milliseconds for a real page, up to a second or
//! so for a hostile one at the body cap (5 MiB of `<a>`). Run inline on a runtime worker it
//! stalls every other task of that worker — a round's downloads then miss their timeouts while
//! a neighbour's page is parsed — and with one analysis per task, as many analyses run at once
//! as pages happen to arrive, each holding its parse tree (up to ~25 × the body).
//!
//! [`analyse`] runs the work with [`tokio::task::block_in_place`] on a multi-threaded runtime
//! (the worker's other tasks move to another thread) and inline elsewhere, and at most
//! [`analyses_at_once`] (the machine's cores) run at a time, process-wide: the parse term of a
//! round's peak memory is that many trees, whatever the round does (`docs/memory.md`).

use std::num::NonZeroUsize;
use std::sync::LazyLock;

use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::sync::Semaphore;

/// Analyses running at once, process-wide: the machine's available cores.
pub fn analyses_at_once() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

static PERMITS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(analyses_at_once()));

/// Run `work` (a page analysis) once a permit is free, off the async worker when the runtime
/// allows it.
pub async fn analyse<T>(work: impl FnOnce() -> T) -> T {
    // The semaphore is never closed; were it, the work would only run unmetered.
    let _permit = PERMITS.acquire().await.ok();
    let multi_thread =
        Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
    if multi_thread {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}
