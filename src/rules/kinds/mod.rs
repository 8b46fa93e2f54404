//! Rule kinds: the Rust code behind the `kind = "…"` of a rule file.
//!
//! A rule file picks a kind and fills its `[params]`; the kind parses them strictly
//! (`deny_unknown_fields`, so an unknown param is a load error) and evaluates an
//! [`Observation`] into findings. One file per kind family:
//!
//! | kind | file | used by (gb2015) |
//! |---|---|---|
//! | `unreachable` | [`site`] | `site.unreachable` |
//! | `homepage_stale`, `homepage_update_count` | [`homepage`] | `homepage.stale`, `homepage.few_updates` |
//! | `column_staleness`, `blank_columns` | [`columns`] | `columns.stale`, `columns.long_unupdated`, `columns.blank` |
//! | `link_problems` | [`links`] | `links.broken`, `links.suspected`, `links.blocked` |
//! | `footer_identifiers` | [`footer`] | `footer.missing_identifier` |
//! | `column_presence` | [`columns`] | `interaction.no_survey` |
//! | `audit_limits` | [`limits`] | `audit.limited` |
//! | `interaction_response` | [`interaction`] | `interaction.poor_response` |
//! | `service_guides` | [`service`] | (gb2019) `service.not_practical` |
//! | `serious_errors` | [`content`] | `content.serious_error` (findings for review) |
//! | `future_dates` | [`content`] | (gb2019) `content.future_date` (findings for review) |
//! | `backdated_items` | [`content`] | `content.backdated` (findings for review; needs the archive) |
//!
//! Dates: a window such as `"14d"`, `"2w"`, `"6m"` or `"1y"` ([`Window`]) gives a cutoff
//! `as_of − window` (calendar months for `m`/`y`). Something dated **on or after** the cutoff is
//! within the window; **before** it is overdue, by `cutoff − date` days. So with 14 days and
//! as_of 2018-03-01, newest 2018-02-15 is fresh and 2018-02-14 is one day overdue.

pub mod columns;
pub mod content;
pub mod footer;
pub mod homepage;
pub mod interaction;
pub mod limits;
pub mod links;
pub mod service;
pub mod site;

use chrono::{Months, NaiveDate};
use serde::{de::DeserializeOwned, Deserialize, Deserializer};

use crate::findings::{Evidence, Finding, Severity};
use crate::observation::Observation;

/// The kinds a rule file may name, with the `{placeholders}` its message may use.
pub const KINDS: &[(&str, &[&str])] = &[
    ("unreachable", site::PLACEHOLDERS),
    ("homepage_stale", homepage::STALE_PLACEHOLDERS),
    ("homepage_update_count", homepage::COUNT_PLACEHOLDERS),
    ("column_staleness", columns::STALENESS_PLACEHOLDERS),
    ("blank_columns", columns::BLANK_PLACEHOLDERS),
    ("column_presence", columns::PRESENCE_PLACEHOLDERS),
    ("link_problems", links::PLACEHOLDERS),
    ("footer_identifiers", footer::PLACEHOLDERS),
    ("audit_limits", limits::PLACEHOLDERS),
    ("interaction_response", interaction::PLACEHOLDERS),
    ("service_guides", service::PLACEHOLDERS),
    ("serious_errors", content::PLACEHOLDERS),
    ("future_dates", content::FUTURE_PLACEHOLDERS),
    ("backdated_items", content::BACKDATED_PLACEHOLDERS),
];

/// What a kind needs besides the observation: profile settings.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The site's observation being judged.
    pub obs: &'a Observation,
    /// 「未注明信息发布时间的视为不更新」 (profile setting).
    pub undated_is_stale: bool,
}

/// A rule's severity after validation: points and cap are 0 unless a deduction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleSeverity {
    /// Veto, deduction, info or review, as the rule file says.
    pub level: Severity,
    /// Points per instance (deductions).
    pub points: f64,
    /// Most points this rule may deduct in one evaluation (deductions).
    pub cap: f64,
}

