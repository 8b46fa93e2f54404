//! Real government pages scored against what a correct auditor reads on them: every page of
//! `../shared/realpages2018/` (its `truth.json`) and of `../shared/realpages/` (its MANIFEST,
//! transcribed in `tests/fixtures/realpages/truth.toml`). Each folder is skipped when absent.
//!
//! `realpages_accuracy` prints per-field accuracy (what `scripts/eval-realpages.sh` shows) and
//! fails on any miss, naming the page, the field, what was expected and what was read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use govaudit::analysis::{analyze, PageAnalysis, Vocabulary};
use govaudit::observation::ItemSource;
use serde_json::Value;
use url::Url;

/// One page with its expected fields.
struct Case {
    name: String,
    path: PathBuf,
    url: Url,
    as_of: NaiveDate,
    truth: serde_json::Map<String, Value>,
}

fn shared(folder: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(folder);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skip: {} is absent", dir.display());
        None
    }
}

fn date(v: &Value) -> Option<NaiveDate> {
    v.as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// Cases of one folder: `pages` maps a name to `{file, url, as_of?, fields…}`.
fn cases_from(dir: &Path, doc: &Value) -> Vec<Case> {
    let default_as_of = doc.get("as_of").and_then(date);
    let pages = doc.get("pages").and_then(Value::as_object).expect("pages");
    pages
        .iter()
        .map(|(name, p)| {
            let mut truth = p.as_object().expect("page object").clone();
            // TOML has no null: `absent = [fields]` stands for them.
            if let Some(Value::Array(absent)) = truth.remove("absent") {
                for f in absent.iter().filter_map(Value::as_str) {
                    truth.insert(f.to_string(), Value::Null);
                }
            }
            let file = truth["file"].as_str().expect("file");
            Case {
                name: name.clone(),
                path: dir.join(file),
                url: Url::parse(truth["url"].as_str().expect("url")).expect("page url"),
                as_of: truth
                    .get("as_of")
                    .and_then(date)
                    .or(default_as_of)
                    .expect("as_of"),
                truth,
            }
        })
        .collect()
}

fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    if let Some(dir) = shared("realpages2018") {
        let text = std::fs::read_to_string(dir.join("truth.json")).expect("truth.json");
        let doc: Value = serde_json::from_str(&text).expect("truth.json is JSON");
        cases.extend(cases_from(&dir, &doc));
    }
    if let Some(dir) = shared("realpages") {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realpages/truth.toml");
        let text = std::fs::read_to_string(path).expect("truth.toml");
        let doc: toml::Value = toml::from_str(&text).expect("truth.toml is TOML");
        let doc = serde_json::to_value(doc).expect("TOML as JSON");
        cases.extend(cases_from(&dir, &doc));
    }
    cases
}

/// What analysis read for a truth field, as the truth writes it; `None` when the field is not
/// scored (unknown, or marked `"unsure"`).
fn read(field: &str, a: &PageAnalysis) -> Option<Value> {
    let f = &a.footer;
    let ident = |i: &govaudit::observation::Ident| match i.found() {
        Some(v) => Value::from(v),
        None => Value::Null,
    };
    let day = |d: Option<NaiveDate>| match d {
        Some(d) => Value::from(d.to_string()),
        None => Value::Null,
    };
    Some(match field {
        "icp" => ident(&f.icp),
        "site_code" => ident(&f.site_code),
        "police_record" => ident(&f.police_record),
        "conac" => Value::from(f.conac.found().is_some()),
        "site_code_in_jiucuo_sitecode_only" => match f.evidence.site_code.source {
            ItemSource::JiucuoScript => f
                .evidence
                .site_code
                .text
                .clone()
                .map_or(Value::Null, Value::from),
            _ => Value::Null,
        },
        "site_code_meta_only" => Value::from(f.evidence.site_code.source == ItemSource::Meta),
        "conac_via_js_only" => {
            Value::from(f.conac.found().is_some() && f.evidence.conac.source == ItemSource::Script)
        }
        "jiucuo" => Value::from(f.jiucuo.present),
        "jiucuo_hidden" => Value::from(f.jiucuo.hidden),
        "jiucuo_nonstandard" => f
            .jiucuo
            .nonstandard
            .clone()
            .map_or(Value::Null, Value::from),
        "newest_date" => day(a.newest_item_date()),
        "publish_date" => day(a.publish_date),
        "dated_items" => Value::from(a.dated_entries),
        _ => return None,
    })
}

