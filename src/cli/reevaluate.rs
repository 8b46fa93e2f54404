//! `govaudit reevaluate (--check ID | --round ID)`: archived checks judged again offline, and the
//! `--no-archive` switch `check` and `round run` share.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Args;
use futures::StreamExt;

use govaudit::archive::reevaluate::{reevaluate_check, round_checks, store_evaluation};
use govaudit::archive::{Archive, ArchiveError};
use govaudit::config::Config;
use govaudit::findings::Verdict;
use govaudit::render;
use govaudit::rules::RuleSet;
use govaudit::store::Store;

use super::format::{Format, TEXT_JSON_MD};
use super::{EXIT_FAIL, EXIT_PASS};

#[derive(Debug, Args)]
pub struct ReevaluateArgs {
    /// Re-evaluate one stored check.
    #[arg(
        long,
        value_name = "ID",
        conflicts_with = "round",
        required_unless_present = "round"
    )]
    pub check: Option<i64>,
    /// Re-evaluate every check of a round.
    #[arg(long, value_name = "ID")]
    pub round: Option<i64>,
    /// Output format (json: the `check --format json` object; with --round, an array of them).
    #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON_MD))]
    pub format: Format,
}

/// `profile_given`: `--profile` was on the command line; otherwise each check is judged under
/// the profile it was audited with.
pub async fn run(cfg: Config, args: ReevaluateArgs, profile_given: bool) -> Result<u8> {
    let store = Store::open(&cfg.store.db).await?;
    let dir = cfg.archive.dir_for(&cfg.store.db);
    let archive = Archive::open(&dir, store.pool().clone(), cfg.archive.max_site_bytes)
        .context("cannot open the evidence archive")?;
    let checks = match (args.check, args.round) {
        (Some(id), _) => vec![id],
        (None, Some(round)) => {
            let ids = round_checks(&archive, round).await?;
            if ids.is_empty() {
                bail!("round {round} has no stored check");
            }
            ids
        }
        (None, None) => bail!("give --check ID or --round ID"),
    };
    // Each check under its own profile unless --profile was given; each rule set loaded once.
    let mut jobs = Vec::with_capacity(checks.len());
    let mut sets: HashMap<String, Arc<RuleSet>> = HashMap::new();
    for id in &checks {
        let profile = if profile_given {
            cfg.rules.profile.clone()
        } else {
            store.load_check(*id).await?.profile
        };
        if !sets.contains_key(&profile) {
            let set = match &cfg.rules.dir {
                Some(d) => RuleSet::from_dir(d, &profile)?,
                None => RuleSet::builtin(&profile)?,
            };
            sets.insert(profile.clone(), Arc::new(set));
        }
        let rules = Arc::clone(&sets[&profile]);
        jobs.push((*id, rules));
    }
    // A few checks at once: each is mostly analysis, which runs on every core.
    let width = govaudit::crawl::cpu::analyses_at_once().max(2);
    let (archive_ref, store_ref, cfg_ref) = (&archive, &store, &cfg);
    // Collected before anything is stored: a re-evaluation left unpolled while its results are
    // stored would hold its database connections (its fetches ask the index concurrently).
    let results: Vec<_> = futures::stream::iter(jobs.into_iter().map(|(id, rules)| async move {
        (
            id,
            reevaluate_check(archive_ref, store_ref, cfg_ref, rules, id).await,
        )
    }))
    .buffered(width)
    .collect()
    .await;
    let mut docs = Vec::new();
    let mut texts = String::new();
    let mut any_fail = false;
    let (mut done, mut changed, mut skipped) = (0usize, 0usize, 0usize);
    for (id, r) in results {
        let r = match r {
            Ok(r) => r,
            Err(e @ ArchiveError::NotArchived { .. }) if args.round.is_some() => {
                eprintln!("check {id} skipped: {e}");
                skipped += 1;
                continue;
            }
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!("cannot re-evaluate check {id}")))
            }
        };
        if r.misses > 0 {
            eprintln!(
                "check {id}: {} requests were not in the archive; the result may differ from a live audit",
                r.misses
            );
        }
        let doc = render::json::check_json(&r.result, Some(id));
        let json = govaudit::escape::json::to_string_pretty(&doc)?;
        let eval_id = store_evaluation(&archive, &r, cfg.rules.dir.as_deref(), &json).await?;
        let e = &r.result.evaluation;
        if (e.verdict, e.score) != r.original {
            changed += 1;
        }
        done += 1;
        eprintln!(
            "check {id}: {} {:.1} → {} {:.1} (stored as evaluation {eval_id})",
            verdict_label(r.original.0),
            r.original.1,
            verdict_label(e.verdict),
            e.score
        );
        any_fail |= e.verdict == Verdict::Fail;
        match args.format {
            Format::Text => texts.push_str(&render::text::check_text(&r.result, Some(id))),
            Format::Md => texts.push_str(&render::markdown::check_markdown(&r.result, Some(id))),
            Format::Json => docs.push(json),
            other => return Err(other.unsupported("reevaluate")),
        }
    }
    store.close().await;
    let skipped_note = if skipped > 0 {
        format!("; {skipped} not archived, skipped")
    } else {
        String::new()
    };
    eprintln!(
        "{done} checks re-evaluated offline, {changed} with a different verdict or score{skipped_note}"
    );
    match args.format {
        Format::Json if args.check.is_some() => outln!("{}", docs.concat()),
        Format::Json => outln!("[{}]", docs.join(",\n")),
        _ => out!("{texts}"),
    }
    Ok(if any_fail { EXIT_FAIL } else { EXIT_PASS })
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "合格",
        Verdict::Fail => "不合格",
    }
}
