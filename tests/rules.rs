//! The rules folder, tested from disk: every profile under `rules/` loads and passes the test
//! cases its files carry; the built-in (embedded) copy equals the folder; broken files give
//! errors that name the file.

use std::fs;
use std::path::{Path, PathBuf};

use govaudit::rules::{builtin, RuleSet, RulesError};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// Folders under `rules/` that hold a `profile.toml`.
fn profiles() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(rules_dir())
        .expect("rules/ exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("profile.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn every_profile_passes_its_own_tests() {
    let profiles = profiles();
    assert!(profiles.contains(&"gb2015".to_string()), "{profiles:?}");
    let mut failures = Vec::new();
    let mut passed = 0;
    for p in &profiles {
        let set = RuleSet::from_dir(&rules_dir(), p).unwrap_or_else(|e| panic!("{e}"));
        let report = set.self_test();
        eprintln!(
            "profile {p}: {} test cases passed, {} failed",
            report.passed,
            report.failures.len()
        );
        passed += report.passed;
        failures.extend(report.failures.iter().map(|f| f.to_string()));
    }
    assert!(
        failures.is_empty(),
        "failing rule-file tests:\n{}",
        failures.join("\n")
    );
    assert!(passed > 50, "only {passed} test cases ran");
}

#[test]
fn every_rule_file_has_tests_and_a_basis() {
    for p in profiles() {
        let set = RuleSet::from_dir(&rules_dir(), &p).unwrap_or_else(|e| panic!("{e}"));
        for r in set.rules() {
            assert!(!r.tests.is_empty(), "{}", r.origin);
            assert!(!r.basis.document.is_empty(), "{}", r.origin);
        }
    }
}

#[test]
fn builtin_copy_equals_the_folder() {
    for p in profiles() {
        let embedded = builtin::files(&p)
            .unwrap_or_else(|| panic!("profile {p} is on disk but not in src/rules/builtin.rs"));
        let mut on_disk: Vec<(String, String)> = fs::read_dir(rules_dir().join(&p))
            .expect("profile dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .map(|n| {
                let text = fs::read_to_string(rules_dir().join(&p).join(&n)).expect("read");
                (n, text)
            })
            .collect();
        on_disk.sort();
        let mut emb: Vec<(String, String)> = embedded
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        emb.sort();
        let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&emb),
            names(&on_disk),
            "rules/{p}: embedded file list differs"
        );
        assert!(
            emb == on_disk,
            "rules/{p}: embedded content differs (rebuild)"
        );
        RuleSet::builtin(&p).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// A temporary copy of `rules/gb2015` to break.
fn copy_gb2015() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dst = tmp.path().join("gb2015");
    fs::create_dir(&dst).expect("mkdir");
    for e in fs::read_dir(rules_dir().join("gb2015")).expect("read") {
        let e = e.expect("entry");
        fs::copy(e.path(), dst.join(e.file_name())).expect("copy");
    }
    tmp
}

fn edit(tmp: &tempfile::TempDir, file: &str, from: &str, to: &str) {
    let path = tmp.path().join("gb2015").join(file);
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} does not contain {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

fn load_err(tmp: &tempfile::TempDir) -> RulesError {
    match RuleSet::from_dir(tmp.path(), "gb2015") {
        Ok(_) => panic!("broken rules must not load"),
        Err(e) => e,
    }
}

#[test]
fn untouched_copy_loads() {
    let tmp = copy_gb2015();
    RuleSet::from_dir(tmp.path(), "gb2015").unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "columns.blank.toml",
        "threshold = 5",
        "threshold = = 5",
    );
    match load_err(&tmp) {
        RulesError::Parse {
            path, line, column, ..
        } => {
            assert!(path.ends_with("columns.blank.toml"), "{path}");
            let text =
                fs::read_to_string(tmp.path().join("gb2015/columns.blank.toml")).expect("read");
            let want = text
                .lines()
                .position(|l| l.contains("= = 5"))
                .map(|i| i + 1);
            assert_eq!(Some(line), want);
            assert!(column > 1);
        }
        e => panic!("unexpected {e:?}"),
    }
}

#[test]
fn unknown_top_level_field_is_a_parse_error() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "links.broken.toml",
        "kind = ",
        "colour = \"red\"\nkind = ",
    );
    let e = load_err(&tmp);
    let msg = e.to_string();
    assert!(
        msg.contains("links.broken.toml") && msg.contains("colour"),
        "{msg}"
    );
}

#[test]
fn unknown_kind_is_named() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "columns.blank.toml",
        "kind = \"blank_columns\"",
        "kind = \"blank_colums\"",
    );
    match load_err(&tmp) {
        RulesError::UnknownKind { path, kind, known } => {
            assert!(path.ends_with("columns.blank.toml"), "{path}");
            assert_eq!(kind, "blank_colums");
            assert!(known.contains("blank_columns"));
        }
        e => panic!("unexpected {e:?}"),
    }
}

#[test]
fn unknown_param_is_named() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "columns.blank.toml",
        "threshold = 5",
        "threshold = 5\nthreshhold = 6",
    );
    let msg = load_err(&tmp).to_string();
    assert!(
        msg.contains("columns.blank.toml") && msg.contains("threshhold"),
        "{msg}"
    );
    // Well-formed TOML with a bad value: the line of the table it is in.
    let text = fs::read_to_string(tmp.path().join("gb2015/columns.blank.toml")).expect("read");
    let line = text
        .lines()
        .position(|l| l.starts_with("[params]"))
        .expect("params")
        + 1;
    assert!(
        msg.contains(&format!("columns.blank.toml:{line}:")),
        "{msg}"
    );
}

