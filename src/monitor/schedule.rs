//! The probe schedule: a day cut into `per_day` equal slots, one probe per site per slot.
//!
//! Slots are counted from 1970-01-01T00:00 Beijing time (UTC+8) in units of the interval
//! (`86 400 000 ms / per_day`), so slot numbers are the same in every run: that is what makes a
//! restarted monitor continue the schedule instead of starting another. When the interval
//! divides a day, each day's first slot starts at Beijing midnight.
//!
//! Within its slot a site's probe is placed at a fixed **phase** (a hash of the site id, spread
//! uniformly over the interval, so sites — and hosts — do not all get probed at the top of the
//! hour) plus a per-slot **jitter** of up to ±10 % of the interval (so probes are not
//! strictly periodic). Both are deterministic: a restarted monitor computes the same times.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Beijing time (UTC+8), the time zone of the standard's days.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// Unix milliseconds of 1970-01-01T00:00+08:00.
const EPOCH_MS: i64 = -8 * 3_600_000;

/// Most probes a day: one every 10 ms (tests); real schedules use 24 to a few thousand.
pub const MAX_PER_DAY: u32 = 8_640_000;

/// A probe schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    per_day: u32,
    interval_ms: i64,
}

impl Schedule {
    /// `per_day` probes a day (1 to [`MAX_PER_DAY`]).
    pub fn new(per_day: u32) -> Result<Schedule, String> {
        if per_day == 0 || per_day > MAX_PER_DAY {
            return Err(format!(
                "probes per day must be 1 to {MAX_PER_DAY}, not {per_day}"
            ));
        }
        Ok(Schedule {
            per_day,
            interval_ms: DAY_MS / i64::from(per_day),
        })
    }

    /// Probes a day.
    pub fn per_day(self) -> u32 {
        self.per_day
    }

    /// The interval between a site's probes, in milliseconds.
    pub fn interval_ms(self) -> i64 {
        self.interval_ms
    }

    /// The slot `t` falls in.
    pub fn slot_of(self, t: DateTime<Utc>) -> i64 {
        (t.timestamp_millis() - EPOCH_MS).div_euclid(self.interval_ms)
    }

    /// When `slot` starts.
    pub fn slot_start(self, slot: i64) -> DateTime<Utc> {
        millis(EPOCH_MS.saturating_add(slot.saturating_mul(self.interval_ms)))
    }

    /// When `site`'s probe of `slot` is due: slot start + phase + jitter, inside the slot.
    pub fn planned(self, site: i64, slot: i64) -> DateTime<Utc> {
        let interval = self.interval_ms;
        let phase = (mix(site as u64) % interval as u64) as i64;
        let span = (interval / 5).max(1);
        let jitter = (mix((site as u64) ^ mix(slot as u64)) % span as u64) as i64 - span / 2;
        let offset = (phase + jitter).rem_euclid(interval);
        millis(
            EPOCH_MS
                .saturating_add(slot.saturating_mul(interval))
                .saturating_add(offset),
        )
    }
}

fn millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// splitmix64: a cheap, well-spread hash for phases and jitter.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The Beijing-time day of an instant.
pub fn beijing_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&beijing()).date_naive()
}

/// The instant a Beijing-time day starts.
pub fn day_start(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    beijing()
        .from_local_datetime(&midnight)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_start_at_beijing_midnight() {
        let s = Schedule::new(24).unwrap();
        assert_eq!(s.interval_ms(), 3_600_000);
        let day = NaiveDate::from_ymd_opt(2018, 2, 22).unwrap();
        let start = day_start(day);
        assert_eq!(start.to_rfc3339(), "2018-02-21T16:00:00+00:00");
        let slot = s.slot_of(start);
        assert_eq!(s.slot_start(slot), start);
        assert_eq!(
            s.slot_of(start - chrono::Duration::milliseconds(1)),
            slot - 1
        );
        assert_eq!(beijing_day(start), day);
        assert!(Schedule::new(0).is_err());
        assert!(Schedule::new(MAX_PER_DAY + 1).is_err());
    }

    #[test]
    fn probes_are_inside_their_slot_and_spread_over_it() {
        let s = Schedule::new(24).unwrap();
        let slot = s.slot_of(day_start(NaiveDate::from_ymd_opt(2018, 2, 22).unwrap()));
        let mut minutes = Vec::new();
        for site in 1..=40 {
            for k in 0..5 {
                let t = s.planned(site, slot + k);
                assert_eq!(s.slot_of(t), slot + k, "site {site}");
                assert_eq!(t, s.planned(site, slot + k), "deterministic");
            }
            minutes.push((s.planned(site, slot) - s.slot_start(slot)).num_minutes());
        }
        minutes.sort_unstable();
        minutes.dedup();
        // 40 sites do not pile up at the top of the hour.
        assert!(minutes.len() > 25, "{minutes:?}");
    }
}
