//! The parsers of files people give govaudit, fuzzed with proptest: registry CSV (as bytes, in
//! any encoding) and TOML, the config file, the rule files and `rules/page.toml`, and the
//! templates. Each gets arbitrary bytes and structured mutations of a valid fixture (lines
//! deleted, duplicated or swapped, the text cut short, hostile tokens inserted: quotes,
//! brackets, control characters, `inf`, huge numbers …). None may panic, and every error must
//! name the file, and the line when the text is not even well-formed (TOML or CSV syntax).
//!
//! The budget is fixed (`GOVAUDIT_FUZZ_CASES`, default 96 cases per parser and kind of input)
//! and so is the seed, so CI runs the same cases in a few seconds; raise the budget locally
//! to search further (`GOVAUDIT_FUZZ_CASES=5000 cargo test --test integration registry::hostile_inputs::fuzz`), and set
//! `GOVAUDIT_FUZZ_SEED` to try other cases.

use std::fmt::Display;
use std::path::Path;

use govaudit::config::Config;
use govaudit::documents::Templates;
use govaudit::registry;
use govaudit::rules::load::{builtin_vocabulary, load_profile, load_vocabulary, SourceFile};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestRunner};

fn runner() -> TestRunner {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    TestRunner::new(ProptestConfig {
        cases: u32::try_from(env("GOVAUDIT_FUZZ_CASES", 96)).unwrap_or(96),
        rng_seed: RngSeed::Fixed(env("GOVAUDIT_FUZZ_SEED", 12)),
        failure_persistence: None,
        ..ProptestConfig::default()
    })
}

/// Tokens a hostile or careless editor puts into a file.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "\"\"\"",
    "[",
    "]",
    "[[",
    "{",
    "}",
    "=",
    ",",
    "\n",
    "\r\n",
    "\t",
    "#",
    "\\",
    "\\u0000",
    "\0",
    "\x1b[2J",
    "\u{202E}",
    "\u{FEFF}",
    "\u{FFFF}",
    "中文",
    "（",
    "inf",
    "nan",
    "-1",
    "0",
    "1e999",
    "99999999999999999999",
    "true",
    "\"\"",
    "=cmd|' /C calc'!A0",
    "http://admin:secret@x.gov.cn/",
    "\u{3000}",
    "\n[[site]]\n",
    "\n[x]\n",
];

/// One edit of a text.
#[derive(Debug, Clone)]
enum Edit {
    /// Cut the text at this fraction of its length.
    Truncate(f64),
    /// Insert a token at this fraction of the length.
    Insert(f64, usize),
    /// Delete, duplicate, or swap with the next, the line at this fraction of the lines.
    DeleteLine(f64),
    DuplicateLine(f64),
    SwapLines(f64),
    /// Replace what follows the `=` (or `,`) of a line by a token.
    ReplaceValue(f64, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    let token = 0..TOKENS.len();
    prop_oneof![
        at.clone().prop_map(Edit::Truncate),
        (at.clone(), token.clone()).prop_map(|(a, t)| Edit::Insert(a, t)),
        at.clone().prop_map(Edit::DeleteLine),
        at.clone().prop_map(Edit::DuplicateLine),
        at.clone().prop_map(Edit::SwapLines),
        (at, token).prop_map(|(a, t)| Edit::ReplaceValue(a, t)),
    ]
}

fn index(len: usize, at: f64) -> usize {
    ((len as f64) * at) as usize
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_string();
    for e in edits {
        let chars: Vec<char> = s.chars().collect();
        let mut lines: Vec<String> = s.split('\n').map(str::to_string).collect();
        let line = |at: f64| index(lines.len(), at).min(lines.len().saturating_sub(1));
        s = match *e {
            Edit::Truncate(at) => chars[..index(chars.len(), at)].iter().collect(),
            Edit::Insert(at, t) => {
                let i = index(chars.len(), at);
                let mut out: String = chars[..i].iter().collect();
                out.push_str(TOKENS[t]);
                out.extend(&chars[i..]);
                out
            }
            Edit::DeleteLine(at) => {
                if !lines.is_empty() {
                    lines.remove(line(at));
                }
                lines.join("\n")
            }
            Edit::DuplicateLine(at) => {
                if !lines.is_empty() {
                    let i = line(at);
                    lines.insert(i, lines[i].clone());
                }
                lines.join("\n")
            }
            Edit::SwapLines(at) => {
                let i = line(at);
                if i + 1 < lines.len() {
                    lines.swap(i, i + 1);
                }
                lines.join("\n")
            }
            Edit::ReplaceValue(at, t) => {
                if !lines.is_empty() {
                    let i = line(at);
                    if let Some(p) = lines[i].find(['=', ',']) {
                        lines[i] = format!("{}{}", &lines[i][..=p], TOKENS[t]);
                    }
                }
                lines.join("\n")
            }
        };
    }
    s
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(edit(), 1..4)
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..600)
}

