//! The event bus: "a lead was created" and "a lead was updated". The
//! database's event log is the truth: a write to the store records its
//! event in its own transaction, and proxy mode's writes (`writes.rs`) and
//! webhook deliveries append theirs. Each event's number in the log is its
//! SSE id, so every instance on one database numbers alike and a client
//! resumes with `Last-Event-ID` on any of them.
//!
//! Each process follows the log ([`LeadEvents::start`]): woken by its own
//! commits and (PostgreSQL) by other instances' notifications, and reading
//! every second besides, it keeps the newest events for clients that
//! reconnect and hands each to every open `/v1/events` stream.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use crate::error::AppError;
use crate::event::{LeadEvent, Numbered};
use crate::store::error::StoreError;
use crate::store::{Database, EventLog};

/// How many events are kept for clients that reconnect, and how far a slow
/// stream may fall behind before it is told to reload (`reset`).
const KEPT: usize = 1024;

/// A new stream's start: what it missed, and everything from now on.
pub struct Subscription {
    /// The events after the client's `Last-Event-ID`, oldest first, or
    /// `None` when they are no longer all kept: the client must reload.
    pub missed: Option<Vec<Arc<Numbered>>>,
    /// The id of the newest event so far (or just below the first one).
    pub latest: u64,
    /// Every event published after this subscription, in order.
    pub live: broadcast::Receiver<Arc<Numbered>>,
}

/// The newest events followed from the log, and the fan-out to streams.
struct Bus {
    recent: Mutex<Recent>,
    sender: broadcast::Sender<Arc<Numbered>>,
}

struct Recent {
    /// The number of the newest event followed (0: none yet).
    latest: u64,
    events: VecDeque<Arc<Numbered>>,
}

impl Bus {
    /// A bus that has followed the log up to `tail` (its newest events).
    fn new(tail: Vec<Numbered>) -> Bus {
        let bus = Bus {
            recent: Mutex::new(Recent {
                latest: 0,
                events: VecDeque::with_capacity(KEPT),
            }),
            sender: broadcast::channel(KEPT).0,
        };
        for event in tail {
            bus.push(event);
        }
        bus
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps the next event of the log and hands it to every subscriber.
    fn push(&self, event: Numbered) {
        // Keeping and sending under one lock: a subscriber sees each event
        // once, either among what it missed or live.
        let mut recent = self.recent();
        if event.id <= recent.latest {
            return;
        }
        let event = Arc::new(event);
        recent.latest = event.id;
        if recent.events.len() == KEPT {
            recent.events.pop_front();
        }
        recent.events.push_back(Arc::clone(&event));
        let _ = self.sender.send(event);
    }

    /// A subscription resuming after `last_seen` (`None`: from now).
    fn subscribe(&self, last_seen: Option<u64>) -> Subscription {
        let recent = self.recent();
        let latest = recent.latest;
        let oldest = recent.events.front().map_or(latest + 1, |event| event.id);
        let missed = match last_seen {
            None => Some(Vec::new()),
            Some(seen) if seen.saturating_add(1) >= oldest && seen <= latest => Some(
                recent
                    .events
                    .iter()
                    .filter(|event| event.id > seen)
                    .cloned()
                    .collect(),
            ),
            Some(_) => None,
        };
        Subscription {
            missed,
            latest,
            live: self.sender.subscribe(),
        }
    }
}

/// How often the log is read even when nothing woke the follower.
const POLL: Duration = Duration::from_secs(1);

/// Most events read from the log at once.
const BATCH: usize = 500;

/// How many events the log keeps behind the newest (more than the streams
/// keep, so an instance starting now has a full window), and how often it
/// forgets older ones.
const KEPT_IN_LOG: u64 = 4 * KEPT as u64;
const FORGET_EVERY: u64 = KEPT as u64;

/// Reads what is new in `log` whenever woken or every [`POLL`], until the
/// server stops or nobody holds the bus any more.
async fn follow(bus: Weak<Bus>, mut log: EventLog, mut stopping: watch::Receiver<bool>) {
    let Some(mut last) = bus.upgrade().map(|bus| bus.recent().latest) else {
        return;
    };
    let mut forget_at = last + FORGET_EVERY;
    loop {
        tokio::select! {
            _ = stopping.wait_for(|stopping| *stopping) => return,
            () = log.woken() => {}
            () = tokio::time::sleep(POLL) => {}
        }
        let Some(bus) = bus.upgrade() else {
            return;
        };
        loop {
            match log.after(last, BATCH).await {
                Ok(events) => {
                    let full = events.len() == BATCH;
                    for event in events {
                        last = event.id;
                        bus.push(event);
                    }
                    if !full {
                        break;
                    }
                }
                Err(err) => {
                    tracing::warn!("cannot read new lead events (trying again shortly): {err}");
                    break;
                }
            }
        }
        if last >= forget_at {
            forget_at = last + FORGET_EVERY;
            if let Err(err) = log.forget(last.saturating_sub(KEPT_IN_LOG)).await {
                tracing::warn!("cannot forget old lead events: {err}");
            }
        }
    }
}

/// How `/v1/events` streams behave.
#[derive(Debug, Clone, Copy)]
pub struct StreamSettings {
    /// A comment at least this often keeps idle connections open through
    /// proxies.
    pub keep_alive: Duration,
    /// Open streams per client (who signed in, else the address).
    pub per_client: usize,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(15),
            per_client: 10,
        }
    }
}

