//! Which `{placeholders}` each text of the templates is filled with, and the check, run when
//! templates are loaded, that a text uses no other ([`crate::template::check`]). A new
//! placeholder given to a text by its caller (`notice.rs`, `paragraphs.rs`, `site_report.rs`,
//! `site_findings.rs`) is added here too.

use super::templates::{NoticeTemplate, SiteTemplate, Templates};
use super::NoticeError;

/// Placeholders every notice text of the period is filled with.
const BASE: &[&str] = &["period", "period_kind", "registry_as_of"];
/// Placeholders of 一、总体情况's paragraphs (besides [`BASE`]).
const OVERVIEW: &[&str] = &[
    "running",
    "levels",
    "sampled",
    "sample_ratio",
    "failed",
    "pass_rate",
    "local_sampled",
    "local_failed",
    "local_pass_rate",
    "region_sampled",
    "region_failed",
    "region_pass_rate",
];

/// One text to check: its key, the text and the placeholders it is filled with.
type Checked<'a> = (String, &'a str, Vec<&'static str>);

fn with_base(more: &[&'static str]) -> Vec<&'static str> {
    BASE.iter().chain(more).copied().collect()
}

/// Every text of `notice.toml` with the placeholders it is filled with (none: printed as is).
fn notice_texts(t: &NoticeTemplate) -> Vec<Checked<'_>> {
    let (o, p, r, a) = (&t.overview, &t.problems, &t.requirements, &t.attachments);
    let key = |k: &str| k.to_string();
    let mut v: Vec<Checked<'_>> = vec![
        (key("title_quarter"), &t.title_quarter, with_base(&[])),
        (key("title_round"), &t.title_round, with_base(&[])),
        (key("period_kind_quarter"), &t.period_kind_quarter, vec![]),
        (key("period_kind_round"), &t.period_kind_round, vec![]),
        (key("overview.heading"), &o.heading, vec![]),
        (
            key("overview.registry_as_of"),
            &o.registry_as_of,
            vec!["date"],
        ),
        (key("overview.running"), &o.running, with_base(OVERVIEW)),
        (key("overview.sampled"), &o.sampled, with_base(OVERVIEW)),
        (
            key("overview.reevaluated"),
            &o.reevaluated,
            with_base(&["evaluated", "checks", "evaluated_on", "profiles", "rules"]),
        ),
        (key("overview.rules_builtin"), &o.rules_builtin, vec![]),
        (key("overview.rules_dir"), &o.rules_dir, vec!["dir"]),
        (
            key("overview.reevaluated_separator"),
            &o.reevaluated_separator,
            vec![],
        ),
        (
            key("overview.level_item"),
            &o.level_item,
            vec!["level", "count"],
        ),
        (key("overview.level_separator"), &o.level_separator, vec![]),
        (key("problems.heading"), &p.heading, vec![]),
        (key("problems.none"), &p.none, with_base(&[])),
        (
            key("problems.category"),
            &p.category,
            with_base(&["n", "label", "failed", "sites", "share", "examples"]),
        ),
        (key("problems.examples"), &p.examples, vec!["list", "etc"]),
        (
            key("problems.example_separator"),
            &p.example_separator,
            vec![],
        ),
        (key("problems.etc"), &p.etc, vec![]),
        (
            key("problems.repeat"),
            &p.repeat,
            with_base(&["n", "list", "etc"]),
        ),
        (key("problems.site_name"), &p.site_name, vec!["name"]),
        (key("problems.site_separator"), &p.site_separator, vec![]),
        (key("requirements.heading"), &r.heading, vec![]),
        (key("requirements.closing"), &r.closing, with_base(&[])),
        (
            key("requirements.deadline"),
            &r.deadline,
            vec!["deadline", "issuer"],
        ),
        (key("requirements.contact"), &r.contact, vec!["contact"]),
        (
            key("attachments.list_first"),
            &a.list_first,
            vec!["n", "title"],
        ),
        (
            key("attachments.list_next"),
            &a.list_next,
            vec!["n", "title"],
        ),
        (key("attachments.unit_label"), &a.unit_label, vec![]),
        (key("attachments.unit_title"), &a.unit_title, with_base(&[])),
        (
            key("attachments.reevaluated_title"),
            &a.reevaluated_title,
            vec!["title"],
        ),
        (key("attachments.site_label"), &a.site_label, vec![]),
        (key("attachments.site_title"), &a.site_title, with_base(&[])),
        (
            key("attachments.reason_separator"),
            &a.reason_separator,
            vec![],
        ),
        (key("attachments.detail_label"), &a.detail_label, vec![]),
        (
            key("attachments.archived_header"),
            &a.archived_header,
            vec![],
        ),
        (
            key("attachments.detail_title"),
            &a.detail_title,
            with_base(&[]),
        ),
        (key("attachments.chart_title"), &a.chart_title, vec![]),
        (key("attachments.trend_title"), &a.trend_title, vec![]),
    ];
    v.extend(
        t.intro
            .iter()
            .map(|x| (key("intro"), x.as_str(), with_base(&[]))),
    );
    v.extend(
        r.paragraphs
            .iter()
            .map(|x| (key("requirements.paragraphs"), x.as_str(), with_base(&[]))),
    );
    for (k, x) in &t.labels {
        v.push((format!("labels.{k}"), x, vec![]));
    }
    for (k, x) in &o.level_names {
        v.push((format!("overview.level_names.{k}"), x, vec![]));
    }
    for (k, x) in &p.phrases {
        v.push((
            format!("problems.phrases.{k}"),
            x,
            vec!["name", "count", "label"],
        ));
    }
    for (name, list) in [
        ("unit_headers", &a.unit_headers),
        ("site_headers", &a.site_headers),
        ("detail_headers", &a.detail_headers),
        ("trend_headers", &a.trend_headers),
    ] {
        v.extend(
            list.iter()
                .map(|x| (format!("attachments.{name}"), x.as_str(), vec![])),
        );
    }
    v
}