/// The parts of a rule a kind needs to produce findings.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    /// The rule id (`homepage.stale`), which findings carry.
    pub id: String,
    /// Its validated severity, points and cap.
    pub severity: RuleSeverity,
    /// The message template, `{placeholders}` checked against the kind's.
    pub message: String,
}

impl RuleMeta {
    /// A rule's meta for unit tests of the kinds.
    #[cfg(test)]
    pub(crate) fn for_test(level: Severity, points: f64, cap: f64, message: &str) -> RuleMeta {
        RuleMeta {
            id: "t".into(),
            severity: RuleSeverity { level, points, cap },
            message: message.into(),
        }
    }

    /// A finding of this rule. `instances` counts deduction instances: points are
    /// `min(instances × points, cap)` for deductions and 0 otherwise. `severity` is normally the
    /// rule's own; kinds pass [`Severity::Info`] for below-threshold or informational reports.
    pub fn finding(
        &self,
        severity: Severity,
        instances: usize,
        vars: &[(&str, String)],
        evidence: Vec<Evidence>,
    ) -> Finding {
        let points = if severity == Severity::Deduction {
            (instances as f64 * self.severity.points).min(self.severity.cap)
        } else {
            0.0
        };
        Finding {
            rule: self.id.clone(),
            severity,
            message: crate::template::fill(&self.message, vars),
            points,
            evidence,
        }
    }
}

/// A parsed kind with its params.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `unreachable`: 站点无法访问, from the monitor's record when it covers the window, else
    /// from the audit's own homepage fetch.
    Unreachable(site::UnreachableParams),
    /// `homepage_stale`: the homepage's newest item is older than the window.
    HomepageStale(homepage::StaleParams),
    /// `homepage_update_count`: too few homepage items within the window.
    HomepageUpdateCount(homepage::CountParams),
    /// `column_staleness`: columns of given classes not updated within their window.
    ColumnStaleness(columns::StalenessParams),
    /// `blank_columns`: 空白栏目.
    BlankColumns(columns::BlankParams),
    /// `column_presence`: a column class the site must have is missing.
    ColumnPresence(columns::PresenceParams),
    /// `link_problems`: broken, suspected or blocked links.
    LinkProblems(links::LinkParams),
    /// `footer_identifiers`: missing or malformed footer identifiers.
    FooterIdentifiers(footer::FooterParams),
    /// `audit_limits`: bounds that cut the audit short, reported (never deducts).
    AuditLimits(limits::LimitParams),
    /// `interaction_response`: 政务咨询类 messages unanswered or answered late.
    InteractionResponse(interaction::ResponseParams),
    /// `service_guides`: 办事指南 missing key elements (服务不实用).
    ServiceGuides(service::GuideParams),
    /// `serious_errors`: leaders' names written wrong (严重错误, for review); its params are
    /// the lexicon of names.
    SeriousErrors(crate::analysis::names::Lexicon),
    /// `future_dates`: list rows dated after the as-of date.
    FutureDates(content::FutureParams),
    /// `backdated_items`: rows new since the previous capture yet dated before it.
    BackdatedItems(content::BackdatedParams),
}

fn params<P: DeserializeOwned>(table: &toml::Table) -> Result<P, String> {
    toml::Value::Table(table.clone())
        .try_into::<P>()
        .map_err(|e| format!("[params]: {}", e.message().trim()))
}

