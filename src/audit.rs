//! The pipeline for one site, named once: fetch → analysis → crawl → rules → store.
//!
//! [`Auditor`] holds what a run shares (the polite fetcher, the loaded rules, the crawl
//! settings) and audits one site at a time; many audits may run concurrently on one auditor.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use url::Url;

use crate::archive::{self, backdated::Current, Archive, ArchiveError, Capture};
use crate::config::{Config, CrawlConfig};
use crate::crawl::crawl_site;
use crate::deep::{deep_crawl, DeepOutcome, DeepSettings};
use crate::fetch::{FetchError, Fetcher, RequestRecord};
use crate::findings::Evaluation;
use crate::linkcheck::{self, LinkCache};
use crate::observation::{MonitorRecord, Observation};
use crate::rules::{RuleSet, RulesError};
use crate::store::{CheckRecord, RoundSlot, Store, StoreError};

/// Errors setting up an audit run.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The HTTP client could not be built (bad proxy URL, bad `--resolve` entry …).
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The rule profile could not be loaded.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// A database step of the run failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The evidence archive's folder could not be created or read.
    #[error("cannot open the evidence archive: {0}")]
    Archive(#[from] ArchiveError),
}

/// The full result of auditing one site.
#[derive(Debug)]
pub struct AuditResult {
    /// What the crawl saw of the site (the rules' input).
    pub observation: Observation,
    /// The rules' verdict, score and findings on the observation.
    pub evaluation: Evaluation,
    /// The audit's own requests (a deep crawl's are logged in the database as they happen and
    /// join the check's log when it is stored; their count is `deep.requests`).
    pub requests: Vec<RequestRecord>,
    /// When the audit started (UTC).
    pub started_at: DateTime<Utc>,
    /// When the audit finished (UTC), deep crawl included when there is one.
    pub finished_at: DateTime<Utc>,
    /// The deep crawl, when the audit was run with `--deep`.
    pub deep: Option<DeepOutcome>,
    /// The archived capture of the pages read ([`crate::archive`]), when archiving is on.
    pub capture: Option<i64>,
    /// The archived record of each URL read, naming the record behind each finding's evidence
    /// (empty when not archived).
    pub archived: crate::archive::RecordIndex,
}

impl AuditResult {
    /// Store this result atomically; returns the check id.
    pub async fn save(&self, store: &Store) -> Result<i64, StoreError> {
        self.save_in(store, None).await
    }

    /// Store this result atomically, filling a round's slot when given (the check and the slot
    /// are written in one transaction).
    pub async fn save_in(
        &self,
        store: &Store,
        round: Option<RoundSlot>,
    ) -> Result<i64, StoreError> {
        store.save_check(&self.record(round)).await
    }

    /// This result as a record to store, filling `round`'s slot when given.
    pub fn record(&self, round: Option<RoundSlot>) -> CheckRecord<'_> {
        CheckRecord {
            round,
            started_at: self.started_at,
            finished_at: self.finished_at,
            observation: &self.observation,
            evaluation: &self.evaluation,
            requests: &self.requests,
            deep: self
                .deep
                .as_ref()
                .map(|d| (d.crawl_id > 0).then_some(d.crawl_id)),
            capture: self.capture,
        }
    }
}

/// Shared state of an audit run.
#[derive(Clone)]
pub struct Auditor {
    /// The polite HTTP client shared by every audit of the run (per-host limits hold across sites).
    pub fetcher: Arc<Fetcher>,
    /// The loaded rule profile every audit is judged by.
    pub rules: Arc<RuleSet>,
    /// The crawl settings (`[crawl]`) of every audit.
    pub crawl: CrawlConfig,
    /// Link results shared by the sites this auditor audits (one run, one round).
    pub links: Arc<LinkCache>,
    /// Where the availability monitor's probes are (`govaudit monitor`): when set, each audit
    /// reads the site's record of the days before its as-of date into the observation, for
    /// `site.unreachable` to judge.
    pub monitor: Option<Store>,
    /// Where every exchange of an audit is archived ([`crate::archive`]), when set.
    pub archive: Option<Archive>,
}

