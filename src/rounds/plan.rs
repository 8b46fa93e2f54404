//! Planning a round: a stratified random sample of the registry, an explicit list of sites, or
//! a 复核 round of a finished round's failing sites. The round is stored by [`super::db`].

use std::path::Path;

use chrono::NaiveDate;

use super::db::{get, insert_round, round_sites};
use super::{parse_month, Round, RoundError, RoundKind};
use crate::calendar::{Calendar, Warning};
use crate::findings::Verdict;
use crate::registry::{self, SiteFilter};
use crate::sample::{self, Sample};
use crate::store::Store;

/// What a new round is.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// `YYYY-MM`.
    pub month: String,
    /// Share of each unit's running sites to draw, 0 < ratio ≤ 1 (ignored by an explicit list).
    pub ratio: f64,
    /// Seed of the draw: the same seed and registry give the same sample (ignored by a list).
    pub seed: u64,
    /// Rule profile to record with the round (`[rules] profile`, e.g. `gb2015`).
    pub profile: String,
    /// Default as-of date of the audits.
    pub as_of: Option<NaiveDate>,
}

fn blank_round(kind: RoundKind, month: String, source: String, profile: &str) -> Round {
    Round {
        id: 0,
        kind,
        month,
        ratio: None,
        seed: None,
        source,
        parent_round_id: None,
        notice_date: None,
        due_date: None,
        as_of: None,
        profile: profile.to_string(),
        created_at: String::new(),
        finished_at: None,
        sites: 0,
        done: 0,
        failed: 0,
    }
}

/// Draw a stratified random sample of the registry's running sites and store it as a round.
pub async fn plan_sample(store: &Store, opts: &PlanOptions) -> Result<(Round, Sample), RoundError> {
    let month = parse_month(&opts.month)?;
    let filter = SiteFilter {
        registered_only: true,
        ..SiteFilter::default()
    };
    let candidates: Vec<_> = registry::list(store, &filter)
        .await?
        .iter()
        .filter_map(|s| s.candidate())
        .collect();
    if !candidates.iter().any(|c| c.running) {
        return Err(RoundError::NoSites);
    }
    let drawn = sample::draw(&candidates, opts.ratio, opts.seed)?;
    let mut round = blank_round(RoundKind::Regular, month, "sample".into(), &opts.profile);
    round.ratio = Some(drawn.ratio);
    // SQLite integers are signed: the seed is stored bit for bit.
    round.seed = Some(opts.seed as i64);
    round.as_of = opts.as_of;
    let sites: Vec<(i64, Option<i64>)> = drawn.selected().map(|c| (c.id, None)).collect();
    let id = insert_round(store, &round, &sites).await?;
    Ok((get(store, id).await?, drawn))
}

/// Store an explicit list of sites (one id or URL per line; `#` comments) as a round.
pub async fn plan_list(
    store: &Store,
    opts: &PlanOptions,
    path: &Path,
) -> Result<Round, RoundError> {
    let month = parse_month(&opts.month)?;
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| RoundError::Read {
        path: shown.clone(),
        source,
    })?;
    let mut sites: Vec<(i64, Option<i64>)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let value = line.split('#').next().unwrap_or("").trim();
        if value.is_empty() {
            continue;
        }
        let site = registry::get(store, value)
            .await
            .map_err(|_| RoundError::UnknownSite {
                path: shown.clone(),
                line: i + 1,
                value: value.to_string(),
            })?;
        if !sites.iter().any(|(id, _)| *id == site.id) {
            sites.push((site.id, None));
        }
    }
    if sites.is_empty() {
        return Err(RoundError::NoSites);
    }
    let mut round = blank_round(
        RoundKind::Regular,
        month,
        format!("list:{shown}"),
        &opts.profile,
    );
    round.as_of = opts.as_of;
    let id = insert_round(store, &round, &sites).await?;
    get(store, id).await
}

/// Make a 复核 round of a finished round's failing sites, due `days` working days after the
/// notice date. Returns the round and a calendar warning when a year has no holiday data.
pub async fn plan_recheck(
    store: &Store,
    parent_id: i64,
    notice_date: NaiveDate,
    days: u32,
    calendar: &Calendar,
) -> Result<(Round, Option<Warning>), RoundError> {
    let parent = get(store, parent_id).await?;
    if parent.kind == RoundKind::Recheck {
        return Err(RoundError::RecheckOfRecheck { id: parent_id });
    }
    if parent.done < parent.sites {
        return Err(RoundError::Unfinished { id: parent_id });
    }
    let failing: Vec<(i64, Option<i64>)> = round_sites(store, parent_id)
        .await?
        .into_iter()
        .filter(|s| s.verdict == Some(Verdict::Fail))
        .map(|s| (s.site_id, s.check_id))
        .collect();
    let (due, warning) = calendar.add_working_days(notice_date, days);
    let mut round = blank_round(
        RoundKind::Recheck,
        due.format("%Y-%m").to_string(),
        "recheck".into(),
        &parent.profile,
    );
    round.parent_round_id = Some(parent_id);
    round.notice_date = Some(notice_date);
    round.due_date = Some(due);
    round.as_of = Some(due);
    let id = insert_round(store, &round, &failing).await?;
    Ok((get(store, id).await?, warning))
}
