//! Kinds about homepage freshness: `homepage_stale` (网站不更新 / 首页不更新 veto) and
//! `homepage_update_count` (首页栏目信息更新数量 deduction).
//!
//! An item counts as updated when its date is within the window (see [`super::Window`]).
//! Undated items follow the profile setting 「未注明信息发布时间的视为不更新」 (or the rule's own
//! `undated_is_stale` param when set): when it holds they never count as updated.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::findings::{Evidence, Finding};

use super::{date_or_none, Ctx, RuleMeta, Window};

/// `homepage_stale` placeholders: `{scope}` (首页栏目 or 各二级页面栏目), `{window}` (2周),
/// `{newest}` (newest date seen or 无).
pub const STALE_PLACEHOLDERS: &[&str] = &["scope", "window", "newest"];

/// `homepage_update_count` placeholders: `{count}` dated items within the window, `{min}`,
/// `{window}`.
pub const COUNT_PLACEHOLDERS: &[&str] = &["count", "min", "window"];

fn yes() -> bool {
    true
}

/// Params of `homepage_stale`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaleParams {
    /// The monitoring window (gb2015: "14d", 监测2周).
    pub window: Window,
    /// When `homepage_is_hub`, judge by the columns' newest dates (「如首页仅为网站栏目导航入口，
    /// 则检查所有二级页面栏目信息的更新情况」). Default true.
    #[serde(default = "yes")]
    pub hub_uses_columns: bool,
    /// Overrides the profile's 「未注明信息发布时间的视为不更新」 setting.
    #[serde(default)]
    pub undated_is_stale: Option<bool>,
}

/// Params of `homepage_update_count`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountParams {
    /// The window (gb2015: "14d").
    pub window: Window,
    /// Fewer dated items than this within the window → the rule fires.
    pub min_items: usize,
    /// Do not fire when there is no item at all within the window (the `homepage_stale` veto
    /// covers that case). Default true.
    #[serde(default = "yes")]
    pub skip_when_none: bool,
    /// Do not evaluate a navigation-hub homepage (it has no items of its own). Default true.
    #[serde(default = "yes")]
    pub skip_hub: bool,
}

/// The newest homepage item, quoted: title, date, and the page its date was read on when the
/// homepage showed none.
fn newest_seen(obs: &crate::observation::Observation) -> Option<String> {
    let item = obs
        .homepage_items
        .iter()
        .filter(|i| i.date.is_some())
        .max_by_key(|i| i.date)?;
    let date = item.date.map(|d| d.to_string()).unwrap_or_default();
    let mut seen = format!("首页最新信息《{}》（{date}）", item.title);
    if let Some(u) = &item.date_url {
        seen.push_str(&format!("，首页未注明日期，发布时间见{u}"));
    }
    Some(seen)
}

/// Evaluates `homepage_stale`.
pub fn stale(p: &StaleParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let obs = ctx.obs;
    let undated_is_stale = p.undated_is_stale.unwrap_or(ctx.undated_is_stale);
    let within = |d: NaiveDate| p.window.overdue(d, obs.as_of).is_none();
    let (scope, newest, updated, detail) = if obs.homepage_is_hub && p.hub_uses_columns {
        let cols: Vec<_> = obs
            .columns
            .iter()
            .filter(|c| c.error.is_none() && !c.blank)
            .collect();
        let newest = cols.iter().filter_map(|c| c.newest).max();
        let undated = cols
            .iter()
            .filter(|c| c.newest.is_none() && c.items > 0)
            .count();
        let updated = newest.is_some_and(within) || (!undated_is_stale && undated > 0);
        let detail = format!(
            "首页仅为栏目导航入口，检查二级页面栏目{}个，其中未注明信息发布时间的{}个",
            cols.len(),
            undated
        );
        ("各二级页面栏目", newest, updated, detail)
    } else {
        let items = &obs.homepage_items;
        let newest = items.iter().filter_map(|i| i.date).max();
        let undated = items.iter().filter(|i| i.date.is_none()).count();
        let opened = items.iter().filter(|i| i.date_url.is_some()).count();
        let updated = newest.is_some_and(within) || (!undated_is_stale && undated > 0);
        let mut detail = format!(
            "首页信息{}条，其中未注明信息发布时间的{}条",
            items.len(),
            undated
        );
        if opened > 0 {
            detail.push_str(&format!(
                "；另有{opened}条首页未注明日期，已点开核实发布时间"
            ));
        }
        ("首页栏目", newest, updated, detail)
    };
    if updated {
        return vec![];
    }
    let evidence = vec![Evidence {
        url: Some(obs.url.clone()).filter(|u| !u.is_empty()),
        newest,
        days_overdue: newest.and_then(|d| p.window.overdue(d, obs.as_of)),
        detail: Some(detail),
        seen: newest_seen(obs),
        ..Evidence::default()
    }];
    vec![rule.finding(
        rule.severity.level,
        1,
        &[
            ("scope", scope.to_string()),
            ("window", p.window.label()),
            ("newest", date_or_none(newest)),
        ],
        evidence,
    )]
}

