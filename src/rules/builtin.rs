//! Built-in profiles: the files of `rules/<profile>/`, embedded at compile time with
//! `include_str!` (no build script, no extra crate).
//!
//! Adding a file to a profile folder means adding a line here; the integration test
//! `tests/rules.rs` fails when this table and the folder on disk differ (missing file, extra
//! file or different content), so the two cannot drift apart silently.

/// `(file name, text)` of every file of `rules/gb2015/`.
const GB2015: &[(&str, &str)] = &[
    (
        "profile.toml",
        include_str!("../../rules/gb2015/profile.toml"),
    ),
    (
        "classes.toml",
        include_str!("../../rules/gb2015/classes.toml"),
    ),
    (
        "site.unreachable.toml",
        include_str!("../../rules/gb2015/site.unreachable.toml"),
    ),
    (
        "homepage.stale.toml",
        include_str!("../../rules/gb2015/homepage.stale.toml"),
    ),
    (
        "homepage.few_updates.toml",
        include_str!("../../rules/gb2015/homepage.few_updates.toml"),
    ),
    (
        "columns.stale.toml",
        include_str!("../../rules/gb2015/columns.stale.toml"),
    ),
    (
        "columns.long_unupdated.toml",
        include_str!("../../rules/gb2015/columns.long_unupdated.toml"),
    ),
    (
        "columns.blank.toml",
        include_str!("../../rules/gb2015/columns.blank.toml"),
    ),
    (
        "links.broken.toml",
        include_str!("../../rules/gb2015/links.broken.toml"),
    ),
    (
        "links.suspected.toml",
        include_str!("../../rules/gb2015/links.suspected.toml"),
    ),
    (
        "links.blocked.toml",
        include_str!("../../rules/gb2015/links.blocked.toml"),
    ),
    (
        "footer.missing_identifier.toml",
        include_str!("../../rules/gb2015/footer.missing_identifier.toml"),
    ),
    (
        "interaction.no_survey.toml",
        include_str!("../../rules/gb2015/interaction.no_survey.toml"),
    ),
    (
        "audit.limited.toml",
        include_str!("../../rules/gb2015/audit.limited.toml"),
    ),
    (
        "interaction.poor_response.toml",
        include_str!("../../rules/gb2015/interaction.poor_response.toml"),
    ),
    (
        "content.serious_error.toml",
        include_str!("../../rules/gb2015/content.serious_error.toml"),
    ),
    (
        "content.backdated.toml",
        include_str!("../../rules/gb2015/content.backdated.toml"),
    ),
    (
        "content.future_date.toml",
        include_str!("../../rules/gb2015/content.future_date.toml"),
    ),
];

/// `(file name, text)` of every file of `rules/gb2019/` (started: CONFIRMED vetoes only).
const GB2019: &[(&str, &str)] = &[
    (
        "profile.toml",
        include_str!("../../rules/gb2019/profile.toml"),
    ),
    (
        "classes.toml",
        include_str!("../../rules/gb2019/classes.toml"),
    ),
    (
        "site.unreachable.toml",
        include_str!("../../rules/gb2019/site.unreachable.toml"),
    ),
    (
        "homepage.stale.toml",
        include_str!("../../rules/gb2019/homepage.stale.toml"),
    ),
    (
        "columns.stale.toml",
        include_str!("../../rules/gb2019/columns.stale.toml"),
    ),
    (
        "columns.long_unupdated.toml",
        include_str!("../../rules/gb2019/columns.long_unupdated.toml"),
    ),
    (
        "columns.blank.toml",
        include_str!("../../rules/gb2019/columns.blank.toml"),
    ),
    (
        "interaction.poor_response.toml",
        include_str!("../../rules/gb2019/interaction.poor_response.toml"),
    ),
    (
        "interaction.no_channel.toml",
        include_str!("../../rules/gb2019/interaction.no_channel.toml"),
    ),
    (
        "service.none.toml",
        include_str!("../../rules/gb2019/service.none.toml"),
    ),
    (
        "service.not_practical.toml",
        include_str!("../../rules/gb2019/service.not_practical.toml"),
    ),
    (
        "content.serious_error.toml",
        include_str!("../../rules/gb2019/content.serious_error.toml"),
    ),
    (
        "content.future_date.toml",
        include_str!("../../rules/gb2019/content.future_date.toml"),
    ),
    (
        "content.backdated.toml",
        include_str!("../../rules/gb2019/content.backdated.toml"),
    ),
];

/// Built-in profiles: `(profile id, files)`.
const PROFILES: &[(&str, &[(&str, &str)])] = &[("gb2015", GB2015), ("gb2019", GB2019)];

/// Ids of the built-in profiles.
pub fn profiles() -> Vec<&'static str> {
    PROFILES.iter().map(|(p, _)| *p).collect()
}

/// The embedded files of a built-in profile.
pub fn files(profile: &str) -> Option<&'static [(&'static str, &'static str)]> {
    PROFILES
        .iter()
        .find(|(p, _)| *p == profile)
        .map(|(_, files)| *files)
}
