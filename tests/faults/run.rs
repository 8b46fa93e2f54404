//! Running the real `govaudit` binary against the fault server and measuring it: exit code,
//! wall time and peak resident memory.
//!
//! Peak memory is the child's own `VmHWM` (the kernel's high-water mark of its resident set,
//! kept up to date as pages are unmapped or purged) read from `/proc/<pid>/status` every
//! [`SAMPLE`] while it runs; being a high-water mark, a sample misses only growth in the last
//! few milliseconds before exit. `ru_maxrss` from `wait4`/`getrusage(RUSAGE_CHILDREN)` is not
//! used: across `exec` the kernel keeps the larger of the old and new image's peaks, and the
//! old image of a spawned child is this test process (`posix_spawn` shares its memory), so it
//! reports at least this process's own peak.
//!
//! The child is polled with `waitid(WNOHANG | WNOWAIT)`, which does not reap it, so a child
//! past its deadline is killed while its pid is certainly still its own; the case then fails
//! as a hang (no exit code).

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::hosts::AS_OF;
use super::server::server;

/// The test configuration: short timeouts and backoff, politeness lifted, robots.txt read
/// (delay-only), a 1 s Crawl-delay ceiling, fewer links checked per site.
const CONFIG: &str = "\
[fetch]
timeout_secs = 1.0
connect_timeout_secs = 1.0
retries = 2
backoff_ms = 50
max_retry_after_secs = 2
max_crawl_delay_secs = 1
host_rate = 0.0
host_concurrency = 4
robots = \"delay-only\"

[crawl]
max_links = 200
";

/// Path of the test configuration file, written once per test process.
pub fn config_path() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = env!("CARGO_TARGET_TMPDIR");
        let path = format!("{dir}/faults.toml");
        // Written aside and renamed, so a process reading it never sees half of it.
        let tmp = format!("{dir}/faults-{}.toml.tmp", std::process::id());
        std::fs::write(&tmp, CONFIG).expect("write the test config");
        std::fs::rename(&tmp, &path).expect("move the test config in place");
        path
    })
}

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    /// Exit code; `None` when killed (by the watchdog or a signal).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub wall: Duration,
    /// Peak resident set, MB.
    pub peak_mb: f64,
}

impl Run {
    /// The one JSON object on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON object ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// The assertions every case makes: the exit code, no Rust panic, and time and memory
    /// within their bounds.
    pub fn expect(&self, code: i32, max_wall: Duration, max_mb: f64) -> &Run {
        assert!(
            !self.stderr.contains("panicked"),
            "a panic: {}",
            self.stderr
        );
        assert_eq!(self.code, Some(code), "stderr: {}", self.stderr);
        assert!(self.wall < max_wall, "took {:?}", self.wall);
        assert!(
            self.peak_mb < max_mb,
            "peak RSS {:.1} MB, bound {max_mb} MB",
            self.peak_mb
        );
        self
    }
}

/// `govaudit check http://HOST/ --format json --no-store --as-of AS_OF` with the test config,
/// `HOST` routed to the fault server, and `extra` arguments.
pub fn check(host: &str, extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec![
        "--config".into(),
        config_path().into(),
        "check".into(),
        format!("http://{host}/"),
        "--format".into(),
        "json".into(),
        "--no-store".into(),
        "--as-of".into(),
        AS_OF.into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(server().resolve_args(&[host]));
    let run = govaudit(&args, Duration::from_secs(90));
    eprintln!(
        "{host}: exit {:?}, {:.2} s, peak {:.1} MB",
        run.code,
        run.wall.as_secs_f64(),
        run.peak_mb
    );
    run
}

/// Run the binary with `args`, killing it after `deadline`.
pub fn govaudit(args: &[String], deadline: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(args)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn govaudit");
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));

    let mut peak_kb = 0u64;
    let mut killed = false;
    while !has_exited(pid) {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
        if started.elapsed() > deadline && !killed {
            // SAFETY: kill(2) on our own child, which has not been reaped (pid still ours).
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(SAMPLE);
    }
    let wall = started.elapsed();
    let status = child.wait().expect("reap govaudit");
    Run {
        code: status.code(),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        wall,
        peak_mb: peak_kb as f64 / 1024.0,
    }
}

/// How often a running child's high-water mark is read.
const SAMPLE: Duration = Duration::from_millis(5);

/// Whether child `pid` has exited, without reaping it (`WNOWAIT`).
fn has_exited(pid: libc::pid_t) -> bool {
    // SAFETY: a zeroed siginfo_t is a valid out-parameter.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let id = libc::id_t::try_from(pid).expect("id");
    // SAFETY: waitid on our own child, writing into `info`.
    let r = unsafe {
        libc::waitid(
            libc::P_PID,
            id,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    // SAFETY: si_pid is set by waitid (0 while the child runs).
    r == 0 && unsafe { info.si_pid() } != 0
}

/// The high-water mark of `pid`'s resident set (`VmHWM`), KiB, while it runs.
fn vm_hwm_kb(pid: libc::pid_t) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