/// Where lead events are announced and heard; cheap to clone.
#[derive(Clone)]
pub struct LeadEvents {
    bus: Arc<Bus>,
    /// Where proxy mode's events are appended.
    log: Arc<EventLog>,
    /// `true` once the server is stopping: streams end so it can.
    stopping: watch::Sender<bool>,
    open: Arc<Mutex<HashMap<String, usize>>>,
    pub settings: StreamSettings,
}

impl LeadEvents {
    /// Events kept in `database`: its newest read first, then followed in
    /// a task of their own.
    pub async fn start(database: &Database, settings: StreamSettings) -> Result<Self, StoreError> {
        let log = database.events()?;
        let tail = log.tail(KEPT).await.map_err(StoreError::from)?;
        let events = Self {
            bus: Arc::new(Bus::new(tail)),
            log: Arc::new(log),
            stopping: watch::channel(false).0,
            open: Arc::default(),
            settings,
        };
        tokio::spawn(follow(
            Arc::downgrade(&events.bus),
            database.events()?,
            events.stopping(),
        ));
        Ok(events)
    }

    /// Logs the event (names and ids only: lead values are personal data)
    /// and appends it to the log (proxy mode: the store records its own).
    /// A failure is logged: the write it tells of has succeeded.
    pub async fn announce(&self, event: LeadEvent) {
        tracing::info!(event = event.name(), id = %event.lead_id(), "lead event");
        if let Err(err) = self.log.append(&event).await {
            tracing::error!("a lead event could not be kept: {err}");
        }
    }

    /// Appends the event of the webhook delivery `delivery` (proxy mode),
    /// unless any instance took that delivery before: `false` then.
    pub async fn deliver(&self, delivery: &str, event: LeadEvent) -> Result<bool, AppError> {
        let fresh = self.log.deliver(delivery, &event).await?;
        if fresh {
            tracing::info!(event = event.name(), id = %event.lead_id(), "lead event");
        }
        Ok(fresh)
    }

    /// A subscription resuming after `last_seen`. An id past the newest
    /// event this process has followed may be one another instance gave
    /// a moment ago (a client failing over): the log is read up to it
    /// first, so the client resumes instead of being told to reload.
    pub async fn subscribe(&self, last_seen: Option<u64>) -> Subscription {
        if let Some(seen) = last_seen {
            self.catch_up(seen).await;
        }
        self.bus.subscribe(last_seen)
    }

    /// Reads the log until this process has followed event `seen`, or the
    /// log has nothing more.
    async fn catch_up(&self, seen: u64) {
        loop {
            let latest = self.bus.recent().latest;
            if latest >= seen {
                return;
            }
            match self.log.after(latest, BATCH).await {
                Ok(events) if !events.is_empty() => {
                    for event in events {
                        self.bus.push(event);
                    }
                }
                Ok(_) => return,
                Err(err) => {
                    tracing::warn!("cannot read the lead events a client resumes after: {err}");
                    return;
                }
            }
        }
    }

    /// The id of the newest event so far.
    pub fn latest(&self) -> u64 {
        self.bus.recent().latest
    }

    /// Resolves once the server is stopping (at once if it already is).
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Ends every stream, so a graceful stop does not wait for them.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// A stream slot for `client`, or `None` when it has as many open as
    /// it may. The slot frees itself when dropped.
    pub fn open_stream(&self, client: String) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(client.clone()).or_insert(0);
        if *count >= self.settings.per_client {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            client,
            open: Arc::clone(&self.open),
        })
    }
}

/// One open stream of one client.
pub struct StreamSlot {
    client: String,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leads_core::event::names;

    fn ids(events: &[Arc<Numbered>]) -> Vec<u64> {
        events.iter().map(|event| event.id).collect()
    }

    fn numbered(id: u64, name: &'static str) -> Numbered {
        Numbered {
            id,
            name,
            data: "{}".into(),
        }
    }

