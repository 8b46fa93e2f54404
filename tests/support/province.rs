//! The simulated province as the tests and benchmarks drive it: a proxy config, the registry
//! imported, a listed round planned, the busiest host.

use std::path::Path;

use govaudit::config::Config;
use govaudit::registry;
use govaudit::rounds::{self, PlanOptions};
use govaudit::sim::province::Province;
use govaudit::sim::{SimServer, SERVICE_HOSTS};
use govaudit::store::Store;

/// A config that reaches the world through the server as an HTTP proxy.
pub fn proxy_config(server: &SimServer, polite: bool) -> Config {
    let mut cfg = Config::default();
    cfg.fetch.proxy = Some(server.proxy_url());
    cfg.fetch.timeout_secs = 10.0;
    if !polite {
        cfg.fetch.backoff_ms = 50;
        cfg.fetch.host_rate = 0.0;
        cfg.fetch.host_concurrency = 8;
    }
    cfg
}

pub async fn import(store: &Store, province: &Province) {
    let sites = registry::parse_csv(province.registry_csv().as_bytes(), Path::new("ningxia.csv"))
        .expect("registry parses");
    registry::import(store, &sites).await.expect("import");
}

pub async fn plan(store: &Store, province: &Province, dir: &Path, round: usize) -> rounds::Round {
    let r = &province.rounds[round];
    let list = dir.join(format!("round{}.txt", round + 1));
    std::fs::write(&list, province.round_list(round)).expect("write list");
    let opts = PlanOptions {
        month: r.month.clone(),
        ratio: 1.0,
        seed: 0,
        profile: "gb2015".into(),
        as_of: Some(r.as_of),
    };
    rounds::plan_list(store, &opts, &list).await.expect("plan")
}

/// Requests per simulated site host (not the identifier services): the most any host got.
pub fn busiest_host(server: &SimServer) -> (String, usize) {
    server
        .all_host_stats()
        .into_iter()
        .filter(|(h, _)| !SERVICE_HOSTS.contains(&h.as_str()))
        .map(|(h, s)| (h, s.hits))
        .max_by_key(|(_, n)| *n)
        .unwrap_or_default()
}