impl Auditor {
    /// Build the fetcher and load the rules named in the configuration.
    pub fn from_config(cfg: &Config) -> Result<Auditor, AuditError> {
        let fetcher = Fetcher::new(&cfg.fetch)?;
        let rules = match &cfg.rules.dir {
            Some(dir) => RuleSet::from_dir(dir, &cfg.rules.profile)?,
            None => RuleSet::builtin(&cfg.rules.profile)?,
        };
        Ok(Auditor {
            fetcher: Arc::new(fetcher),
            rules: Arc::new(rules),
            crawl: cfg.crawl.clone(),
            links: Arc::new(LinkCache::default()),
            monitor: None,
            archive: None,
        })
    }

    /// The auditor of checks stored in `store`: the availability monitor's record there
    /// decides 站点无法访问, and every exchange is archived beside the database unless
    /// `archive` is false or `[archive] enabled` is off. `check`, `round run`, the demo and the
    /// console's rounds and self-checks all start from it, so a site is judged, and its
    /// evidence kept, the same whichever of them audits it.
    ///
    /// # Errors
    ///
    /// As [`Auditor::from_config`]; [`AuditError::Archive`] when the archive folder cannot be
    /// created.
    pub fn for_store(cfg: &Config, store: &Store, archive: bool) -> Result<Auditor, AuditError> {
        let auditor = Auditor::from_config(cfg)?.with_monitor(store);
        if !archive || !cfg.archive.enabled {
            return Ok(auditor);
        }
        let dir = cfg.archive.dir_for(&cfg.store.db);
        let archive = Archive::open(&dir, store.pool().clone(), cfg.archive.max_site_bytes)?;
        Ok(auditor.with_archive(archive))
    }

    /// The same auditor reading the availability monitor's record from `store`.
    pub fn with_monitor(self, store: &Store) -> Auditor {
        Auditor {
            monitor: Some(store.clone()),
            ..self
        }
    }

    /// The same auditor archiving every audit's exchanges in `archive`.
    pub fn with_archive(self, archive: Archive) -> Auditor {
        Auditor {
            archive: Some(archive),
            ..self
        }
    }

    /// The same auditor with an empty link cache: a new round (or a 复核) checks links anew.
    pub fn with_fresh_links(&self) -> Auditor {
        Auditor {
            links: Arc::new(LinkCache::default()),
            ..self.clone()
        }
    }

    /// Audit one site as of a date. Never fails: an unreachable site is a finding. With an
    /// archive, every exchange is archived and the result names the capture.
    pub async fn audit(&self, site: &Url, as_of: NaiveDate) -> AuditResult {
        let capture = self.begin_capture(site, as_of);
        let mut result = archive::scoped(capture.clone(), self.audit_unarchived(site, as_of)).await;
        if let Some(c) = &capture {
            self.judge_backdated(Current::Live(c), c.site_url(), &c.started_at(), &mut result)
                .await;
        }
        let index = capture.as_ref().map(|c| c.index());
        result.capture = finish_capture(capture).await;
        if result.capture.is_some() {
            result.archived = index.unwrap_or_default();
        }
        result
    }

    /// 疑似伪造发稿日期 from captures ([`archive::backdated`]): compare the column pages of
    /// `current` with the site's previous capture; candidates join the observation and the rules
    /// are evaluated again. Needs an archive (`self.archive`, or the one a re-evaluation reads);
    /// an archive error is logged and the audit stands without the comparison.
    pub async fn judge_backdated(
        &self,
        current: Current<'_>,
        site_url: &str,
        started_at: &str,
        result: &mut AuditResult,
    ) {
        let Some(archive) = &self.archive else {
            return;
        };
        let limits = self.crawl.parse_limits();
        let obs = &result.observation;
        match archive::backdated::find(
            archive,
            current,
            site_url,
            started_at,
            obs,
            &self.rules,
            limits,
        )
        .await
        {
            Ok(items) if items.is_empty() => {}
            Ok(items) => {
                result.observation.backdated_items = items;
                result.evaluation = self.rules.evaluate(&result.observation);
            }
            Err(e) => {
                tracing::warn!(site = site_url, error = %e, "Cannot compare with the site's earlier capture; no 疑似伪造发稿日期 from captures.");
            }
        }
    }

    /// Start a capture of the audit, when archiving; a failure is logged and the audit goes on
    /// unarchived.
    fn begin_capture(&self, site: &Url, as_of: NaiveDate) -> Option<Arc<Capture>> {
        // A replaying fetcher reads an archive; it has nothing new to keep.
        if self.fetcher.is_replaying() {
            return None;
        }
        let archive = self.archive.as_ref()?;
        archive
            .begin(site, as_of)
            .inspect_err(|e| tracing::warn!(site = %site, error = %e, "Cannot archive this audit; it goes on unarchived."))
            .ok()
    }

