//! The official Chinese working-day calendar, for deadlines counted in 工作日 (the seed notice:
//! 问题网站 rectify and are re-checked "限期在5个工作日内").
//!
//! The data — public holidays (放假) and 调休 working weekends (补班) per year, each year citing
//! its 国务院办公厅 notice — is `data/calendar/cn-workdays.toml`, embedded in the binary
//! ([`Calendar::builtin`]) and loadable from a copy ([`Calendar::load`]) when a new year's notice
//! comes out. A day is a working day when it is a 补班, or a Monday–Friday that is not a holiday.
//! For a year the data does not cover, that leaves plain Monday–Friday, and
//! [`Calendar::add_working_days`] returns (and logs) a [`Warning`] naming the year.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;

/// The embedded calendar data.
pub const BUILTIN: &str = include_str!("../../data/calendar/cn-workdays.toml");
const BUILTIN_ORIGIN: &str = "data/calendar/cn-workdays.toml";

/// Errors loading calendar data; every one names the file.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The calendar file cannot be read.
    #[error("cannot read calendar file {path}: {source}")]
    Read {
        /// The file given.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The calendar data does not parse or is inconsistent.
    #[error("invalid calendar file {origin}: {message}")]
    Invalid {
        /// The file's path, or `data/calendar/cn-workdays.toml` for the embedded data.
        origin: String,
        /// What is wrong (the TOML error, a bad date …).
        message: String,
    },
}

/// Dates were counted in a year the calendar does not cover, as plain Monday–Friday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The uncovered years, ascending.
    pub years: Vec<i32>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let years: Vec<String> = self.years.iter().map(i32::to_string).collect();
        write!(
            f,
            "no official holiday calendar for {}: counted Monday–Friday as working days; \
             add the year's 国务院办公厅 notice to the calendar data",
            years.join(", ")
        )
    }
}

/// What the data says about one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSource {
    /// The calendar year the notice covers.
    pub year: i32,
    /// The notice (title and 国办发明电 number).
    pub notice: String,
    /// Where the notice was published, where the data gives it.
    pub url: Option<String>,
    /// `false` for years marked UNCONFIRMED in the data.
    pub confirmed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileData {
    year: Vec<YearData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearData {
    year: i32,
    notice: String,
    #[serde(default)]
    url: Option<String>,
    confirmed: bool,
    holidays: Vec<HolidayData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayData {
    name: String,
    off: String,
    #[serde(default)]
    work: Vec<String>,
}

/// The working-day calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    years: BTreeMap<i32, YearSource>,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// The calendar shipped with govaudit (2018 on).
    pub fn builtin() -> Calendar {
        // The embedded data is checked by the unit tests; a failure here is a build defect.
        Calendar::from_toml(BUILTIN, BUILTIN_ORIGIN)
            .unwrap_or_else(|e| panic!("built-in calendar data is invalid: {e}"))
    }

    /// Read calendar data from a file (same format as the built-in one).
    pub fn load(path: &Path) -> Result<Calendar, CalendarError> {
        let text = std::fs::read_to_string(path).map_err(|source| CalendarError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Calendar::from_toml(&text, &path.display().to_string())
    }

    /// Parse and check calendar data; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Calendar, CalendarError> {
        let invalid = |message: String| CalendarError::Invalid {
            origin: origin.to_string(),
            message,
        };
        let data: FileData = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut cal = Calendar {
            years: BTreeMap::new(),
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
        };
        for y in data.year {
            let here = |what: &str| format!("year {}, {what}", y.year);
            for h in &y.holidays {
                let (start, end) = parse_range(&h.off)
                    .map_err(|m| invalid(format!("{}: off: {m}", here(&h.name))))?;
                if end < start || (end - start).num_days() > 14 {
                    return Err(invalid(format!(
                        "{}: off {:?} is not a range of at most 15 days",
                        here(&h.name),
                        h.off
                    )));
                }
                let mut d = start;
                while d <= end {
                    if !cal.holidays.insert(d) || cal.workdays.contains(&d) {
                        return Err(invalid(format!("{}: {d} listed twice", here(&h.name))));
                    }
                    d += Duration::days(1);
                }
                for w in &h.work {
                    let day = parse_date(w)
                        .map_err(|m| invalid(format!("{}: work: {m}", here(&h.name))))?;
                    if !is_weekend(day) {
                        return Err(invalid(format!(
                            "{}: work day {day} is a {}, not a weekend day (补班 are weekends)",
                            here(&h.name),
                            day.weekday()
                        )));
                    }
                    if cal.holidays.contains(&day) || !cal.workdays.insert(day) {
                        return Err(invalid(format!("{}: {day} listed twice", here(&h.name))));
                    }
                }
            }
            let source = YearSource {
                year: y.year,
                notice: y.notice,
                url: y.url,
                confirmed: y.confirmed,
            };
            if cal.years.insert(y.year, source).is_some() {
                return Err(invalid(format!("year {} appears twice", y.year)));
            }
        }
        Ok(cal)
    }

    /// The years the data covers, with their sources.
    pub fn years(&self) -> impl Iterator<Item = &YearSource> {
        self.years.values()
    }

    /// Whether the data covers `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Whether `date` is an official working day (Monday–Friday for uncovered years).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.workdays.contains(&date) {
            return true;
        }
        !self.holidays.contains(&date) && !is_weekend(date)
    }

    /// The `n`th working day after `date` (the notice date is day 0, so `n = 0` gives `date`
    /// itself), and a warning when the count passed through a year the data does not cover.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> (NaiveDate, Option<Warning>) {
        let mut day = date;
        let mut counted = 0;
        while counted < n {
            day += Duration::days(1);
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        let years: Vec<i32> = (date.year()..=day.year())
            .filter(|y| !self.covers(*y))
            .collect();
        let warning = (!years.is_empty()).then_some(Warning { years });
        if let Some(w) = &warning {
            tracing::warn!("{w}");
        }
        (day, warning)
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|e| format!("invalid date {s:?} ({e}); expected YYYY-MM-DD"))
}