impl Kind {
    /// Parses `kind` and its `[params]`. The error is a message without the file name.
    pub fn parse(kind: &str, table: &toml::Table) -> Result<Kind, String> {
        Ok(match kind {
            "unreachable" => {
                let p: site::UnreachableParams = params(table)?;
                p.validate()?;
                Kind::Unreachable(p)
            }
            "homepage_stale" => Kind::HomepageStale(params(table)?),
            "homepage_update_count" => Kind::HomepageUpdateCount(params(table)?),
            "column_staleness" => {
                let p: columns::StalenessParams = params(table)?;
                p.validate()?;
                Kind::ColumnStaleness(p)
            }
            "blank_columns" => Kind::BlankColumns(params(table)?),
            "column_presence" => Kind::ColumnPresence(params(table)?),
            "link_problems" => {
                let p: links::LinkParams = params(table)?;
                p.validate()?;
                Kind::LinkProblems(p)
            }
            "footer_identifiers" => Kind::FooterIdentifiers(params(table)?),
            "audit_limits" => {
                let p: limits::LimitParams = params(table)?;
                p.validate()?;
                Kind::AuditLimits(p)
            }
            "interaction_response" => Kind::InteractionResponse(params(table)?),
            "serious_errors" => Kind::SeriousErrors(params(table)?),
            "future_dates" => Kind::FutureDates(params(table)?),
            "backdated_items" => Kind::BackdatedItems(params(table)?),
            "service_guides" => {
                let p: service::GuideParams = params(table)?;
                p.validate()?;
                Kind::ServiceGuides(p)
            }
            other => {
                let known: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
                return Err(format!(
                    "unknown kind `{other}`; known kinds: {}",
                    known.join(", ")
                ));
            }
        })
    }

    /// Placeholders the kind fills in the message template.
    pub fn placeholders(&self) -> &'static [&'static str] {
        match self {
            Kind::Unreachable(_) => site::PLACEHOLDERS,
            Kind::HomepageStale(_) => homepage::STALE_PLACEHOLDERS,
            Kind::HomepageUpdateCount(_) => homepage::COUNT_PLACEHOLDERS,
            Kind::ColumnStaleness(_) => columns::STALENESS_PLACEHOLDERS,
            Kind::BlankColumns(_) => columns::BLANK_PLACEHOLDERS,
            Kind::ColumnPresence(_) => columns::PRESENCE_PLACEHOLDERS,
            Kind::LinkProblems(_) => links::PLACEHOLDERS,
            Kind::FooterIdentifiers(_) => footer::PLACEHOLDERS,
            Kind::AuditLimits(_) => limits::PLACEHOLDERS,
            Kind::InteractionResponse(_) => interaction::PLACEHOLDERS,
            Kind::ServiceGuides(_) => service::PLACEHOLDERS,
            Kind::SeriousErrors(_) => content::PLACEHOLDERS,
            Kind::FutureDates(_) => content::FUTURE_PLACEHOLDERS,
            Kind::BackdatedItems(_) => content::BACKDATED_PLACEHOLDERS,
        }
    }

    /// Whether the kind is evaluated when the homepage did not open. Only `unreachable` is:
    /// every other kind would misread the empty observation (no items → "stale").
    pub fn runs_when_unreachable(&self) -> bool {
        matches!(self, Kind::Unreachable(_))
    }

    /// Evaluates the rule.
    pub fn evaluate(&self, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
        match self {
            Kind::Unreachable(p) => site::unreachable(p, rule, ctx),
            Kind::HomepageStale(p) => homepage::stale(p, rule, ctx),
            Kind::HomepageUpdateCount(p) => homepage::update_count(p, rule, ctx),
            Kind::ColumnStaleness(p) => columns::staleness(p, rule, ctx),
            Kind::BlankColumns(p) => columns::blank(p, rule, ctx),
            Kind::ColumnPresence(p) => columns::presence(p, rule, ctx),
            Kind::LinkProblems(p) => links::problems(p, rule, ctx),
            Kind::FooterIdentifiers(p) => footer::identifiers(p, rule, ctx),
            Kind::AuditLimits(p) => limits::limits(p, rule, ctx),
            Kind::InteractionResponse(p) => interaction::response(p, rule, ctx),
            Kind::ServiceGuides(p) => service::guides(p, rule, ctx),
            Kind::SeriousErrors(p) => content::candidates(p, rule, ctx),
            Kind::FutureDates(p) => content::future_dates(p, rule, ctx),
            Kind::BackdatedItems(p) => content::backdated(p, rule, ctx),
        }
    }
}

/// Checks a message template against the placeholders its kind fills (see
/// [`crate::template::check`]); the error names the key it was read from.
pub fn check_template(key: &str, template: &str, allowed: &[&str]) -> Result<(), String> {
    crate::template::check(template, allowed).map_err(|e| format!("{key}: {e}"))
}