    fn created(ids: impl Iterator<Item = u64>) -> Vec<Numbered> {
        ids.map(|id| numbered(id, names::LEAD_CREATED)).collect()
    }

    #[test]
    fn a_client_resumes_after_its_last_id_or_is_told_to_reload() {
        let bus = Bus::new(created(100..=102));
        assert_eq!(bus.recent().latest, 102);
        let resumed = bus.subscribe(Some(100));
        assert_eq!(resumed.missed.map(|m| ids(&m)), Some(vec![101, 102]));
        assert_eq!(bus.subscribe(Some(102)).missed.map(|m| m.len()), Some(0));
        let edge = bus.subscribe(Some(99)).missed.map(|m| ids(&m));
        assert_eq!(
            edge,
            Some(vec![100, 101, 102]),
            "just before the oldest kept"
        );
        assert!(bus.subscribe(Some(5)).missed.is_none(), "no longer kept");
        assert!(bus.subscribe(Some(500)).missed.is_none(), "from the future");
        let empty = Bus::new(Vec::new());
        assert_eq!(empty.subscribe(Some(0)).missed.map(|m| m.len()), Some(0));
        assert!(
            empty.subscribe(Some(3)).missed.is_none(),
            "another database's"
        );
    }

    #[test]
    fn only_the_newest_are_kept_and_each_once() {
        let bus = Bus::new(Vec::new());
        for event in created(1..=KEPT as u64 + 10) {
            bus.push(event);
        }
        bus.push(numbered(7, names::LEAD_UPDATED));
        assert!(bus.subscribe(Some(5)).missed.is_none());
        let edge = bus.subscribe(Some(10)).missed.unwrap();
        assert_eq!(edge.len(), KEPT);
        assert_eq!(edge[0].id, 11);
        assert!(edge.iter().all(|event| event.name == names::LEAD_CREATED));
    }

    #[tokio::test]
    async fn live_events_follow_what_was_missed_without_a_gap() {
        let bus = Bus::new(created(1..=1));
        let mut sub = bus.subscribe(Some(0));
        bus.push(numbered(2, names::LEAD_UPDATED));
        assert_eq!(ids(&sub.missed.unwrap()), [1]);
        let live = sub.live.recv().await.unwrap();
        assert_eq!((live.id, live.name), (2, "lead.updated"));
    }

    #[test]
    fn an_event_of_an_unknown_kind_is_passed_over() {
        assert!(Numbered::read(3, "lead.deleted", "{}".into()).is_none());
        let known = Numbered::read(4, "lead.updated", "{}".into()).unwrap();
        assert_eq!((known.id, known.name), (4, names::LEAD_UPDATED));
    }

    #[tokio::test]
    async fn a_client_resumes_on_an_instance_that_has_not_followed_its_id_yet() {
        let dir = tempfile::tempdir().unwrap();
        let location = crate::store::Location::Sqlite(dir.path().join("two.db"));
        // Two processes' worth: each its own database handle and follower.
        let a = LeadEvents::start(
            &Database::open(&location).await.unwrap(),
            StreamSettings::default(),
        )
        .await
        .unwrap();
        let b = LeadEvents::start(
            &Database::open(&location).await.unwrap(),
            StreamSettings::default(),
        )
        .await
        .unwrap();
        let lead = leads_core::PartialLead {
            id: "lead_001".into(),
            ..leads_core::PartialLead::default()
        };
        a.announce(LeadEvent::Created(lead)).await;
        // The first event of a new log; A's client has seen it.
        let seen = 1;
        // B's follower reads the log only every second; the client is here now.
        let resumed = b.subscribe(Some(seen)).await;
        assert_eq!(
            resumed.missed.map(|missed| missed.len()),
            Some(0),
            "resumed, not reset"
        );
        assert!(
            b.subscribe(Some(seen + 5)).await.missed.is_none(),
            "from the future"
        );
    }

    #[tokio::test]
    async fn slots_per_client_are_counted_and_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let location = crate::store::Location::Sqlite(dir.path().join("slots.db"));
        let database = Database::open(&location).await.unwrap();
        let settings = StreamSettings {
            per_client: 2,
            ..StreamSettings::default()
        };
        let events = LeadEvents::start(&database, settings).await.unwrap();
        let a = events.open_stream("who:ann".into()).unwrap();
        let _b = events.open_stream("who:ann".into()).unwrap();
        assert!(events.open_stream("who:ann".into()).is_none());
        assert!(events.open_stream("who:bob".into()).is_some());
        drop(a);
        assert!(events.open_stream("who:ann".into()).is_some());
    }
}
