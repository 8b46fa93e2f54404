//! Time for the scheduler: [`SystemClock`] in production, [`SimClock`] in tests, so a simulated
//! week of probes runs in seconds.
//!
//! A simulated clock jumps straight to the time a sleeper asks for, but only once nothing
//! *holds* it: every probe holds the clock while its request is in flight
//! ([`Clock::hold`]), so a simulated server reading the clock sees the time the probe was
//! sent, however fast the scheduler would otherwise run ahead.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use tokio::sync::Notify;

/// A future returned by [`Clock::sleep_until`].
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A source of time the scheduler can sleep on.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
    /// Completes at `at` (at once when `at` has passed).
    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_>;
    /// Keeps time from jumping while the returned guard lives (a simulated clock waits for
    /// every hold to end before it advances; the system clock ignores holds).
    fn hold(&self) -> ClockHold;
}

/// Guard returned by [`Clock::hold`].
#[derive(Debug)]
pub struct ClockHold(Option<Arc<SimState>>);

impl Drop for ClockHold {
    fn drop(&mut self) {
        if let Some(state) = self.0.take() {
            if state.holds.fetch_sub(1, Ordering::SeqCst) == 1 {
                state.released.notify_waiters();
            }
        }
    }
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_> {
        let wait = (at - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }

    fn hold(&self) -> ClockHold {
        ClockHold(None)
    }
}

#[derive(Debug)]
struct SimState {
    /// Milliseconds since the Unix epoch.
    now_ms: AtomicI64,
    holds: AtomicUsize,
    released: Notify,
}

/// A simulated clock: starts at a given time and moves only when a sleeper asks it to (or
/// [`SimClock::advance_to`] is called), never while a [`ClockHold`] is alive.
#[derive(Debug, Clone)]
pub struct SimClock(Arc<SimState>);

impl SimClock {
    /// A clock reading `start`.
    pub fn new(start: DateTime<Utc>) -> SimClock {
        SimClock(Arc::new(SimState {
            now_ms: AtomicI64::new(start.timestamp_millis()),
            holds: AtomicUsize::new(0),
            released: Notify::new(),
        }))
    }

    /// Moves the clock forward to `at` (never backwards).
    pub fn advance_to(&self, at: DateTime<Utc>) {
        self.0
            .now_ms
            .fetch_max(at.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        let ms = self.0.now_ms.load(Ordering::SeqCst);
        Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep<'_> {
        Box::pin(async move {
            loop {
                let released = self.0.released.notified();
                tokio::pin!(released);
                released.as_mut().enable();
                if self.0.holds.load(Ordering::SeqCst) == 0 {
                    self.advance_to(at);
                    // Let tasks woken by the jump (and the server) run before the sleeper goes on.
                    tokio::task::yield_now().await;
                    return;
                }
                released.await;
            }
        })
    }

    fn hold(&self) -> ClockHold {
        self.0.holds.fetch_add(1, Ordering::SeqCst);
        ClockHold(Some(Arc::clone(&self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_simulated_clock_waits_for_holds_then_jumps() {
        let start = Utc.with_ymd_and_hms(2018, 2, 22, 0, 0, 0).unwrap();
        let clock = SimClock::new(start);
        let later = start + chrono::Duration::days(7);
        clock.sleep_until(later).await;
        assert_eq!(clock.now(), later);

        let hold = clock.hold();
        let c2 = clock.clone();
        let target = later + chrono::Duration::hours(1);
        let sleeper = tokio::spawn(async move { c2.sleep_until(target).await });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert_eq!(clock.now(), later, "time must not pass while held");
        drop(hold);
        sleeper.await.unwrap();
        assert_eq!(clock.now(), target);
        // Never backwards.
        clock.sleep_until(start).await;
        assert_eq!(clock.now(), target);
    }
}