/// A time window: days or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// A number of days (`14d`; `2w` is 14 days).
    Days(u32),
    /// A number of calendar months (`6m`; `1y` is 12 months).
    Months(u32),
}

impl Window {
    /// Parses `14d`, `2w`, `6m`, `1y`.
    pub fn parse(s: &str) -> Result<Window, String> {
        let s = s.trim();
        let bad = || format!("invalid window `{s}`: use e.g. \"14d\", \"2w\", \"6m\", \"1y\"");
        let unit = s.chars().last().ok_or_else(bad)?;
        let n: u32 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(bad());
        }
        match unit {
            'd' => Ok(Window::Days(n)),
            'w' => n.checked_mul(7).map(Window::Days).ok_or_else(bad),
            'm' => Ok(Window::Months(n)),
            'y' => n.checked_mul(12).map(Window::Months).ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// The earliest date still within the window before `as_of`.
    pub fn cutoff(self, as_of: NaiveDate) -> NaiveDate {
        match self {
            Window::Days(d) => as_of
                .checked_sub_signed(chrono::Duration::days(i64::from(d)))
                .unwrap_or(NaiveDate::MIN),
            Window::Months(m) => as_of
                .checked_sub_months(Months::new(m))
                .unwrap_or(NaiveDate::MIN),
        }
    }

    /// Days `date` lies before the cutoff (positive when overdue), or `None` when within.
    pub fn overdue(self, date: NaiveDate, as_of: NaiveDate) -> Option<i64> {
        let cutoff = self.cutoff(as_of);
        (date < cutoff).then(|| (cutoff - date).num_days())
    }

    /// Chinese label: 2周, 15天, 6个月, 1年.
    pub fn label(self) -> String {
        match self {
            Window::Days(d) if d % 7 == 0 => format!("{}周", d / 7),
            Window::Days(d) => format!("{d}天"),
            Window::Months(m) if m % 12 == 0 => format!("{}年", m / 12),
            Window::Months(m) => format!("{m}个月"),
        }
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Window, D::Error> {
        let s = String::deserialize(d)?;
        Window::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Formats an optional date for messages (「无」 when absent).
pub fn date_or_none(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "无".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn window_boundaries() {
        let w = Window::parse("14d").expect("window");
        let as_of = d("2018-03-01");
        assert_eq!(w.overdue(d("2018-02-15"), as_of), None);
        assert_eq!(w.overdue(d("2018-02-14"), as_of), Some(1));
        let m = Window::parse("6m").expect("window");
        assert_eq!(m.overdue(d("2017-09-01"), as_of), None);
        assert_eq!(m.overdue(d("2017-08-31"), as_of), Some(1));
        let y = Window::parse("1y").expect("window");
        assert_eq!(y.overdue(d("2017-03-01"), as_of), None);
        assert_eq!(y.overdue(d("2017-02-28"), as_of), Some(1));
        // A date after as_of is within the window.
        assert_eq!(w.overdue(d("2018-04-01"), as_of), None);
    }

    #[test]
    fn window_parse_and_labels() {
        assert_eq!(Window::parse("2w"), Ok(Window::Days(14)));
        assert_eq!(Window::parse("2w").map(Window::label), Ok("2周".into()));
        assert_eq!(Window::parse("15d").map(Window::label), Ok("15天".into()));
        assert_eq!(Window::parse("6m").map(Window::label), Ok("6个月".into()));
        assert_eq!(Window::parse("1y").map(Window::label), Ok("1年".into()));
        for bad in ["", "d", "0d", "14", "14x", "-1d", "天"] {
            assert!(Window::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_template_error_names_its_key() {
        assert!(check_template("message", "{count}个", &["count"]).is_ok());
        let e = check_template("message", "{cnt}个", &["count"]).expect_err("unknown");
        assert!(e.starts_with("message: unknown placeholder `{cnt}`"), "{e}");
    }
}
