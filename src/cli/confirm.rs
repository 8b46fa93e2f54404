//! `govaudit confirm FINDING_ID [--reject] [--note TEXT]` and `govaudit confirm --list`: a
//! person's decision on a finding awaiting one (待人工确认: 严重错误 candidates). Confirming makes
//! it a 单项否决 and the check 不合格; `--reject` dismisses it as a 提示.

use anyhow::{bail, Result};
use clap::Args;

use govaudit::config::Config;
use govaudit::store::{Decision, Store};

use super::EXIT_PASS;

#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// The finding's id (from `--list`, the check's JSON or the self-check report).
    #[arg(required_unless_present = "list")]
    pub finding: Option<i64>,
    /// Dismiss the candidate instead of confirming it.
    #[arg(long)]
    pub reject: bool,
    /// Why, kept with the decision.
    #[arg(long)]
    pub note: Option<String>,
    /// List the findings awaiting a decision.
    #[arg(long, conflicts_with_all = ["finding", "reject", "note"])]
    pub list: bool,
}

pub async fn run(cfg: Config, args: ConfirmArgs) -> Result<u8> {
    let store = Store::open_existing(&cfg.store.db).await?;
    if args.list {
        let rows = store.findings_for_review().await?;
        if rows.is_empty() {
            outln!("没有待人工确认的问题");
        }
        for f in rows {
            outln!("{}\t检查 {}\t{}\t{}", f.id, f.check_id, f.url, f.message);
        }
        return Ok(EXIT_PASS);
    }
    let Some(id) = args.finding else {
        bail!("give a finding id, or --list");
    };
    let decision = if args.reject {
        Decision::Rejected
    } else {
        Decision::Confirmed
    };
    let r = store
        .review_finding(id, decision, args.note.as_deref())
        .await?;
    store.close().await;
    let verdict = r.verdict.label();
    match decision {
        Decision::Confirmed => outln!(
            "finding {id} confirmed: 单项否决 ({}); check {} is now {verdict}",
            r.rule,
            r.check_id
        ),
        Decision::Rejected => outln!(
            "finding {id} rejected: kept as 提示; check {} stays {verdict}",
            r.check_id
        ),
    }
    Ok(EXIT_PASS)
}
