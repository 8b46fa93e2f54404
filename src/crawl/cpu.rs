//! Page analysis off the async workers, bounded in number and in bytes at once.
//!
//! Parsing and analysing a page is CPU work: milliseconds for a real page, up to a second or
//! so for a hostile one at the body cap (5 MiB of `<a>`). Run inline on a runtime worker it
//! stalls every other task of that worker — a round's downloads then miss their timeouts while
//! a neighbour's page is parsed — and with one analysis per task, as many analyses run at once
//! as pages happen to arrive, each holding its parse tree (up to ~32 × the page).
//!
//! [`analyse`] runs the work with [`tokio::task::block_in_place`] on a multi-threaded runtime
//! (the worker's other tasks move to another thread) and inline elsewhere, process-wide
//! within two bounds:
//!
//! * at most [`analyses_at_once`] (the machine's cores) at a time;
//! * at most [`BYTES_AT_ONCE`] bytes of page text under analysis at a time (a page larger than
//!   that runs alone). Real pages are a few hundred KB, so the cores stay busy; two hostile
//!   pages at the body cap no longer parse side by side, so the parse term of a round's peak
//!   memory is one cap's worth of trees however many cores the machine has
//!   (`docs/memory.md`).

use std::num::NonZeroUsize;
use std::sync::LazyLock;

use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::sync::Semaphore;

/// Analyses running at once, process-wide: the machine's available cores.
pub fn analyses_at_once() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Bytes of page text analysed at once, process-wide: the default body cap
/// (`fetch.max_body_bytes`, 5 MiB). A larger page (a raised cap) takes the whole budget.
pub const BYTES_AT_ONCE: usize = 5 * 1024 * 1024;

/// The byte budget is counted in KiB permits.
const KIB: usize = 1024;

static PERMITS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(analyses_at_once()));
static BYTES: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(BYTES_AT_ONCE / KIB));

/// The KiB permits a page of `len` bytes takes: at least one, at most the whole budget.
fn kib(len: usize) -> u32 {
    let n = len.div_ceil(KIB).clamp(1, BYTES_AT_ONCE / KIB);
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Run `work`, the analysis of a page of `len` bytes, once the budget allows it, off the
/// async worker when the runtime allows it.
pub async fn analyse<T>(len: usize, work: impl FnOnce() -> T) -> T {
    // The semaphores are never closed; were they, the work would only run unmetered.
    let _bytes = BYTES.acquire_many(kib(len)).await.ok();
    let _permit = PERMITS.acquire().await.ok();
    let multi_thread =
        Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
    if multi_thread {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    /// The most analyses of `len` bytes seen running together when four start at once.
    async fn most_at_once(len: usize) -> usize {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks = (0..4).map(|_| {
            let (running, most) = (running.clone(), most.clone());
            tokio::spawn(async move {
                analyse(len, || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(40));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            })
        });
        for t in futures::future::join_all(tasks).await {
            t.expect("task");
        }
        most.load(Ordering::SeqCst)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn pages_at_the_cap_are_analysed_one_at_a_time() {
        // The statics are process-wide: both sizes run in one test so no other test of this
        // module holds permits meanwhile.
        assert_eq!(most_at_once(BYTES_AT_ONCE).await, 1);
        assert_eq!(most_at_once(BYTES_AT_ONCE * 3).await, 1, "larger: alone");
        if analyses_at_once() > 1 {
            assert!(
                most_at_once(200 * KIB).await > 1,
                "small pages side by side"
            );
        }
    }

    #[test]
    fn permits_are_bounded() {
        assert_eq!(kib(0), 1);
        assert_eq!(kib(1), 1);
        assert_eq!(kib(1025), 2);
        assert_eq!(kib(usize::MAX), (BYTES_AT_ONCE / KIB) as u32);
    }
}
