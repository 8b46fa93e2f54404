//! Bad inputs rejected with the file, line and column (issue 12): control characters in
//! registry cells, URLs carrying a user name and password, a UTF-8 byte-order mark over GBK
//! rows; damaged and missing databases ([`database`]); and the parsers of user-supplied files
//! fuzzed ([`fuzz`]).

use std::path::{Path, PathBuf};

use govaudit::registry;

mod database;
mod fuzz;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// The error's text, which must name `path`.
fn error_of(path: &Path) -> String {
    let err = registry::load_file(path).expect_err("the file is refused");
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    text
}

#[test]
fn control_characters_in_cells_are_refused_with_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "unit,网站名称,level,url\n\
               A,好网站,市级部门,a.gov.cn\n\
               B,坏\0网站,市级部门,b.gov.cn\n\
               C\x1b[2J,c,市级部门,c.gov.cn\n\
               D,d\u{202E},市级部门,d.gov.cn\n";
    let path = write(dir.path(), "ctl.csv", csv.as_bytes());
    let text = error_of(&path);
    let shown = path.display();
    for expected in [
        format!("{shown}:3: 网站名称: "),
        format!("{shown}:4: unit: "),
        format!("{shown}:5: 网站名称: "),
    ] {
        assert!(text.contains(&expected), "{expected} in {text}");
    }
    assert!(
        text.contains("U+0000") && text.contains("U+001B") && text.contains("U+202E"),
        "{text}"
    );
    assert!(
        !text.contains(['\0', '\x1b', '\u{202E}']),
        "the message shows, not carries: {text}"
    );

    let toml =
        "[[site]]\nunit = \"A\"\nlevel = \"市级部门\"\nname = \"x\\u0000y\"\nurl = \"a.gov.cn\"\n";
    let path = write(dir.path(), "ctl.toml", toml.as_bytes());
    let text = error_of(&path);
    assert!(
        text.contains(&format!("{}:4: name: ", path.display())),
        "{text}"
    );
}

#[test]
fn urls_with_a_user_name_or_password_are_refused_without_echoing_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "unit,level,name,url\n\
               A,市级部门,a,http://admin:secret@a.gov.cn/\n\
               B,市级部门,b,admin:s3cr3t@b.gov.cn\n\
               C,市级部门,c,https://token@c.gov.cn:99999/\n";
    let path = write(dir.path(), "userinfo.csv", csv.as_bytes());
    let text = error_of(&path);
    for line in [2, 3, 4] {
        assert!(
            text.contains(&format!("{}:{line}: url: ", path.display())),
            "{text}"
        );
    }
    assert!(text.contains("user name or password"), "{text}");
    for secret in ["secret", "s3cr3t", "token"] {
        assert!(!text.contains(secret), "the password is not echoed: {text}");
    }
}

#[test]
fn a_utf8_mark_over_gbk_rows_names_the_line_and_the_encoding_assumed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let head = "unit,level,name,url\nA,市级部门,a,a.gov.cn\n";
    let (gbk, _, _) = encoding_rs::GBK.encode("银川市,市级部门,银川,yc.gov.cn\n");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(head.as_bytes());
    bytes.extend_from_slice(&gbk);
    let path = write(dir.path(), "bom-gbk.csv", &bytes);
    let text = error_of(&path);
    assert!(text.contains(&format!("{}:3", path.display())), "{text}");
    assert!(
        text.contains("UTF-8") && text.contains("byte-order mark"),
        "{text}"
    );
    assert!(!text.contains("not valid UTF-8 either"), "{text}");

    // No mark: neither UTF-8 nor the detected GBK (a byte GBK never uses) names the lines.
    let mut bytes = head.as_bytes().to_vec();
    bytes.extend_from_slice(&gbk);
    bytes.extend_from_slice(b"B,\xff\xff,b,b.gov.cn\n");
    let path = write(dir.path(), "mixed.csv", &bytes);
    let text = error_of(&path);
    assert!(text.contains("line 3") && text.contains("line 4"), "{text}");
}

#[tokio::test]
async fn the_cli_refuses_the_file_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "unit,level,name,url\nA,市级部门,a,http://admin:secret@a.gov.cn/\n";
    let path = write(dir.path(), "bad.csv", csv.as_bytes());
    let db = dir.path().join("r.db");
    let out = crate::registry::bin()
        .args(["sites", "import"])
        .arg(&path)
        .arg("--db")
        .arg(&db)
        .output()
        .await
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.csv:2: url") && !stderr.contains("secret"),
        "{stderr}"
    );
    assert!(!db.exists(), "nothing written, not even an empty database");
}
