//! Quarters (季度): `2018Q1`, parsed from `2018Q1`, `2018q1`, `2018-Q1` or `2018-q1`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::parse_month;

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quarter {
    /// Calendar year, e.g. 2018.
    pub year: i32,
    /// 1–4.
    pub q: u8,
}

/// A quarter that cannot be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuarterError {
    /// Not of the form `2018Q1`; holds the input.
    #[error("invalid quarter {0:?}: expected e.g. 2018Q1 (also 2018q1, 2018-Q1)")]
    Syntax(String),
    /// A quarter number outside 1–4; holds the quarter as written.
    #[error("invalid quarter {0:?}: the quarter must be 1 to 4")]
    Number(String),
}

impl Quarter {
    /// A quarter, checking that `q` is 1–4.
    pub fn new(year: i32, q: u8) -> Result<Self, QuarterError> {
        if (1..=4).contains(&q) {
            Ok(Quarter { year, q })
        } else {
            Err(QuarterError::Number(format!("{year}Q{q}")))
        }
    }

    /// Its three months, `YYYY-MM`.
    pub fn months(&self) -> Vec<String> {
        let first = (self.q.clamp(1, 4) - 1) * 3 + 1;
        (first..first + 3)
            .map(|m| format!("{:04}-{m:02}", self.year))
            .collect()
    }

    /// Its last month, `YYYY-MM`.
    pub fn last_month(&self) -> String {
        format!("{:04}-{:02}", self.year, self.q.clamp(1, 4) * 3)
    }

    /// Whether a `YYYY-MM` month lies in the quarter (a malformed month does not).
    pub fn contains(&self, month: &str) -> bool {
        parse_month(month)
            .is_some_and(|(y, m)| y == self.year && (m - 1) / 3 + 1 == self.q.clamp(1, 4))
    }

    /// Whether a `YYYY-MM` month is not after the quarter's last month (a malformed one is not).
    pub fn is_up_to_end(&self, month: &str) -> bool {
        parse_month(month).is_some_and(|(y, m)| (y, m) <= (self.year, self.q.clamp(1, 4) * 3))
    }

    /// Chinese label, e.g. 2018年第一季度.
    pub fn label(&self) -> String {
        let n = ["一", "二", "三", "四"];
        let i = usize::from(self.q.clamp(1, 4) - 1);
        format!("{}年第{}季度", self.year, n[i])
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

impl FromStr for Quarter {
    type Err = QuarterError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let syntax = || QuarterError::Syntax(s.to_string());
        let (y, q) = t.split_once(['Q', 'q']).ok_or_else(syntax)?;
        let y = y.strip_suffix('-').unwrap_or(y);
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        if q.len() != 1 || !q.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        let year: i32 = y.parse().map_err(|_| syntax())?;
        let q: u8 = q.parse().map_err(|_| syntax())?;
        Quarter::new(year, q).map_err(|_| QuarterError::Number(s.to_string()))
    }
}

impl TryFrom<String> for Quarter {
    type Error = QuarterError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Quarter> for String {
    fn from(q: Quarter) -> String {
        q.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_accepted_spellings() {
        for s in ["2018Q1", "2018q1", "2018-Q1", "2018-q1", " 2018Q1 "] {
            assert_eq!(
                s.parse::<Quarter>(),
                Ok(Quarter { year: 2018, q: 1 }),
                "{s}"
            );
        }
        assert_eq!(
            "2019Q4".parse::<Quarter>().map(|q| q.to_string()),
            Ok("2019Q4".into())
        );
    }

    #[test]
    fn rejects_the_rest() {
        for s in [
            "2018", "2018Q", "2018Q12", "18Q1", "2018_Q1", "Q1", "2018Q1x", "2018--Q1",
        ] {
            assert!(
                matches!(s.parse::<Quarter>(), Err(QuarterError::Syntax(_))),
                "{s}"
            );
        }
        for s in ["2018Q0", "2018Q5"] {
            assert!(
                matches!(s.parse::<Quarter>(), Err(QuarterError::Number(_))),
                "{s}"
            );
        }
    }

    #[test]
    fn months_and_membership() {
        let q: Quarter = "2018Q1".parse().expect("quarter");
        assert_eq!(q.months(), ["2018-01", "2018-02", "2018-03"]);
        assert_eq!(q.last_month(), "2018-03");
        assert!(q.contains("2018-03") && !q.contains("2018-04") && !q.contains("2017-01"));
        assert!(!q.contains("bad"));
        assert!(q.is_up_to_end("2017-12") && q.is_up_to_end("2018-03"));
        assert!(!q.is_up_to_end("2018-04"));
        let q4 = Quarter::new(2017, 4).expect("quarter");
        assert_eq!(q4.months(), ["2017-10", "2017-11", "2017-12"]);
        assert_eq!(q4.label(), "2017年第四季度");
    }

    #[test]
    fn serializes_as_its_string() {
        let q = Quarter::new(2018, 2).expect("quarter");
        assert_eq!(serde_json::to_string(&q).expect("json"), "\"2018Q2\"");
        let back: Quarter = serde_json::from_str("\"2018-q2\"").expect("parse");
        assert_eq!(back, q);
    }
}
