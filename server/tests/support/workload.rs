//! A mixed load of lists, creates and updates from many clients against a
//! real server process, with a ledger of every write the server
//! acknowledged, so a test can prove none of them was lost.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

/// What the clients saw, all together.
#[derive(Default)]
pub struct Ledger {
    /// Per lead a client created: what the server last acknowledged, and
    /// an update sent but not answered (the server may or may not have
    /// stored it when it died).
    pub leads: HashMap<String, Expected>,
    pub lists: u64,
    pub creates: u64,
    pub updates: u64,
    /// Answers that were not the one expected, with what they were.
    pub failures: Vec<String>,
}

/// A lead's status and tags as acknowledged, and perhaps as last sent.
#[derive(Clone)]
pub struct Expected {
    pub name: String,
    pub acknowledged: (Value, Value),
    pub unanswered: Option<(Value, Value)>,
}

/// A running load; `stop` ends it.
pub struct Load {
    pub ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    acknowledged_writes: Arc<AtomicU64>,
    clients: Vec<tokio::task::JoinHandle<()>>,
}

const STATUSES: [&str; 4] = ["new", "contacted", "qualified", "converted"];

impl Load {
    /// Starts `clients` clients against `base`; `round` keeps names unique
    /// across restarts.
    pub fn start(base: &str, clients: usize, round: usize) -> Load {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged_writes = Arc::new(AtomicU64::new(0));
        let http = reqwest::Client::new();
        let clients = (0..clients)
            .map(|client| {
                let worker = Client {
                    base: base.to_owned(),
                    http: http.clone(),
                    ledger: ledger.clone(),
                    stop: stop.clone(),
                    acknowledged_writes: acknowledged_writes.clone(),
                    name: format!("r{round}-c{client}"),
                    own: Vec::new(),
                };
                tokio::spawn(worker.run())
            })
            .collect();
        Load {
            ledger,
            stop,
            acknowledged_writes,
            clients,
        }
    }

    /// Creates and updates the server has acknowledged so far.
    pub fn acknowledged_writes(&self) -> u64 {
        self.acknowledged_writes.load(Ordering::SeqCst)
    }

    /// Asks every client to stop after its current request, and waits.
    pub async fn stop(self) -> Ledger {
        self.stop.store(true, Ordering::SeqCst);
        for client in self.clients {
            client.await.expect("a client task");
        }
        Arc::try_unwrap(self.ledger)
            .ok()
            .expect("no client holds the ledger")
            .into_inner()
            .expect("the ledger lock")
    }
}

struct Client {
    base: String,
    http: reqwest::Client,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    acknowledged_writes: Arc<AtomicU64>,
    name: String,
    own: Vec<String>,
}

impl Client {
    async fn run(mut self) {
        let mut n = 0u32;
        while !self.stop.load(Ordering::SeqCst) {
            n += 1;
            let went_on = match fastrand::u8(0..10) {
                0..=3 => self.list().await,
                4..=6 => self.create(n).await,
                _ if self.own.is_empty() => self.create(n).await,
                _ => self.update().await,
            };
            if !went_on {
                // The server is gone (killed); this client is done.
                return;
            }
        }
    }

    /// Sends one request; `None` when the connection failed.
    async fn send(&self, request: reqwest::RequestBuilder) -> Option<(u16, Value)> {
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.ok()?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Some((status, body))
    }

    async fn list(&mut self) -> bool {
        let status = STATUSES[fastrand::usize(..4)];
        let sort = ["-created_at", "name", "-score", "updated_at"][fastrand::usize(..4)];
        let url = format!(
            "{}/v1/leads?status={status}&sort={sort}&page={}",
            self.base,
            fastrand::u32(1..4)
        );
        let Some((code, body)) = self.send(self.http.get(url)).await else {
            return false;
        };
        let mut ledger = lock(&self.ledger);
        ledger.lists += 1;
        if code != 200 || !body["data"].is_array() {
            ledger.failures.push(format!("list: {code} {body}"));
        }
        true
    }