/// Whether the value read matches the truth. Site codes compare without case (`BM17000009` is
/// `bm17000009`); `dated_items` is approximate in the truth (hidden tabs, judgement), so a
/// count within a fifth (at least 2) matches.
fn matches(field: &str, want: &Value, got: &Value) -> bool {
    match (field, want, got) {
        ("site_code", Value::String(w), Value::String(g)) => w.eq_ignore_ascii_case(g),
        ("dated_items", Value::Number(w), Value::Number(g)) => {
            let (w, g) = (w.as_i64().unwrap_or(0), g.as_i64().unwrap_or(0));
            (w - g).abs() <= (w / 5).max(2)
        }
        _ => want == got,
    }
}

/// Fields scored, in the order printed.
const FIELDS: [&str; 13] = [
    "icp",
    "site_code",
    "site_code_in_jiucuo_sitecode_only",
    "site_code_meta_only",
    "police_record",
    "conac",
    "conac_via_js_only",
    "jiucuo",
    "jiucuo_hidden",
    "jiucuo_nonstandard",
    "newest_date",
    "publish_date",
    "dated_items",
];

#[test]
fn realpages_accuracy() {
    let cases = all_cases();
    let vocab = Vocabulary::builtin();
    // field → (right, scored)
    let mut score: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    // Approximate fields: read / truth, printed for a person to judge.
    let mut counts = Vec::new();
    for case in &cases {
        let html = std::fs::read_to_string(&case.path)
            .unwrap_or_else(|e| panic!("{}: {e}", case.path.display()));
        let a = analyze(&html, &case.url, case.as_of, &vocab);
        for field in FIELDS {
            let Some(want) = case.truth.get(field) else {
                continue;
            };
            if want.as_str() == Some("unsure") {
                continue;
            }
            let Some(got) = read(field, &a) else { continue };
            if field == "dated_items" {
                counts.push(format!("{} {got}/{want}", case.name));
            }
            let entry = score.entry(field).or_default();
            entry.1 += 1;
            if matches(field, want, &got) {
                entry.0 += 1;
            } else {
                misses.push(format!(
                    "{} {field}: expected {want}, read {got}",
                    case.name
                ));
            }
        }
    }
    println!("{:<34} right / scored   accuracy", "field");
    for field in FIELDS {
        if let Some((right, n)) = score.get(field) {
            println!(
                "{field:<34} {right:>5} / {n:<6}   {:>6.1}%",
                100.0 * *right as f64 / *n as f64
            );
        }
    }
    println!("pages: {}", cases.len());
    println!("dated_items read/truth: {}", counts.join(", "));
    for m in &misses {
        println!("MISS {m}");
    }
    assert!(
        misses.is_empty(),
        "{} misses:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

/// Real pages name leaders correctly: screened with every leader of both profiles' lexicons
/// (as of 2024, so every period has started), homophones included, they give no 严重错误
/// candidate. A false candidate costs an office a person's time on every round.
#[test]
fn real_pages_give_no_serious_error_candidates() {
    let late = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    for profile in ["gb2015", "gb2019"] {
        let rules = govaudit::rules::RuleSet::builtin(profile).expect("profile");
        let lexicon = rules.name_lexicon().expect("lexicon");
        assert!(lexicon.homophones, "{profile} screens homophones");
        for case in all_cases() {
            let html = std::fs::read_to_string(&case.path)
                .unwrap_or_else(|e| panic!("{}: {e}", case.path.display()));
            let hits = govaudit::analysis::names::screen(&html, lexicon, late);
            assert!(
                hits.is_empty(),
                "{profile} {}: {:?}",
                case.name,
                hits.iter()
                    .map(|h| format!("{} ({}): {}", h.found, h.expected, h.sentence))
                    .collect::<Vec<_>>()
            );
        }
    }
}