fn parse_range(s: &str) -> Result<(NaiveDate, NaiveDate), String> {
    match s.split_once("..") {
        Some((a, b)) => Ok((parse_date(a)?, parse_date(b)?)),
        None => parse_date(s).map(|d| (d, d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("test date")
    }

    #[test]
    fn the_builtin_data_covers_2018_to_2026() {
        let cal = Calendar::builtin();
        let years: Vec<i32> = cal.years().map(|y| y.year).collect();
        assert_eq!(years, (2018..=2026).collect::<Vec<_>>());
        assert!(cal.years().all(|y| y.notice.contains("国务院办公厅")));
        assert!(cal.years().filter(|y| y.confirmed).count() >= 3);
    }

    #[test]
    fn spring_festival_2018() {
        let cal = Calendar::builtin();
        assert!(cal.is_working_day(d("2018-02-11")), "Sunday 补班");
        for day in 15..=21 {
            assert!(
                !cal.is_working_day(d(&format!("2018-02-{day}"))),
                "春节 02-{day}"
            );
        }
        assert!(cal.is_working_day(d("2018-02-24")), "Saturday 补班");
        assert!(!cal.is_working_day(d("2018-02-25")), "an ordinary Sunday");
        // 02-14 day 1, holiday 15–21, 22 day 2, 23 day 3, Sat 24 (补班) day 4, Mon 26 day 5.
        assert_eq!(
            cal.add_working_days(d("2018-02-13"), 5),
            (d("2018-02-26"), None)
        );
        assert_eq!(
            cal.add_working_days(d("2018-02-13"), 0),
            (d("2018-02-13"), None)
        );
        assert_eq!(cal.add_working_days(d("2018-02-13"), 1).0, d("2018-02-14"));
        // The seed notice of 2018-03-27 (Tuesday): 5 working days → Tuesday 2018-04-03.
        assert_eq!(cal.add_working_days(d("2018-03-27"), 5).0, d("2018-04-03"));
    }

    #[test]
    fn national_day_2018() {
        let cal = Calendar::builtin();
        assert!(cal.is_working_day(d("2018-09-29")), "Saturday 补班");
        assert!(cal.is_working_day(d("2018-09-30")), "Sunday 补班");
        for day in 1..=7 {
            assert!(!cal.is_working_day(d(&format!("2018-10-0{day}"))));
        }
        // Fri 09-28 → Sat 29, Sun 30 (补班), holiday 1–7, Mon 8, Tue 9, Wed 10.
        assert_eq!(cal.add_working_days(d("2018-09-28"), 5).0, d("2018-10-10"));
    }

    #[test]
    fn extended_spring_festival_2020_and_year_end_2018() {
        let cal = Calendar::builtin();
        assert!(!cal.is_working_day(d("2020-01-31")), "extended holiday");
        assert!(
            !cal.is_working_day(d("2020-02-01")),
            "补班 cancelled by the extension"
        );
        assert!(
            cal.is_working_day(d("2018-12-29")),
            "元旦 2019 补班 falls in 2018"
        );
        assert!(!cal.is_working_day(d("2018-12-31")));
        // Fri 2018-12-28 → Sat 29 (补班), holiday 30–1, Wed 2019-01-02.
        assert_eq!(cal.add_working_days(d("2018-12-28"), 2).0, d("2019-01-02"));
    }

    #[test]
    fn an_unknown_year_falls_back_to_monday_to_friday_with_a_warning() {
        let cal = Calendar::builtin();
        // 2035-10-01 is a Monday; no 国庆 holiday is known for 2035.
        assert!(cal.is_working_day(d("2035-10-01")));
        let (due, warning) = cal.add_working_days(d("2035-09-28"), 5);
        assert_eq!(due, d("2035-10-05"));
        let w = warning.expect("warning");
        assert_eq!(w.years, vec![2035]);
        assert!(w.to_string().contains("2035"));
        let (_, w) = cal.add_working_days(d("2026-12-30"), 5);
        assert_eq!(w.map(|w| w.years), Some(vec![2027]), "counting into 2027");
    }

    #[test]
    fn bad_data_is_rejected_with_the_origin() {
        let weekday_work = "[[year]]\nyear = 2030\nnotice = \"x\"\nconfirmed = false\n\
                            holidays = [{ name = \"春节\", off = \"2030-02-02\", work = [\"2030-02-04\"] }]\n";
        let e = Calendar::from_toml(weekday_work, "my.toml").expect_err("Monday 补班");
        assert!(e.to_string().contains("my.toml"), "{e}");
        assert!(e.to_string().contains("not a weekend"), "{e}");
        let overlap = "[[year]]\nyear = 2030\nnotice = \"x\"\nconfirmed = false\n\
                       holidays = [{ name = \"a\", off = \"2030-02-02..2030-02-04\" }, \
                       { name = \"b\", off = \"2030-02-04\" }]\n";
        assert!(Calendar::from_toml(overlap, "o.toml").is_err());
        assert!(Calendar::from_toml("year = 3", "t.toml").is_err());
        let cal = Calendar::load(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(BUILTIN_ORIGIN)
                .as_path(),
        )
        .expect("the data file loads from disk too");
        assert!(cal.covers(2018));
        assert!(Calendar::load(Path::new("/nonexistent/cal.toml")).is_err());
    }
}