    async fn create(&mut self, n: u32) -> bool {
        let name = format!("Load {} {n}", self.name);
        let body =
            json!({"name": name, "phone": format!("+1555{:07}", fastrand::u32(..10_000_000))});
        let request = with_json(self.http.post(format!("{}/v1/leads", self.base)), &body);
        let Some((code, lead)) = self.send(request).await else {
            return false;
        };
        let mut ledger = lock(&self.ledger);
        ledger.creates += 1;
        match (code, lead["id"].as_str()) {
            (201, Some(id)) => {
                self.acknowledged_writes.fetch_add(1, Ordering::SeqCst);
                ledger.leads.insert(
                    id.to_owned(),
                    Expected {
                        name,
                        acknowledged: (json!("new"), json!([])),
                        unanswered: None,
                    },
                );
                self.own.push(id.to_owned());
            }
            _ => ledger.failures.push(format!("create: {code} {lead}")),
        }
        true
    }

    async fn update(&mut self) -> bool {
        let id = self.own[fastrand::usize(..self.own.len())].clone();
        let change = (
            json!(STATUSES[fastrand::usize(..4)]),
            json!([format!("t{}", fastrand::u16(..1000))]),
        );
        if let Some(expected) = lock(&self.ledger).leads.get_mut(&id) {
            expected.unanswered = Some(change.clone());
        }
        let request = with_json(
            self.http.patch(format!("{}/v1/leads/{id}", self.base)),
            &json!({"status": change.0, "tags": change.1}),
        );
        let Some((code, lead)) = self.send(request).await else {
            return false;
        };
        let mut ledger = lock(&self.ledger);
        ledger.updates += 1;
        let answered = (lead["status"].clone(), lead["tags"].clone());
        if code == 200 && answered == change {
            self.acknowledged_writes.fetch_add(1, Ordering::SeqCst);
            if let Some(expected) = ledger.leads.get_mut(&id) {
                expected.acknowledged = change;
                expected.unanswered = None;
            }
        } else {
            if let Some(expected) = ledger.leads.get_mut(&id) {
                expected.unanswered = None;
            }
            ledger.failures.push(format!("update {id}: {code} {lead}"));
        }
        true
    }
}

fn lock(ledger: &Mutex<Ledger>) -> std::sync::MutexGuard<'_, Ledger> {
    ledger.lock().unwrap_or_else(|p| p.into_inner())
}

fn with_json(request: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
    request
        .header("content-type", "application/json")
        .body(body.to_string())
}

/// Every lead the server holds now, by id, read page by page.
pub async fn stored_leads(base: &str) -> HashMap<String, Value> {
    let http = reqwest::Client::new();
    let mut leads = HashMap::new();
    for page in 1.. {
        let url = format!("{base}/v1/leads?limit=100&sort=created_at&page={page}");
        let bytes = http
            .get(url)
            .send()
            .await
            .expect("list")
            .bytes()
            .await
            .expect("a page");
        let body: Value = serde_json::from_slice(&bytes).expect("a JSON page");
        let data = body["data"].as_array().expect("a page of leads");
        if data.is_empty() {
            return leads;
        }
        for lead in data {
            let id = lead["id"].as_str().expect("an id").to_owned();
            leads.insert(id, lead.clone());
        }
    }
    unreachable!("pages run out")
}

/// Each acknowledged create is stored under its name, with the last
/// acknowledged update's status and tags (or the one sent but unanswered
/// when the server died); returns what is wrong.
pub fn lost_writes(ledger: &Ledger, stored: &HashMap<String, Value>) -> Vec<String> {
    let mut lost = Vec::new();
    for (id, expected) in &ledger.leads {
        let Some(lead) = stored.get(id) else {
            lost.push(format!("{id} ({}) is gone", expected.name));
            continue;
        };
        let now = (lead["status"].clone(), lead["tags"].clone());
        let allowed = now == expected.acknowledged || Some(&now) == expected.unanswered.as_ref();
        if lead["name"] != json!(expected.name) || !allowed {
            lost.push(format!(
                "{id}: stored {lead}, acknowledged {:?}",
                expected.acknowledged
            ));
        }
    }
    lost
}