/// Evaluates `homepage_update_count`.
pub fn update_count(p: &CountParams, rule: &RuleMeta, ctx: &Ctx) -> Vec<Finding> {
    let obs = ctx.obs;
    if obs.homepage_is_hub && p.skip_hub {
        return vec![];
    }
    let items = &obs.homepage_items;
    let count = items
        .iter()
        .filter_map(|i| i.date)
        .filter(|d| p.window.overdue(*d, obs.as_of).is_none())
        .count();
    if count >= p.min_items || (count == 0 && p.skip_when_none) {
        return vec![];
    }
    let undated = items.iter().filter(|i| i.date.is_none()).count();
    let evidence = vec![Evidence {
        url: Some(obs.url.clone()).filter(|u| !u.is_empty()),
        newest: items.iter().filter_map(|i| i.date).max(),
        detail: Some(format!(
            "近{}内注明发布时间的首页信息{}条（首页信息共{}条，未注明发布时间的{}条）",
            p.window.label(),
            count,
            items.len(),
            undated
        )),
        ..Evidence::default()
    }];
    vec![rule.finding(
        rule.severity.level,
        1,
        &[
            ("count", count.to_string()),
            ("min", p.min_items.to_string()),
            ("window", p.window.label()),
        ],
        evidence,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::observation::{HomepageItem, Observation};

    fn meta() -> RuleMeta {
        RuleMeta::for_test(Severity::Veto, 0.0, 0.0, "{scope}{window}{newest}")
    }

    fn obs(dates: &[Option<&str>]) -> Observation {
        Observation {
            as_of: "2018-03-01".parse().expect("date"),
            homepage_items: dates
                .iter()
                .map(|d| HomepageItem {
                    title: "t".into(),
                    url: None,
                    date: d.map(|d| d.parse().expect("date")),
                    date_url: None,
                })
                .collect(),
            ..Observation::default()
        }
    }

    #[test]
    fn undated_items_count_as_updates_only_when_the_setting_is_off() {
        let p: StaleParams = toml::from_str("window = \"14d\"").expect("params");
        let o = obs(&[None, Some("2017-01-01")]);
        let on = Ctx {
            obs: &o,
            undated_is_stale: true,
        };
        let f = stale(&p, &meta(), &on);
        assert_eq!(f[0].message, "首页栏目2周2017-01-01");
        assert_eq!(f[0].evidence[0].days_overdue, Some(410));
        let off = Ctx {
            obs: &o,
            undated_is_stale: false,
        };
        assert!(stale(&p, &meta(), &off).is_empty());
    }

    #[test]
    fn update_count_can_fire_at_zero_when_configured() {
        let p: CountParams =
            toml::from_str("window = \"14d\"\nmin_items = 10\nskip_when_none = false")
                .expect("params");
        let o = obs(&[Some("2017-01-01")]);
        let ctx = Ctx {
            obs: &o,
            undated_is_stale: true,
        };
        assert_eq!(update_count(&p, &meta(), &ctx).len(), 1);
    }
}
