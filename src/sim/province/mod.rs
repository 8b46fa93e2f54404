//! A whole simulated province: the 248 running sites of the 2018 Q1 Ningxia notice
//! (宁政办函〔2018〕27号), generated deterministically from a compact description
//! (`data/scenarios/ningxia-2018q1.toml`, built into the binary).
//!
//! The description lists the units of the notice's attachment 1 with their running and sampled
//! counts, and the 21 problem sites of attachment 2 with how each one fails. [`Province`]
//! expands it: per unit its portal(s) first, then its problem sites, then synthetic departments
//! (fictitious names 示例…, hosts under `*.sim.test`) until the unit's running count is reached.
//! Variety (templates, encodings, date styles, pagination, slow and flaky hosts, problems below
//! the veto thresholds) is drawn from a hash of the description's `seed` and the site's index,
//! so the same description always gives the same world.
//!
//! The sample is explicit, not random: per unit its problem sites, then its portals, then its
//! departments in order, up to the unit's sampled count; each unit's sites go to the round
//! (sampling window) the description names. [`Province::registry_csv`] and
//! [`Province::round_list`] are derived from the same sites, so they cannot drift from the world.

mod problems;
mod synth;

use chrono::NaiveDate;
use serde::Deserialize;
use std::fmt::Write;

use super::spec::{Scenario, SiteSpec, SpecError};
use crate::registry::Level;

/// Errors building a province.
#[derive(Debug, thiserror::Error)]
pub enum ProvinceError {
    /// The description is not valid TOML or has unknown keys.
    #[error("invalid province description {origin}: {message}")]
    Parse {
        /// The description's path or name.
        origin: String,
        /// The TOML error.
        message: String,
    },
    /// The description is inconsistent (an unknown unit, a round that does not exist, counts
    /// that cannot hold the unit's portals and problem sites …).
    #[error("invalid province description {origin}: {message}")]
    Invalid {
        /// The description's path or name.
        origin: String,
        /// What is inconsistent.
        message: String,
    },
    /// A generated site does not make a valid scenario.
    #[error(transparent)]
    Spec(#[from] SpecError),
}

/// The compact description (the scenario data file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// The province scenario's name, e.g. 宁夏回族自治区2018年第一季度政府网站抽查（模拟）.
    pub name: String,
    /// Seed of the variety hash.
    pub seed: u64,
    /// The date the registry describes (the notice's 截至 date).
    pub registry_as_of: NaiveDate,
    /// The quarter's sampling rounds (`[[round]]`), in order.
    #[serde(rename = "round")]
    pub rounds: Vec<RoundDesc>,
    /// The units of attachment 1 (`[[unit]]`), in the notice's order.
    #[serde(rename = "unit")]
    pub units: Vec<UnitDesc>,
    /// The problem sites of attachment 2 (`[[problem]]`).
    #[serde(rename = "problem", default)]
    pub problems: Vec<ProblemDesc>,
}

/// One sampling round (window) of the quarter.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoundDesc {
    /// `YYYY-MM`, the round's month.
    pub month: String,
    /// The date the round's sites are audited as of (inside the sampling window).
    pub as_of: NaiveDate,
}

/// What kind of unit: it decides the levels of its sites.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 区直部门（单位）: 自治区门户 + 自治区部门.
    Region,
    /// A city (本级): 市级门户 + 市级部门.
    City,
    /// A county: 县级门户 + 县级以下.
    County,
}

/// One unit of attachment 1.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitDesc {
    /// 单位 as the notice names it, e.g. 区直部门（单位）, 银川市(本级).
    pub name: String,
    /// Region, city or county: decides its sites' levels.
    pub kind: UnitKind,
    /// ASCII label used in synthetic host names.
    pub slug: String,
    /// Short name used in synthetic site names (defaults to `name`).
    #[serde(default)]
    pub short: Option<String>,
    /// Running sites of the unit (attachment 1's 运行网站数).
    pub running: usize,
    /// Sites of the unit sampled in the quarter (attachment 1's 抽查网站数).
    pub sampled: usize,
    /// 1-based round that audits this unit's sampled sites.
    pub round: usize,
    /// Portals of the unit (default 1).
    #[serde(default = "one")]
    pub portals: usize,
}

fn one() -> usize {
    1
}

/// Which veto a problem site fails on.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Veto {
    /// 5 dynamic columns not updated for more than 2 weeks (columns.stale).
    Stale,
    /// 5 or more blank columns (columns.blank).
    Blank,
    /// Both.
    Both,
}

impl Veto {
    /// Whether the site fails on stale columns (`Stale` or `Both`).
    pub fn stale(self) -> bool {
        matches!(self, Veto::Stale | Veto::Both)
    }
    /// Whether the site fails on blank columns (`Blank` or `Both`).
    pub fn blank(self) -> bool {
        matches!(self, Veto::Blank | Veto::Both)
    }
}

