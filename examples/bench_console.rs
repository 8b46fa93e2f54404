//! The console benchmark's two halves (`scripts/bench-console.sh` runs them):
//!
//! - `bench_console generate DB [SITES] [ROUNDS]`: a national-year database — SITES tiny
//!   simulated sites (default 14,000; every 8th with a stale homepage, every 13th with a blank
//!   column) in 140 units, and ROUNDS monthly rounds (default 12) of 25% from 2018-01, each run
//!   through the real audit pipeline against the simulator on loopback (politeness lifted).
//! - `bench_console measure URL PID [CLIENTS] [REQUESTS]`: logs in as `bench` and requests each
//!   console page REQUESTS times (default 200) from CLIENTS concurrent clients (default 8),
//!   then prints p50/p95/max latency per page and the server's (PID) peak and current RSS.

// An example sees every dependency and dev-dependency of the package and uses few of them.
#![allow(unused_crate_dependencies)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use govaudit::audit::Auditor;
use govaudit::config::Config;
use govaudit::registry;
use govaudit::rounds::{self, PlanOptions};
use govaudit::sim::{Scenario, SimServer};
use govaudit::store::Store;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn scenario(n: usize) -> Res<Scenario> {
    let mut toml = String::new();
    for i in 0..n {
        let home_age = if i % 8 == 3 { 40 } else { 1 };
        let items = if i % 13 == 5 { 0 } else { 3 };
        write!(
            toml,
            "[[site]]\nname = \"测试网站{i}\"\nhost = \"www.s{i}.bench.gov.cn\"\n\
             [[site.column]]\nname = \"工作动态\"\nslug = \"gzdt\"\nitems = 3\nnewest = {home_age}\nevery = 2\nhome = true\n\
             [[site.column]]\nname = \"通知公告\"\nslug = \"tzgg\"\nitems = {items}\n\n"
        )?;
    }
    Ok(Scenario::from_toml(&toml, "bench_console")?)
}

async fn generate(db: &str, n: usize, months: u32) -> Res<()> {
    let as_of = chrono::NaiveDate::from_ymd_opt(2018, 1, 15).ok_or("date")?;
    let server = SimServer::start(scenario(n)?, as_of).await?;
    let mut csv = String::from("unit,level,name,url,site_code,status\n");
    for (i, (name, url)) in server.sites().into_iter().enumerate() {
        let level = if i % 140 == 0 {
            "市级门户"
        } else {
            "市级部门"
        };
        writeln!(csv, "测试单位{:03},{level},{name},{url},,running", i % 140)?;
    }
    let dir = std::path::Path::new(db)
        .parent()
        .ok_or("db has no folder")?;
    let file = dir.join("registry.csv");
    std::fs::write(&file, csv)?;
    let store = Store::open(std::path::Path::new(db)).await?;
    registry::import_dated(&store, &registry::load_file(&file)?, "registry.csv", as_of).await?;
    let mut cfg = Config::default();
    cfg.fetch.proxy = Some(server.proxy_url());
    cfg.fetch.host_rate = 0.0;
    // One connection per host: idle pooled connections stay open for a while, two descriptors
    // each in this process (client and simulator), and 20,000 descriptors is a common limit.
    cfg.fetch.host_concurrency = 1;
    for m in 1..=months {
        // A fresh auditor per round: the previous one's idle connections (two descriptors
        // each in this process, client and simulator) are closed with it.
        let auditor = Auditor::from_config(&cfg)?;
        let as_of = chrono::NaiveDate::from_ymd_opt(2018, m, 15).ok_or("date")?;
        server.set_as_of(as_of);
        let opts = PlanOptions {
            month: format!("2018-{m:02}"),
            ratio: 0.25,
            seed: u64::from(m),
            profile: cfg.rules.profile.clone(),
            as_of: Some(as_of),
        };
        let (round, _) = rounds::plan_sample(&store, &opts).await?;
        let t = Instant::now();
        // 500 sites at once: simulator and auditor share this process's file descriptors.
        let s = rounds::run_round(&auditor, &store, &round, as_of, 500, |_| {}).await?;
        eprintln!(
            "round {} ({}): {} sites, {} 不合格, {:.1} s",
            round.id,
            round.month,
            s.audited,
            s.failed,
            t.elapsed().as_secs_f64()
        );
    }
    store.close().await;
    Ok(())
}