    async fn audit_unarchived(&self, site: &Url, as_of: NaiveDate) -> AuditResult {
        let started_at = Utc::now();
        if let Some(host) = site.host_str() {
            self.fetcher.trust_host(host);
        }
        let crawl = crawl_site(
            &self.fetcher,
            &self.links,
            &self.rules,
            &self.crawl,
            site,
            as_of,
        )
        .await;
        let mut observation = crawl.observation;
        observation.monitor = self.monitor_record(&observation.url, as_of).await;
        let evaluation = self.rules.evaluate(&observation);
        AuditResult {
            observation,
            evaluation,
            requests: crawl.requests,
            started_at,
            finished_at: Utc::now(),
            deep: None,
            capture: None,
            archived: Default::default(),
        }
    }

    /// The monitor's record of the site before `as_of`, when a monitor store is set and holds
    /// probes of it. A database error is logged and the audit goes on without the record
    /// (its finding then says it is the single-probe approximation).
    async fn monitor_record(&self, url: &str, as_of: NaiveDate) -> Option<MonitorRecord> {
        let store = self.monitor.as_ref()?;
        let params = self.rules.availability();
        match crate::monitor::record_before(store, url, as_of, &params).await {
            Ok(record) => record,
            Err(e) => {
                tracing::warn!(site = url, error = %e, "Cannot read the monitor's record; judging availability by this audit alone.");
                None
            }
        }
    }

    /// Audit one site, then crawl all of it ([`deep_crawl`]): the deep crawl's link results
    /// (pages and links stream into `store`) join the observation, so the `links.broken` rule
    /// counts broken links on every page, and the rules are evaluated again. A store error
    /// stops the deep crawl; what it stored so far is kept and a rerun resumes it. The outcome
    /// is returned and also kept in the result (`deep`), for storing and reports.
    pub async fn audit_deep(
        &self,
        site: &Url,
        as_of: NaiveDate,
        store: &Store,
        settings: &DeepSettings,
    ) -> Result<(AuditResult, DeepOutcome), StoreError> {
        let capture = self.begin_capture(site, as_of);
        let done = archive::scoped(
            capture.clone(),
            self.audit_deep_unarchived(site, as_of, store, settings),
        )
        .await;
        let mut done = done;
        if let (Some(c), Ok((result, _))) = (&capture, &mut done) {
            self.judge_backdated(Current::Live(c), c.site_url(), &c.started_at(), result)
                .await;
        }
        let index = capture.as_ref().map(|c| c.index());
        let capture = finish_capture(capture).await;
        done.map(|(mut result, outcome)| {
            result.capture = capture;
            if capture.is_some() {
                result.archived = index.unwrap_or_default();
            }
            (result, outcome)
        })
    }

    async fn audit_deep_unarchived(
        &self,
        site: &Url,
        as_of: NaiveDate,
        store: &Store,
        settings: &DeepSettings,
    ) -> Result<(AuditResult, DeepOutcome), StoreError> {
        let mut result = self.audit_unarchived(site, as_of).await;
        if !result.observation.reachability.ok {
            let outcome = DeepOutcome::not_run();
            result.deep = Some(outcome.clone());
            return Ok((result, outcome));
        }
        let outcome = deep_crawl(
            &self.fetcher,
            &self.links,
            &self.rules,
            store.pool(),
            site,
            as_of,
            settings,
        )
        .await?;
        let obs = &mut result.observation;
        obs.links = linkcheck::site::merge(&obs.links, &outcome.links);
        obs.limits.extend(outcome.limits.iter().cloned());
        obs.name_suspects.extend(outcome.suspects.iter().cloned());
        obs.pages_fetched = obs.pages_fetched.max(outcome.pages);
        result.evaluation = self.rules.evaluate(obs);
        result.finished_at = Utc::now();
        result.deep = Some(outcome.clone());
        Ok((result, outcome))
    }
}

/// Finish a capture: its file complete and its index committed. A failure is logged; the
/// audit's result stands, unarchived.
async fn finish_capture(capture: Option<Arc<Capture>>) -> Option<i64> {
    let capture = capture?;
    capture
        .finish()
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "Cannot finish this audit's archive; its result stands without it."))
        .ok()
        .flatten()
}
