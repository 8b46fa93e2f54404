//! Archive consistency: every index row's byte range lies inside a finished file and holds a
//! complete record of the type, URI and payload the row says; and a round killed mid-way keeps
//! that true, and its resumed run completes the archive.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

use govaudit::archive::warc::read_record;
use govaudit::sim::SimServer;
use govaudit::store::Store;
use sqlx::Row;

/// Every row of `archive_records` reads back as a complete record from its finished file.
/// Returns the number of rows checked.
pub async fn assert_index_consistent(db: &Path, archive: &Path) -> usize {
    let store = Store::open(db).await.expect("db");
    let rows = sqlx::query(
        "SELECT c.file, r.offset, r.length, r.kind, r.uri, r.payload_file, r.payload_offset, \
         r.payload_length, r.payload_digest FROM archive_records r \
         JOIN archive_captures c ON c.id = r.capture_id",
    )
    .fetch_all(store.pool())
    .await
    .expect("index");
    let read = |file: &str, offset: i64, length: i64| {
        let path = archive.join(file);
        assert!(
            path.is_file(),
            "index row names a missing file {}",
            path.display()
        );
        let mut f = std::fs::File::open(&path).expect("open");
        let size = f.metadata().expect("meta").len();
        assert!(
            (offset + length) as u64 <= size,
            "{}: record {offset}+{length} beyond the end ({size})",
            path.display()
        );
        let mut member = vec![0; length as usize];
        f.seek(SeekFrom::Start(offset as u64)).expect("seek");
        f.read_exact(&mut member).expect("read");
        read_record(&member).unwrap_or_else(|e| panic!("{} at {offset}: {e}", path.display()))
    };
    for row in &rows {
        let file: String = row.get(0);
        let rec = read(&file, row.get(1), row.get(2));
        let kind: String = row.get(3);
        let uri: String = row.get(4);
        assert_eq!(rec.header("WARC-Type"), Some(kind.as_str()), "{file}");
        assert_eq!(rec.header("WARC-Target-URI"), Some(uri.as_str()), "{file}");
        let digest: Option<String> = row.get(8);
        if let (Some(pf), Some(digest)) = (row.get::<Option<String>, _>(5), digest) {
            let original = read(&pf, row.get(6), row.get(7));
            let payload = original.http().expect("http").payload;
            assert_eq!(
                govaudit::archive::warc::sha1_digest(&payload),
                digest,
                "{uri}: payload digest"
            );
        }
    }
    store.close().await;
    rows.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_round_leaves_a_consistent_archive_and_the_resumed_run_completes_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("k.db");
    let archive = dir.path().join("k-archive");
    let server = SimServer::start(
        crate::support::tiny_sites_answering_after(12, 150),
        super::AS_OF.parse().expect("date"),
    )
    .await
    .expect("server");
    let csv = dir.path().join("sites.csv");
    std::fs::write(&csv, crate::support::registry_csv(&server)).expect("csv");
    let csv_arg = csv.display().to_string();
    let import = super::govaudit(None, &db, &["sites", "import", &csv_arg]);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let plan = super::govaudit(
        None,
        &db,
        &[
            "round",
            "plan",
            "--month",
            "2018-02",
            "--ratio",
            "1",
            "--seed",
            "1",
            "--as-of",
            super::AS_OF,
        ],
    );
    assert!(
        plan.status.success(),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );

    // Polite (one request at a time per host, 2 per second): the sites take seconds each, so
    // the kill lands while captures are being written.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_govaudit"));
    cmd.arg("--db").arg(&db).args(["--host-concurrency", "1"]);
    for r in server.resolve_entries() {
        cmd.args(["--resolve", &r]);
    }
    cmd.args(["round", "run"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().expect("spawn");
    let started = Instant::now();
    while open_files(&archive) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no capture started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(700));
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(open_files(&archive) > 0, "killed while captures were open");
    let rows = assert_index_consistent(&db, &archive).await;
    eprintln!("killed round: {rows} index rows, all readable");

    let resumed = super::govaudit(Some(&server), &db, &["round", "run"]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let rows_after = assert_index_consistent(&db, &archive).await;
    assert!(rows_after > rows);
    let store = Store::open(&db).await.expect("db");
    let unarchived: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM checks c WHERE NOT EXISTS \
         (SELECT 1 FROM archive_captures a WHERE a.check_id = c.id)",
    )
    .fetch_one(store.pool())
    .await
    .expect("count");
    assert_eq!(unarchived, 0, "every stored check has its capture");
    store.close().await;
    super::warcio_check(&super::warc_files(&archive));

    // The whole round judged again offline, a few checks at once: the same verdicts.
    server.reset_stats();
    let again = super::govaudit(
        Some(&server),
        &db,
        &["reevaluate", "--round", "1", "--format", "json"],
    );
    let err = String::from_utf8_lossy(&again.stderr);
    assert_ne!(again.status.code(), Some(2), "{err}");
    let docs: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json array");
    assert_eq!(docs.as_array().map(Vec::len), Some(12), "{err}");
    assert!(
        err.contains("12 checks re-evaluated offline, 0 with a different verdict or score"),
        "{err}"
    );
    assert!(!err.contains("not in the archive"), "{err}");
    let hits: usize = server.all_host_stats().values().map(|s| s.hits).sum();
    assert_eq!(hits, 0, "reevaluate made a network request");

    // The round as stored against the round as re-evaluated: nothing new, nothing fixed.
    let diff = super::govaudit(
        None,
        &db,
        &["round", "diff", "1", "--reevaluated", "--format", "json"],
    );
    assert_eq!(
        diff.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&diff.stderr)
    );
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).expect("json");
    let len = |k: &str| diff[k].as_array().map_or(usize::MAX, Vec::len);
    assert_eq!((len("newly_failing"), len("fixed")), (0, 0), "{diff}");
    assert_eq!(len("still_failing") + len("still_passing"), 12, "{diff}");
}

fn open_files(archive: &Path) -> usize {
    let Ok(months) = std::fs::read_dir(archive) else {
        return 0;
    };
    months
        .flatten()
        .filter_map(|m| std::fs::read_dir(m.path()).ok())
        .flat_map(|files| files.flatten())
        .filter(|f| f.path().extension().is_some_and(|e| e == "open"))
        .count()
}