#[test]
fn a_bad_placeholder_names_the_line_of_the_message() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "columns.blank.toml",
        "message = \"空白栏目{count}个",
        "message = \"空白栏目{cuont}个",
    );
    let msg = load_err(&tmp).to_string();
    let text = fs::read_to_string(tmp.path().join("gb2015/columns.blank.toml")).expect("read");
    let line = text
        .lines()
        .position(|l| l.starts_with("message"))
        .expect("message")
        + 1;
    assert!(
        msg.contains(&format!("columns.blank.toml:{line}:")) && msg.contains("cuont"),
        "{msg}"
    );
}

#[test]
fn bad_window_is_rejected() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "columns.stale.toml",
        "dynamic = \"14d\"",
        "dynamic = \"14 days\"",
    );
    let msg = load_err(&tmp).to_string();
    assert!(
        msg.contains("columns.stale.toml") && msg.contains("14 days"),
        "{msg}"
    );
}

#[test]
fn duplicate_rule_id_names_both_files() {
    let tmp = copy_gb2015();
    let dir = tmp.path().join("gb2015");
    fs::copy(dir.join("columns.blank.toml"), dir.join("zz.copy.toml")).expect("copy");
    match load_err(&tmp) {
        RulesError::DuplicateId { id, first, second } => {
            assert_eq!(id, "columns.blank");
            assert!(first.ends_with("columns.blank.toml"), "{first}");
            assert!(second.ends_with("zz.copy.toml"), "{second}");
        }
        e => panic!("unexpected {e:?}"),
    }
}

#[test]
fn deduction_without_points_is_rejected() {
    let tmp = copy_gb2015();
    edit(&tmp, "links.broken.toml", "points = 1.0\n", "");
    let msg = load_err(&tmp).to_string();
    assert!(
        msg.contains("links.broken.toml") && msg.contains("points"),
        "{msg}"
    );
}

#[test]
fn veto_with_points_is_rejected() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "columns.blank.toml",
        "level = \"veto\"",
        "level = \"veto\"\npoints = 3.0",
    );
    let msg = load_err(&tmp).to_string();
    assert!(
        msg.contains("columns.blank.toml") && msg.contains("veto"),
        "{msg}"
    );
}

#[test]
fn unknown_placeholder_is_rejected() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "columns.blank.toml",
        "空白栏目{count}个",
        "空白栏目{cnt}个",
    );
    let msg = load_err(&tmp).to_string();
    assert!(
        msg.contains("columns.blank.toml") && msg.contains("{cnt}"),
        "{msg}"
    );
}

#[test]
fn typo_in_a_test_observation_is_rejected() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "columns.blank.toml",
        "blank = true, blank_marker",
        "blnak = true, blank_marker",
    );
    let msg = load_err(&tmp).to_string();
    assert!(
        msg.contains("columns.blank.toml") && msg.contains("blnak"),
        "{msg}"
    );
}

#[test]
fn missing_profile_file_is_named() {
    let tmp = copy_gb2015();
    fs::remove_file(tmp.path().join("gb2015/profile.toml")).expect("rm");
    let e = load_err(&tmp);
    assert!(e.to_string().contains("profile.toml"), "{e}");
}

#[test]
fn unknown_profile_lists_available_ones() {
    let Err(e) = RuleSet::from_dir(&rules_dir(), "gb1999") else {
        panic!("no such profile")
    };
    assert!(e.to_string().contains("gb2015"), "{e}");
}

#[test]
fn a_wrong_expectation_is_reported_with_file_and_test_name() {
    let tmp = copy_gb2015();
    edit(
        &tmp,
        "columns.blank.toml",
        "expect = { fires = true, severity = \"veto\", evidence = 5,",
        "expect = { fires = true, severity = \"veto\", evidence = 6,",
    );
    let set = RuleSet::from_dir(tmp.path(), "gb2015").unwrap_or_else(|e| panic!("{e}"));
    let report = set.self_test();
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let f = &report.failures[0];
    assert!(f.file.ends_with("columns.blank.toml"), "{}", f.file);
    assert_eq!(f.test, "5个空白栏目：单项否决");
    assert!(
        f.problems
            .iter()
            .any(|p| p.contains("evidence: expected 6, got 5")),
        "{f}"
    );
}

#[test]
fn threshold_change_in_a_copy_changes_the_verdict() {
    // Rules are data: editing a threshold on disk changes evaluation without recompiling.
    let tmp = copy_gb2015();
    edit(&tmp, "columns.blank.toml", "threshold = 5", "threshold = 4");
    let set = RuleSet::from_dir(tmp.path(), "gb2015").unwrap_or_else(|e| panic!("{e}"));
    let report = set.self_test();
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.test.contains("4个空白栏目")),
        "{:?}",
        report.failures
    );
}

/// The README's rule tables are the map an office reads: every rule of every profile has a row
/// naming it, and the row's confidence is the rule file's mark.
#[test]
fn the_readme_rule_tables_name_every_rule_with_its_confidence() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    // `| `rule.id` | … | CONFIDENCE |` rows: id → last cell.
    let rows: std::collections::HashMap<String, String> = readme
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split(" | ").collect();
            let id = cells.first()?.trim().strip_prefix('`')?.strip_suffix('`')?;
            Some((id.to_string(), cells.last()?.trim().to_string()))
        })
        .collect();
    for p in profiles() {
        let set = RuleSet::from_dir(&rules_dir(), &p).unwrap_or_else(|e| panic!("{e}"));
        for r in set.rules() {
            let want = format!("{:?}", r.confidence).to_uppercase();
            let row = rows
                .get(&r.meta.id)
                .unwrap_or_else(|| panic!("README has no rule-table row for {} ({p})", r.meta.id));
            assert_eq!(row, &want, "README confidence of {} ({p})", r.meta.id);
        }
    }
}
