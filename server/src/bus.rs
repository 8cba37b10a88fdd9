//! The event bus: "a lead was created" and "a lead was updated", announced
//! from the layer on the routes that write (`writes.rs`, which reads the
//! successful replies) and from the `new_lead` webhook; `api/events.rs`
//! streams them. Each event is
//! numbered and written as JSON once, kept for a while so a client that
//! reconnects with `Last-Event-ID` gets what it missed, and handed to every
//! open `/v1/events` stream.
//!
//! The numbering and the keeping live behind [`Broadcaster`]. Today's
//! [`LocalBus`] lives in this process, so one server instance is the limit:
//! several instances behind a load balancer need a shared bus (Redis,
//! Postgres `LISTEN`) implementing the same trait.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leads_core::event::{names, LeadUpdated};
use leads_core::PartialLead;
use tokio::sync::{broadcast, watch};

/// How many events are kept for clients that reconnect, and how far a slow
/// stream may fall behind before it is told to reload (`reset`).
const KEPT: usize = 1024;

/// Something that happened to a lead through this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadEvent {
    /// A create (through the API or a webhook); the lead as the reply or
    /// the webhook gave it.
    Created(PartialLead),
    /// An update through the API: what changed, and the lead after.
    Updated(LeadUpdated),
}

impl LeadEvent {
    /// The event's name on the wire, e.g. `lead.created`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Created(_) => names::LEAD_CREATED,
            Self::Updated(_) => names::LEAD_UPDATED,
        }
    }

    /// The id of the lead it is about.
    pub fn lead_id(&self) -> &str {
        match self {
            Self::Created(lead) => &lead.id,
            Self::Updated(update) => &update.id,
        }
    }

    /// The event's `data:` line.
    fn data(&self) -> String {
        let json = match self {
            Self::Created(lead) => serde_json::to_string(lead),
            Self::Updated(update) => serde_json::to_string(update),
        };
        json.unwrap_or_else(|_| "{}".to_owned())
    }
}