/// Other problems the notice names for a site (deductions).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Extra {
    /// Footer identifiers missing (党政机关标识, 网站标识码, ICP, 公安备案, 找错 entry).
    Footer,
    /// No 调查征集 column.
    NoSurvey,
    /// Fewer than 10 homepage updates in 2 weeks.
    FewUpdates,
    /// Column links that answer 404, and a 6th should-update column not updated.
    BrokenColumns,
}

/// One problem site of attachment 2.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProblemDesc {
    /// The site's real name as the notice gives it.
    pub name: String,
    /// As the notice gives it, e.g. `http://www.nxep.gov.cn` or `http://218.95.179.142/gysfgw`.
    pub url: String,
    /// The unit (单位) it counts under; must be one of the description's units.
    pub unit: String,
    /// Its 网站标识码, shown in the footer.
    pub site_code: String,
    /// The veto it fails on.
    pub veto: Veto,
    /// Other problems the notice names for it (deductions).
    #[serde(default)]
    pub extras: Vec<Extra>,
}

/// One site of the province.
#[derive(Debug, Clone)]
pub struct ProvinceSite {
    /// The unit (单位) it counts under.
    pub unit: String,
    /// Its level (级别), from the unit's kind and whether it is a portal.
    pub level: Level,
    /// The URL as registered (and listed in rounds).
    pub url: String,
    /// Its 网站标识码.
    pub site_code: String,
    /// 0-based round that audits it, if sampled.
    pub round: Option<usize>,
    /// The problem description, for the 21 problem sites.
    pub problem: Option<ProblemDesc>,
    /// What the server renders.
    pub spec: SiteSpec,
}

/// The expanded province.
#[derive(Debug, Clone)]
pub struct Province {
    /// The description's name.
    pub name: String,
    /// The date the registry describes (the notice's 截至 date).
    pub registry_as_of: NaiveDate,
    /// The quarter's sampling rounds, in order.
    pub rounds: Vec<RoundDesc>,
    /// The units, in the notice's order.
    pub units: Vec<UnitDesc>,
    /// Every running site: per unit its portals, problem sites, then synthetic departments.
    pub sites: Vec<ProvinceSite>,
}

/// The built-in description of the 2018 Q1 Ningxia province.
pub const NINGXIA_2018Q1: &str = include_str!("../../../data/scenarios/ningxia-2018q1.toml");

