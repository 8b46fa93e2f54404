//! Percentages as the seed notice prints them.
//!
//! 附件1 (units-2018q1.csv) writes `81.8%`, `90.6%`, `100%`, `50%`, and `0` for 0% (利通区,
//! 西吉县): one decimal, rounded half up; a whole number without `.0`; zero as a bare `0`.
//! The notice's text uses the same form (`87.5%`, `90.3%`, `52.4%`, `66.7%`).

/// A ratio (0.0–1.0) as the notice prints it; `None` (nothing sampled) is `—`.
pub fn format_rate(rate: Option<f64>) -> String {
    let Some(r) = rate.filter(|r| r.is_finite()) else {
        return "—".to_string();
    };
    // Tenths of a percent, rounded half up; the tiny nudge keeps ratios such as 0.8755, which
    // binary floating point stores just below the half, rounding up as the notice would.
    let tenths = (r * 1000.0 + 1e-9).round();
    if tenths == 0.0 {
        return "0".to_string();
    }
    if tenths % 10.0 == 0.0 {
        format!("{:.0}%", tenths / 10.0)
    } else {
        format!("{:.1}%", tenths / 10.0)
    }
}

/// A ratio (0.0–1.0) with exactly one decimal (`100.0%`, `0.0%`, `19.0%`), rounded half up
/// as [`format_rate`]: the form of the notices' text and tables, where `100%` beside `90.3%`
/// and a bare `0` read as inconsistent. `None` (nothing sampled) is `—`.
pub fn format_percent(rate: Option<f64>) -> String {
    match rate.filter(|r| r.is_finite()) {
        Some(r) => format!("{:.1}%", (r * 1000.0 + 1e-9).round() / 10.0),
        None => "—".to_string(),
    }
}

/// `num / den`, or `None` when `den` is 0.
pub(crate) fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_of_the_notice() {
        assert_eq!(format_rate(Some(1.0)), "100%");
        assert_eq!(format_rate(Some(0.5)), "50%");
        assert_eq!(format_rate(Some(0.0)), "0");
        assert_eq!(format_rate(ratio(196, 217)), "90.3%");
        assert_eq!(format_rate(ratio(217, 248)), "87.5%");
        assert_eq!(format_rate(ratio(169, 184)), "91.8%");
        assert_eq!(format_rate(ratio(11, 21)), "52.4%");
        assert_eq!(format_rate(ratio(14, 21)), "66.7%");
        assert_eq!(format_rate(Some(0.8755)), "87.6%");
        assert_eq!(format_rate(Some(0.0004)), "0");
        assert_eq!(format_rate(Some(0.0005)), "0.1%");
        assert_eq!(format_rate(None), "—");
        assert_eq!(format_rate(Some(f64::NAN)), "—");
        assert_eq!(ratio(1, 0), None);
    }

    #[test]
    fn one_decimal_everywhere_in_the_notices() {
        assert_eq!(format_percent(Some(1.0)), "100.0%");
        assert_eq!(format_percent(Some(0.0)), "0.0%");
        assert_eq!(format_percent(ratio(4, 21)), "19.0%");
        assert_eq!(format_percent(ratio(196, 217)), "90.3%");
        assert_eq!(format_percent(Some(0.8755)), "87.6%");
        assert_eq!(format_percent(None), "—");
    }

    /// Every row of the seed's 附件1 (a committed copy of ../shared/seed/units-2018q1.csv).
    #[test]
    fn every_row_of_the_seed_table() {
        let csv = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/stats/units-2018q1.csv"
        ));
        let mut rows = 0;
        for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 5, "{line}");
            let sampled: usize = f[2].parse().expect("sampled");
            let failed: usize = f[3].parse().expect("failed");
            let rate = ratio(sampled - failed, sampled);
            assert_eq!(format_rate(rate), f[4].trim(), "{line}");
            rows += 1;
        }
        assert_eq!(rows, 27);
    }
}