fn rss(pid: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let get = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or("?".to_string(), |kb| format!("{:.0} MB", kb / 1024.0))
    };
    format!(
        "peak RSS {} (VmHWM), now {} (VmRSS)",
        get("VmHWM:"),
        get("VmRSS:")
    )
}

async fn measure(base: &str, pid: &str, clients: usize, requests: usize) -> Res<()> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()?;
    let form = http.get(format!("{base}/login")).send().await?;
    let login_cookie = form
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("no login cookie")?
        .to_string();
    let page = form.text().await?;
    let at = page.find("name=\"csrf\" value=\"").ok_or("no CSRF field")? + 19;
    let token = page[at..].split('"').next().unwrap_or_default().to_string();
    let r = http
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", login_cookie)
        .body(format!("csrf={token}&name=bench&password=bench-password"))
        .send()
        .await?;
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("login failed: create the user bench first")?
        .to_string();
    let pages = [
        "/",
        "/?quarter=2018Q2",
        "/sites",
        "/sites?unit=测试单位007",
        "/sites?q=s1234.",
        "/sites/{site}",
        "/rounds",
        "/rounds/{round}",
        "/notices",
        "/selfcheck",
    ];
    println!("| page | requests | p50 | p95 | max | bytes |");
    println!("|---|---:|---:|---:|---:|---:|");
    for page in pages {
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (http, cookie, base) = (http.clone(), cookie.clone(), base.to_string());
            tasks.push(tokio::spawn(async move {
                let mut out = Vec::new();
                for i in 0..requests / clients {
                    let k = c * 7919 + i * 104_729;
                    let path = page
                        .replace("{site}", &(1 + k % 14_000).to_string())
                        .replace("{round}", &(1 + k % 12).to_string());
                    let t = Instant::now();
                    let resp = http
                        .get(format!("{base}{path}"))
                        .header("cookie", &cookie)
                        .send()
                        .await;
                    let len = match resp {
                        Ok(r) if r.status().is_success() => {
                            r.bytes().await.map(|b| b.len()).unwrap_or(0)
                        }
                        Ok(r) => panic!("{path}: {}", r.status()),
                        Err(e) => panic!("{path}: {e}"),
                    };
                    out.push((t.elapsed(), len));
                }
                out
            }));
        }
        let mut all: Vec<(Duration, usize)> = Vec::new();
        for t in tasks {
            all.extend(t.await?);
        }
        all.sort_by_key(|(d, _)| *d);
        let at = |q: f64| all[((all.len() as f64 * q).ceil() as usize).clamp(1, all.len()) - 1].0;
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        let bytes = all.iter().map(|(_, b)| b).sum::<usize>() / all.len().max(1);
        println!(
            "| `{page}` | {} | {} | {} | {} | {bytes} |",
            all.len(),
            ms(at(0.5)),
            ms(at(0.95)),
            ms(at(1.0))
        );
    }
    println!("\nserver: {}", rss(pid));
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, d: usize| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(d);
    match args.first().map(String::as_str) {
        Some("generate") => {
            let db = args.get(1).ok_or("generate DB [SITES] [ROUNDS]")?;
            generate(db, num(2, 14_000), num(3, 12) as u32).await
        }
        Some("measure") => {
            let (base, pid) = (args.get(1).ok_or("measure URL PID")?, args.get(2).ok_or("measure URL PID")?);
            measure(base, pid, num(3, 8), num(4, 200)).await
        }
        _ => Err("usage: bench_console generate DB [SITES] [ROUNDS] | measure URL PID [CLIENTS] [REQUESTS]".into()),
    }
}