/// Every text of `site.toml` with the placeholders it is filled with.
fn site_texts(t: &SiteTemplate) -> Vec<Checked<'_>> {
    let key = |k: &str| k.to_string();
    let summary = vec![
        "name",
        "url",
        "sponsor",
        "unit",
        "check_id",
        "round",
        "as_of",
        "conclusion",
    ];
    let warning = vec!["column", "class", "url", "newest", "stale_on", "days_left"];
    let mut v: Vec<Checked<'_>> = vec![
        (key("title"), &t.title, vec!["name"]),
        (key("sponsor_unknown"), &t.sponsor_unknown, vec![]),
        (key("conclusion_veto"), &t.conclusion_veto, vec!["vetoes"]),
        (
            key("conclusion_score"),
            &t.conclusion_score,
            vec!["verdict", "score"],
        ),
        (key("round_none"), &t.round_none, vec![]),
        (key("round_some"), &t.round_some, vec!["round_id", "month"]),
        (key("findings_heading"), &t.findings_heading, vec![]),
        (key("findings_none"), &t.findings_none, vec![]),
        (
            key("finding"),
            &t.finding,
            vec!["n", "label", "severity", "message"],
        ),
        (key("fix"), &t.fix, vec!["fix"]),
        (key("overdue"), &t.overdue, vec!["window", "days"]),
        (key("overdue_bare"), &t.overdue_bare, vec!["days"]),
        (key("repeated"), &t.repeated, vec!["count", "items"]),
        (
            key("warnings_heading"),
            &t.warnings_heading,
            vec!["warn_days"],
        ),
        (key("warnings_none"), &t.warnings_none, vec!["warn_days"]),
        (key("warning"), &t.warning, warning),
    ];
    v.extend(
        t.summary
            .iter()
            .map(|x| (key("summary"), x.as_str(), summary.clone())),
    );
    v.extend(
        t.evidence_headers
            .iter()
            .map(|x| (key("evidence_headers"), x.as_str(), vec![])),
    );
    v.push((key("archived_header"), &t.archived_header, vec![]));
    v
}

/// Checks every text of `t` against the placeholders it is filled with; `file` names a file
/// (`notice.toml` …) for the error.
pub(super) fn check(t: &Templates, file: &dyn Fn(&str) -> String) -> Result<(), NoticeError> {
    let fixes = t.fixes.iter().map(|(k, x)| (k.clone(), x.as_str(), vec![]));
    let all = [
        ("notice.toml", notice_texts(&t.notice)),
        ("site.toml", site_texts(&t.site)),
        ("fixes.toml", fixes.collect()),
    ];
    for (name, texts) in all {
        for (key, text, allowed) in texts {
            crate::template::check(text, &allowed).map_err(|e| NoticeError::Template {
                origin: file(name),
                message: format!("{key}: {e}"),
            })?;
        }
    }
    Ok(())
}