/// Which fields an update changed, when the backend knows (the SQLite
/// store does; the vendor's API does not say), as a response extension
/// for the writes (`writes.rs`) layer.
#[derive(Debug, Clone)]
pub struct Changed(pub Vec<&'static str>);

/// One event as streams send it: numbered, its JSON written once for all.
#[derive(Debug)]
pub struct Numbered {
    pub id: u64,
    pub name: &'static str,
    pub data: String,
}

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

/// Numbers events, keeps the recent ones and fans them out.
pub trait Broadcaster: Send + Sync {
    /// Numbers the event, keeps it, and hands it to every subscriber.
    fn publish(&self, name: &'static str, data: String);
    /// A subscription resuming after `last_seen` (`None`: from now).
    fn subscribe(&self, last_seen: Option<u64>) -> Subscription;
    /// The id of the newest event so far.
    fn latest(&self) -> u64;
}

/// The broadcaster for one server process. Ids start from the boot time in
/// microseconds, so an id from before a restart is older than anything
/// kept and its client is told to reload rather than silently missing what
/// happened in between.
pub struct LocalBus {
    kept: Mutex<Kept>,
    sender: broadcast::Sender<Arc<Numbered>>,
}

struct Kept {
    next: u64,
    events: VecDeque<Arc<Numbered>>,
}

impl LocalBus {
    /// A bus whose first event is numbered `first`.
    pub fn starting_at(first: u64) -> Self {
        Self {
            kept: Mutex::new(Kept {
                next: first,
                events: VecDeque::with_capacity(KEPT),
            }),
            sender: broadcast::channel(KEPT).0,
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for LocalBus {
    fn default() -> Self {
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |since| u64::try_from(since.as_micros()).unwrap_or(1));
        Self::starting_at(micros.max(1))
    }
}

impl Broadcaster for LocalBus {
    fn publish(&self, name: &'static str, data: String) {
        // Numbering, keeping and sending under one lock: a subscriber sees
        // each event once, either among what it missed or live.
        let mut kept = self.kept();
        let event = Arc::new(Numbered {
            id: kept.next,
            name,
            data,
        });
        kept.next += 1;
        if kept.events.len() == KEPT {
            kept.events.pop_front();
        }
        kept.events.push_back(Arc::clone(&event));
        let _ = self.sender.send(event);
    }

    fn subscribe(&self, last_seen: Option<u64>) -> Subscription {
        let kept = self.kept();
        let latest = kept.next - 1;
        let oldest = kept.events.front().map_or(kept.next, |event| event.id);
        let missed = match last_seen {
            None => Some(Vec::new()),
            Some(seen) if seen.saturating_add(1) >= oldest && seen <= latest => Some(
                kept.events
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

    fn latest(&self) -> u64 {
        self.kept().next - 1
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
    bus: Arc<dyn Broadcaster>,
    /// `true` once the server is stopping: streams end so it can.
    stopping: watch::Sender<bool>,
    open: Arc<Mutex<HashMap<String, usize>>>,
    pub settings: StreamSettings,
}

impl Default for LeadEvents {
    fn default() -> Self {
        Self::new(Arc::new(LocalBus::default()), StreamSettings::default())
    }
}

impl LeadEvents {
    /// Events carried by `bus`.
    pub fn new(bus: Arc<dyn Broadcaster>, settings: StreamSettings) -> Self {
        Self {
            bus,
            stopping: watch::channel(false).0,
            open: Arc::default(),
            settings,
        }
    }

    /// Logs the event (names and ids only: lead values are personal data)
    /// and publishes it; nobody listening is fine.
    pub fn announce(&self, event: LeadEvent) {
        tracing::info!(event = event.name(), id = %event.lead_id(), "lead event");
        self.bus.publish(event.name(), event.data());
    }

    /// A subscription resuming after `last_seen`.
    pub fn subscribe(&self, last_seen: Option<u64>) -> Subscription {
        self.bus.subscribe(last_seen)
    }

    /// The id of the newest event so far.
    pub fn latest(&self) -> u64 {
        self.bus.latest()
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

    fn ids(events: &[Arc<Numbered>]) -> Vec<u64> {
        events.iter().map(|event| event.id).collect()
    }

    #[test]
    fn a_client_resumes_after_its_last_id_or_is_told_to_reload() {
        let bus = LocalBus::starting_at(100);
        let fresh = bus.subscribe(Some(99));
        assert_eq!(fresh.missed.map(|m| ids(&m)), Some(vec![]), "nothing yet");
        for _ in 0..3 {
            bus.publish("lead.created", "{}".into());
        }
        assert_eq!(bus.latest(), 102);
        let resumed = bus.subscribe(Some(100));
        assert_eq!(resumed.missed.map(|m| ids(&m)), Some(vec![101, 102]));
        assert_eq!(bus.subscribe(Some(102)).missed.map(|m| m.len()), Some(0));
        assert!(bus.subscribe(Some(5)).missed.is_none(), "from another boot");
        assert!(bus.subscribe(Some(500)).missed.is_none(), "from the future");
    }

    #[test]
    fn only_the_newest_are_kept() {
        let bus = LocalBus::starting_at(1);
        for _ in 0..KEPT + 10 {
            bus.publish("lead.created", "{}".into());
        }
        assert!(bus.subscribe(Some(5)).missed.is_none());
        let edge = bus.subscribe(Some(10)).missed.unwrap();
        assert_eq!(edge.len(), KEPT);
        assert_eq!(edge[0].id, 11);
    }

    #[tokio::test]
    async fn live_events_follow_what_was_missed_without_a_gap() {
        let bus = LocalBus::starting_at(1);
        bus.publish("lead.created", "{\"id\":\"a\"}".into());
        let mut sub = bus.subscribe(Some(0));
        bus.publish("lead.updated", "{\"id\":\"a\"}".into());
        assert_eq!(ids(&sub.missed.unwrap()), [1]);
        let live = sub.live.recv().await.unwrap();
        assert_eq!((live.id, live.name), (2, "lead.updated"));
    }

    #[test]
    fn slots_per_client_are_counted_and_given_back() {
        let events = LeadEvents::new(
            Arc::new(LocalBus::default()),
            StreamSettings {
                per_client: 2,
                ..StreamSettings::default()
            },
        );
        let a = events.open_stream("who:ann".into()).unwrap();
        let _b = events.open_stream("who:ann".into()).unwrap();
        assert!(events.open_stream("who:ann".into()).is_none());
        assert!(events.open_stream("who:bob".into()).is_some());
        drop(a);
        assert!(events.open_stream("who:ann".into()).is_some());
    }
}