/// SplitMix64: the variety hash (deterministic, no global state).
pub(crate) fn mix(seed: u64, index: u64) -> u64 {
    let mut z = seed
        .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Province {
    /// The built-in province of the 2018 Q1 notice.
    pub fn ningxia_2018q1() -> Result<Province, ProvinceError> {
        Province::from_toml(NINGXIA_2018Q1, "data/scenarios/ningxia-2018q1.toml")
    }

    /// Parse and expand a description.
    pub fn from_toml(text: &str, origin: &str) -> Result<Province, ProvinceError> {
        let desc: Description = toml::from_str(text).map_err(|e| ProvinceError::Parse {
            origin: origin.into(),
            message: e.to_string(),
        })?;
        Province::expand(&desc, origin)
    }

    /// Expand a description into sites.
    pub fn expand(desc: &Description, origin: &str) -> Result<Province, ProvinceError> {
        let bad = |message: String| ProvinceError::Invalid {
            origin: origin.into(),
            message,
        };
        for p in &desc.problems {
            if !desc.units.iter().any(|u| u.name == p.unit) {
                return Err(bad(format!(
                    "problem site {} has unknown unit {}",
                    p.name, p.unit
                )));
            }
        }
        let mut sites = Vec::new();
        let mut synth_seq = 0usize;
        for unit in &desc.units {
            let problems: Vec<&ProblemDesc> = desc
                .problems
                .iter()
                .filter(|p| p.unit == unit.name)
                .collect();
            if unit.round == 0 || unit.round > desc.rounds.len() {
                return Err(bad(format!("unit {}: no round {}", unit.name, unit.round)));
            }
            if unit.running < unit.portals + problems.len() || unit.portals == 0 {
                return Err(bad(format!(
                    "unit {}: {} running sites cannot hold {} portal(s) and {} problem site(s)",
                    unit.name,
                    unit.running,
                    unit.portals,
                    problems.len()
                )));
            }
            if unit.sampled < problems.len() || unit.sampled > unit.running {
                return Err(bad(format!(
                    "unit {}: sampled {} must cover its {} problem site(s) and not exceed {} running",
                    unit.name,
                    unit.sampled,
                    problems.len(),
                    unit.running
                )));
            }
            let (portal_level, dept_level) = match unit.kind {
                UnitKind::Region => (Level::RegionPortal, Level::RegionDept),
                UnitKind::City => (Level::CityPortal, Level::CityDept),
                UnitKind::County => (Level::CountyPortal, Level::BelowCounty),
            };
            let mut unit_sites = Vec::with_capacity(unit.running);
            let mut dept_no = 0usize;
            for i in 0..unit.running {
                let h = mix(desc.seed, sites.len() as u64 + i as u64);
                if i < unit.portals {
                    let spec = synth::site(unit, synth::Role::Portal(i + 1), synth_seq, h);
                    synth_seq += 1;
                    unit_sites.push(synthetic(unit, portal_level, spec));
                } else if let Some(p) = problems.get(i - unit.portals) {
                    let spec = problems::site(p, h).map_err(bad)?;
                    unit_sites.push(ProvinceSite {
                        unit: unit.name.clone(),
                        level: dept_level,
                        url: p.url.clone(),
                        site_code: p.site_code.clone(),
                        round: None,
                        problem: Some((*p).clone()),
                        spec,
                    });
                } else {
                    dept_no += 1;
                    let spec = synth::site(unit, synth::Role::Dept(dept_no), synth_seq, h);
                    synth_seq += 1;
                    unit_sites.push(synthetic(unit, dept_level, spec));
                }
            }
            // The sample: problem sites, then portals, then departments in order.
            let order = (unit.portals..unit.portals + problems.len())
                .chain(0..unit.portals)
                .chain(unit.portals + problems.len()..unit.running);
            for i in order.take(unit.sampled) {
                unit_sites[i].round = Some(unit.round - 1);
            }
            sites.extend(unit_sites);
        }
        let province = Province {
            name: desc.name.clone(),
            registry_as_of: desc.registry_as_of,
            rounds: desc.rounds.clone(),
            units: desc.units.clone(),
            sites,
        };
        let mut urls: Vec<String> = province.sites.iter().map(|s| s.spec.url()).collect();
        urls.sort();
        if let Some(w) = urls.windows(2).find(|w| w[0] == w[1]) {
            return Err(bad(format!("two sites share the URL {}", w[0])));
        }
        // Check the rendered specs the way a scenario file is checked.
        Scenario::from_sites(province.scenario().sites, origin)?;
        Ok(province)
    }

    /// The scenario the server renders.
    pub fn scenario(&self) -> Scenario {
        Scenario {
            sites: self.sites.iter().map(|s| s.spec.clone()).collect(),
        }
    }

    /// The registry CSV (`unit,level,name,url,site_code,status`) of every running site.
    pub fn registry_csv(&self) -> String {
        registry_csv(self)
    }

    /// The URLs audited in round `round` (0-based), in registry order.
    pub fn round_urls(&self, round: usize) -> Vec<String> {
        self.sites
            .iter()
            .filter(|s| s.round == Some(round))
            .map(|s| s.url.clone())
            .collect()
    }

    /// Round `round` (0-based) as a list file for `rounds::plan_list`.
    pub fn round_list(&self, round: usize) -> String {
        let mut out = String::new();
        if let Some(r) = self.rounds.get(round) {
            let _ = writeln!(
                out,
                "# {} 第{}轮抽查名单（{}，as of {}）",
                self.name,
                round + 1,
                r.month,
                r.as_of
            );
        }
        for url in self.round_urls(round) {
            let _ = writeln!(out, "{url}");
        }
        out
    }

    /// Every sampled site's URL (both rounds).
    pub fn sampled_urls(&self) -> Vec<String> {
        self.sites
            .iter()
            .filter(|s| s.round.is_some())
            .map(|s| s.url.clone())
            .collect()
    }

    /// The problem sites' URLs, as registered.
    pub fn problem_urls(&self) -> Vec<String> {
        self.sites
            .iter()
            .filter(|s| s.problem.is_some())
            .map(|s| s.url.clone())
            .collect()
    }
}

fn synthetic(unit: &UnitDesc, level: Level, spec: SiteSpec) -> ProvinceSite {
    ProvinceSite {
        unit: unit.name.clone(),
        level,
        url: spec.url(),
        site_code: spec.site_code.clone(),
        round: None,
        problem: None,
        spec,
    }
}

/// The registry CSV of a province (`unit,level,name,url,site_code,status`, all running).
pub fn registry_csv(province: &Province) -> String {
    let mut out = String::from("unit,level,name,url,site_code,status\n");
    for s in &province.sites {
        let _ = writeln!(
            out,
            "{},{},{},{},{},running",
            csv_field(&s.unit),
            s.level.label(),
            csv_field(&s.spec.name),
            csv_field(&s.url),
            s.site_code
        );
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests;
