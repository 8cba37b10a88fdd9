//! The sync: one instance at a time (the holder of the database's sync
//! lease) keeps the copy following the vendor.
//!
//! Every `--sync-interval` it *follows*: it reads the vendor's leads newest
//! change first (`sort=-updated_at`) until one older than the newest change
//! it saw before, less [`MARGIN`], so a change in the same second as the
//! last one seen, or committed a little late, is never skipped; the copy
//! compares every field, so reading a lead again announces nothing. At
//! start, and every `--full-sync-every`, it also *walks* every lead in
//! creation order (`sort=created_at`), a few pages per pass, which catches
//! what following cannot see (a vendor clock stepped back further than the
//! margin). Requests are paced to `--sync-max-rps`; a `429` waits its
//! `Retry-After`; a vendor that fails is tried again after a growing pause,
//! and the copy is marked stale meanwhile.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, Method, StatusCode};
use leads_core::{is_lead_id, PartialLead};
use serde::Deserialize;
use tokio::sync::watch;

use super::Mirror;
use crate::store::copy::{normalised, Absorbed, Incoming, SyncRecord};
use crate::store::SyncLease;
use crate::time;

/// Leads per page asked of the vendor: the contract's most.
const PAGE: usize = 100;

/// How far before the newest change seen a pass starts reading.
const MARGIN: i64 = 5;

/// The longest a `Retry-After` or a failure's pause is waited.
const MAX_PAUSE: Duration = Duration::from_secs(300);

/// Runs until the server stops: takes the lease whenever no instance holds
/// it, and syncs while it holds it.
pub async fn run(mirror: Mirror, mut stopping: watch::Receiver<bool>) {
    loop {
        match mirror.database.sync_lease().await {
            Ok(Some(lease)) => {
                tracing::info!(upstream = %mirror.upstream.base(), "this instance syncs the copy of the vendor's leads");
                let mut syncer = Syncer::new(&mirror).await;
                tokio::select! {
                    _ = stopping.wait_for(|stopping| *stopping) => return,
                    () = syncer.hold(&lease) => {
                        tracing::warn!("this instance lost the sync lease (its database connection ended); another instance may take it");
                    }
                }
            }
            Ok(None) => {}
            Err(err) => tracing::warn!("cannot ask the database who syncs the copy: {err}"),
        }
        tokio::select! {
            _ = stopping.wait_for(|stopping| *stopping) => return,
            () = tokio::time::sleep(mirror.settings.interval) => {}
        }
    }
}

/// `leads-server sync --once`: a full walk and a pass over the changes,
/// then the record kept. What it did, or why it failed.
pub async fn once(mirror: &Mirror) -> Result<Tally, String> {
    let mut syncer = Syncer::new(mirror).await;
    syncer.walk = Some(1);
    let mut tally = Tally::default();
    let outcome = async {
        syncer.follow(&mut tally).await?;
        while syncer.walk.is_some() {
            syncer.walk_page(&mut tally).await?;
        }
        Ok::<_, Failure>(())
    }
    .await;
    syncer.settle(outcome.as_ref().err()).await;
    outcome
        .map(|()| tally)
        .map_err(|failure| failure.to_string())
}

/// What a pass did to the copy.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub read: usize,
    pub created: usize,
    pub changed: usize,
}

/// Why a pass stopped short.
#[derive(Debug)]
enum Failure {
    /// The vendor could not be reached, or answered with an error.
    Vendor(String),
    /// The copy could not be written.
    Copy(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Vendor(why) => write!(f, "the vendor's API: {why}"),
            Failure::Copy(why) => write!(f, "the copy: {why}"),
        }
    }
}

/// A page of the vendor's list, each lead read on its own so one it
/// cannot be read does not stop the others.
#[derive(Deserialize)]
struct VendorPage {
    data: Vec<serde_json::Value>,
}

/// The sync as one holder of the lease runs it.
struct Syncer<'a> {
    mirror: &'a Mirror,
    record: SyncRecord,
    /// The next request may leave no earlier than this.
    next_request: Instant,
    /// The next page of the walk under way.
    walk: Option<u32>,
    /// Leads the walk under way read, created and changed.
    walked: Tally,
    /// When the next walk begins.
    next_walk: Instant,
    /// Passes that failed in a row.
    failures: u32,
}