/// Whether an error message points at a line.
fn names_a_line(message: &str) -> bool {
    let digits_after = |pat: &str| {
        message
            .match_indices(pat)
            .any(|(i, _)| message[i + pat.len()..].starts_with(|c: char| c.is_ascii_digit()))
    };
    digits_after("line ") || digits_after(".toml:") || digits_after(".csv:")
}

/// The contract: an error names `file`, and a line when `malformed` (the text is not even
/// well-formed for its format).
fn check<T, E: Display>(
    result: Result<T, E>,
    file: &str,
    malformed: bool,
) -> Result<(), TestCaseError> {
    if let Err(e) = result {
        let message = e.to_string();
        prop_assert!(
            message.contains(file),
            "the error does not name {file}: {message}"
        );
        if malformed {
            prop_assert!(names_a_line(&message), "the error names no line: {message}");
        }
    }
    Ok(())
}

fn is_toml(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok()
}

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(crate::support::fixture(rel)).expect("fixture")
}

fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect("file")
}

#[test]
fn registry_csv_never_panics_and_names_file_and_line() {
    let path = Path::new("fuzz/sites.csv");
    let valid = fixture("registry/sites-en.csv");
    runner()
        .run(&bytes(), |b| {
            check(registry::parse_csv(&b, path), "fuzz/sites.csv", true)
        })
        .expect("arbitrary bytes");
    runner()
        .run(&edits(), |e| {
            let text = apply(&valid, &e);
            check(
                registry::parse_csv(text.as_bytes(), path),
                "fuzz/sites.csv",
                true,
            )
        })
        .expect("mutated fixture");
}

#[test]
fn registry_toml_never_panics_and_names_file_and_line() {
    let path = Path::new("fuzz/sites.toml");
    let valid = fixture("registry/sites.toml");
    runner()
        .run(&edits(), |e| {
            let text = apply(&valid, &e);
            check(
                registry::parse_toml(&text, path),
                "fuzz/sites.toml",
                !is_toml(&text),
            )
        })
        .expect("mutated fixture");
    runner()
        .run(&bytes(), |b| {
            let text = String::from_utf8_lossy(&b);
            check(
                registry::parse_toml(&text, path),
                "fuzz/sites.toml",
                !is_toml(&text),
            )
        })
        .expect("arbitrary bytes");
}

#[test]
fn the_config_file_never_panics_and_names_file_and_line() {
    let path = Path::new("fuzz/config.toml");
    let valid = repo_file("config.toml");
    let parse = |text: &str| {
        // Values serde cannot judge (`inf`, 0) are validated by another change; here: no panic,
        // and every syntax or type error names the file and line.
        match Config::from_toml(text, path) {
            Err(e @ govaudit::config::ConfigError::Invalid { .. }) => {
                let _ = e.to_string();
                Ok(())
            }
            other => other.map(|_| ()),
        }
    };
    runner()
        .run(&edits(), |e| {
            let text = apply(&valid, &e);
            check(parse(&text), "fuzz/config.toml", !is_toml(&text))
        })
        .expect("mutated config");
    runner()
        .run(&bytes(), |b| {
            let text = String::from_utf8_lossy(&b);
            check(parse(&text), "fuzz/config.toml", !is_toml(&text))
        })
        .expect("arbitrary bytes");
}

fn profile_files() -> Vec<SourceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/gb2015");
    let mut files: Vec<SourceFile> = std::fs::read_dir(&dir)
        .expect("rules")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .map(|name| SourceFile {
            path: format!("fuzz/gb2015/{name}"),
            text: repo_file(&format!("rules/gb2015/{name}")),
            name,
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

#[test]
fn rule_files_never_panic_and_name_file_and_line() {
    let files = profile_files();
    let strategy = (0..files.len(), edits());
    runner()
        .run(&strategy, |(which, e)| {
            let mut mutated = files.clone();
            mutated[which].text = apply(&files[which].text, &e);
            let malformed = !is_toml(&mutated[which].text);
            let result = load_profile("gb2015", "fuzz/gb2015", &mutated, builtin_vocabulary());
            check(result.map(|_| ()), &mutated[which].path, malformed)
        })
        .expect("mutated rule files");
    let page = repo_file("rules/page.toml");
    runner()
        .run(&edits(), |e| {
            let text = apply(&page, &e);
            check(
                load_vocabulary(&text, "fuzz/page.toml"),
                "fuzz/page.toml",
                !is_toml(&text),
            )
        })
        .expect("mutated page.toml");
}

#[test]
fn templates_never_panic_and_name_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names = ["notice.toml", "site.toml", "fixes.toml"];
    let originals: Vec<String> = names
        .iter()
        .map(|n| repo_file(&format!("templates/{n}")))
        .collect();
    let strategy = (0..names.len(), edits());
    runner()
        .run(&strategy, |(which, e)| {
            let text = apply(&originals[which], &e);
            for (i, name) in names.iter().enumerate() {
                let body = if i == which { &text } else { &originals[i] };
                std::fs::write(dir.path().join(name), body).expect("write");
            }
            let file = dir.path().join(names[which]).display().to_string();
            check(Templates::from_dir(dir.path()), &file, !is_toml(&text))
        })
        .expect("mutated templates");
}
