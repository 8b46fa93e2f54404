//! Stratified random sampling of running sites for a monthly round (月度抽查).
//!
//! The seed notice (宁政办函〔2018〕27号, 三(五)) requires every month a random check of at least
//! 25% of the running sites. Here the strata are the units (单位): each unit with `n` running
//! sites gets `max(1, ceil(ratio × n))` of them (never more than `n`); units with no running site
//! get none; closed sites are never drawn. Because every unit is rounded up, the total is at
//! least the ratio of all running sites.
//!
//! The draw is pure and reproducible: candidates are sorted by (unit, URL) first, so the order
//! they come from the database does not matter, and each unit draws from its own ChaCha8 stream
//! (seeded with the round's seed, stream chosen by a stable FNV-1a hash of the unit name), so
//! adding a site to one unit does not change another unit's sample. Only the raw ChaCha8 output
//! is used (bounded integers by rejection, then a partial Fisher–Yates shuffle), so the sample
//! does not depend on `rand`'s own sampling algorithms, which may change between releases.

use std::collections::BTreeMap;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// The default share of running sites to sample (国办 / 自治区: not less than 25% a month).
pub const DEFAULT_RATIO: f64 = 0.25;

/// A site that may be drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The site's database id (opaque to the sampler).
    pub id: i64,
    /// The stratum: the unit (单位) the site is counted under.
    pub unit: String,
    /// The stable sort key within a unit (the normalised URL).
    pub url: String,
    /// Only running sites are drawn.
    pub running: bool,
}

/// The draw for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitSample {
    /// The unit (单位), the stratum.
    pub unit: String,
    /// Running sites in the unit.
    pub running: usize,
    /// How many were to be drawn: `max(1, ceil(ratio × running))`, capped at `running`.
    pub quota: usize,
    /// The drawn sites, sorted by URL.
    pub selected: Vec<Candidate>,
}

/// A whole draw: per unit, in unit order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    /// Share of each unit's running sites drawn (0 < ratio ≤ 1).
    pub ratio: f64,
    /// The round's seed; the same seed and candidates give the same sample.
    pub seed: u64,
    /// One draw per unit among the candidates (units with no running site draw none), by unit name.
    pub units: Vec<UnitSample>,
}

impl Sample {
    /// Every drawn site, unit by unit.
    pub fn selected(&self) -> impl Iterator<Item = &Candidate> {
        self.units.iter().flat_map(|u| u.selected.iter())
    }

    /// Running sites over all units.
    pub fn running(&self) -> usize {
        self.units.iter().map(|u| u.running).sum()
    }

    /// Drawn sites over all units.
    pub fn len(&self) -> usize {
        self.units.iter().map(|u| u.selected.len()).sum()
    }

    /// Whether nothing was drawn (no running site at all).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Sampling errors.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleError {
    /// A ratio outside (0, 1] or not finite; holds the ratio given.
    #[error("invalid sampling ratio {0}: expected a number above 0 and at most 1")]
    Ratio(f64),
}

/// Check a sampling ratio: above 0, at most 1.
pub fn validate_ratio(ratio: f64) -> Result<f64, SampleError> {
    if ratio.is_finite() && ratio > 0.0 && ratio <= 1.0 {
        Ok(ratio)
    } else {
        Err(SampleError::Ratio(ratio))
    }
}

/// How many of `running` sites to draw: `max(1, ceil(ratio × running))`, at most `running`.
///
/// A tiny tolerance keeps binary floating point from rounding an exact product up
/// (0.1 × 30 is 3.0000000000000004 in f64, and must give 3).
pub fn quota(running: usize, ratio: f64) -> usize {
    if running == 0 {
        return 0;
    }
    let exact = ratio * running as f64;
    let up = (exact - 1e-9).ceil().max(1.0);
    // `up` is between 1 and running (+1 at most by the tolerance), so the cast cannot overflow.
    (up as usize).min(running)
}

/// Draw a stratified sample (see the module documentation).
pub fn draw(candidates: &[Candidate], ratio: f64, seed: u64) -> Result<Sample, SampleError> {
    let ratio = validate_ratio(ratio)?;
    let mut by_unit: BTreeMap<&str, Vec<&Candidate>> = BTreeMap::new();
    for c in candidates {
        let entry = by_unit.entry(c.unit.as_str()).or_default();
        if c.running {
            entry.push(c);
        }
    }
    let mut units = Vec::with_capacity(by_unit.len());
    for (unit, mut running) in by_unit {
        running.sort_by(|a, b| (&a.url, a.id).cmp(&(&b.url, b.id)));
        running.dedup_by(|a, b| a.url == b.url);
        let quota = quota(running.len(), ratio);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(fnv1a(unit.as_bytes()));
        // Partial Fisher–Yates: the first `quota` slots end up a uniform random subset.
        for i in 0..quota {
            let j = i + below(&mut rng, (running.len() - i) as u64) as usize;
            running.swap(i, j);
        }
        let mut selected: Vec<Candidate> = running[..quota].iter().map(|c| (*c).clone()).collect();
        selected.sort_by(|a, b| a.url.cmp(&b.url));
        units.push(UnitSample {
            unit: unit.to_string(),
            running: running.len(),
            quota,
            selected,
        });
    }
    Ok(Sample { ratio, seed, units })
}

/// A uniform integer in `0..n` (n > 0) from raw 64-bit output, by rejection (no modulo bias).
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

/// 64-bit FNV-1a: a stable hash (unlike `std`'s, which may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests;