impl<'a> Syncer<'a> {
    async fn new(mirror: &'a Mirror) -> Syncer<'a> {
        let record = mirror.database.sync_record().await.ok().flatten();
        Syncer {
            mirror,
            record: record.unwrap_or_else(|| SyncRecord {
                upstream: mirror.upstream.base().to_owned(),
                ..SyncRecord::default()
            }),
            next_request: Instant::now(),
            walk: None,
            walked: Tally::default(),
            next_walk: Instant::now(),
            failures: 0,
        }
    }

    /// Passes, one every interval (longer after failures), while `lease`
    /// holds.
    async fn hold(&mut self, lease: &SyncLease) {
        while lease.held().await {
            let outcome = self.pass().await;
            self.settle(outcome.as_ref().err()).await;
            let pause = match outcome {
                Ok(()) => self.mirror.settings.interval,
                Err(_) => self.backoff(),
            };
            tokio::time::sleep(pause).await;
        }
    }

    /// One pass: what changed, then as many pages of a walk under way as
    /// the interval's share of the rate allows.
    async fn pass(&mut self) -> Result<(), Failure> {
        let mut tally = Tally::default();
        self.follow(&mut tally).await?;
        if self.walk.is_none() && Instant::now() >= self.next_walk {
            tracing::info!("walking every lead at the vendor to check the copy");
            self.walk = Some(1);
            self.walked = Tally::default();
        }
        let settings = self.mirror.settings;
        // At least one page a pass, so a walk ends however slow the rate.
        let pages = (settings.interval.as_secs_f64() * settings.max_rps)
            .floor()
            .max(1.0);
        let mut left = pages as u32;
        while self.walk.is_some() && left > 0 {
            self.walk_page(&mut tally).await?;
            left -= 1;
        }
        if tally.created + tally.changed > 0 {
            tracing::debug!(
                created = tally.created,
                changed = tally.changed,
                "the copy took the vendor's changes"
            );
        }
        Ok(())
    }

    /// Reads what changed at the vendor since the newest change seen, less
    /// [`MARGIN`]; with none seen yet, the first page only, to learn it.
    async fn follow(&mut self, tally: &mut Tally) -> Result<(), Failure> {
        let bound = self
            .record
            .cursor
            .as_deref()
            .and_then(|cursor| time::shift(cursor, -MARGIN));
        let mut newest = self.record.cursor.clone();
        for page in 1.. {
            let leads = self.page("-updated_at", page).await?;
            let full = leads.len() == PAGE;
            // Newest first: the page's changes end at its first older lead.
            let changed: Vec<PartialLead> = leads
                .into_iter()
                .take_while(|lead| match (&lead.updated_at, &bound) {
                    (Some(updated), Some(bound)) => updated >= bound,
                    _ => true,
                })
                .collect();
            let older = changed.len() < PAGE && full;
            for lead in &changed {
                if lead.updated_at > newest {
                    newest = lead.updated_at.clone();
                }
            }
            self.absorb(changed, tally).await?;
            if older || !full || bound.is_none() {
                break;
            }
        }
        // Kept only now: a pass cut short must read its pages again.
        self.record.cursor = newest;
        Ok(())
    }

    /// Reads the walk's next page into the copy.
    async fn walk_page(&mut self, tally: &mut Tally) -> Result<(), Failure> {
        let Some(page) = self.walk else {
            return Ok(());
        };
        let leads = self.page("created_at", page).await?;
        let full = leads.len() == PAGE;
        let mut walked = Tally::default();
        self.absorb(leads, &mut walked).await?;
        tally.add(walked);
        self.walked.add(walked);
        if full {
            self.walk = Some(page + 1);
            return Ok(());
        }
        self.walk = None;
        self.next_walk = Instant::now() + self.mirror.settings.full_every;
        self.record.walked_at = Some(time::now());
        tracing::info!(
            leads = self.walked.read,
            new = self.walked.created,
            changed = self.walked.changed,
            "walked every lead at the vendor"
        );
        Ok(())
    }

    /// A page's leads into the copy, in one transaction.
    async fn absorb(&self, leads: Vec<PartialLead>, tally: &mut Tally) -> Result<(), Failure> {
        tally.read += leads.len();
        let absorbed = self
            .mirror
            .store
            .absorb_all(leads.into_iter().map(Incoming::listed).collect())
            .await
            .map_err(|err| Failure::Copy(err.to_string()))?;
        for absorbed in absorbed {
            match absorbed {
                Absorbed::Created(_) => tally.created += 1,
                Absorbed::Changed(_) => tally.changed += 1,
                _ => {}
            }
        }
        Ok(())
    }

    /// One page of the vendor's list in `sort` order, paced, waiting out
    /// `429`s; each lead with its times as the contract writes them. A
    /// lead that cannot be read is left out, and said so.
    async fn page(&mut self, sort: &str, page: u32) -> Result<Vec<PartialLead>, Failure> {
        let query = format!("sort={sort}&limit={PAGE}&page={page}");
        let reply = loop {
            tokio::time::sleep_until(self.next_request.into()).await;
            let gap = Duration::from_secs_f64(1.0 / self.mirror.settings.max_rps);
            self.next_request = Instant::now() + gap;
            let reply = self
                .mirror
                .upstream
                .send(
                    Method::GET,
                    "/leads",
                    Some(&query),
                    &HeaderMap::new(),
                    Bytes::new(),
                )
                .await
                .map_err(|err| Failure::Vendor(err.to_string()))?;
            if reply.status != StatusCode::TOO_MANY_REQUESTS {
                break reply;
            }
            let wait = retry_after(&reply.headers).unwrap_or_else(|| self.backoff());
            tracing::info!(
                seconds = wait.as_secs_f64(),
                "the vendor asks the sync to slow down (429); waiting"
            );
            self.next_request = Instant::now() + wait;
        };
        if !reply.status.is_success() {
            return Err(Failure::Vendor(format!(
                "answered {} to a list",
                reply.status
            )));
        }
        let page: VendorPage = serde_json::from_slice(&reply.body).map_err(|_| {
            Failure::Vendor("its answer to a list is not a page of leads".to_owned())
        })?;
        let mut leads = Vec::with_capacity(page.data.len());
        for item in page.data {
            match serde_json::from_value::<PartialLead>(item) {
                Ok(lead) if is_lead_id(&lead.id) => leads.push(normalised(lead)),
                Ok(lead) => tracing::warn!(
                    len = lead.id.len(),
                    "left out a lead from the vendor whose id this server cannot serve"
                ),
                Err(err) => {
                    tracing::warn!("left out a lead from the vendor that cannot be read: {err}")
                }
            }
        }
        Ok(leads)
    }

    /// Keeps how the pass ended: the time it reached the vendor, or since
    /// when and why it does not.
    async fn settle(&mut self, failure: Option<&Failure>) {
        match failure {
            None => {
                if self.failures > 0 {
                    tracing::info!(
                        failed_passes = self.failures,
                        "the copy follows the vendor again"
                    );
                }
                self.failures = 0;
                self.record.synced_at = Some(time::now());
                self.record.unreachable_since = None;
                self.record.problem = None;
            }
            Some(failure) => {
                self.failures += 1;
                let since = self
                    .record
                    .unreachable_since
                    .get_or_insert_with(time::now)
                    .clone();
                tracing::warn!(
                    since = %since,
                    retry_in_s = self.backoff().as_secs_f64(),
                    "the copy cannot follow the vendor: {failure}"
                );
                self.record.problem = Some(failure.to_string());
            }
        }
        let state = if self.walk.is_some() {
            "walking"
        } else {
            "following"
        };
        self.record.state = Some(state.to_owned());
        self.mirror.save(&self.record).await;
    }

    /// The pause after the latest failure: the interval, doubling with each
    /// failure in a row, up to six intervals (and five minutes).
    fn backoff(&self) -> Duration {
        let interval = self.mirror.settings.interval;
        let doubled = interval.saturating_mul(1 << self.failures.saturating_sub(1).min(16));
        doubled.min(interval.saturating_mul(6)).min(MAX_PAUSE)
    }
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.read += other.read;
        self.created += other.created;
        self.changed += other.changed;
    }
}

/// A `Retry-After` in seconds, at most [`MAX_PAUSE`].
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(MAX_PAUSE))
}
